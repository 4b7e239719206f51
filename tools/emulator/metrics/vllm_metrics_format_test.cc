// Byte-level checks of VllmMetrics::Render(): line shapes, `_created` families, histogram
// sample order, multiprocess and V0 specifics.

#include <gtest/gtest.h>

#include <string>

#include "emulator/metrics/vllm_metrics.h"
#include "emulator/metrics/vllm_metrics_test_util.h"

namespace infermetry::emulator {
namespace {

constexpr double kNow = 1795458900.0;

// The text between the line starting with `from` (inclusive) and the next "# HELP" line.
std::string Section(const std::string& body, const std::string& from) {
  size_t at = body.find("\n" + from);
  if (at == std::string::npos) return "";
  ++at;
  size_t end = body.find("\n# HELP", at + 1);
  return body.substr(at, end == std::string::npos ? std::string::npos : end + 1 - at);
}

TEST(VllmMetricsFormatTest, InitialSeriesByteForByte) {
  VllmMetrics m(testing::Options(MetricsLayout::kCurrent, 1, 40960, "m"));
  std::string body = m.Render(kNow);
  EXPECT_EQ(Section(body, "# HELP vllm:engine_sleep_state"),
            "# HELP vllm:engine_sleep_state Engine sleep state; awake = 0 means engine is "
            "sleeping; awake = 1 means engine is awake; weights_offloaded = 1 means sleep level "
            "1; discard_all = 1 means sleep level 2.\n"
            "# TYPE vllm:engine_sleep_state gauge\n"
            "vllm:engine_sleep_state{engine=\"0\",model_name=\"m\",sleep_state=\"awake\"} 1.0\n"
            "vllm:engine_sleep_state{engine=\"0\",model_name=\"m\",sleep_state=\"weights_"
            "offloaded\"} 0.0\n"
            "vllm:engine_sleep_state{engine=\"0\",model_name=\"m\",sleep_state=\"discard_all\"} "
            "0.0\n");
  std::string params_n = Section(body, "# HELP vllm:request_params_n ");
  EXPECT_EQ(params_n,
            "# HELP vllm:request_params_n Histogram of the n request parameter.\n"
            "# TYPE vllm:request_params_n histogram\n"
            "vllm:request_params_n_bucket{engine=\"0\",le=\"1.0\",model_name=\"m\"} 0.0\n"
            "vllm:request_params_n_bucket{engine=\"0\",le=\"2.0\",model_name=\"m\"} 0.0\n"
            "vllm:request_params_n_bucket{engine=\"0\",le=\"5.0\",model_name=\"m\"} 0.0\n"
            "vllm:request_params_n_bucket{engine=\"0\",le=\"10.0\",model_name=\"m\"} 0.0\n"
            "vllm:request_params_n_bucket{engine=\"0\",le=\"20.0\",model_name=\"m\"} 0.0\n"
            "vllm:request_params_n_bucket{engine=\"0\",le=\"+Inf\",model_name=\"m\"} 0.0\n"
            "vllm:request_params_n_count{engine=\"0\",model_name=\"m\"} 0.0\n"
            "vllm:request_params_n_sum{engine=\"0\",model_name=\"m\"} 0.0\n");
  // The _created family follows directly, as a gauge with the same HELP.
  std::string created = Section(body, "# HELP vllm:request_params_n_created");
  EXPECT_EQ(created.substr(0, created.find("vllm:request_params_n_created{")),
            "# HELP vllm:request_params_n_created Histogram of the n request parameter.\n"
            "# TYPE vllm:request_params_n_created gauge\n");
  EXPECT_NE(body.find(params_n + created), std::string::npos);
  // Counters: the family is X_total, its _created family X_created.
  EXPECT_NE(body.find("# TYPE vllm:prompt_tokens_total counter\n"
                      "vllm:prompt_tokens_total{engine=\"0\",model_name=\"m\"} 0.0\n"
                      "# HELP vllm:prompt_tokens_created Number of prefill tokens processed.\n"
                      "# TYPE vllm:prompt_tokens_created gauge\n"
                      "vllm:prompt_tokens_created{engine=\"0\",model_name=\"m\"} "),
            std::string::npos);
  // Gauges have no _created; nor have the collectors.
  EXPECT_EQ(body.find("vllm:num_requests_running_created"), std::string::npos);
  EXPECT_EQ(body.find("process_cpu_seconds_created"), std::string::npos);
  EXPECT_EQ(body.find("python_gc_collections_created"), std::string::npos);
  // cache_config_info: engine, no model_name, value 1.0.
  std::string info = Section(body, "# HELP vllm:cache_config_info");
  EXPECT_NE(info.find("{_block_size_resolved=\"True\",block_size=\"16\","), std::string::npos);
  EXPECT_NE(info.find(",engine=\"0\","), std::string::npos);
  EXPECT_EQ(info.find("model_name"), std::string::npos);
  EXPECT_NE(info.find("} 1.0\n"), std::string::npos);
}

TEST(VllmMetricsFormatTest, BodyEndsWithOneNewlineAndNoEof) {
  for (auto layout :
       {MetricsLayout::kCurrent, MetricsLayout::kLegacyV1Names, MetricsLayout::kV0Multiprocess}) {
    VllmMetrics m(testing::Options(layout, 2, 2048));
    testing::FeedTraffic(&m, 2);
    std::string body = m.Render(kNow);
    ASSERT_GE(body.size(), 2u);
    EXPECT_EQ(body.back(), '\n');
    EXPECT_NE(body[body.size() - 2], '\n');
    EXPECT_EQ(body.find("# EOF"), std::string::npos);
    EXPECT_EQ(body.find("\n\n"), std::string::npos);
  }
}

TEST(VllmMetricsFormatTest, HttpFamiliesBeforeAndAfterTraffic) {
  VllmMetrics m(testing::Options(MetricsLayout::kCurrent, 1, 2048));
  std::string before = m.Render(kNow);
  // Labelled families print only HELP/TYPE until their first series; the unlabelled highr
  // histogram has its series (and _created) from the start.
  EXPECT_NE(before.find("# TYPE http_requests_total counter\n# HELP http_request_size_bytes "),
            std::string::npos);
  EXPECT_NE(before.find("http_request_duration_highr_seconds_bucket{le=\"0.01\"} 0.0\n"),
            std::string::npos);
  EXPECT_NE(before.find("http_request_duration_highr_seconds_created "), std::string::npos);
  EXPECT_TRUE(before.ends_with("# TYPE http_request_duration_seconds histogram\n"));

  m.RecordHttp("/v1/completions", "POST", 200, 120, 512, 0.3);
  m.RecordHttp("/v1/completions", "POST", 404, 10, 0, 0.001);
  m.RecordHttp("/metrics", "GET", 200, 0, 4000, 0.002);    // excluded
  m.RecordHttp("/health", "GET", 200, 0, 0, 0.001);        // excluded
  m.RecordHttp("/v1/metrics/x", "GET", 200, 0, 0, 0.001);  // contains /metrics: excluded
  std::string after = m.Render(kNow);
  EXPECT_NE(after.find("http_requests_total{handler=\"/v1/completions\",method=\"POST\","
                       "status=\"2xx\"} 1.0\n"
                       "http_requests_total{handler=\"/v1/completions\",method=\"POST\","
                       "status=\"4xx\"} 1.0\n"),
            std::string::npos);
  EXPECT_NE(after.find("# TYPE http_request_size_bytes summary\n"
                       "http_request_size_bytes_count{handler=\"/v1/completions\"} 2.0\n"
                       "http_request_size_bytes_sum{handler=\"/v1/completions\"} 130.0\n"
                       "# HELP http_request_size_bytes_created "),
            std::string::npos);
  EXPECT_NE(after.find("http_request_duration_seconds_bucket{handler=\"/v1/completions\","
                       "le=\"0.1\",method=\"POST\"} 1.0\n"),
            std::string::npos);
  EXPECT_EQ(after.find("/metrics"), std::string::npos);
  EXPECT_EQ(after.find("/health"), std::string::npos);
  EXPECT_NE(after.find("http_request_duration_highr_seconds_count 2.0\n"), std::string::npos);
}

TEST(VllmMetricsFormatTest, CreatedSeriesCanBeDisabled) {
  VllmMetricsOptions o = testing::Options(MetricsLayout::kCurrent, 1, 2048);
  o.created_series = false;
  VllmMetrics m(o);
  testing::FeedTraffic(&m, 1);
  EXPECT_EQ(m.Render(kNow).find("_created"), std::string::npos);
}

TEST(VllmMetricsFormatTest, CreatedValuesStartAtStartTime) {
  VllmMetrics m(testing::Options(MetricsLayout::kCurrent, 1, 2048));
  testing::ParsedExposition p = testing::ParseExposition(m.Render(kNow));
  double first = p.series.at(
      "vllm:estimated_flops_per_gpu_created{engine=\"0\",model_name=\"Qwen/Qwen3-0.6B\"}");
  double later =
      p.series.at("vllm:prompt_tokens_created{engine=\"0\",model_name=\"Qwen/Qwen3-0.6B\"}");
  EXPECT_EQ(GoFloat(first), "1.79545888525e+09");
  EXPECT_GT(later, first);
  EXPECT_LT(later, first + 0.01);
  EXPECT_EQ(p.series.at("process_start_time_seconds"), 1795458885.25);
}

TEST(VllmMetricsFormatTest, LegacyNamesSitNextToTheirSuccessors) {
  VllmMetrics m(testing::Options(MetricsLayout::kLegacyV1Names, 1, 2048));
  testing::FeedTraffic(&m, 1);
  testing::ParsedExposition p = testing::ParseExposition(m.Render(kNow));
  std::vector<std::string> names;
  for (const auto& f : p.families) names.push_back(f.name);
  std::string order = testing::Join(names);
  EXPECT_NE(order.find("vllm:engine_sleep_state,vllm:gpu_cache_usage_perc,"
                       "vllm:gpu_prefix_cache_queries_total,vllm:gpu_prefix_cache_queries_created,"
                       "vllm:gpu_prefix_cache_hits_total,vllm:gpu_prefix_cache_hits_created,"
                       "vllm:kv_cache_usage_perc,"),
            std::string::npos);
  EXPECT_NE(order.find("vllm:time_to_first_token_seconds_created,"
                       "vllm:time_per_output_token_seconds,"
                       "vllm:time_per_output_token_seconds_created,"
                       "vllm:inter_token_latency_seconds,"),
            std::string::npos);
  const std::string labels = "{engine=\"0\",model_name=\"Qwen/Qwen3-0.6B\"}";
  EXPECT_EQ(p.series.at("vllm:gpu_prefix_cache_queries_total" + labels),
            p.series.at("vllm:prefix_cache_queries_total" + labels));
  EXPECT_EQ(p.series.at("vllm:time_per_output_token_seconds_count" + labels),
            p.series.at("vllm:inter_token_latency_seconds_count" + labels));
}

TEST(VllmMetricsFormatTest, MultiprocessLayout) {
  VllmMetricsOptions o = testing::Options(MetricsLayout::kCurrent, 2, 2048);
  o.multiprocess = true;
  VllmMetrics m(o);
  std::string idle = m.Render(kNow);
  EXPECT_EQ(idle.find("python_"), std::string::npos);
  EXPECT_EQ(idle.find("process_"), std::string::npos);
  EXPECT_EQ(idle.find("_created"), std::string::npos);
  EXPECT_EQ(idle.find("http_requests_total"), std::string::npos);  // no series yet
  testing::FeedTraffic(&m, 2);
  std::string body = m.Render(kNow);
  testing::ParsedExposition p = testing::ParseExposition(body);
  ASSERT_TRUE(p.errors.empty()) << testing::Join(p.errors);
  // Grouped by file type: counters, histograms, summaries, gauges.
  std::string last_type;
  std::string types;
  for (const auto& f : p.families) {
    if (f.type != last_type) types += (types.empty() ? "" : ",") + f.type;
    last_type = f.type;
  }
  EXPECT_EQ(types, "counter,histogram,summary,gauge");
  // Histogram: _sum of every series, then buckets and _count per series.
  std::string h = Section(body, "# HELP vllm:request_params_n ");
  EXPECT_TRUE(h.starts_with(
      "# HELP vllm:request_params_n Histogram of the n request parameter.\n"
      "# TYPE vllm:request_params_n histogram\n"
      "vllm:request_params_n_sum{engine=\"0\",model_name=\"Qwen/Qwen3-0.6B\"} 2.0\n"
      "vllm:request_params_n_sum{engine=\"1\",model_name=\"Qwen/Qwen3-0.6B\"} 2.0\n"
      "vllm:request_params_n_bucket{engine=\"0\",le=\"1.0\",model_name=\"Qwen/Qwen3-0.6B\"} "
      "2.0\n"))
      << h;
  EXPECT_NE(h.find("vllm:request_params_n_count{engine=\"0\",model_name=\"Qwen/Qwen3-0.6B\"} "
                   "2.0\nvllm:request_params_n_bucket{engine=\"1\",le=\"1.0\""),
            std::string::npos);
}

TEST(VllmMetricsFormatTest, V0CreatesSeriesOnFirstUpdate) {
  VllmMetrics m(testing::Options(MetricsLayout::kV0Multiprocess, 1, 2048));
  testing::ParsedExposition idle = testing::ParseExposition(m.Render(kNow));
  std::vector<std::string> names;
  for (const auto& f : idle.families) names.push_back(f.name);
  EXPECT_EQ(testing::Join(names), "http_request_duration_highr_seconds,vllm:cache_config_info");

  m.Record(0, SchedulerStats{}, nullptr);  // gauges and counters, no histogram series yet
  std::string body = m.Render(kNow);
  EXPECT_NE(body.find("vllm:num_requests_running{model_name=\"Qwen/Qwen3-0.6B\"} 0.0\n"),
            std::string::npos);
  EXPECT_NE(body.find("vllm:prompt_tokens_total{model_name=\"Qwen/Qwen3-0.6B\"} 0.0\n"),
            std::string::npos);
  EXPECT_EQ(body.find("vllm:e2e_request_latency_seconds"), std::string::npos);
  EXPECT_EQ(body.find("vllm:request_success_total"), std::string::npos);
  EXPECT_EQ(body.find("engine="), std::string::npos);

  IterationStats it;
  it.finished_requests = {testing::Finished("stop", 10, 5, 0.5)};
  m.Record(0, SchedulerStats{}, &it);
  body = m.Render(kNow);
  EXPECT_NE(body.find("vllm:request_success_total{finished_reason=\"stop\","
                      "model_name=\"Qwen/Qwen3-0.6B\"} 1.0\n# HELP"),
            std::string::npos);
  EXPECT_NE(body.find("vllm:e2e_request_latency_seconds_bucket{le=\"60.0\","
                      "model_name=\"Qwen/Qwen3-0.6B\"} 1.0\n"
                      "vllm:e2e_request_latency_seconds_bucket{le=\"+Inf\","),
            std::string::npos);
  EXPECT_EQ(body.find("vllm:tokens_total"), std::string::npos);  // never incremented
}

TEST(VllmMetricsFormatTest, ContentType) {
  VllmMetricsOptions o = testing::Options(MetricsLayout::kCurrent, 1, 2048);
  EXPECT_EQ(VllmMetrics(o).content_type(), "text/plain; version=0.0.4; charset=utf-8");
  o.content_type_v1 = true;
  EXPECT_EQ(VllmMetrics(o).content_type(), "text/plain; version=1.0.0; charset=utf-8");
}

TEST(VllmMetricsFormatTest, RealProcessFigures) {
  VllmMetricsOptions o = testing::Options(MetricsLayout::kCurrent, 1, 2048);
  o.read_proc_self = true;
  VllmMetrics m(o);
  testing::ParsedExposition p = testing::ParseExposition(m.Render(kNow));
  EXPECT_GT(p.series.at("process_resident_memory_bytes"), 1e5);
  EXPECT_GE(p.series.at("process_virtual_memory_bytes"),
            p.series.at("process_resident_memory_bytes"));
  EXPECT_GE(p.series.at("process_open_fds"), 3);
  EXPECT_GE(p.series.at("process_max_fds"), p.series.at("process_open_fds"));
  EXPECT_GT(p.series.at("process_start_time_seconds"), 1.5e9);
}

}  // namespace
}  // namespace infermetry::emulator
