// Golden payloads: real-shaped vLLM /metrics output (text format) and a hand-written
// OpenMetrics file. Expected counts were established independently with grep.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "ingest/textparse/parse_test_util.h"
#include "ingest/textparse/parser.h"

namespace infermetry::textparse {
namespace {

using model::MetricType;

struct Stats {
  int help = 0, type = 0, unit = 0, comment = 0, series = 0, invalid = 0;
  int exemplars = 0, timestamps = 0, buckets = 0, created = 0, colon_names = 0;
  size_t labels = 0;
  std::map<std::string, int> type_lines;      // TYPE lines by type name
  std::map<std::string, int> series_by_type;  // series by their family's type
  std::map<int, std::string> rendered;        // line number -> rendered entry
  std::map<int, std::string> family;          // line number -> family:type of a series
  std::string first_error;
};

Stats Collect(const std::string& input, Format format) {
  Stats s;
  Parser p(input, format);
  for (Entry e; (e = p.Next()) != Entry::kEof;) {
    s.rendered[p.line()] = testing::Render(p, e);
    const std::string type_name(model::MetricTypeName(p.Type()));
    switch (e) {
      case Entry::kHelp:
        ++s.help;
        break;
      case Entry::kType:
        ++s.type;
        ++s.type_lines[type_name];
        break;
      case Entry::kUnit:
        ++s.unit;
        break;
      case Entry::kComment:
        ++s.comment;
        break;
      case Entry::kInvalid:
        if (s.invalid++ == 0) s.first_error = p.error().ToString();
        break;
      case Entry::kSeries: {
        ++s.series;
        s.labels += p.Labels().size();
        ++s.series_by_type[type_name];
        s.family[p.line()] = std::string(p.FamilyName()) + ":" + type_name;
        ExemplarView ex;
        s.exemplars += p.Exemplar(&ex) ? 1 : 0;
        s.timestamps += p.HasTimestamp() ? 1 : 0;
        s.buckets += p.MetricName().ends_with("_bucket") ? 1 : 0;
        s.created += p.MetricName().ends_with("_created") ? 1 : 0;
        s.colon_names += p.MetricName().find(':') != std::string_view::npos ? 1 : 0;
        break;
      }
      default:
        break;
    }
  }
  return s;
}

TEST(GoldenTest, VllmSingleProcess) {
  std::string in = testing::ReadTestData("textparse/vllm-metrics-example.txt");
  ASSERT_FALSE(in.empty()) << "set INFERMETRY_TESTDATA";
  Stats s = Collect(in, Format::kPrometheusText);
  EXPECT_EQ(s.invalid, 0) << s.first_error;
  EXPECT_EQ(s.series, 420);
  EXPECT_EQ(s.help, 86);
  EXPECT_EQ(s.type, 86);
  EXPECT_EQ(s.comment, 0);
  EXPECT_EQ(s.unit, 0);
  EXPECT_EQ(s.timestamps, 0);
  EXPECT_EQ(s.buckets, 294);
  EXPECT_EQ(s.created, 41);
  EXPECT_EQ(s.colon_names, 364);
  EXPECT_EQ(s.labels, 1088u);
  EXPECT_EQ(s.type_lines, (std::map<std::string, int>{
                              {"counter", 20}, {"gauge", 47}, {"histogram", 17}, {"summary", 2}}));
  // 294 buckets + 17 _count + 17 _sum belong to histogram families; 2 _count + 2 _sum to
  // summaries.
  EXPECT_EQ(s.series_by_type["histogram"], 328);
  EXPECT_EQ(s.series_by_type["summary"], 4);

  EXPECT_EQ(s.rendered[21], "process_virtual_memory_bytes{} 2.9138944e+07");
  EXPECT_EQ(s.rendered[145],
            "vllm:request_success_total{engine=\"0\",finished_reason=\"stop\",model_name=\"Qwen/"
            "Qwen3-0.6B\"} 1");
  EXPECT_EQ(s.family[145], "vllm:request_success_total:counter");
  EXPECT_EQ(s.rendered[303],
            "vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"Qwen/"
            "Qwen3-0.6B\"} 2");
  EXPECT_EQ(s.family[303], "vllm:time_to_first_token_seconds:histogram");
  EXPECT_EQ(s.rendered[332],
            "vllm:inter_token_latency_seconds_sum{engine=\"0\",model_name=\"Qwen/Qwen3-0.6B\"} "
            "0.4530000000000006");
  EXPECT_EQ(s.rendered[220], "TYPE vllm:iteration_tokens_total_created gauge");
  EXPECT_EQ(s.rendered[221],
            "vllm:iteration_tokens_total_created{engine=\"0\",model_name=\"Qwen/Qwen3-0.6B\"} "
            "1.7954588862347944e+09");
  EXPECT_EQ(s.family[221], "vllm:iteration_tokens_total_created:gauge");
  EXPECT_EQ(s.rendered[532],
            "vllm:cache_config_info{block_size=\"16\",cache_dtype=\"auto\",enable_prefix_caching="
            "\"True\",engine=\"0\",gpu_memory_utilization=\"0.9\",num_cpu_blocks=\"None\","
            "num_gpu_blocks=\"27150\"} 1");
  // HELP text keeps its trailing space.
  EXPECT_EQ(s.rendered[539],
            "HELP http_request_size_bytes \"Content length of incoming requests by handler. Only "
            "value of header is respected. Otherwise ignored. No percentile calculated. \"");
  EXPECT_EQ(s.family[541], "http_request_size_bytes:summary");
}

TEST(GoldenTest, VllmSingleProcessLabelsAndValuesByAccessor) {
  std::string in = testing::ReadTestData("textparse/vllm-metrics-example.txt");
  Parser p(in, Format::kPrometheusText);
  while (p.Next() != Entry::kEof && p.line() < 303) {
  }
  ASSERT_EQ(p.line(), 303);
  EXPECT_EQ(p.MetricName(), "vllm:time_to_first_token_seconds_bucket");
  ASSERT_EQ(p.Labels().size(), 3u);
  EXPECT_EQ(p.Labels()[1], (LabelView{"le", "+Inf"}));
  EXPECT_EQ(p.Value(), 2.0);
  EXPECT_EQ(p.Series(),
            "vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"Qwen/"
            "Qwen3-0.6B\"}");
}

TEST(GoldenTest, VllmMultiprocess) {
  std::string in = testing::ReadTestData("textparse/vllm-metrics-example-multiprocess.txt");
  ASSERT_FALSE(in.empty());
  Stats s = Collect(in, Format::kPrometheusText);
  EXPECT_EQ(s.invalid, 0) << s.first_error;
  EXPECT_EQ(s.series, 56);
  EXPECT_EQ(s.help, 4);
  EXPECT_EQ(s.type, 4);
  EXPECT_EQ(s.buckets, 44);
  EXPECT_EQ(s.created, 0);
  EXPECT_EQ(s.labels, 160u);
  EXPECT_EQ(s.series_by_type["histogram"], 48);
  EXPECT_EQ(s.rendered[13],
            "vllm:e2e_request_latency_seconds_sum{engine=\"0\",model_name=\"Qwen/Qwen3-0.6B\"} "
            "0.412");
  EXPECT_EQ(
      s.rendered[60],
      "vllm:e2e_request_latency_seconds_count{engine=\"1\",model_name=\"Qwen/Qwen3-0.6B\"} 1");
}

TEST(GoldenTest, OpenMetricsHandWritten) {
  std::string in = testing::ReadTestData("textparse/openmetrics-example.txt");
  ASSERT_FALSE(in.empty());
  Stats s = Collect(in, Format::kOpenMetrics);
  EXPECT_EQ(s.invalid, 0) << s.first_error;
  EXPECT_EQ(s.series, 30);
  EXPECT_EQ(s.help, 9);
  EXPECT_EQ(s.type, 9);
  EXPECT_EQ(s.unit, 3);
  EXPECT_EQ(s.exemplars, 3);
  EXPECT_EQ(s.timestamps, 2);
  EXPECT_EQ(s.type_lines, (std::map<std::string, int>{{"counter", 1},
                                                      {"gauge", 2},
                                                      {"histogram", 1},
                                                      {"gaugehistogram", 1},
                                                      {"summary", 1},
                                                      {"info", 1},
                                                      {"stateset", 1},
                                                      {"unknown", 1}}));
  EXPECT_EQ(s.rendered[3],
            "vllm:request_success_total{engine=\"0\",finished_reason=\"stop\",model_name=\"meta-"
            "llama/Llama-3.1-8B-Instruct\"} 1027 # {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"} "
            "1 @1795458886234");
  EXPECT_EQ(s.family[3], "vllm:request_success:counter");
  EXPECT_EQ(s.family[4], "vllm:request_success:counter");
  EXPECT_EQ(s.rendered[9], "UNIT vllm:e2e_request_latency_seconds \"seconds\"");
  EXPECT_EQ(s.rendered[11],
            "vllm:e2e_request_latency_seconds_bucket{engine=\"0\",le=\"1.0\",model_name=\"meta-"
            "llama/Llama-3.1-8B-Instruct\"} 4 # {span_id=\"00f067aa0ba902b7\",trace_id="
            "\"4bf92f3577b34da6a3ce929d0e0e4736\"} 0.87 @1795458890500");
  EXPECT_EQ(s.family[16], "vllm:e2e_request_latency_seconds:histogram");
  EXPECT_EQ(s.rendered[19],
            "vllm:num_requests_running{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-"
            "Instruct\"} 3 @1795458900500");
  EXPECT_EQ(s.family[29], "vllm:waiting_tokens:gaugehistogram");
  EXPECT_EQ(s.family[34], "http_request_size_bytes:summary");
  EXPECT_EQ(s.family[37], "http_request_size_bytes:summary");
  EXPECT_EQ(s.rendered[41], "infermetry_build_info{revision=\"92f9ecf\",version=\"0.1.0\"} 1");
  EXPECT_EQ(s.family[41], "infermetry_build:info");
  EXPECT_EQ(s.family[44], "engine_state:stateset");
  EXPECT_EQ(s.rendered[47],
            "HELP legacy_metric \"A help with \\\"quotes\\\", a backslash \\\\ and a\\nnewline.\"");
  EXPECT_EQ(s.rendered[49], "legacy_metric{note=\"line one\\nline \\\"two\\\" \\\\ end\"} NaN");
  EXPECT_EQ(s.rendered[50], "legacy_metric{note=\"inf\"} -Inf @1");
  EXPECT_EQ(s.family[51], "no_metadata_metric:unknown");
}

}  // namespace
}  // namespace infermetry::textparse
