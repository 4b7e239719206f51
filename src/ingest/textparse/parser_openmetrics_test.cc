// OpenMetrics 1.0: accepted constructs.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest/textparse/parse_test_util.h"
#include "ingest/textparse/parser.h"

namespace infermetry::textparse {
namespace {

using model::MetricType;
using testing::ParseAll;
using V = std::vector<std::string>;

constexpr Format kOM = Format::kOpenMetrics;

TEST(OpenMetricsParserTest, CounterWithCreatedUnitAndExemplar) {
  const char* in =
      "# TYPE vllm:request_success counter\n"
      "# HELP vllm:request_success Count of successfully processed requests.\n"
      "vllm:request_success_total{finished_reason=\"stop\"} 17.0 # {trace_id=\"abc\"} 1.0 "
      "1795458886.234\n"
      "vllm:request_success_created{finished_reason=\"stop\"} 1.7954588862346857e+09\n"
      "# TYPE job_seconds gauge\n"
      "# UNIT job_seconds seconds\n"
      "job_seconds 2.5 1795458900.5\n"
      "# EOF\n";
  EXPECT_EQ(ParseAll(in, kOM),
            (V{"TYPE vllm:request_success counter",
               "HELP vllm:request_success \"Count of successfully processed requests.\"",
               "vllm:request_success_total{finished_reason=\"stop\"} 17 # {trace_id=\"abc\"} 1 "
               "@1795458886234",
               "vllm:request_success_created{finished_reason=\"stop\"} 1.7954588862346857e+09",
               "TYPE job_seconds gauge", "UNIT job_seconds \"seconds\"",
               "job_seconds{} 2.5 @1795458900500", "EOF"}));
}

TEST(OpenMetricsParserTest, AllTypesAndFamilyMembership) {
  const char* in =
      "# TYPE c counter\n"
      "c_total 1\n"
      "c_created 2\n"
      "# TYPE g gauge\n"
      "g 3\n"
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\"} 0 # {id=\"x\"} 0.5\n"
      "h_bucket{le=\"+Inf\"} 1\n"
      "h_count 1\n"
      "h_sum 0.5\n"
      "h_created 4\n"
      "# TYPE gh gaugehistogram\n"
      "gh_bucket{le=\"+Inf\"} 5\n"
      "gh_gcount 5\n"
      "gh_gsum 6\n"
      "# TYPE s summary\n"
      "s{quantile=\"0.5\"} 7\n"
      "s_sum 8\n"
      "s_count 9\n"
      "s_created 10\n"
      "# TYPE i info\n"
      "i_info{version=\"1.2\"} 1\n"
      "# TYPE st stateset\n"
      "st{st=\"a\"} 1\n"
      "st{st=\"b\"} 0\n"
      "# TYPE u unknown\n"
      "u 11\n"
      "c 12\n"
      "loose 13\n"
      "# EOF";
  Parser p(in, kOM);
  V got;
  for (Entry e; (e = p.Next()) != Entry::kEof;) {
    ASSERT_NE(e, Entry::kInvalid) << p.error().ToString();
    if (e != Entry::kSeries) continue;
    got.push_back(std::string(p.MetricName()) + ":" + std::string(p.FamilyName()) + ":" +
                  std::string(model::MetricTypeName(p.Type())));
  }
  EXPECT_EQ(got, (V{"c_total:c:counter",
                    "c_created:c:counter",
                    "g:g:gauge",
                    "h_bucket:h:histogram",
                    "h_bucket:h:histogram",
                    "h_count:h:histogram",
                    "h_sum:h:histogram",
                    "h_created:h:histogram",
                    "gh_bucket:gh:gaugehistogram",
                    "gh_gcount:gh:gaugehistogram",
                    "gh_gsum:gh:gaugehistogram",
                    "s:s:summary",
                    "s_sum:s:summary",
                    "s_count:s:summary",
                    "s_created:s:summary",
                    "i_info:i:info",
                    "st:st:stateset",
                    "st:st:stateset",
                    "u:u:unknown",
                    "c:c:unknown",
                    "loose:loose:unknown"}));
}

TEST(OpenMetricsParserTest, Timestamps) {
  const char* in =
      "a 1 1520879607.789\n"
      "a 1 1520879607\n"
      "a 1 1.5e9\n"
      "a 1 -1.5\n"
      "a 1 0.0004\n"
      "a 1 0.0005\n"
      "a 1 -0.0005\n"
      "a 1 1520879607.7895\n"
      "a 1 9223372036854775.807\n"
      "a 1 -9223372036854775.808\n"
      "a 1 .5\n"
      "# EOF\n";
  EXPECT_EQ(ParseAll(in, kOM),
            (V{"a{} 1 @1520879607789", "a{} 1 @1520879607000", "a{} 1 @1500000000000",
               "a{} 1 @-1500", "a{} 1 @0", "a{} 1 @1", "a{} 1 @-1", "a{} 1 @1520879607790",
               "a{} 1 @9223372036854775807", "a{} 1 @-9223372036854775808", "a{} 1 @500", "EOF"}));
}

TEST(OpenMetricsParserTest, Exemplars) {
  const char* in =
      "# TYPE h histogram\n"
      "h_bucket{le=\"0.1\"} 8 # {} 0.05\n"
      "h_bucket{le=\"+Inf\"} 9 1.5 # {trace_id=\"t\",span_id=\"s\"} 0.2 1.25\n"
      "# EOF\n";
  Parser p(in, kOM);
  ASSERT_EQ(p.Next(), Entry::kType);
  ASSERT_EQ(p.Next(), Entry::kSeries) << p.error().ToString();
  ExemplarView ex;
  ASSERT_TRUE(p.Exemplar(&ex));
  EXPECT_TRUE(ex.labels.empty());
  EXPECT_EQ(ex.value, 0.05);
  EXPECT_FALSE(ex.has_timestamp);
  EXPECT_EQ(p.Series(), "h_bucket{le=\"0.1\"}");
  ASSERT_EQ(p.Next(), Entry::kSeries) << p.error().ToString();
  EXPECT_EQ(p.TimestampMs(), 1500);
  ASSERT_TRUE(p.Exemplar(&ex));
  ASSERT_EQ(ex.labels.size(), 2u);
  EXPECT_EQ(ex.labels[1], (LabelView{"span_id", "s"}));
  EXPECT_EQ(ex.value, 0.2);
  EXPECT_TRUE(ex.has_timestamp);
  EXPECT_EQ(ex.timestamp_ms, 1250);
  ASSERT_EQ(p.Labels().size(), 1u);
  EXPECT_EQ(p.Labels()[0], (LabelView{"le", "+Inf"}));
  EXPECT_EQ(p.Next(), Entry::kEof);
}

TEST(OpenMetricsParserTest, ExemplarAtTheRuneLimit) {
  // 128 code points of names and values is allowed: "k" + 127 two-byte characters.
  std::string v;
  for (int i = 0; i < 127; ++i) v += "é";
  std::string in = "c_total 1 # {k=\"" + v + "\"} 1\n# EOF\n";
  EXPECT_EQ(testing::FirstError(in, kOM), "");
}

TEST(OpenMetricsParserTest, HelpEscapesIncludeQuote) {
  Parser p("# HELP m a \\\"b\\\" c\\\\d\\ne \\t\n# EOF\n", kOM);
  ASSERT_EQ(p.Next(), Entry::kHelp);
  EXPECT_EQ(p.Help(), "a \"b\" c\\d\ne \\t");
}

TEST(OpenMetricsParserTest, EmptyHelpAndUnit) {
  EXPECT_EQ(ParseAll("# HELP m \n# HELP n\n# UNIT m \n# UNIT n\n# EOF\n", kOM),
            (V{"HELP m \"\"", "HELP n \"\"", "UNIT m \"\"", "UNIT n \"\"", "EOF"}));
}

TEST(OpenMetricsParserTest, HelpKeepsInnerAndTrailingSpaces) {
  EXPECT_EQ(ParseAll("# HELP m  two  spaces \n# EOF", kOM), (V{"HELP m \" two  spaces \"", "EOF"}));
}

TEST(OpenMetricsParserTest, EofForms) {
  EXPECT_EQ(ParseAll("# EOF", kOM), (V{"EOF"}));
  EXPECT_EQ(ParseAll("# EOF\n", kOM), (V{"EOF"}));
  EXPECT_EQ(ParseAll("a 1\n# EOF\n", kOM), (V{"a{} 1", "EOF"}));
}

TEST(OpenMetricsParserTest, EofIsSticky) {
  Parser p("# EOF\n", kOM);
  EXPECT_EQ(p.Next(), Entry::kEof);
  EXPECT_EQ(p.Next(), Entry::kEof);
  EXPECT_EQ(p.Next(), Entry::kEof);
}

TEST(OpenMetricsParserTest, SpecialValuesAndEscapedLabels) {
  const char* in =
      "m{a=\"x\\\\y\\\"z\\nw\"} NaN\n"
      "m{a=\"2\"} +Inf\n"
      "m{a=\"3\"} -Inf\n"
      "m{a=\"4\"} -1.5e-07\n"
      "# EOF\n";
  EXPECT_EQ(ParseAll(in, kOM), (V{"m{a=\"x\\\\y\\\"z\\nw\"} NaN", "m{a=\"2\"} +Inf",
                                  "m{a=\"3\"} -Inf", "m{a=\"4\"} -1.5e-07", "EOF"}));
}

TEST(OpenMetricsParserTest, TrailingCommaAcceptedLikePrometheus) {
  EXPECT_EQ(ParseAll("m{a=\"1\",} 1\n# EOF\n", kOM), (V{"m{a=\"1\"} 1", "EOF"}));
}

TEST(OpenMetricsParserTest, UnitMustBeNameSuffix) {
  EXPECT_EQ(ParseAll("# UNIT request_duration_seconds seconds\n# EOF\n", kOM),
            (V{"UNIT request_duration_seconds \"seconds\"", "EOF"}));
}

}  // namespace
}  // namespace infermetry::textparse
