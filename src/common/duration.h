#pragma once
// Durations as written in Prometheus and OpenTelemetry Collector configs.

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"

namespace infermetry {

// Accepts a sequence of <number><unit> with units y (365d), w, d, h, m, s, ms, us/µs, ns,
// e.g. "15s", "1m30s", "500ms", "1.5s", "2h", "0". Fractions are allowed (Go style).
// Returns kInvalidArgument naming the offending text otherwise.
Result<std::chrono::milliseconds> ParseDuration(std::string_view s);

// Prometheus spelling: "1m30s", "500ms", "0s".
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace infermetry
