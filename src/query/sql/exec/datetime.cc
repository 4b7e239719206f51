#include "query/sql/exec/datetime.h"

#include <cmath>
#include <string>

#include "query/sql/parser/timestamp_text.h"

namespace infermetry::sql::exec {

namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

struct Parts {
  int64_t days, year;
  unsigned month, day;
  int64_t tod;  // micros since midnight
};

Parts Split(int64_t ts) {
  Parts p;
  p.days = FloorDiv(ts, kMicrosPerDay);
  p.tod = ts - p.days * kMicrosPerDay;
  CivilFromDays(p.days, &p.year, &p.month, &p.day);
  return p;
}

// ISO week number and ISO year of a day.
void IsoWeek(int64_t days, int64_t* iso_year, int64_t* week) {
  int64_t dow = ((days % 7) + 7 + 3) % 7;  // 0 = Monday (1970-01-01 was a Thursday)
  int64_t thursday = days - dow + 3;
  int64_t y;
  unsigned m, d;
  CivilFromDays(thursday, &y, &m, &d);
  *iso_year = y;
  *week = (thursday - DaysFromCivil(y, 1, 1)) / 7 + 1;
}

}  // namespace

Result<int64_t> AddInterval(int64_t ts, const Interval& iv) {
  if (iv.months != 0) {
    Parts p = Split(ts);
    int64_t total = p.year * 12 + (p.month - 1) + iv.months;
    int64_t y = FloorDiv(total, 12);
    unsigned m = static_cast<unsigned>(total - y * 12) + 1;
    unsigned d = std::min(p.day, DaysInMonth(y, m));
    ts = DaysFromCivil(y, m, d) * kMicrosPerDay + p.tod;
  }
  int64_t out;
  if (__builtin_add_overflow(ts, static_cast<int64_t>(iv.days) * kMicrosPerDay, &out) ||
      __builtin_add_overflow(out, iv.micros, &out)) {
    return Status(Code::kOutOfRange, "timestamp out of range");
  }
  return out;
}

Interval NegateInterval(const Interval& iv) { return {-iv.months, -iv.days, -iv.micros}; }

Interval AddIntervals(const Interval& a, const Interval& b) {
  return {a.months + b.months, a.days + b.days, a.micros + b.micros};
}

Interval SubtractTimestamps(int64_t a, int64_t b) {
  int64_t diff = a - b;
  Interval iv;
  iv.days = static_cast<int32_t>(diff / kMicrosPerDay);
  iv.micros = diff % kMicrosPerDay;
  return iv;
}

Interval MultiplyInterval(const Interval& iv, double f) {
  double months = iv.months * f;
  double days = iv.days * f + (months - std::trunc(months)) * 30;
  double micros = static_cast<double>(iv.micros) * f + (days - std::trunc(days)) * kMicrosPerDay;
  return {static_cast<int32_t>(std::trunc(months)), static_cast<int32_t>(std::trunc(days)),
          static_cast<int64_t>(std::llround(micros))};
}

__int128 IntervalKey(const Interval& iv) {
  return (static_cast<__int128>(iv.months) * 30 + iv.days) * kMicrosPerDay + iv.micros;
}

double IntervalEpochSeconds(const Interval& iv) {
  return iv.months / 12 * 365.25 * 86400 + (iv.months % 12) * 30.0 * 86400 +
         iv.days * 86400.0 + iv.micros / 1e6;
}

int64_t FixedUnitMicros(std::string_view unit) {
  if (unit == "microseconds" || unit == "microsecond") return 1;
  if (unit == "milliseconds" || unit == "millisecond") return 1000;
  if (unit == "second" || unit == "seconds") return kMicrosPerSecond;
  if (unit == "minute" || unit == "minutes") return 60 * kMicrosPerSecond;
  if (unit == "hour" || unit == "hours") return 3600 * kMicrosPerSecond;
  if (unit == "day" || unit == "days") return kMicrosPerDay;
  return 0;
}

