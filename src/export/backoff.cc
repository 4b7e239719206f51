#include "export/backoff.h"

#include <ctime>
#include <string>

namespace infermetry::exporter {

Backoff::Backoff(const RetryOptions& options, uint64_t seed)
    : options_(options),
      interval_ms_(static_cast<double>(options.initial_interval.count())),
      rng_(seed) {}

std::chrono::milliseconds Backoff::Next() {
  double f = options_.randomization_factor;
  double lo = interval_ms_ * (1 - f);
  double hi = interval_ms_ * (1 + f);
  double wait = lo < hi ? std::uniform_real_distribution<double>(lo, hi)(rng_) : interval_ms_;
  double max = static_cast<double>(options_.max_interval.count());
  interval_ms_ = std::min(interval_ms_ * options_.multiplier, max);
  if (wait < 0) wait = 0;
  return std::chrono::milliseconds(static_cast<int64_t>(wait));
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    if (value.size() > 9) return std::chrono::milliseconds(int64_t{999999999} * 1000);
    return std::chrono::milliseconds(std::stoll(std::string(value)) * 1000);
  }
  std::tm tm{};
  std::string s(value);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (at <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
}

}  // namespace infermetry::exporter
