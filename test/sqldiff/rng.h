#pragma once
// A small deterministic random source (splitmix64) for the differential test: the same seed
// gives the same tables and queries on every platform and standard library.

#include <cstdint>
#include <string>
#include <vector>

namespace infermetry::sqldiff {

class Rng {
 public:
  // Neighbouring seeds give unrelated sequences (the seed goes through the mixer first).
  explicit Rng(uint64_t seed) : s_(seed) { s_ = Next() ^ 0x632BE59BD9B4E019ULL; }
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi] (inclusive).
  int64_t Int(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1)); }
  // True with probability p.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[static_cast<size_t>(Int(0, static_cast<int64_t>(v.size()) - 1))]; }

 private:
  uint64_t s_;
};

}  // namespace infermetry::sqldiff
