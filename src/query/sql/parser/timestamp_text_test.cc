#include "query/sql/parser/timestamp_text.h"

#include <gtest/gtest.h>

namespace infermetry::sql {
namespace {

constexpr int64_t kSec = 1'000'000;
constexpr int64_t k20240101 = 1'704'067'200 * kSec;  // 2024-01-01 00:00:00 UTC

int64_t MustParse(std::string_view text) {
  auto r = ParseTimestampText(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : 0;
}

TEST(TimestampText, Forms) {
  EXPECT_EQ(MustParse("2024-01-01"), k20240101);
  EXPECT_EQ(MustParse("2024-01-01 10:00"), k20240101 + 36000 * kSec);
  EXPECT_EQ(MustParse("2024-01-01 10:00:00"), k20240101 + 36000 * kSec);
  EXPECT_EQ(MustParse("2024-01-01T10:00:00"), k20240101 + 36000 * kSec);
  EXPECT_EQ(MustParse("2024-01-01 10:00:00.123456"), k20240101 + 36000 * kSec + 123456);
  EXPECT_EQ(MustParse("2024-01-01 10:00:00.5"), k20240101 + 36000 * kSec + 500000);
  EXPECT_EQ(MustParse("2024-01-01 10:00:00.1234567"), k20240101 + 36000 * kSec + 123457);
  EXPECT_EQ(MustParse(" 2024-1-1 "), k20240101);
  EXPECT_EQ(MustParse("1970-01-01 00:00:00"), 0);
  EXPECT_EQ(MustParse("2024-02-29"), k20240101 + 59LL * 86400 * kSec);
  EXPECT_EQ(MustParse("1969-12-31 23:59:59"), -kSec);
}

TEST(TimestampText, ZonesConvertToUtc) {
  int64_t ten = k20240101 + 36000 * kSec;
  EXPECT_EQ(MustParse("2024-01-01T10:00:00Z"), ten);
  EXPECT_EQ(MustParse("2024-01-01 10:00:00 UTC"), ten);
  EXPECT_EQ(MustParse("2024-01-01 10:00:00+00"), ten);
  EXPECT_EQ(MustParse("2024-01-01 10:00:00+00:00"), ten);
  EXPECT_EQ(MustParse("2024-01-01 12:00:00+02"), ten);
  EXPECT_EQ(MustParse("2024-01-01 12:00:00+02:00"), ten);
  EXPECT_EQ(MustParse("2024-01-01 12:00:00+0200"), ten);
  EXPECT_EQ(MustParse("2024-01-01 04:30:00-05:30"), ten);
  EXPECT_EQ(MustParse("2024-01-01T10:00:00.250Z"), ten + 250000);
}

TEST(TimestampText, Errors) {
  for (std::string_view bad :
       {"2024-13-01", "2024-02-30", "2023-02-29", "yesterday", "2024-01-01 25:00:00",
        "2024-01-01 10:60:00", "2024-01-01 10:00:00 junk", "2024-01-01 10", "", "2024/01/01",
        "2024-01-01 10:00:00+16", "2024-01-01 10:00:00."}) {
    auto r = ParseTimestampText(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "'";
  }
  auto r = ParseTimestampText("yesterday");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "invalid input syntax for type timestamp: \"yesterday\"");
}

TEST(TimestampText, FormatLikePostgres) {
  EXPECT_EQ(FormatTimestamp(k20240101 + 36000 * kSec), "2024-01-01 10:00:00");
  EXPECT_EQ(FormatTimestamp(k20240101 + 36000 * kSec + 500000), "2024-01-01 10:00:00.5");
  EXPECT_EQ(FormatTimestamp(k20240101 + 123456), "2024-01-01 00:00:00.123456");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(FormatTimestamp(MustParse("0001-01-01")), "0001-01-01 00:00:00");
  EXPECT_EQ(FormatTimestamp(MustParse("0001-01-01") - 86400 * kSec), "0001-12-31 00:00:00 BC");
  for (std::string_view s :
       {"2024-02-29 23:59:59.999999", "1900-03-01 00:00:00", "2100-12-31 01:02:03"}) {
    EXPECT_EQ(FormatTimestamp(MustParse(s)), s);
  }
}

TEST(TimestampText, YearRange) {
  EXPECT_EQ(MustParse("0001-12-31 00:00:00 BC"), MustParse("0001-01-01") - 86400 * kSec);
  EXPECT_EQ(FormatTimestamp(MustParse("0044-03-15 12:00:00 BC")), "0044-03-15 12:00:00 BC");
  EXPECT_EQ(FormatTimestamp(MustParse("294246-12-31 23:59:59")), "294246-12-31 23:59:59");
  for (std::string_view bad : {"0000-01-01", "294247-01-01", "4714-01-01 BC", "0002-02-29 BC"}) {
    EXPECT_FALSE(ParseTimestampText(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseTimestampText("0001-02-29 BC").ok());  // 1 BC is a leap year
}

TEST(TimestampText, CivilDays) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2024, 1, 1), 19723);
  int64_t y;
  unsigned m, d;
  CivilFromDays(19723 + 59, &y, &m, &d);
  EXPECT_EQ(y, 2024);
  EXPECT_EQ(m, 2u);
  EXPECT_EQ(d, 29u);
}

}  // namespace
}  // namespace infermetry::sql
