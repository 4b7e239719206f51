#pragma once
// Timestamp input and output text, as PostgreSQL's `timestamp` type reads and prints it.
//
// ParseTimestampText accepts 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM:SS',
// 'YYYY-MM-DD HH:MM:SS.ffffff' (1 to 6 fraction digits; more are rounded to microseconds),
// 'T' instead of the space, surrounding blanks, and an optional zone: 'Z', '+HH', '+HHMM',
// '+HH:MM', '-HH:MM' (converted to UTC), or ' UTC'. Returns microseconds since the Unix epoch,
// UTC. Years run from 4713 BC (written "... BC", as FormatTimestamp does) to 294246.
// Errors are plain kParseError statuses:
//   invalid input syntax for type timestamp: "2024-13-01"
//
// FormatTimestamp prints like PostgreSQL: '2024-01-01 10:00:00', with the fraction only when
// non-zero and without trailing zeros ('2024-01-01 10:00:00.5'); years before 1 get " BC".

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace infermetry::sql {

Result<int64_t> ParseTimestampText(std::string_view text);

std::string FormatTimestamp(int64_t micros);

// Days since 1970-01-01 of a proleptic Gregorian date, and back (used by date arithmetic).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

}  // namespace infermetry::sql
