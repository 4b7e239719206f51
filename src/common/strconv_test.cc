#include "common/strconv.h"

#include <gtest/gtest.h>

#include <cmath>

namespace infermetry {
namespace {

TEST(ParseGoFloatTest, AcceptsPrometheusSpellings) {
  struct Case { const char* in; double want; } cases[] = {
      {"0", 0}, {"1", 1}, {"-1.5", -1.5}, {"+2", 2}, {".5", 0.5}, {"5.", 5},
      {"1e3", 1000}, {"1E+03", 1000}, {"2.5e-3", 0.0025}, {"1.7954587838170319e+09", 1.7954587838170319e+09},
      {"1e-400", 0},
  };
  for (const auto& c : cases) {
    double v = -99;
    EXPECT_TRUE(ParseGoFloat(c.in, &v)) << c.in;
    EXPECT_EQ(v, c.want) << c.in;
  }
  double v;
  for (const char* s : {"Inf", "+Inf", "inf", "+inf", "INF", "Infinity", "+infinity"}) {
    ASSERT_TRUE(ParseGoFloat(s, &v)) << s;
    EXPECT_TRUE(std::isinf(v) && v > 0) << s;
  }
  for (const char* s : {"-Inf", "-inf", "-Infinity"}) {
    ASSERT_TRUE(ParseGoFloat(s, &v)) << s;
    EXPECT_TRUE(std::isinf(v) && v < 0) << s;
  }
  for (const char* s : {"NaN", "nan", "NAN"}) {
    ASSERT_TRUE(ParseGoFloat(s, &v)) << s;
    EXPECT_TRUE(std::isnan(v)) << s;
  }
}

TEST(ParseGoFloatTest, RejectsWhatPrometheusRejects) {
  double v;
  for (const char* s : {"", "+", "-", "abc", "1_000", "0x1p3", "1e400", "1.2.3", "1 ", " 1", "+-1",
                        "-NaN", "+NaN", "infx", "in", "nan(1)", "1e", "e5", "--1"}) {
    EXPECT_FALSE(ParseGoFloat(s, &v)) << s;
  }
}

TEST(ParseInt64Test, Basics) {
  int64_t v;
  EXPECT_TRUE(ParseInt64("1700000000000", &v));
  EXPECT_EQ(v, 1700000000000);
  EXPECT_TRUE(ParseInt64("-5", &v));
  EXPECT_EQ(v, -5);
  EXPECT_FALSE(ParseInt64("1.5", &v));
  EXPECT_FALSE(ParseInt64("99999999999999999999", &v));
  EXPECT_FALSE(ParseInt64("", &v));
}

TEST(FormatGoFloatTest, MatchesGoShortestG) {
  struct Case { double in; const char* want; } cases[] = {
      {0, "0"}, {1, "1"}, {-1, "-1"}, {0.5, "0.5"}, {3.0, "3"}, {123456, "123456"},
      {1234567, "1.234567e+06"}, {1e6, "1e+06"}, {8128902.0, "8.128902e+06"}, {0.0001, "0.0001"},
      {0.00001, "1e-05"}, {1e16, "1e+16"}, {0.1 + 0.2, "0.30000000000000004"},
      {1795458783.8170319, "1.7954587838170319e+09"}, {2560, "2560"}, {1e-300, "1e-300"},
      {123.456, "123.456"}, {-0.025, "-0.025"},
  };
  for (const auto& c : cases) EXPECT_EQ(FormatGoFloat(c.in), c.want) << c.want;
  EXPECT_EQ(FormatGoFloat(INFINITY), "+Inf");
  EXPECT_EQ(FormatGoFloat(-INFINITY), "-Inf");
  EXPECT_EQ(FormatGoFloat(NAN), "NaN");
}

TEST(FormatGoFloatTest, RoundTrips) {
  for (double v : {1.0 / 3, 2.0 / 3 * 1e10, 6.02214076e23, 1e-7, 4.9e-324, 1.7976931348623157e308}) {
    double back;
    ASSERT_TRUE(ParseGoFloat(FormatGoFloat(v), &back)) << FormatGoFloat(v);
    EXPECT_EQ(back, v);
  }
}

}  // namespace
}  // namespace infermetry

namespace infermetry {
namespace {

TEST(AppendJsonStringTest, Escapes) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\nd\te\x01 \xc3\xa9");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\te\\u0001 \xc3\xa9\"");
}

TEST(AppendUtf8, EncodesEveryLength) {
  std::string out;
  for (uint32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F600u}) AppendUtf8(&out, cp);
  EXPECT_EQ(out, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(UrlEscape, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(UrlEscape("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(UrlEscape("rate(x[5m]) / 2"), "rate%28x%5B5m%5D%29%20%2F%202");
  EXPECT_EQ(UrlEscape("a=b&c"), "a%3Db%26c");
  EXPECT_EQ(UrlEscape("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(UrlEscape(""), "");
}

}  // namespace
}  // namespace infermetry
