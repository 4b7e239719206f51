#include "query/sql/parser/interval_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace infermetry::sql {
namespace {

constexpr int64_t kMs = 1000;
constexpr int64_t kSec = 1'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;

enum class Unit {
  kMicro,
  kMilli,
  kSecond,
  kMinute,
  kHour,
  kDay,
  kWeek,
  kMonth,
  kYear,
  kDecade,
  kCentury,
  kMillennium
};

struct UnitName {
  std::string_view name;
  Unit unit;
};

// The unit spellings PostgreSQL's interval input accepts (case-insensitive).
constexpr UnitName kUnits[] = {
    {"microsecond", Unit::kMicro},
    {"microseconds", Unit::kMicro},
    {"us", Unit::kMicro},
    {"usec", Unit::kMicro},
    {"usecs", Unit::kMicro},
    {"usecond", Unit::kMicro},
    {"useconds", Unit::kMicro},
    {"millisecond", Unit::kMilli},
    {"milliseconds", Unit::kMilli},
    {"ms", Unit::kMilli},
    {"msec", Unit::kMilli},
    {"msecs", Unit::kMilli},
    {"msecond", Unit::kMilli},
    {"mseconds", Unit::kMilli},
    {"second", Unit::kSecond},
    {"seconds", Unit::kSecond},
    {"s", Unit::kSecond},
    {"sec", Unit::kSecond},
    {"secs", Unit::kSecond},
    {"minute", Unit::kMinute},
    {"minutes", Unit::kMinute},
    {"m", Unit::kMinute},
    {"min", Unit::kMinute},
    {"mins", Unit::kMinute},
    {"hour", Unit::kHour},
    {"hours", Unit::kHour},
    {"h", Unit::kHour},
    {"hr", Unit::kHour},
    {"hrs", Unit::kHour},
    {"day", Unit::kDay},
    {"days", Unit::kDay},
    {"d", Unit::kDay},
    {"week", Unit::kWeek},
    {"weeks", Unit::kWeek},
    {"w", Unit::kWeek},
    {"month", Unit::kMonth},
    {"months", Unit::kMonth},
    {"mon", Unit::kMonth},
    {"mons", Unit::kMonth},
    {"year", Unit::kYear},
    {"years", Unit::kYear},
    {"y", Unit::kYear},
    {"yr", Unit::kYear},
    {"yrs", Unit::kYear},
    {"decade", Unit::kDecade},
    {"decades", Unit::kDecade},
    {"dec", Unit::kDecade},
    {"decs", Unit::kDecade},
    {"century", Unit::kCentury},
    {"centuries", Unit::kCentury},
    {"c", Unit::kCentury},
    {"cent", Unit::kCentury},
    {"millennium", Unit::kMillennium},
    {"millennia", Unit::kMillennium},
    {"mil", Unit::kMillennium},
    {"mils", Unit::kMillennium},
};

const Unit* FindUnit(std::string_view word) {
  for (const auto& u : kUnits) {
    if (u.name == word) return &u.unit;
  }
  return nullptr;
}

enum class FieldKind { kNumber, kWord, kTime };

struct Field {
  FieldKind kind;
  std::string text;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Splits the text into numbers ("-1.5"), words ("hours") and times ("-01:02:03.5").
bool SplitFields(std::string_view text, std::vector<Field>* out) {
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      ++i;
      continue;
    }
    if (IsAlpha(c)) {
      std::string w;
      while (i < text.size() && IsAlpha(text[i])) w += static_cast<char>(std::tolower(text[i++]));
      out->push_back({FieldKind::kWord, std::move(w)});
      continue;
    }
    if (c == '@') {
      out->push_back({FieldKind::kWord, "@"});
      ++i;
      continue;
    }
    if (IsDigit(c) || c == '.' || c == '+' || c == '-') {
      size_t start = i;
      if (c == '+' || c == '-') ++i;
      bool colon = false, any_digit = false;
      while (i < text.size() && (IsDigit(text[i]) || text[i] == '.' || text[i] == ':')) {
        colon |= text[i] == ':';
        any_digit |= IsDigit(text[i]);
        ++i;
      }
      if (!any_digit) return false;
      out->push_back({colon ? FieldKind::kTime : FieldKind::kNumber,
                      std::string(text.substr(start, i - start))});
      continue;
    }
    return false;
  }
  return true;
}