Result<int64_t> DateTrunc(std::string_view unit, int64_t ts) {
  if (int64_t u = FixedUnitMicros(unit)) return FloorDiv(ts, u) * u;
  Parts p = Split(ts);
  auto start_of_year = [](int64_t y) { return DaysFromCivil(y, 1, 1) * kMicrosPerDay; };
  if (unit == "week" || unit == "weeks") {
    int64_t dow = ((p.days % 7) + 7 + 3) % 7;
    return (p.days - dow) * kMicrosPerDay;
  }
  if (unit == "month" || unit == "months") return DaysFromCivil(p.year, p.month, 1) * kMicrosPerDay;
  if (unit == "quarter") return DaysFromCivil(p.year, (p.month - 1) / 3 * 3 + 1, 1) * kMicrosPerDay;
  if (unit == "year" || unit == "years") return start_of_year(p.year);
  if (unit == "decade") return start_of_year(FloorDiv(p.year, 10) * 10);
  if (unit == "century") return start_of_year(p.year > 0 ? FloorDiv(p.year - 1, 100) * 100 + 1 : p.year);
  if (unit == "millennium") return start_of_year(p.year > 0 ? FloorDiv(p.year - 1, 1000) * 1000 + 1 : p.year);
  return Status(Code::kInvalidArgument,
                "unit \"" + std::string(unit) + "\" not recognized for type timestamp");
}

Result<double> ExtractTimestamp(std::string_view f, int64_t ts) {
  Parts p = Split(ts);
  double sec = static_cast<double>(p.tod % (60 * kMicrosPerSecond)) / 1e6;
  if (f == "epoch") return static_cast<double>(ts) / 1e6;
  if (f == "year" || f == "years") return static_cast<double>(p.year);
  if (f == "month" || f == "months" || f == "mon") return p.month;
  if (f == "day" || f == "days") return p.day;
  if (f == "hour" || f == "hours") return static_cast<double>(p.tod / (3600 * kMicrosPerSecond));
  if (f == "minute" || f == "minutes") return static_cast<double>(p.tod / (60 * kMicrosPerSecond) % 60);
  if (f == "second" || f == "seconds") return sec;
  if (f == "milliseconds" || f == "millisecond") return sec * 1000;
  if (f == "microseconds" || f == "microsecond") return std::round(sec * 1e6);
  if (f == "dow") return static_cast<double>(((p.days % 7) + 7 + 4) % 7);
  if (f == "isodow") return static_cast<double>(((p.days % 7) + 7 + 3) % 7 + 1);
  if (f == "doy") return static_cast<double>(p.days - DaysFromCivil(p.year, 1, 1) + 1);
  if (f == "quarter") return static_cast<double>((p.month - 1) / 3 + 1);
  if (f == "decade") return static_cast<double>(FloorDiv(p.year, 10));
  if (f == "century") return static_cast<double>(p.year > 0 ? (p.year + 99) / 100 : -((99 - (p.year - 1)) / 100));
  if (f == "millennium") return static_cast<double>(p.year > 0 ? (p.year + 999) / 1000 : -((999 - (p.year - 1)) / 1000));
  if (f == "julian") return static_cast<double>(p.days + 2440588) + static_cast<double>(p.tod) / kMicrosPerDay;
  if (f == "week" || f == "isoyear") {
    int64_t iy, w;
    IsoWeek(p.days, &iy, &w);
    return static_cast<double>(f == "week" ? w : iy);
  }
  return Status(Code::kInvalidArgument,
                "unit \"" + std::string(f) + "\" not recognized for type timestamp");
}

Result<double> ExtractInterval(std::string_view f, const Interval& iv) {
  int64_t sec_part = iv.micros % (60 * kMicrosPerSecond);
  if (f == "epoch") return IntervalEpochSeconds(iv);
  if (f == "year" || f == "years") return static_cast<double>(iv.months / 12);
  if (f == "month" || f == "months" || f == "mon") return static_cast<double>(iv.months % 12);
  if (f == "day" || f == "days") return static_cast<double>(iv.days);
  if (f == "hour" || f == "hours") return static_cast<double>(iv.micros / (3600 * kMicrosPerSecond));
  if (f == "minute" || f == "minutes") return static_cast<double>(iv.micros / (60 * kMicrosPerSecond) % 60);
  if (f == "second" || f == "seconds") return static_cast<double>(sec_part) / 1e6;
  if (f == "milliseconds" || f == "millisecond") return static_cast<double>(sec_part) / 1e3;
  if (f == "microseconds" || f == "microsecond") return static_cast<double>(sec_part);
  return Status(Code::kInvalidArgument,
                "unit \"" + std::string(f) + "\" not recognized for type interval");
}

}  // namespace infermetry::sql::exec
