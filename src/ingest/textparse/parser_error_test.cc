// Malformed input: positions and messages, and recovery at the next line.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest/textparse/lexer.h"
#include "ingest/textparse/parse_test_util.h"
#include "ingest/textparse/parser.h"

namespace infermetry::textparse {
namespace {

using testing::FirstError;
using testing::ParseAll;
using V = std::vector<std::string>;

constexpr Format kText = Format::kPrometheusText;
constexpr Format kOM = Format::kOpenMetrics;

struct ErrorCase {
  Format format;
  std::string input;
  std::string position;  // "line:column"
  std::string message;   // the full message, or a prefix of it ending in "..."
};

// Also names the test in ctest, so keep it printable ASCII and unique.
void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << FormatName(c.format) << ":" << internal::QuoteForMessage(c.input);
}

class ParseErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParseErrorTest, PositionAndMessage) {
  const ErrorCase& c = GetParam();
  std::string got = FirstError(c.input, c.format);
  ASSERT_FALSE(got.empty()) << "no error";
  std::string pos = got.substr(0, got.find(' '));
  std::string msg = got.substr(got.find(' ') + 1);
  EXPECT_EQ(pos, c.position) << got;
  if (c.message.ends_with("...")) {
    EXPECT_EQ(msg.substr(0, c.message.size() - 3), c.message.substr(0, c.message.size() - 3));
  } else {
    EXPECT_EQ(msg, c.message);
  }
}

const ErrorCase kTextCases[] = {
    {kText, "m{a=\"1\"} ", "1:10", "expected value after label set, found end of line"},
    {kText, "m{a \"1\"} 1", "1:5", "expected '=' after label name, found '\"'"},
    {kText, "m{a=1} 1", "1:5", "expected '\"' to start label value, found '1'"},
    {kText, "m{a=\"1} 1", "1:10", "expected '\"' to close label value, found end of line"},
    {kText, "m{a=\"1\\", "1:8", "expected '\"' to close label value, found end of line"},
    {kText, "m{a=\"1\" b=\"2\"} 1", "1:9", "expected ',' or '}' after label value, found 'b'"},
    {kText, "m{a=\"1\"", "1:8", "expected ',' or '}' after label value, found end of line"},
    {kText, "m{1a=\"x\"} 1", "1:3", "expected label name or '}', found '1'"},
    {kText, "m{a:b=\"x\"} 1", "1:4", "expected '=' after label name, found ':'"},
    {kText, "m{a=\"1\",,} 1", "1:9", "expected label name after ',', found ','"},
    {kText, "m{,} 1", "1:3", "expected label name or '}', found ','"},
    {kText, "m{", "1:3", "expected label name or '}', found end of line"},
    {kText, "m{a=\"1\",b=\"2\",a=\"3\"} 1", "1:15", "duplicate label name \"a\""},
    {kText, "m{__name__=\"x\"} 1", "1:3", "label name \"__name__\" is not allowed..."},
    {kText, "m{a=\"\xff\"} 1", "1:6", "invalid UTF-8 in label value"},
    {kText, "m{a=\"\xed\xa0\x80\"} 1", "1:6", "invalid UTF-8 in label value"},
    {kText, "m abc", "1:3",
     "invalid value \"abc\": expected a float such as 1, -2.5, 1e+06, +Inf, -Inf or NaN"},
    {kText, "m 0x1p3", "1:3", "invalid value \"0x1p3\"..."},
    {kText, "m 1_000", "1:3", "invalid value \"1_000\"..."},
    {kText, "m -NaN", "1:3", "invalid value \"-NaN\"..."},
    {kText, "m 1e999", "1:3", "invalid value \"1e999\"..."},
    {kText, std::string("m 1\0", 4), "1:3", "invalid value \"1\\x00\"..."},
    {kText, "m 1 abc", "1:5", "invalid timestamp \"abc\": expected integer milliseconds"},
    {kText, "m 1 1.5", "1:5", "invalid timestamp \"1.5\": expected integer milliseconds"},
    {kText, "m 1 99999999999999999999", "1:5", "invalid timestamp \"99999999999999999999\"..."},
    {kText, "m 1 2 3", "1:7", "expected end of line after timestamp, found '3'"},
    {kText, "m 1 # {a=\"b\"} 1", "1:5",
     "expected timestamp or end of line after value, found '#' (exemplars are only valid in "
     "OpenMetrics)"},
    {kText, "m 1\r\n", "1:4", "unexpected carriage return: lines must end with \"\\n\" only"},
    {kText, "# HELP m x\r\n", "1:11", "unexpected carriage return..."},
    {kText, "\r\n", "1:1", "unexpected carriage return..."},
    {kText, "1m 1", "1:1", "expected metric name at start of line, found '1'"},
    {kText, "{a=\"b\"} 1", "1:1", "expected metric name at start of line, found '{'"},
    {kText, "m-x 1", "1:2", "expected '{' or whitespace after metric name, found '-'"},
    {kText, "m", "1:2", "expected value after metric name, found end of line"},
    {kText, "# HELP 1m x", "1:8", "expected metric name after HELP, found '1'"},
    {kText, "# TYPE  \t", "1:10", "expected metric name after TYPE, found end of line"},
    {kText, "# TYPE m", "1:9", "expected metric type after metric name, found end of line"},
    {kText, "# TYPE m bogus", "1:10",
     "invalid metric type \"bogus\" (expected counter, gauge, histogram, summary or untyped)"},
    {kText, "# TYPE m info", "1:10", "invalid metric type \"info\"..."},
    {kText, "# TYPE m unknown", "1:10", "invalid metric type \"unknown\"..."},
    {kText, "# TYPE m Counter", "1:10", "invalid metric type \"Counter\"..."},
    {kText, "# TYPE m{ counter", "1:9", "expected whitespace after metric name, found '{'"},
    {kText, "# HELP m \xc3(", "1:10", "invalid UTF-8 in HELP text"},
    {kText, "ok 1\n\nm{a=\"1\" b}", "3:9", "expected ',' or '}' after label value, found 'b'"},
};
INSTANTIATE_TEST_SUITE_P(Text, ParseErrorTest, ::testing::ValuesIn(kTextCases));