// A decimal number "[+-]digits[.digits]": its sign, integer part and fraction (0 <= frac < 1).
// Integer parts beyond 10^20 are refused (they are out of any interval's range anyway).
using Wide = __int128;

bool ParseNumber(std::string_view s, bool* neg, Wide* whole, double* frac) {
  *neg = false;
  *whole = 0;
  *frac = 0;
  size_t k = 0;
  if (k < s.size() && (s[k] == '+' || s[k] == '-')) *neg = s[k++] == '-';
  bool digits = false;
  int int_digits = 0;
  for (; k < s.size() && IsDigit(s[k]); ++k) {
    if (++int_digits > 20) return false;
    *whole = *whole * 10 + (s[k] - '0');
    digits = true;
  }
  if (k < s.size() && s[k] == '.') {
    std::string f = "0.";
    for (++k; k < s.size() && IsDigit(s[k]); ++k) {
      if (f.size() < 40) f += s[k];
      digits = true;
    }
    *frac = std::strtod(f.c_str(), nullptr);
  }
  return digits && k == s.size();
}

Wide Round(double x) { return static_cast<Wide>(std::llround(x)); }

// Interval under construction, wide enough that no sum of accepted fields overflows.
struct Acc {
  Wide months = 0, days = 0, micros = 0;
};

}  // namespace

Result<Interval> ParseIntervalText(std::string_view text) {
  auto invalid = [&] {
    return ParseError("invalid input syntax for type interval: \"" + std::string(text) + "\"");
  };
  std::vector<Field> fields;
  if (!SplitFields(text, &fields) || fields.empty()) return invalid();
  bool ago = false;
  size_t first = 0, last = fields.size();
  if (fields[0].kind == FieldKind::kWord && fields[0].text == "@") ++first;
  if (last > first && fields[last - 1].kind == FieldKind::kWord && fields[last - 1].text == "ago") {
    ago = true;
    --last;
  }
  if (first >= last) return invalid();

  Acc acc;
  unsigned seen = 0;  // one bit per unit, and bit 31 for the time field
  auto mark = [&](unsigned bit) {
    if (seen & bit) return false;
    seen |= bit;
    return true;
  };
  // PostgreSQL reads the fields right to left: a number takes the unit written after it, a
  // bare number before a time field is days, and a bare number at the end is seconds.
  Unit type = Unit::kSecond;
  bool pending_unit = false;  // a unit word not yet given its number
  for (size_t k = last; k-- > first;) {
    const Field& f = fields[k];
    if (f.kind == FieldKind::kWord) {
      const Unit* u = FindUnit(f.text);
      if (u == nullptr || pending_unit) return invalid();
      type = *u;
      pending_unit = true;
      continue;
    }
    if (f.kind == FieldKind::kTime) {
      if (pending_unit || !mark(1u << 31)) return invalid();
      std::string_view t = f.text;
      bool neg = false;
      if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
        neg = t[0] == '-';
        t.remove_prefix(1);
      }
      std::vector<std::string_view> parts;
      size_t s = 0;
      for (size_t p = 0; p <= t.size(); ++p) {
        if (p == t.size() || t[p] == ':') {
          parts.push_back(t.substr(s, p - s));
          s = p + 1;
        }
      }
      if (parts.size() < 2 || parts.size() > 3) return invalid();
      // "MM:SS.f" when two parts and the second has a fraction; else "HH:MM[:SS[.f]]".
      Wide h = 0, m = 0, sec = 0;
      double sec_frac = 0;
      bool mm_ss = parts.size() == 2 && parts[1].find('.') != std::string_view::npos;
      for (size_t p = 0; p < parts.size(); ++p) {
        bool last_part = p + 1 == parts.size();
        bool part_neg;
        Wide w;
        double fr;
        if (parts[p].empty() || parts[p][0] == '+' || parts[p][0] == '-' ||
            (parts[p].find('.') != std::string_view::npos && !last_part) ||
            !ParseNumber(parts[p], &part_neg, &w, &fr)) {
          return invalid();
        }
        Wide* slot = mm_ss ? (p == 0 ? &m : &sec) : (p == 0 ? &h : p == 1 ? &m : &sec);
        *slot = w;
        if (slot == &sec) sec_frac = fr;
      }
      if (m >= 60 || sec >= 60) {
        return ParseError("interval field value out of range: \"" + std::string(text) + "\"");
      }
      Wide us = h * kHour + m * kMin + sec * kSec + Round(sec_frac * kSec);
      acc.micros += neg ? -us : us;
      type = Unit::kDay;
      continue;
    }
    // A number.
    bool neg;
    Wide whole;
    double frac;
    if (!ParseNumber(f.text, &neg, &whole, &frac)) return invalid();
    pending_unit = false;
    if (!mark(1u << static_cast<unsigned>(type))) return invalid();
    Acc add;
    auto spill_days = [&](double d) {  // a fraction of days into whole days and microseconds
      add.days += static_cast<Wide>(std::trunc(d));
      add.micros += Round((d - std::trunc(d)) * kDay);
    };
    switch (type) {
      case Unit::kMicro:
        add.micros = whole + Round(frac);
        break;
      case Unit::kMilli:
        add.micros = whole * kMs + Round(frac * kMs);
        break;
      case Unit::kSecond:
        add.micros = whole * kSec + Round(frac * kSec);
        break;
      case Unit::kMinute:
        add.micros = whole * kMin + Round(frac * kMin);
        break;
      case Unit::kHour:
        add.micros = whole * kHour + Round(frac * kHour);
        break;
      case Unit::kDay:
        add.days = whole;
        add.micros = Round(frac * kDay);
        break;
      case Unit::kWeek:
        add.days = whole * 7;
        spill_days(frac * 7);
        break;
      case Unit::kMonth:
        add.months = whole;
        spill_days(frac * 30);
        break;
      case Unit::kYear:
        add.months = whole * 12 + Round(frac * 12);
        break;
      case Unit::kDecade:
        add.months = whole * 120 + Round(frac * 120);
        break;
      case Unit::kCentury:
        add.months = whole * 1200 + Round(frac * 1200);
        break;
      case Unit::kMillennium:
        add.months = whole * 12000 + Round(frac * 12000);
        break;
    }
    int sign = neg ? -1 : 1;
    acc.months += sign * add.months;
    acc.days += sign * add.days;
    acc.micros += sign * add.micros;
  }
  if (pending_unit) return invalid();
  constexpr Wide kI32 = std::numeric_limits<int32_t>::max();
  constexpr Wide kI64 = std::numeric_limits<int64_t>::max();
  auto out_of = [](Wide v, Wide max) { return v > max || v < -max; };
  if (out_of(acc.months, kI32) || out_of(acc.days, kI32) || out_of(acc.micros, kI64)) {
    return ParseError("interval field value out of range: \"" + std::string(text) + "\"");
  }
  Interval iv{static_cast<int32_t>(acc.months), static_cast<int32_t>(acc.days),
              static_cast<int64_t>(acc.micros)};
  if (ago) {
    iv.months = -iv.months;
    iv.days = -iv.days;
    iv.micros = -iv.micros;
  }
  return iv;
}

