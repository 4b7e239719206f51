#include "query/sql/parser/interval_text.h"

#include <gtest/gtest.h>

namespace infermetry::sql {
namespace {

constexpr int64_t kSec = 1'000'000;

Interval Iv(int32_t months, int32_t days, int64_t micros) { return Interval{months, days, micros}; }

Interval MustParse(std::string_view text) {
  auto r = ParseIntervalText(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : Interval{};
}

TEST(IntervalText, PostgresForms) {
  EXPECT_EQ(MustParse("5 minutes"), Iv(0, 0, 300 * kSec));
  EXPECT_EQ(MustParse("1 hour"), Iv(0, 0, 3600 * kSec));
  EXPECT_EQ(MustParse("24 hours"), Iv(0, 0, 86400 * kSec));
  EXPECT_EQ(MustParse("1 day 2 hours"), Iv(0, 1, 7200 * kSec));
  EXPECT_EQ(MustParse("90 seconds"), Iv(0, 0, 90 * kSec));
  EXPECT_EQ(MustParse("1.5 hours"), Iv(0, 0, 5400 * kSec));
  EXPECT_EQ(MustParse("2 weeks"), Iv(0, 14, 0));
  EXPECT_EQ(MustParse("1 month"), Iv(1, 0, 0));
  EXPECT_EQ(MustParse("1 year"), Iv(12, 0, 0));
  EXPECT_EQ(MustParse("1 year 2 mons 3 days"), Iv(14, 3, 0));
  EXPECT_EQ(MustParse("  5 MINUTES  "), Iv(0, 0, 300 * kSec));
}

TEST(IntervalText, Abbreviations) {
  EXPECT_EQ(MustParse("10 min"), Iv(0, 0, 600 * kSec));
  EXPECT_EQ(MustParse("10 mins"), Iv(0, 0, 600 * kSec));
  EXPECT_EQ(MustParse("3 sec"), Iv(0, 0, 3 * kSec));
  EXPECT_EQ(MustParse("3 secs"), Iv(0, 0, 3 * kSec));
  EXPECT_EQ(MustParse("2 hr"), Iv(0, 0, 7200 * kSec));
  EXPECT_EQ(MustParse("2 hrs"), Iv(0, 0, 7200 * kSec));
  EXPECT_EQ(MustParse("1 d"), Iv(0, 1, 0));
  EXPECT_EQ(MustParse("1 h"), Iv(0, 0, 3600 * kSec));
  EXPECT_EQ(MustParse("1 m"), Iv(0, 0, 60 * kSec));  // m is minutes in interval input
  EXPECT_EQ(MustParse("1 s"), Iv(0, 0, kSec));
  EXPECT_EQ(MustParse("10min"), Iv(0, 0, 600 * kSec));
  EXPECT_EQ(MustParse("1h30m"), Iv(0, 0, 5400 * kSec));
  EXPECT_EQ(MustParse("100 ms"), Iv(0, 0, 100'000));
  EXPECT_EQ(MustParse("1.5 msec"), Iv(0, 0, 1'500));
  EXPECT_EQ(MustParse("250 microseconds"), Iv(0, 0, 250));
  EXPECT_EQ(MustParse("3 mons"), Iv(3, 0, 0));
  EXPECT_EQ(MustParse("2 yrs"), Iv(24, 0, 0));
  EXPECT_EQ(MustParse("1 decade"), Iv(120, 0, 0));
}

TEST(IntervalText, TimeFieldsSignsAndFractions) {
  EXPECT_EQ(MustParse("01:02:03"), Iv(0, 0, 3723 * kSec));
  EXPECT_EQ(MustParse("1 day 02:00:00"), Iv(0, 1, 7200 * kSec));
  EXPECT_EQ(MustParse("1 02:00:00"), Iv(0, 1, 7200 * kSec));  // a bare number before a time is days
  EXPECT_EQ(MustParse("-00:00:01.5"), Iv(0, 0, -1'500'000));
  EXPECT_EQ(MustParse("1:30"), Iv(0, 0, 5400 * kSec));   // hours:minutes
  EXPECT_EQ(MustParse("1:30.5"), Iv(0, 0, 90'500'000));  // minutes:seconds.fraction
  EXPECT_EQ(MustParse("90"), Iv(0, 0, 90 * kSec));       // bare number: seconds
  EXPECT_EQ(MustParse("-1 day +2 hours"), Iv(0, -1, 7200 * kSec));
  EXPECT_EQ(MustParse("@ 1 hour ago"), Iv(0, 0, -3600 * kSec));
  EXPECT_EQ(MustParse("1.5 days"), Iv(0, 1, 43200 * kSec));
  EXPECT_EQ(MustParse("1.5 months"), Iv(1, 15, 0));
  EXPECT_EQ(MustParse("1.5 years"), Iv(18, 0, 0));
  EXPECT_EQ(MustParse("1.5 weeks"), Iv(0, 10, 43200 * kSec));
  EXPECT_EQ(MustParse("0.000001 seconds"), Iv(0, 0, 1));
}

TEST(IntervalText, Errors) {
  for (std::string_view bad :
       {"5 minuts", "", "hour", "1 hour 2 hours", "1 2", "five minutes", "1 hour ago ago",
        "1:2:3:4", "1::2", "1:70", "1e400 hours", "99999999999 years", "--1 hour", "1..5 hours"}) {
    auto r = ParseIntervalText(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "'";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kParseError);
    }
  }
  auto r = ParseIntervalText("5 minuts");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "invalid input syntax for type interval: \"5 minuts\"");
}

TEST(IntervalText, FormatLikePostgres) {
  EXPECT_EQ(FormatInterval(Iv(0, 0, 3600 * kSec)), "01:00:00");
  EXPECT_EQ(FormatInterval(Iv(0, 1, 7200 * kSec)), "1 day 02:00:00");
  EXPECT_EQ(FormatInterval(Iv(0, 0, 300 * kSec)), "00:05:00");
  EXPECT_EQ(FormatInterval(Iv(0, 0, -1'500'000)), "-00:00:01.5");
  EXPECT_EQ(FormatInterval(Iv(1, 2, 3 * 3600 * kSec)), "1 mon 2 days 03:00:00");
  EXPECT_EQ(FormatInterval(Iv(14, 0, 0)), "1 year 2 mons");
  EXPECT_EQ(FormatInterval(Iv(0, 3, 0)), "3 days");
  EXPECT_EQ(FormatInterval(Iv(0, 0, 0)), "00:00:00");
  EXPECT_EQ(FormatInterval(Iv(0, 0, 86400 * kSec)), "24:00:00");
  EXPECT_EQ(FormatInterval(Iv(0, -1, 7200 * kSec)), "-1 days +02:00:00");
  EXPECT_EQ(FormatInterval(Iv(-12, 0, 0)), "-1 years");
  EXPECT_EQ(FormatInterval(Iv(0, 0, 1)), "00:00:00.000001");
  EXPECT_EQ(FormatInterval(Iv(0, 0, INT64_MIN)), "-2562047788:00:54.775808");
  // Output reads back as the same interval, to the microsecond.
  for (Interval iv : {Iv(1, 2, 3 * kSec), Iv(0, -1, 7200 * kSec), Iv(-14, 3, -5), Iv(0, 0, 1),
                      Iv(0, 0, INT64_MAX), Iv(INT32_MAX, INT32_MIN + 1, -INT64_MAX)}) {
    EXPECT_EQ(MustParse(FormatInterval(iv)), iv) << FormatInterval(iv);
  }
}

}  // namespace
}  // namespace infermetry::sql