std::string LongExemplar() {
  return "c_total 1 # {k=\"" + std::string(128, 'x') + "\"} 1\n# EOF\n";
}

const ErrorCase kOpenMetricsCases[] = {
    {kOM, "a 1\n\n# EOF\n", "2:1", "unexpected empty line (not allowed in OpenMetrics)"},
    {kOM, " a 1\n# EOF\n", "1:1",
     "unexpected whitespace at start of line (not allowed in OpenMetrics)"},
    {kOM, "a  1\n# EOF\n", "1:3", "expected value, found ' '"},
    {kOM, "a 1 \n# EOF\n", "1:5", "expected timestamp or exemplar after ' ', found end of line"},
    {kOM, "a 1  2\n# EOF\n", "1:5", "expected timestamp or exemplar after ' ', found ' '"},
    {kOM, "a\t1\n# EOF\n", "1:2", "expected '{' or ' ' after metric name, found '\\t'"},
    {kOM, "a\n# EOF\n", "1:2", "expected '{' or ' ' after metric name, found end of line"},
    {kOM, "a{b=\"c\"}1\n# EOF\n", "1:9", "expected ' ' after label set, found '1'"},
    {kOM, "a{b=\"c\"}\n# EOF\n", "1:9", "expected ' ' after label set, found end of line"},
    {kOM, "a{b = \"c\"} 1\n# EOF\n", "1:4", "expected '=' after label name, found ' '"},
    {kOM, "a{ b=\"c\"} 1\n# EOF\n", "1:3", "expected label name or '}', found ' '"},
    {kOM, "a{b=\"c\", d=\"e\"} 1\n# EOF\n", "1:9", "expected label name after ',', found ' '"},
    {kOM, "# comment\n# EOF\n", "1:1",
     "expected \"# HELP \", \"# TYPE \", \"# UNIT \" or \"# EOF\" (OpenMetrics has no other "
     "comment lines)"},
    {kOM, "#HELP a b\n# EOF\n", "1:1", "expected \"# HELP \"..."},
    {kOM, "# HELP\n# EOF\n", "1:1", "expected \"# HELP \"..."},
    {kOM, "# HELP  a b\n# EOF\n", "1:8", "expected metric name after HELP, found ' '"},
    {kOM, "# HELP a\tb\n# EOF\n", "1:9", "expected ' ' after metric name, found '\\t'"},
    {kOM, "# TYPE a untyped\n# EOF\n", "1:10",
     "invalid metric type \"untyped\" (expected counter, gauge, histogram, gaugehistogram, "
     "summary, info, stateset or unknown)"},
    {kOM, "# TYPE a gauge \n# EOF\n", "1:10", "invalid metric type \"gauge \"..."},
    {kOM, "# UNIT a_seconds bytes\n# EOF\n", "1:18",
     "unit \"bytes\" is not a suffix of metric name \"a_seconds\""},
    {kOM, "# UNIT a_seconds sec-onds\n# EOF\n", "1:21", "invalid character in unit, found '-'"},
    {kOM, "# HELP a b\xff\n# EOF\n", "1:10", "invalid UTF-8 in HELP text"},
    {kOM, "# EOF\nmore 1\n", "2:1", "unexpected data after \"# EOF\""},
    {kOM, "# EOF\n\n", "2:1", "unexpected data after \"# EOF\""},
    {kOM, "# EOF x\n", "1:6", "expected end of line after \"# EOF\", found ' '"},
    {kOM, "# EOF\r\n", "1:6", "unexpected carriage return..."},
    {kOM, "a 1\r\n# EOF\n", "1:4", "unexpected carriage return..."},
    {kOM, "a 1\n", "2:1", "expected \"# EOF\" as the last line, found end of input"},
    {kOM, "a 1", "1:4", "expected \"# EOF\" as the last line, found end of input"},
    {kOM, "", "1:1", "expected \"# EOF\" as the last line, found end of input"},
    {kOM, "a 1 abc\n# EOF\n", "1:5", "invalid timestamp \"abc\": expected seconds since the epoch"},
    {kOM, "a 1 NaN\n# EOF\n", "1:5", "invalid timestamp \"NaN\"..."},
    {kOM, "a 1 1e300\n# EOF\n", "1:5", "invalid timestamp \"1e300\"..."},
    {kOM, "a 1 9223372036854775.808\n# EOF\n", "1:5", "invalid timestamp..."},
    {kOM, "a 1 2 3\n# EOF\n", "1:7",
     "expected '#' starting an exemplar after timestamp, found '3'"},
    {kOM, "a 1 #{a=\"b\"} 1\n# EOF\n", "1:6", "expected ' ' after '#' of exemplar, found '{'"},
    {kOM, "a 1 # a 1\n# EOF\n", "1:7", "expected '{' starting exemplar labels, found 'a'"},
    {kOM, "a 1 # {a=\"b\"}\n# EOF\n", "1:14",
     "expected ' ' and a value after exemplar labels, found end of line"},
    {kOM, "a 1 # {a=\"b\"} x\n# EOF\n", "1:15", "invalid exemplar value \"x\""},
    {kOM, "a 1 # {a=\"b\"}  1\n# EOF\n", "1:15", "expected exemplar value, found ' '"},
    {kOM, "a{a=\"1\"} 1 # {a=\"b\"} 1 \n# EOF\n", "1:24",
     "expected exemplar timestamp, found end of line"},
    {kOM, "a 1 # {a=\"b\"} 1 x\n# EOF\n", "1:17",
     "invalid exemplar timestamp \"x\": expected seconds since the epoch"},
    {kOM, "a 1 # {a=\"b\"} 1 2 3\n# EOF\n", "1:18",
     "expected end of line after exemplar timestamp, found ' '"},
    {kOM, "a 1 # {a=\"1\",a=\"2\"} 1\n# EOF\n", "1:14", "duplicate label name \"a\""},
    {kOM, LongExemplar(), "1:13",
     "exemplar labels have 129 UTF-8 characters, more than the "
     "limit of 128"},
};
INSTANTIATE_TEST_SUITE_P(OpenMetrics, ParseErrorTest, ::testing::ValuesIn(kOpenMetricsCases));

