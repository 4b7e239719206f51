#pragma once
// Retry timing for exporters: jittered exponential backoff (the Collector's retry_on_failure)
// and the server's own "wait at least this long" hints.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace infermetry::exporter {

struct RetryOptions {
  bool enabled = true;
  std::chrono::milliseconds initial_interval{5000};
  double randomization_factor = 0.5;
  double multiplier = 1.5;
  std::chrono::milliseconds max_interval{30000};
  // Give up once this much time has passed since the first attempt; 0 = retry forever.
  std::chrono::milliseconds max_elapsed_time{300000};
};

// Successive waits: interval_0 = initial_interval, interval_{n+1} = min(interval_n * multiplier,
// max_interval); each wait is drawn uniformly from
// [interval * (1 - randomization_factor), interval * (1 + randomization_factor)].
// Not thread-safe: one Backoff per retry loop.
class Backoff {
 public:
  Backoff(const RetryOptions& options, uint64_t seed);
  std::chrono::milliseconds Next();

 private:
  RetryOptions options_;
  double interval_ms_;
  std::mt19937_64 rng_;
};

// An HTTP Retry-After value: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00
// GMT", relative to `now`; a date in the past means 0). nullopt when it is neither.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

}  // namespace infermetry::exporter
