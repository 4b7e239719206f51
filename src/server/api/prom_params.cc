#include "server/api/prom_params.h"

#include <chrono>
#include <cmath>

#include "common/duration.h"
#include "common/strconv.h"

namespace infermetry::api {

bool IsFormPost(const http::Request& req) {
  if (req.method != "POST") return false;
  std::string_view ct = req.Header("Content-Type");
  if (size_t semi = ct.find(';'); semi != std::string_view::npos) ct = ct.substr(0, semi);
  while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
  return EqualsIgnoreCase(ct, "application/x-www-form-urlencoded");
}

FormParams::FormParams(const http::Request& req) {
  if (IsFormPost(req)) params_ = http::ParseQueryString(req.body);
  for (auto& p : http::ParseQueryString(req.query)) params_.push_back(std::move(p));
}

std::string FormParams::Get(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return v;
  }
  return "";
}

bool FormParams::Has(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return true;
  }
  return false;
}

std::vector<std::string> FormParams::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : params_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// RFC 3339 as Go's time.RFC3339Nano layout reads it: 2006-01-02T15:04:05[.999999999](Z|±07:00).
bool ParseRfc3339(std::string_view s, int64_t* ms) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' ||
      !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, &h) || s[13] != ':' ||
      !Digits(s, 14, 2, &mi) || s[16] != ':' || !Digits(s, 17, 2, &sec)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return false;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo), std::chrono::day(d)};
  if (!ymd.ok()) return false;
  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 9) nanos = nanos * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return false;
    for (int i = n; i < 9; ++i) nanos *= 10;
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return false;
    }
    offset_s = (int64_t{oh} * 60 + om) * 60 * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  const int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  const int64_t secs = days * 86400 + int64_t{h} * 3600 + int64_t{mi} * 60 + sec - offset_s;
  *ms = secs * 1000 + nanos / 1000000;
  return true;
}

}  // namespace

Result<int64_t> ParsePromTime(std::string_view s) {
  double f;
  if (ParseGoFloat(s, &f)) {
    if (std::isfinite(f) && std::fabs(f) < 9.2e15) {
      double whole;
      double frac = std::modf(f, &whole);
      return static_cast<int64_t>(whole) * 1000 + static_cast<int64_t>(std::round(frac * 1000));
    }
  } else {
    int64_t ms;
    if (ParseRfc3339(s, &ms)) return ms;
    if (s == "-292273086-05-16T16:47:06Z") return kPromMinTimeMs;
    if (s == "292277025-08-18T07:12:54.999999999Z") return kPromMaxTimeMs;
  }
  return InvalidArgument("cannot parse \"" + std::string(s) + "\" to a valid timestamp");
}

Result<int64_t> ParsePromDuration(std::string_view s) {
  double f;
  if (ParseGoFloat(s, &f)) {
    if (std::isfinite(f) && std::fabs(f) * 1e9 < 9.2e18) return static_cast<int64_t>(f * 1000);
    return InvalidArgument("cannot parse \"" + std::string(s) + "\" to a valid duration. It overflows int64");
  }
  auto d = ParseDuration(s);
  if (d.ok() && !s.empty()) return static_cast<int64_t>(d->count());
  return InvalidArgument("cannot parse \"" + std::string(s) + "\" to a valid duration");
}

}  // namespace infermetry::api