TEST(ParseErrorRecoveryTest, TextResumesAtNextLine) {
  V got = ParseAll("a 1\nbad line here\nb{x=\"1\" 2\nc 3\n", kText);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0], "a{} 1");
  EXPECT_EQ(got[1],
            "ERROR 2:5 invalid value \"line\": expected a float such as 1, -2.5, "
            "1e+06, +Inf, -Inf or NaN");
  EXPECT_EQ(got[2], "ERROR 3:9 expected ',' or '}' after label value, found '2'");
  EXPECT_EQ(got[3], "c{} 3");
  EXPECT_EQ(got[4], "EOF");
}

TEST(ParseErrorRecoveryTest, OpenMetricsResumesAtNextLine) {
  EXPECT_EQ(
      ParseAll("a 1\n a 2\nb 3\n# EOF\n", kOM),
      (V{"a{} 1", "ERROR 2:1 unexpected whitespace at start of line (not allowed in OpenMetrics)",
         "b{} 3", "EOF"}));
}

TEST(ParseErrorRecoveryTest, OpenMetricsMissingEofReportedOnce) {
  Parser p("a 1\n", kOM);
  EXPECT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.Next(), Entry::kInvalid);
  EXPECT_EQ(p.Next(), Entry::kEof);
  EXPECT_EQ(p.Next(), Entry::kEof);
}

