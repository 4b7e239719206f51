#include "emulator/engine/arrival.h"

#include <algorithm>

namespace infermetry::emulator {

VectorArrivals::VectorArrivals(std::vector<Arrival> arrivals) : arrivals_(std::move(arrivals)) {
  std::stable_sort(arrivals_.begin(), arrivals_.end(),
                   [](const Arrival& a, const Arrival& b) { return a.offset < b.offset; });
}

bool VectorArrivals::Next(Arrival* out) {
  if (next_ >= arrivals_.size()) return false;
  *out = std::move(arrivals_[next_++]);
  return true;
}

}  // namespace infermetry::emulator
