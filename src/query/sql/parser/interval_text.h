#pragma once
// PostgreSQL's interval input and output text, for interval literals and casts.
//
// ParseIntervalText accepts what PostgreSQL's interval input accepts in its common forms:
//   '5 minutes', '1 hour', '1 day 2 hours', '1.5 hours', '-3 secs', '2 weeks', '1 month',
//   '1 year 2 mons', '@ 1 hour ago', '01:02:03', '1 day 02:00:00', '-00:00:01.5', '90'
//   (a bare number is seconds), with units and their abbreviations (microsecond(s)/us/usec(s),
//   millisecond(s)/ms/msec(s), second(s)/s/sec(s), minute(s)/m/min(s), hour(s)/h/hr(s),
//   day(s)/d, week(s)/w, month(s)/mon(s), year(s)/y/yr(s), decade(s), century/centuries,
//   millennium/millennia). Fractional months and years spill into days (30 days a month) and
//   fractional days into microseconds, as PostgreSQL does. Errors are plain kParseError
//   statuses: `invalid input syntax for type interval: "5 minuts"`.
//
// FormatInterval prints as PostgreSQL's default IntervalStyle (postgres):
//   '01:00:00', '1 day 02:00:00', '00:05:00', '-00:00:01.5', '1 mon 2 days 03:00:00',
//   '1 year 2 mons', '3 days', '-1 days +02:00:00'.

#include <string>
#include <string_view>

#include "common/result.h"
#include "query/sql/value.h"

namespace infermetry::sql {

Result<Interval> ParseIntervalText(std::string_view text);

std::string FormatInterval(const Interval& iv);

}  // namespace infermetry::sql
