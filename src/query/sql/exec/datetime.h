#pragma once
// Timestamp and interval arithmetic with PostgreSQL's semantics (timestamps without time
// zone, UTC): calendar-aware month/day addition, date_trunc, extract/date_part.

#include <cstdint>
#include <string_view>

#include "common/result.h"
#include "query/sql/value.h"

namespace infermetry::sql::exec {

inline constexpr int64_t kMicrosPerSecond = 1000000;
inline constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// ts + iv: months first (clamping the day to the month's length), then days, then micros.
Result<int64_t> AddInterval(int64_t ts, const Interval& iv);
Interval NegateInterval(const Interval& iv);
Interval AddIntervals(const Interval& a, const Interval& b);
// a - b as PostgreSQL's timestamp subtraction: whole days and the remaining microseconds.
Interval SubtractTimestamps(int64_t a, int64_t b);
// iv * f, fractions of months spilling into days (30 per month) and of days into micros.
Interval MultiplyInterval(const Interval& iv, double f);
// The ordering key PostgreSQL compares intervals by: months as 30 days, days as 24 hours.
__int128 IntervalKey(const Interval& iv);
// Seconds, for extract(epoch FROM interval).
double IntervalEpochSeconds(const Interval& iv);

// date_trunc: unit in microseconds, milliseconds, second, minute, hour, day, week (Monday),
// month, quarter, year, decade, century, millennium. kInvalidArgument for other units:
// `unit "fortnight" not recognized for type timestamp`.
Result<int64_t> DateTrunc(std::string_view unit, int64_t ts);
// Date truncation fast path for fixed-size units; 0 when the unit is calendar-dependent.
int64_t FixedUnitMicros(std::string_view unit);

// extract(field FROM ts) as a double: epoch, year, month, day, hour, minute, second (with
// fraction), millisecond(s), microsecond(s), dow (0 = Sunday), isodow, doy, week (ISO),
// quarter, decade, century, millennium, isoyear, julian.
Result<double> ExtractTimestamp(std::string_view field, int64_t ts);
Result<double> ExtractInterval(std::string_view field, const Interval& iv);

}  // namespace infermetry::sql::exec
