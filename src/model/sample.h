#pragma once
// Samples and the staleness marker.

#include <cstdint>
#include <cstring>

namespace infermetry::model {

// Prometheus's staleness marker: a NaN with this exact bit pattern says "this series ended".
// It is distinct from an ordinary NaN sample value.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

inline double StaleNaN() {
  double d;
  std::memcpy(&d, &kStaleNaNBits, sizeof(d));
  return d;
}

inline bool IsStaleNaN(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return bits == kStaleNaNBits;
}

struct Sample {
  int64_t t_ms = 0;  // milliseconds since the Unix epoch
  double v = 0;
};

}  // namespace infermetry::model
