// Prometheus text format 0.0.4: accepted constructs.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ingest/textparse/parse_test_util.h"
#include "ingest/textparse/parser.h"

namespace infermetry::textparse {
namespace {

using model::MetricType;
using testing::ParseAll;
using V = std::vector<std::string>;

constexpr Format kText = Format::kPrometheusText;

TEST(TextParserTest, HelpTypeAndSeries) {
  const char* in =
      "# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
      "# TYPE vllm:num_requests_running gauge\n"
      "vllm:num_requests_running{engine=\"0\",model_name=\"Qwen/Qwen3-0.6B\"} 3.0\n";
  EXPECT_EQ(ParseAll(in, kText),
            (V{"HELP vllm:num_requests_running \"Number of requests in model execution batches.\"",
               "TYPE vllm:num_requests_running gauge",
               "vllm:num_requests_running{engine=\"0\",model_name=\"Qwen/Qwen3-0.6B\"} 3", "EOF"}));
}

TEST(TextParserTest, AccessorsAfterSeries) {
  std::string in = "  http_requests_total{method=\"post\",code=\"200\"}\t1027 1395066363000\n";
  Parser p(in, kText);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.line(), 1);
  EXPECT_EQ(p.MetricName(), "http_requests_total");
  EXPECT_EQ(p.Series(), "http_requests_total{method=\"post\",code=\"200\"}");
  ASSERT_EQ(p.Labels().size(), 2u);
  EXPECT_EQ(p.Labels()[0], (LabelView{"method", "post"}));
  EXPECT_EQ(p.Labels()[1], (LabelView{"code", "200"}));
  EXPECT_EQ(p.Value(), 1027.0);
  EXPECT_TRUE(p.HasTimestamp());
  EXPECT_EQ(p.TimestampMs(), 1395066363000);
  ExemplarView ex;
  EXPECT_FALSE(p.Exemplar(&ex));
  // Views point into the input when nothing needed unescaping.
  EXPECT_EQ(p.MetricName().data(), in.data() + 2);
  EXPECT_EQ(p.Next(), Entry::kEof);
  EXPECT_EQ(p.Next(), Entry::kEof);
}

TEST(TextParserTest, EveryFloatSpelling) {
  struct Case {
    const char* text;
    double want;
  } cases[] = {
      {"1", 1},
      {"-1", -1},
      {"+1", 1},
      {"1.5", 1.5},
      {".5", 0.5},
      {"5.", 5},
      {"1e3", 1000},
      {"1E-3", 0.001},
      {"2.5e+06", 2.5e6},
      {"1.7954587838170319e+09", 1.7954587838170319e+09},
      {"0.30000000000000004", 0.30000000000000004},
      {"1e-400", 0},
      {"-0", -0.0},
      {"+Inf", INFINITY},
      {"-Inf", -INFINITY},
      {"Inf", INFINITY},
      {"inf", INFINITY},
      {"+infinity", INFINITY},
      {"-INFINITY", -INFINITY},
      {"007", 7},
  };
  for (const auto& c : cases) {
    std::string in = std::string("m ") + c.text + "\n";
    Parser p(in, kText);
    ASSERT_EQ(p.Next(), Entry::kSeries) << c.text << ": " << p.error().ToString();
    EXPECT_EQ(p.Value(), c.want) << c.text;
    EXPECT_EQ(std::signbit(p.Value()), std::signbit(c.want)) << c.text;
  }
  for (const char* nan : {"NaN", "nan", "NAN"}) {
    std::string in = std::string("m ") + nan;
    Parser p(in, kText);
    ASSERT_EQ(p.Next(), Entry::kSeries) << nan;
    EXPECT_TRUE(std::isnan(p.Value()));
  }
}

TEST(TextParserTest, Timestamps) {
  EXPECT_EQ(ParseAll("a 1 0\nb 1 -1500\nc 2 9223372036854775807\n", kText),
            (V{"a{} 1 @0", "b{} 1 @-1500", "c{} 2 @9223372036854775807", "EOF"}));
}

TEST(TextParserTest, WhitespaceBetweenTokens) {
  const char* in =
      " \t# \tHELP\t m \t help with  inner  blanks \n"
      "\t#\tTYPE  m\tcounter \t\n"
      "  m  { a = \"1\" ,\tb=\"2\" , }  7 \t 123 \t\n"
      "m{a=\"3\"}8\n"
      "m\t9\n";
  EXPECT_EQ(ParseAll(in, kText), (V{"HELP m \"help with  inner  blanks \"", "TYPE m counter",
                                    "m{a=\"1\",b=\"2\"} 7 @123", "m{a=\"3\"} 8", "m{} 9", "EOF"}));
}

TEST(TextParserTest, BlankLinesAreSkippedAndLinesCounted) {
  Parser p("\n\n  \t\na 1\n\n\nb 2\n\n", kText);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.line(), 4);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.line(), 7);
  EXPECT_EQ(p.Next(), Entry::kEof);
}

