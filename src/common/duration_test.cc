#include "common/duration.h"

#include <gtest/gtest.h>

namespace infermetry {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, Parses) {
  EXPECT_EQ(*ParseDuration("15s"), milliseconds(15000));
  EXPECT_EQ(*ParseDuration("1m30s"), milliseconds(90000));
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*ParseDuration("2h"), milliseconds(7200000));
  EXPECT_EQ(*ParseDuration("1d"), milliseconds(86400000));
  EXPECT_EQ(*ParseDuration("0"), milliseconds(0));
  EXPECT_EQ(*ParseDuration("0s"), milliseconds(0));
}

TEST(DurationTest, Rejects) {
  for (const char* s : {"", "15", "s", "1x", "-1s", "1m30"}) {
    auto r = ParseDuration(s);
    EXPECT_FALSE(r.ok()) << s;
  }
  EXPECT_NE(ParseDuration("1x").status().message().find("\"1x\""), std::string::npos);
}

TEST(DurationTest, Formats) {
  EXPECT_EQ(FormatDuration(milliseconds(90000)), "1m30s");
  EXPECT_EQ(FormatDuration(milliseconds(500)), "500ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
}

}  // namespace
}  // namespace infermetry