TEST(ParseErrorRecoveryTest, DataAfterEofReportedOnce) {
  EXPECT_EQ(ParseAll("a 1\n# EOF\nb 2\nc 3\n", kOM),
            (V{"a{} 1", "ERROR 3:1 unexpected data after \"# EOF\"", "EOF"}));
}

TEST(ParseErrorRecoveryTest, ErrorToStringFormat) {
  Parser p("ok 1\nm{a\"x\"} 1\n", kText);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  ASSERT_EQ(p.Next(), Entry::kInvalid);
  EXPECT_EQ(p.line(), 2);
  EXPECT_EQ(p.error().ToString(), "line 2, column 4: expected '=' after label name, found '\"'");
}

TEST(ParseErrorRecoveryTest, GarbageNeverLoopsOrCrashes) {
  std::string junk;
  for (int i = 0; i < 256; ++i) {
    junk.push_back(static_cast<char>(i));
    if (i % 7 == 0) junk.push_back('\n');
  }
  for (Format f : {kText, kOM}) {
    Parser p(junk, f);
    int n = 0;
    while (p.Next() != Entry::kEof) ASSERT_LT(++n, 1000);
  }
}

}  // namespace
}  // namespace infermetry::textparse

namespace infermetry::textparse {
namespace {

ParseErrorReason FirstReason(std::string_view input, Format format) {
  Parser p(input, format);
  for (Entry e; (e = p.Next()) != Entry::kEof;) {
    if (e == Entry::kInvalid) return p.error().reason;
  }
  ADD_FAILURE() << "no error in " << input;
  return ParseErrorReason::kFormat;
}

TEST(ParseErrorReasonTest, NamesWhatWasMalformed) {
  EXPECT_EQ(FirstReason("m{a=1} 1\n", Format::kPrometheusText), ParseErrorReason::kLabels);
  EXPECT_EQ(FirstReason("m 1x\n", Format::kPrometheusText), ParseErrorReason::kValue);
  EXPECT_EQ(FirstReason("m 1 12.5\n", Format::kPrometheusText), ParseErrorReason::kTimestamp);
  EXPECT_EQ(FirstReason("# TYPE m countr\n", Format::kPrometheusText), ParseErrorReason::kMetadata);
  EXPECT_EQ(FirstReason("1m 1\n", Format::kPrometheusText), ParseErrorReason::kMetricName);
  EXPECT_EQ(FirstReason("m 1\r\n", Format::kPrometheusText), ParseErrorReason::kFormat);
  EXPECT_EQ(FirstReason("m 1\n", Format::kOpenMetrics), ParseErrorReason::kFormat);  // no # EOF
  EXPECT_EQ(FirstReason("m_total 1 # {a=\"1\"} x\n# EOF\n", Format::kOpenMetrics), ParseErrorReason::kExemplar);
  EXPECT_EQ(ParseErrorReasonName(ParseErrorReason::kMetricName), "metric_name");
}

}  // namespace
}  // namespace infermetry::textparse