TEST(TextParserTest, Comments) {
  const char* in =
      "# just a comment\n"
      "#no space\n"
      "#\n"
      "# EOF\n"
      "# UNIT m seconds\n"
      "# HELP\n"
      "# HELPER m x\n"
      "# TYPE\n"
      "a 1\n";
  EXPECT_EQ(ParseAll(in, kText),
            (V{"COMMENT \" just a comment\"", "COMMENT \"no space\"", "COMMENT \"\"",
               "COMMENT \" EOF\"", "COMMENT \" UNIT m seconds\"", "COMMENT \" HELP\"",
               "COMMENT \" HELPER m x\"", "COMMENT \" TYPE\"", "a{} 1", "EOF"}));
}

TEST(TextParserTest, HelpEscapes) {
  // Text format HELP decodes only \\ and \n; other pairs stay as written.
  const char* in = "# HELP m a\\\\b\\nc \\\"q\\\" \\t \\\n";
  Parser p(in, kText);
  ASSERT_EQ(p.Next(), Entry::kHelp);
  EXPECT_EQ(p.Help(), "a\\b\nc \\\"q\\\" \\t \\");
}

TEST(TextParserTest, HelpAndTypeWithoutSamplesAndEmptyHelp) {
  EXPECT_EQ(ParseAll("# HELP lonely\n# HELP lonely2   \n# TYPE lonely summary\n", kText),
            (V{"HELP lonely \"\"", "HELP lonely2 \"\"", "TYPE lonely summary", "EOF"}));
}

TEST(TextParserTest, TextTypes) {
  struct Case {
    const char* name;
    MetricType want;
  } cases[] = {{"counter", MetricType::kCounter},
               {"gauge", MetricType::kGauge},
               {"histogram", MetricType::kHistogram},
               {"summary", MetricType::kSummary},
               {"untyped", MetricType::kUnknown}};
  for (const auto& c : cases) {
    std::string in = std::string("# TYPE m ") + c.name + "\n";
    Parser p(in, kText);
    ASSERT_EQ(p.Next(), Entry::kType) << c.name;
    EXPECT_EQ(p.Type(), c.want) << c.name;
    EXPECT_EQ(p.FamilyName(), "m");
  }
}

TEST(TextParserTest, LabelValueEscapes) {
  // \\ \" \n are decoded; any other escaped byte keeps its backslash.
  const char* in = R"(m{a="x\\y",b="q\"q",c="l1\nl2",d="t\tab",e="plain",f="\\n"} 1)";
  Parser p(in, kText);
  ASSERT_EQ(p.Next(), Entry::kSeries) << p.error().ToString();
  const auto& l = p.Labels();
  ASSERT_EQ(l.size(), 6u);
  EXPECT_EQ(l[0].value, "x\\y");
  EXPECT_EQ(l[1].value, "q\"q");
  EXPECT_EQ(l[2].value, "l1\nl2");
  EXPECT_EQ(l[3].value, "t\\tab");
  EXPECT_EQ(l[4].value, "plain");
  EXPECT_EQ(l[5].value, "\\n");
  EXPECT_EQ(p.Series(), std::string_view(in).substr(0, std::string_view(in).size() - 2));
}

TEST(TextParserTest, UnescapedViewsSurviveWithinALineAndScratchGrowth) {
  // A short escaped line, then a much longer one: earlier views of the long line must stay
  // valid while later values are unescaped.
  std::string in = "m{a=\"\\\\\"} 1\nm{";
  for (int i = 0; i < 50; ++i) {
    in.append("l").append(std::to_string(i)).append("=\"v\\\"");
    in.append(static_cast<size_t>(i), 'x').append("\",");
  }
  in += "} 2\n";
  Parser p(in, kText);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.Labels()[0].value, "\\");
  ASSERT_EQ(p.Next(), Entry::kSeries) << p.error().ToString();
  ASSERT_EQ(p.Labels().size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(p.Labels()[i].value, "v\"" + std::string(i, 'x')) << i;
  }
}

TEST(TextParserTest, NamesLabelSetsAndUtf8) {
  const char* in =
      "vllm:cache_config_info{} 1\n"
      ":odd:name_ 2\n"
      "_x{_l9=\"\"} 3\n"
      "m{a=\"1\",} 4\n"
      "m{model_name=\"héllo ✓ 𝄞\"} 5\n";
  EXPECT_EQ(ParseAll(in, kText),
            (V{"vllm:cache_config_info{} 1", ":odd:name_{} 2", "_x{_l9=\"\"} 3", "m{a=\"1\"} 4",
               "m{model_name=\"héllo ✓ 𝄞\"} 5", "EOF"}));
}

