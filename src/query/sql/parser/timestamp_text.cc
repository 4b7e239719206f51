#include "query/sql/parser/timestamp_text.h"

#include <cstdio>
#include <string>

namespace infermetry::sql {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

Status Invalid(std::string_view text) {
  return ParseError("invalid input syntax for type timestamp: \"" + std::string(text) + "\"");
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// A cursor over the text with small readers; each returns false when the text does not match.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool Done() const { return i >= s.size(); }
  char Peek() const { return i < s.size() ? s[i] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i;
    return true;
  }
  // Exactly `min`..`max` digits.
  bool Digits(int min, int max, int64_t* out, int* count = nullptr) {
    int n = 0;
    int64_t v = 0;
    while (n < max && i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + (s[i] - '0');
      ++i;
      ++n;
    }
    if (count != nullptr) *count = n;
    *out = v;
    return n >= min;
  }
  void SkipBlanks() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
};

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = y + (*month <= 2);
}

Result<int64_t> ParseTimestampText(std::string_view text) {
  Cursor c{text};
  c.SkipBlanks();
  int64_t year, month, day;
  int ydigits = 0;
  if (!c.Digits(4, 6, &year, &ydigits) || !c.Eat('-') || !c.Digits(1, 2, &month) || !c.Eat('-') ||
      !c.Digits(1, 2, &day)) {
    return Invalid(text);
  }
  if (year < 1 || year > 294246 || month < 1 || month > 12 || day < 1 || day > 31) {
    return ParseError("date/time field value out of range: \"" + std::string(text) + "\"");
  }
  int64_t hour = 0, minute = 0, second = 0, frac = 0;
  bool has_time = false;
  if (c.Peek() == 'T' || c.Peek() == 't') {
    ++c.i;
    has_time = true;
  } else if (c.Peek() == ' ') {
    size_t save = c.i;
    c.SkipBlanks();
    if (c.Peek() >= '0' && c.Peek() <= '9') {
      has_time = true;
    } else {
      c.i = save;
    }
  }
  if (has_time) {
    if (!c.Digits(1, 2, &hour) || !c.Eat(':') || !c.Digits(2, 2, &minute)) return Invalid(text);
    if (c.Eat(':')) {
      if (!c.Digits(2, 2, &second)) return Invalid(text);
      if (c.Eat('.')) {
        int64_t digits = 0;
        int n = 0;
        // Read up to 6 digits, then round on the seventh and drop the rest.
        if (!c.Digits(1, 6, &digits, &n)) return Invalid(text);
        for (int k = n; k < 6; ++k) digits *= 10;
        if (c.Peek() >= '0' && c.Peek() <= '9') {
          if (c.Peek() >= '5') ++digits;
          while (c.Peek() >= '0' && c.Peek() <= '9') ++c.i;
        }
        frac = digits;
      }
    }
    bool is_24 = hour == 24 && minute == 0 && second == 0 && frac == 0;
    if ((hour > 23 && !is_24) || minute > 59 || second > 60) {
      return ParseError("date/time field value out of range: \"" + std::string(text) + "\"");
    }
  }
  // " BC" (as FormatTimestamp writes years before 1), then the zone: Z, UTC, +HH, +HHMM,
  // +HH:MM, -HH:MM.
  c.SkipBlanks();
  if (c.s.substr(c.i, 2) == "BC" || c.s.substr(c.i, 2) == "bc") {
    c.i += 2;
    if (year > 4713) {
      return ParseError("timestamp out of range: \"" + std::string(text) + "\"");
    }
    year = 1 - year;  // 1 BC is year 0
    c.SkipBlanks();
  }
  if (day > DaysInMonth(year, static_cast<unsigned>(month))) {
    return ParseError("date/time field value out of range: \"" + std::string(text) + "\"");
  }
  int64_t offset_seconds = 0;
  if (c.Peek() == 'Z' || c.Peek() == 'z') {
    ++c.i;
  } else if (c.s.substr(c.i, 3) == "UTC" || c.s.substr(c.i, 3) == "utc") {
    c.i += 3;
  } else if (c.Peek() == '+' || c.Peek() == '-') {
    int sign = c.Peek() == '-' ? -1 : 1;
    ++c.i;
    int64_t oh = 0, om = 0;
    int n = 0;
    if (!c.Digits(1, 4, &oh, &n)) return Invalid(text);
    if (n > 2) {  // +HHMM
      om = oh % 100;
      oh /= 100;
    } else if (c.Eat(':')) {
      if (!c.Digits(2, 2, &om)) return Invalid(text);
    }
    if (oh > 15 || om > 59) {
      return ParseError("time zone displacement out of range: \"" + std::string(text) + "\"");
    }
    offset_seconds = sign * (oh * 3600 + om * 60);
  }
  c.SkipBlanks();
  if (!c.Done()) return Invalid(text);
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = hour * 3600 + minute * 60 + second - offset_seconds;
  return days * kMicrosPerDay + secs * kMicrosPerSecond + frac;
}

std::string FormatTimestamp(int64_t micros) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rem = micros % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  bool bc = year <= 0;
  if (bc) year = 1 - year;  // astronomical year 0 is 1 BC
  int64_t secs = rem / kMicrosPerSecond;
  int64_t frac = rem % kMicrosPerSecond;
  char buf[96];
  int n =
      std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u %02lld:%02lld:%02lld",
                    static_cast<long long>(year), month, day, static_cast<long long>(secs / 3600),
                    static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  if (bc) out += " BC";
  return out;
}

}  // namespace infermetry::sql
