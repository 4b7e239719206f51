// Byte-level helpers.

#include "ingest/textparse/lexer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace infermetry::textparse::internal {
namespace {

using model::MetricType;

TEST(LexerTest, ValidUtf8) {
  EXPECT_TRUE(ValidUtf8(""));
  EXPECT_TRUE(ValidUtf8("plain ascii"));
  EXPECT_TRUE(ValidUtf8("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9d\x84\x9e"));
  EXPECT_FALSE(ValidUtf8("\xff"));
  EXPECT_FALSE(ValidUtf8("\x80"));
  EXPECT_FALSE(ValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(ValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(ValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(ValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(ValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(ValidUtf8("\xe2\x9c"));          // truncated 3-byte
  EXPECT_EQ(CountCodePoints("h\xc3\xa9\xe2\x9c\x93"), 3u);
}

TEST(LexerTest, DescribeByte) {
  const char s[] = "a\"\r\x01\\";
  EXPECT_EQ(DescribeByte(s, s + 5), "'a'");
  EXPECT_EQ(DescribeByte(s + 1, s + 5), "'\"'");
  EXPECT_EQ(DescribeByte(s + 2, s + 5), "'\\r'");
  EXPECT_EQ(DescribeByte(s + 3, s + 5), "'\\x01'");
  EXPECT_EQ(DescribeByte(s + 4, s + 5), "'\\\\'");
  EXPECT_EQ(DescribeByte(s + 5, s + 5), "end of line");
  EXPECT_EQ(QuoteForMessage("a\"b\x02"), "\"a\\\"b\\x02\"");
  EXPECT_EQ(QuoteForMessage(std::string(70, 'z')), "\"" + std::string(64, 'z') + "...\"");
}

TEST(LexerTest, Unescape) {
  char buf[64];
  std::string_view raw = R"(a\\b\"c\nd\te\)";
  EXPECT_EQ(std::string_view(buf, UnescapeLabelValue(raw, buf)), "a\\b\"c\nd\\te\\");
  EXPECT_EQ(std::string_view(buf, UnescapeTextHelp(raw, buf)), "a\\b\\\"c\nd\\te\\");
}

TEST(LexerTest, AppendEscaped) {
  std::string out;
  AppendEscaped(&out, "a\\b\"c\nd", /*quote=*/true);
  EXPECT_EQ(out, R"(a\\b\"c\nd)");
  out.clear();
  AppendEscaped(&out, "a\\b\"c\nd", /*quote=*/false);
  EXPECT_EQ(out, "a\\\\b\"c\\nd");
}

TEST(LexerTest, SecondsToMs) {
  int64_t ms = 0;
  EXPECT_TRUE(ParseSecondsToMs("1", &ms));
  EXPECT_EQ(ms, 1000);
  EXPECT_TRUE(ParseSecondsToMs("+2.25", &ms));
  EXPECT_EQ(ms, 2250);
  EXPECT_TRUE(ParseSecondsToMs("1.2345", &ms));
  EXPECT_EQ(ms, 1235);
  EXPECT_TRUE(ParseSecondsToMs("1.2344999", &ms));
  EXPECT_EQ(ms, 1234);
  EXPECT_TRUE(ParseSecondsToMs("1.7954587838170319e+09", &ms));
  EXPECT_EQ(ms, 1795458783817);
  EXPECT_TRUE(ParseSecondsToMs("1e-3", &ms));
  EXPECT_EQ(ms, 1);
  EXPECT_TRUE(ParseSecondsToMs("5.", &ms));
  EXPECT_EQ(ms, 5000);
  EXPECT_FALSE(ParseSecondsToMs("", &ms));
  EXPECT_FALSE(ParseSecondsToMs(".", &ms));
  EXPECT_FALSE(ParseSecondsToMs("-", &ms));
  EXPECT_FALSE(ParseSecondsToMs("Inf", &ms));
  EXPECT_FALSE(ParseSecondsToMs("NaN", &ms));
  EXPECT_FALSE(ParseSecondsToMs("1,5", &ms));
  EXPECT_FALSE(ParseSecondsToMs("9223372036854776", &ms));
  EXPECT_FALSE(ParseSecondsToMs("99999999999999999999999", &ms));
  EXPECT_FALSE(ParseSecondsToMs("1e16", &ms));
}

TEST(LexerTest, MsAsSeconds) {
  auto fmt = [](int64_t ms) {
    std::string s;
    AppendMsAsSeconds(&s, ms);
    return s;
  };
  EXPECT_EQ(fmt(0), "0");
  EXPECT_EQ(fmt(1700000000123), "1700000000.123");
  EXPECT_EQ(fmt(1700000000100), "1700000000.1");
  EXPECT_EQ(fmt(1700000000000), "1700000000");
  EXPECT_EQ(fmt(-1500), "-1.5");
  EXPECT_EQ(fmt(-1), "-0.001");
  EXPECT_EQ(fmt(std::numeric_limits<int64_t>::max()), "9223372036854775.807");
  EXPECT_EQ(fmt(std::numeric_limits<int64_t>::min()), "-9223372036854775.808");
  for (int64_t ms : {int64_t{0}, int64_t{-1}, int64_t{999}, int64_t{-1001}, int64_t{1795458783817},
                     std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    int64_t back = 0;
    ASSERT_TRUE(ParseSecondsToMs(fmt(ms), &back)) << ms;
    EXPECT_EQ(back, ms);
  }
}

TEST(LexerTest, TypesPerFormat) {
  MetricType t;
  EXPECT_TRUE(ParseTypeForFormat("untyped", Format::kPrometheusText, &t));
  EXPECT_EQ(t, MetricType::kUnknown);
  EXPECT_FALSE(ParseTypeForFormat("unknown", Format::kPrometheusText, &t));
  EXPECT_FALSE(ParseTypeForFormat("stateset", Format::kPrometheusText, &t));
  EXPECT_TRUE(ParseTypeForFormat("unknown", Format::kOpenMetrics, &t));
  EXPECT_TRUE(ParseTypeForFormat("gaugehistogram", Format::kOpenMetrics, &t));
  EXPECT_EQ(t, MetricType::kGaugeHistogram);
  EXPECT_FALSE(ParseTypeForFormat("untyped", Format::kOpenMetrics, &t));
  EXPECT_EQ(TypeNameForFormat(MetricType::kUnknown, Format::kPrometheusText), "untyped");
  EXPECT_EQ(TypeNameForFormat(MetricType::kUnknown, Format::kOpenMetrics), "unknown");
  EXPECT_EQ(TypeNameForFormat(MetricType::kInfo, Format::kPrometheusText), "untyped");
  EXPECT_EQ(TypeNameForFormat(MetricType::kStateset, Format::kOpenMetrics), "stateset");
}

TEST(LexerTest, SampleBelongsToFamily) {
  const Format t = Format::kPrometheusText, om = Format::kOpenMetrics;
  EXPECT_TRUE(SampleBelongsToFamily("x_total", "x", MetricType::kCounter, om));
  EXPECT_FALSE(SampleBelongsToFamily("x", "x", MetricType::kCounter, om));
  EXPECT_TRUE(SampleBelongsToFamily("x_total", "x_total", MetricType::kCounter, t));
  EXPECT_TRUE(SampleBelongsToFamily("x_created", "x", MetricType::kHistogram, om));
  EXPECT_FALSE(SampleBelongsToFamily("x_created", "x", MetricType::kHistogram, t));
  EXPECT_TRUE(SampleBelongsToFamily("x_gsum", "x", MetricType::kGaugeHistogram, om));
  EXPECT_FALSE(SampleBelongsToFamily("x_sum", "x", MetricType::kGaugeHistogram, om));
  EXPECT_TRUE(SampleBelongsToFamily("x_info", "x", MetricType::kInfo, om));
  EXPECT_FALSE(SampleBelongsToFamily("xy_bucket", "x", MetricType::kHistogram, om));
  EXPECT_FALSE(SampleBelongsToFamily("x", "", MetricType::kUnknown, om));
}

}  // namespace
}  // namespace infermetry::textparse::internal
