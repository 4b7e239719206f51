#include "ingest/prometheus/otlp_appendable.h"

#include <gtest/gtest.h>

#include <map>

#include "ingest/scrape/scrape_loop.h"

namespace infermetry::prometheus {
namespace {

namespace pm = opentelemetry::proto::metrics::v1;

class Capture : public process::Consumer {
 public:
  Status ConsumeMetrics(process::Metrics&& m) override {
    batches.push_back(std::move(m));
    return Status::Ok();
  }
  std::vector<process::Metrics> batches;
};

const pm::Metric* Find(const process::Metrics& m, std::string_view name) {
  for (const auto& rm : m.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& metric : sm.metrics()) {
        if (metric.name() == name) return &metric;
      }
    }
  }
  return nullptr;
}

std::map<std::string, std::string> Attrs(const google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>& kv) {
  std::map<std::string, std::string> out;
  for (const auto& x : kv) out[x.key()] = x.value().string_value();
  return out;
}

constexpr const char* kBody =
    "# HELP vllm:prompt_tokens_total Number of prefill tokens processed.\n"
    "# TYPE vllm:prompt_tokens_total counter\n"
    "vllm:prompt_tokens_total{engine=\"0\",model_name=\"m\"} 26.0\n"
    "# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
    "# TYPE vllm:num_requests_running gauge\n"
    "vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 2.0\n"
    "# HELP vllm:e2e_request_latency_seconds Histogram of e2e request latency in seconds.\n"
    "# TYPE vllm:e2e_request_latency_seconds histogram\n"
    "vllm:e2e_request_latency_seconds_bucket{engine=\"0\",le=\"0.3\",model_name=\"m\"} 1.0\n"
    "vllm:e2e_request_latency_seconds_bucket{engine=\"0\",le=\"0.5\",model_name=\"m\"} 3.0\n"
    "vllm:e2e_request_latency_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"m\"} 4.0\n"
    "vllm:e2e_request_latency_seconds_count{engine=\"0\",model_name=\"m\"} 4.0\n"
    "vllm:e2e_request_latency_seconds_sum{engine=\"0\",model_name=\"m\"} 2.5\n"
    "# TYPE rpc_seconds summary\n"
    "rpc_seconds{quantile=\"0.5\"} 0.1\n"
    "rpc_seconds{quantile=\"0.99\"} 0.9\n"
    "rpc_seconds_sum 12\n"
    "rpc_seconds_count 40\n";

class OtlpAppendableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_.job_name = "vllm";
    cfg_.static_configs.push_back({{"127.0.0.1:8000"}, {}});
  }
  scrape::ScrapeConfig cfg_;
  Capture capture_;
};

TEST_F(OtlpAppendableTest, ConvertsLikeTheCollectorKeepingNames) {
  OtlpAppendable app(&capture_, "prometheus");
  scrape::ScrapeLoop loop(scrape::TargetsFromConfig(cfg_).at(0), &app);
  auto r = loop.Append(kBody, "text/plain", 1700000000000, 0.01, Status::Ok());
  ASSERT_TRUE(r.up) << r.error.ToString();
  ASSERT_EQ(capture_.batches.size(), 1u);
  const process::Metrics& m = capture_.batches[0];
  ASSERT_EQ(m.resource_metrics_size(), 1u);
  auto res = Attrs(m.resource_metrics(0).resource().attributes());
  EXPECT_EQ(res["service.name"], "vllm");
  EXPECT_EQ(res["service.instance.id"], "127.0.0.1:8000");
  EXPECT_EQ(res["server.port"], "8000");

  const pm::Metric* c = Find(m, "vllm:prompt_tokens_total");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->description(), "Number of prefill tokens processed.");
  ASSERT_TRUE(c->has_sum());
  EXPECT_TRUE(c->sum().is_monotonic());
  EXPECT_EQ(c->sum().aggregation_temporality(), pm::AGGREGATION_TEMPORALITY_CUMULATIVE);
  EXPECT_EQ(c->sum().data_points(0).as_double(), 26);
  EXPECT_EQ(c->sum().data_points(0).time_unix_nano(), 1700000000000000000ull);
  auto attrs = Attrs(c->sum().data_points(0).attributes());
  EXPECT_EQ(attrs, (std::map<std::string, std::string>{{"engine", "0"}, {"model_name", "m"}}));

  const pm::Metric* g = Find(m, "vllm:num_requests_running");
  ASSERT_NE(g, nullptr);
  ASSERT_TRUE(g->has_gauge());
  EXPECT_EQ(g->gauge().data_points(0).as_double(), 2);

  const pm::Metric* h = Find(m, "vllm:e2e_request_latency_seconds");
  ASSERT_NE(h, nullptr);
  ASSERT_TRUE(h->has_histogram());
  ASSERT_EQ(h->histogram().data_points_size(), 1);
  const auto& dp = h->histogram().data_points(0);
  EXPECT_EQ(std::vector<double>(dp.explicit_bounds().begin(), dp.explicit_bounds().end()), (std::vector<double>{0.3, 0.5}));
  EXPECT_EQ(std::vector<uint64_t>(dp.bucket_counts().begin(), dp.bucket_counts().end()), (std::vector<uint64_t>{1, 2, 1}));
  EXPECT_EQ(dp.count(), 4u);
  EXPECT_EQ(dp.sum(), 2.5);
  EXPECT_EQ(Attrs(dp.attributes()).count("le"), 0u);

  const pm::Metric* s = Find(m, "rpc_seconds");
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->has_summary());
  EXPECT_EQ(s->summary().data_points(0).quantile_values_size(), 2);
  EXPECT_EQ(s->summary().data_points(0).count(), 40u);
  EXPECT_EQ(s->summary().data_points(0).sum(), 12);

  const pm::Metric* up = Find(m, "up");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->gauge().data_points(0).as_double(), 1);
}

TEST_F(OtlpAppendableTest, StartTimeIsFirstSeenAndStaleSeriesAreFlagged) {
  OtlpAppendable app(&capture_, "prometheus");
  scrape::ScrapeLoop loop(scrape::TargetsFromConfig(cfg_).at(0), &app);
  (void)loop.Append(kBody, "", 1000, 0, Status::Ok());
  (void)loop.Append(kBody, "", 2000, 0, Status::Ok());
  const pm::Metric* c = Find(capture_.batches[1], "vllm:prompt_tokens_total");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->sum().data_points(0).start_time_unix_nano(), 1000000000ull);
  EXPECT_EQ(c->sum().data_points(0).time_unix_nano(), 2000000000ull);
  (void)loop.Append("", "", 3000, 0, Unavailable("down"));
  const pm::Metric* gone = Find(capture_.batches[2], "vllm:num_requests_running");
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(gone->gauge().data_points(0).flags(), pm::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK);
  const pm::Metric* hist = Find(capture_.batches[2], "vllm:e2e_request_latency_seconds");
  ASSERT_NE(hist, nullptr);
  EXPECT_EQ(hist->histogram().data_points(0).flags(), pm::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK);
}

}  // namespace
}  // namespace infermetry::prometheus
