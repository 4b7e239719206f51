#include "export/otlp_to_samples.h"

#include <gtest/gtest.h>

#include <cstring>

#include "ingest/prometheus/otlp_appendable.h"
#include "ingest/scrape/scrape_loop.h"
#include "storage/memory_appendable.h"

namespace infermetry::exporter {
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

std::vector<std::string> Render(std::vector<storage::StoredSample> samples) {
  std::vector<std::string> out;
  for (const auto& s : samples) {
    uint64_t bits;
    std::memcpy(&bits, &s.v, sizeof bits);
    out.push_back(s.labels.ToString() + " " + std::to_string(s.t_ms) + " " + std::to_string(bits));
  }
  std::sort(out.begin(), out.end());
  return out;
}

constexpr const char* kBody =
    "# HELP vllm:prompt_tokens_total Number of prefill tokens processed.\n"
    "# TYPE vllm:prompt_tokens_total counter\n"
    "vllm:prompt_tokens_total{engine=\"0\",model_name=\"m\"} 26.0\n"
    "# TYPE vllm:kv_cache_usage_perc gauge\n"
    "vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"m\"} 0.25\n"
    "# TYPE vllm:e2e_request_latency_seconds histogram\n"
    "vllm:e2e_request_latency_seconds_bucket{engine=\"0\",le=\"0.3\",model_name=\"m\"} 1.0\n"
    "vllm:e2e_request_latency_seconds_bucket{engine=\"0\",le=\"1.0\",model_name=\"m\"} 3.0\n"
    "vllm:e2e_request_latency_seconds_bucket{engine=\"0\",le=\"2560.0\",model_name=\"m\"} 3.0\n"
    "vllm:e2e_request_latency_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"m\"} 4.0\n"
    "vllm:e2e_request_latency_seconds_count{engine=\"0\",model_name=\"m\"} 4.0\n"
    "vllm:e2e_request_latency_seconds_sum{engine=\"0\",model_name=\"m\"} 2.5\n"
    "# TYPE rpc_seconds summary\n"
    "rpc_seconds{quantile=\"0.5\"} 0.1\n"
    "rpc_seconds{quantile=\"0.99\"} 0.9\n"
    "rpc_seconds_sum 12\n"
    "rpc_seconds_count 40\n";

// A scrape stored directly and the same scrape carried through OTLP (prometheus receiver ->
// store conversion) give identical samples, staleness markers included.
TEST(OtlpToSamplesTest, ScrapeRoundTripsThroughOtlpExactly) {
  scrape::ScrapeConfig cfg;
  cfg.job_name = "vllm";
  cfg.static_configs.push_back({{"127.0.0.1:8000"}, {}});
  auto target = scrape::TargetsFromConfig(cfg).at(0);

  storage::MemoryAppendable direct;
  scrape::ScrapeLoop direct_loop(target, &direct);
  Capture capture;
  prometheus::OtlpAppendable otlp(&capture, "prometheus");
  scrape::ScrapeLoop otlp_loop(target, &otlp);
  // Two scrapes; the second drops the summary, which makes its series stale.
  std::string second = std::string(kBody).substr(0, std::string(kBody).find("# TYPE rpc_seconds"));
  for (auto [body, t] : {std::pair<std::string, int64_t>{kBody, 1700000000000},
                         std::pair<std::string, int64_t>{second, 1700000005000}}) {
    ASSERT_TRUE(direct_loop.Append(body, "text/plain", t, 0.01, Status::Ok()).up);
    ASSERT_TRUE(otlp_loop.Append(body, "text/plain", t, 0.01, Status::Ok()).up);
  }

  storage::MemoryAppendable stored;
  AppendStats stats;
  for (const process::Metrics& m : capture.batches) {
    auto app = stored.NewAppender();
    ASSERT_TRUE(AppendOtlpMetrics(m, app.get(), &stats).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  std::vector<std::string> want = Render(direct.Take());
  EXPECT_EQ(Render(stored.Take()), want);
  EXPECT_EQ(stats.samples, want.size());
  EXPECT_EQ(stats.rejected, 0u);
}

TEST(OtlpToSamplesTest, ResourcesNamesAndUnsupportedPoints) {
  process::Metrics req;
  auto* rm = req.add_resource_metrics();
  auto add_attr = [](auto* attrs, const char* k, const char* v) {
    auto* kv = attrs->Add();
    kv->set_key(k);
    kv->mutable_value()->set_string_value(v);
  };
  add_attr(rm->mutable_resource()->mutable_attributes(), "service.name", "rag");
  add_attr(rm->mutable_resource()->mutable_attributes(), "service.namespace", "prod");
  add_attr(rm->mutable_resource()->mutable_attributes(), "deployment.environment.name", "eu");
  auto* sm = rm->add_scope_metrics();
  pm::Metric* g = sm->add_metrics();
  g->set_name("http.server.active_requests");
  auto* dp = g->mutable_gauge()->add_data_points();
  dp->set_time_unix_nano(2'000'000'000);
  dp->set_as_int(7);
  add_attr(dp->mutable_attributes(), "http.method", "GET");
  pm::Metric* delta = sm->add_metrics();
  delta->set_name("d");
  delta->mutable_sum()->set_aggregation_temporality(pm::AGGREGATION_TEMPORALITY_DELTA);
  delta->mutable_sum()->add_data_points()->set_as_double(1);
  delta->mutable_sum()->add_data_points()->set_as_double(2);

  storage::MemoryAppendable stored;
  auto app = stored.NewAppender();
  AppendStats stats;
  ASSERT_TRUE(AppendOtlpMetrics(req, app.get(), &stats).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(Render(stored.Take()),
            (std::vector<std::string>{
                "http_server_active_requests{http_method=\"GET\",job=\"prod/rag\"} 2000 " +
                    std::to_string(0x401c000000000000ull),
                "target_info{deployment_environment_name=\"eu\",job=\"prod/rag\"} 2000 " +
                    std::to_string(0x3ff0000000000000ull)}));
  EXPECT_EQ(stats.unsupported_points, 2u);
}

// An appender that refuses some samples with the expected ingest codes.
class Refusing : public storage::Appender {
 public:
  Status Append(const model::Labels& l, int64_t t, double v) override {
    if (t == 1) return Status(Code::kOutOfOrder, "old");
    if (t == 2) return Status(Code::kIoError, "disk");
    ++ok;
    return Status::Ok();
  }
  Status Commit() override { return Status::Ok(); }
  void Rollback() override {}
  int ok = 0;
};

TEST(OtlpToSamplesTest, ExpectedRejectionsAreCountedOtherErrorsFail) {
  process::Metrics req;
  auto* m = req.add_resource_metrics()->add_scope_metrics()->add_metrics();
  m->set_name("g");
  for (uint64_t t_ms : {0, 1, 3}) m->mutable_gauge()->add_data_points()->set_time_unix_nano(t_ms * 1000000);
  Refusing app;
  AppendStats stats;
  ASSERT_TRUE(AppendOtlpMetrics(req, &app, &stats).ok());
  EXPECT_EQ(app.ok, 2);
  EXPECT_EQ(stats.rejected, 1u);
  m->mutable_gauge()->add_data_points()->set_time_unix_nano(2 * 1000000);
  Status st = AppendOtlpMetrics(req, &app, &stats);
  EXPECT_EQ(st.code(), Code::kIoError);
}

}  // namespace
}  // namespace infermetry::exporter
