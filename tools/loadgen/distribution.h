#pragma once
// Randomness for load generation: a seeded generator whose sequences are the same on every
// platform and standard library (std:: distributions are not), the length distributions of
// prompts and outputs, and request arrival processes.
//
//   Rng rng(seed);
//   Result<LengthDistribution> d = LengthDistribution::Parse("normal:512:128:64:2048");
//   int tokens = d->Sample(&rng);
//   double wait_s = NextArrivalGap(ArrivalProcess::kPoisson, /*rate=*/8.0, &rng);
//
// Thread-safety: an Rng is not synchronized (one per thread or per sequence);
// LengthDistribution is a value and Sample is const.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace infermetry::loadgen {

// xoshiro256** seeded through SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, 1), 53 random bits.
  double Uniform();
  // Uniform integer in [0, n); 0 when n == 0.
  uint64_t Below(uint64_t n);
  // Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double Normal();
  // Exponential with mean 1 / rate (rate > 0).
  double Exponential(double rate);

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

// SplitMix64 of `x`: a cheap, well-mixed hash of one integer (e.g. seed ^ index).
uint64_t Mix64(uint64_t x);

// A distribution of token counts, always within [min, max].
struct LengthDistribution {
  enum class Kind { kFixed, kUniform, kNormal };
  Kind kind = Kind::kFixed;
  double mean = 128;  // kFixed: the value; kNormal: the mean
  double stddev = 0;  // kNormal
  int min = 1;        // kUniform: lower bound; every kind: clamp
  int max = 1 << 20;  // kUniform: upper bound (inclusive); every kind: clamp

  // "128" or "fixed:128"; "uniform:MIN:MAX"; "normal:MEAN:STDDEV" or
  // "normal:MEAN:STDDEV:MIN:MAX" (samples are rounded and clamped to [MIN, MAX], default
  // [1, 2^20]). kInvalidArgument naming the spec for anything else, a value < 1, MIN > MAX,
  // or a negative STDDEV.
  static Result<LengthDistribution> Parse(std::string_view spec);
  static LengthDistribution Fixed(int n);

  int Sample(Rng* rng) const;
  // The spelling Parse accepts, e.g. "uniform:64:256".
  std::string ToString() const;
};

enum class ArrivalProcess {
  kPoisson,  // exponential gaps with mean 1/rate
  kFixed,    // every 1/rate seconds exactly
};

// "poisson" | "fixed"; kInvalidArgument otherwise.
Result<ArrivalProcess> ParseArrivalProcess(std::string_view s);
std::string_view ArrivalProcessName(ArrivalProcess p);

// Seconds from one arrival to the next at `rate` requests per second (rate > 0).
double NextArrivalGap(ArrivalProcess process, double rate, Rng* rng);

}  // namespace infermetry::loadgen