std::string FormatInterval(const Interval& iv) {
  std::string out;
  bool is_before = false, is_zero = true;
  auto add_part = [&](int64_t value, const char* unit) {
    if (value == 0) return;
    if (!is_zero) out += ' ';
    if (is_before && value > 0) out += '+';
    out += std::to_string(value) + ' ' + unit + (value != 1 ? "s" : "");
    is_before = value < 0;
    is_zero = false;
  };
  add_part(iv.months / 12, "year");
  add_part(iv.months % 12, "mon");
  add_part(iv.days, "day");
  if (is_zero || iv.micros != 0) {
    bool minus = iv.micros < 0;
    // |micros| without overflow for INT64_MIN.
    uint64_t us = minus ? 0 - static_cast<uint64_t>(iv.micros) : static_cast<uint64_t>(iv.micros);
    uint64_t hours = us / kHour, mins = us / kMin % 60, secs = us / kSec % 60, frac = us % kSec;
    if (!is_zero) out += ' ';
    out += minus ? "-" : (is_before ? "+" : "");
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%02llu:%02llu:%02llu", static_cast<unsigned long long>(hours),
                  static_cast<unsigned long long>(mins), static_cast<unsigned long long>(secs));
    out += buf;
    if (frac != 0) {
      std::snprintf(buf, sizeof(buf), ".%06llu", static_cast<unsigned long long>(frac));
      std::string f(buf);
      while (f.back() == '0') f.pop_back();
      out += f;
    }
  }
  return out;
}

}  // namespace infermetry::sql
