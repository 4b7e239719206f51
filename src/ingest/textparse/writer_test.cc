// Writer output and the parse -> write -> parse round trip.

#include "ingest/textparse/writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ingest/textparse/parse_test_util.h"

namespace infermetry::textparse {
namespace {

using model::MetricType;
using testing::RoundTrip;

TEST(WriterTest, TextFormat) {
  std::string out;
  Writer w(Format::kPrometheusText, &out);
  w.Help("vllm:prompt_tokens_total", "Number of prefill tokens processed.\nback\\slash \"q\"");
  w.Type("vllm:prompt_tokens_total", MetricType::kCounter);
  w.Unit("vllm:prompt_tokens_total", "tokens");  // no UNIT in text
  const LabelView labels[] = {{"engine", "0"}, {"model_name", "a\"b\\c\nd"}};
  w.Sample("vllm:prompt_tokens_total", labels, 26.0);
  w.Sample("vllm:prompt_tokens_total", labels, 1.7954588862346423e+09, 1700000000123);
  ExemplarView ex{labels, 1.0, true, 5};
  w.Sample("x", {}, NAN, std::nullopt, &ex);  // exemplar dropped in text
  w.Sample("x", {}, -INFINITY, -7);
  w.Type("u", MetricType::kUnknown);
  w.Type("i", MetricType::kInfo);
  w.Comment(" free text");
  w.Eof();  // nothing in text
  EXPECT_EQ(out,
            "# HELP vllm:prompt_tokens_total Number of prefill tokens processed.\\nback\\\\slash "
            "\"q\"\n"
            "# TYPE vllm:prompt_tokens_total counter\n"
            "vllm:prompt_tokens_total{engine=\"0\",model_name=\"a\\\"b\\\\c\\nd\"} 26\n"
            "vllm:prompt_tokens_total{engine=\"0\",model_name=\"a\\\"b\\\\c\\nd\"} "
            "1.7954588862346423e+09 1700000000123\n"
            "x NaN\n"
            "x -Inf -7\n"
            "# TYPE u untyped\n"
            "# TYPE i untyped\n"
            "# free text\n");
}

TEST(WriterTest, OpenMetricsFormat) {
  std::string out;
  Writer w(Format::kOpenMetrics, &out);
  w.Help("req_seconds", "Latency \"e2e\".");
  w.Type("req_seconds", MetricType::kHistogram);
  w.Unit("req_seconds", "seconds");
  const LabelView bucket[] = {{"le", "0.5"}};
  const LabelView trace[] = {{"trace_id", "abc"}};
  ExemplarView ex{trace, 0.25, true, 1700000000123};
  w.Sample("req_seconds_bucket", bucket, 3, std::nullopt, &ex);
  ExemplarView ex2{{}, 1, false, 0};
  w.Sample("req_seconds_count", {}, 3, 1700000000000, &ex2);
  w.Type("u", MetricType::kUnknown);
  w.Type("s", MetricType::kStateset);
  w.Comment("dropped");
  w.Eof();
  EXPECT_EQ(out,
            "# HELP req_seconds Latency \\\"e2e\\\".\n"
            "# TYPE req_seconds histogram\n"
            "# UNIT req_seconds seconds\n"
            "req_seconds_bucket{le=\"0.5\"} 3 # {trace_id=\"abc\"} 0.25 1700000000.123\n"
            "req_seconds_count 3 1700000000 # {} 1\n"
            "# TYPE u unknown\n"
            "# TYPE s stateset\n"
            "# EOF\n");
}

TEST(WriterTest, AppendsToExistingOutput) {
  std::string out = "prefix\n";
  Writer w(Format::kPrometheusText, &out);
  w.Sample("a", {}, 0.5);
  EXPECT_EQ(out, "prefix\na 0.5\n");
}

struct RoundTripCase {
  const char* name;
  Format format;
  const char* input;
};

class RoundTripTest : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(RoundTripTest, ParseWriteParseIsStable) {
  auto r = RoundTrip(GetParam().input, GetParam().format);
  EXPECT_FALSE(r.first.empty());
  EXPECT_EQ(r.first, r.second) << r.written;
}

const RoundTripCase kRoundTripCases[] = {
    {"TextTricky", Format::kPrometheusText,
     "# HELP m a\\\\b\\nc \\\"q\\\" \\t tail\\\n"
     "# TYPE m untyped\n"
     "# a comment\r\n"
     "#HELP no space\n"
     "  m { a = \"x\\\\y\\\"z\\nw\\tv\" , b=\"\xc3\xa9\" , } -0 -5\n"
     "m 1e-07\n"
     "m{c=\"\"} 123456789012345680000 9223372036854775807\n"
     "bad line\n"
     "m NaN\n"},
    {"OpenMetricsTricky", Format::kOpenMetrics,
     "# HELP c  lead \\\" \\\\ \\n \\x\n"
     "# TYPE c counter\n"
     "# UNIT c_seconds seconds\n"
     "c_total{a=\"\\t\"} 1.5 -0.001 # {t=\"x\"} +Inf 1795458886.2346857\n"
     "c_created 1.7954588862346857e+09\n"
     "# TYPE i info\n"
     "i_info{v=\"1\"} 1\n"
     "g 1 # {} 2\n"
     "# EOF\n"},
};
INSTANTIATE_TEST_SUITE_P(Writer, RoundTripTest, ::testing::ValuesIn(kRoundTripCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(RoundTripTest, GoldenFilesAreStable) {
  const struct {
    const char* file;
    Format format;
  } files[] = {
      {"textparse/vllm-metrics-example.txt", Format::kPrometheusText},
      {"textparse/vllm-metrics-example-multiprocess.txt", Format::kPrometheusText},
      {"textparse/openmetrics-example.txt", Format::kOpenMetrics},
  };
  for (const auto& f : files) {
    std::string in = testing::ReadTestData(f.file);
    ASSERT_FALSE(in.empty()) << f.file;
    auto r = RoundTrip(in, f.format);
    EXPECT_EQ(r.first, r.second) << f.file;
    // Every input line is an entry, so the output has as many lines.
    EXPECT_EQ(std::count(r.written.begin(), r.written.end(), '\n'),
              std::count(in.begin(), in.end(), '\n'))
        << f.file;
  }
}

}  // namespace
}  // namespace infermetry::textparse