TEST(TextParserTest, LastLineWithoutNewline) {
  EXPECT_EQ(ParseAll("a 1\nb{x=\"y\"} 2", kText), (V{"a{} 1", "b{x=\"y\"} 2", "EOF"}));
  EXPECT_EQ(ParseAll("# TYPE a gauge", kText), (V{"TYPE a gauge", "EOF"}));
  EXPECT_EQ(ParseAll("", kText), (V{"EOF"}));
}

TEST(TextParserTest, FamilyOfSeries) {
  const char* in =
      "# TYPE h histogram\n"
      "h_bucket{le=\"0.5\"} 1\n"
      "h_sum 2\n"
      "h_count 3\n"
      "h_created 4\n"
      "# TYPE s summary\n"
      "s{quantile=\"0.99\"} 1\n"
      "s_sum 1\n"
      "s_count 1\n"
      "# TYPE c_total counter\n"
      "c_total 5\n"
      "other 6\n"
      "# HELP g just help\n"
      "g 7\n";
  Parser p(in, kText);
  std::vector<std::string> got;
  for (Entry e; (e = p.Next()) != Entry::kEof;) {
    if (e != Entry::kSeries) continue;
    got.push_back(std::string(p.MetricName()) + ":" + std::string(p.FamilyName()) + ":" +
                  std::string(model::MetricTypeName(p.Type())));
  }
  EXPECT_EQ(got,
            (V{"h_bucket:h:histogram", "h_sum:h:histogram", "h_count:h:histogram",
               "h_created:h_created:unknown", "s:s:summary", "s_sum:s:summary", "s_count:s:summary",
               "c_total:c_total:counter", "other:other:unknown", "g:g:unknown"}));
}

TEST(TextParserTest, HelpAfterTypeKeepsType) {
  Parser p("# TYPE m counter\n# HELP m x\n# HELP n y\n", kText);
  ASSERT_EQ(p.Next(), Entry::kType);
  ASSERT_EQ(p.Next(), Entry::kHelp);
  EXPECT_EQ(p.Type(), MetricType::kCounter);
  ASSERT_EQ(p.Next(), Entry::kHelp);
  EXPECT_EQ(p.Type(), MetricType::kUnknown);
}

TEST(TextParserTest, SteadyStateReusesBuffers) {
  std::string in;
  for (int i = 0; i < 1000; ++i) in += "m{a=\"x\\\\y\",b=\"" + std::to_string(i) + "\"} 1\n";
  Parser p(in, kText);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  const LabelView* labels = p.Labels().data();
  const char* scratch = p.Labels()[0].value.data();
  for (int i = 1; i < 1000; ++i) {
    ASSERT_EQ(p.Next(), Entry::kSeries);
    EXPECT_EQ(p.Labels().data(), labels);            // vector not reallocated
    EXPECT_EQ(p.Labels()[0].value.data(), scratch);  // scratch not reallocated
  }
}

TEST(FormatTest, FromContentType) {
  EXPECT_EQ(FormatFromContentType("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            Format::kOpenMetrics);
  EXPECT_EQ(FormatFromContentType("application/openmetrics-text"), Format::kOpenMetrics);
  EXPECT_EQ(FormatFromContentType(" Application/OpenMetrics-Text ;version=0.0.1"),
            Format::kOpenMetrics);
  EXPECT_EQ(FormatFromContentType("text/plain; version=0.0.4; charset=utf-8"),
            Format::kPrometheusText);
  EXPECT_EQ(FormatFromContentType("text/plain; version=1.0.0; charset=utf-8"),
            Format::kPrometheusText);
  EXPECT_EQ(FormatFromContentType(""), Format::kPrometheusText);
  EXPECT_EQ(FormatFromContentType("application/json"), Format::kPrometheusText);
  EXPECT_EQ(FormatFromContentType("application/openmetrics-textx"), Format::kPrometheusText);
  EXPECT_EQ(ContentType(Format::kPrometheusText), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(ContentType(Format::kOpenMetrics),
            "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

TEST(FormatTest, ParseErrorToString) {
  ParseError e{ParseErrorReason::kLabels, 12, 31, "expected '=' after label name, found '\"'"};
  EXPECT_EQ(e.ToString(), "line 12, column 31: expected '=' after label name, found '\"'");
}

}  // namespace
}  // namespace infermetry::textparse
