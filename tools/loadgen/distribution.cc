#include "loadgen/distribution.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>
#include <vector>

namespace infermetry::loadgen {
namespace {

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

bool ParseNumber(std::string_view s, double* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

bool ParseCount(std::string_view s, int* out) {
  double d = 0;
  if (!ParseNumber(s, &d) || d < 1 || d > (1 << 30) || d != std::floor(d)) return false;
  *out = static_cast<int>(d);
  return true;
}

std::string FormatNumber(double v) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, ptr);
}

}  // namespace

uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

Rng::Rng(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& s : s_) {
    s = Mix64(x);
    x += 0x9e3779b97f4a7c15ull;
  }
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

uint64_t Rng::Below(uint64_t n) {
  if (n == 0) return 0;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
}

double Rng::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = Uniform();
  while (u1 <= 0) u1 = Uniform();
  const double u2 = Uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

double Rng::Exponential(double rate) {
  double u = Uniform();
  while (u <= 0) u = Uniform();
  return -std::log(u) / rate;
}

LengthDistribution LengthDistribution::Fixed(int n) {
  LengthDistribution d;
  d.mean = n;
  return d;
}

Result<LengthDistribution> LengthDistribution::Parse(std::string_view spec) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("length distribution \"" + std::string(spec) +
                           "\": " + std::string(why) +
                           " (expected N, fixed:N, uniform:MIN:MAX, normal:MEAN:STDDEV or "
                           "normal:MEAN:STDDEV:MIN:MAX)");
  };
  std::vector<std::string_view> parts = Split(spec, ':');
  LengthDistribution d;
  if (parts.size() == 1 || (parts.size() == 2 && parts[0] == "fixed")) {
    int n = 0;
    if (!ParseCount(parts.back(), &n)) return bad("not a whole number >= 1");
    d.mean = n;
    return d;
  }
  if (parts[0] == "uniform") {
    if (parts.size() != 3) return bad("uniform takes MIN:MAX");
    if (!ParseCount(parts[1], &d.min) || !ParseCount(parts[2], &d.max)) {
      return bad("bounds must be whole numbers >= 1");
    }
    if (d.min > d.max) return bad("MIN is greater than MAX");
    d.kind = Kind::kUniform;
    d.mean = (d.min + d.max) / 2.0;
    return d;
  }
  if (parts[0] == "normal") {
    if (parts.size() != 3 && parts.size() != 5) return bad("normal takes MEAN:STDDEV[:MIN:MAX]");
    if (!ParseNumber(parts[1], &d.mean) || d.mean < 1) return bad("MEAN must be a number >= 1");
    if (!ParseNumber(parts[2], &d.stddev) || d.stddev < 0) {
      return bad("STDDEV must be a number >= 0");
    }
    if (parts.size() == 5) {
      if (!ParseCount(parts[3], &d.min) || !ParseCount(parts[4], &d.max)) {
        return bad("bounds must be whole numbers >= 1");
      }
      if (d.min > d.max) return bad("MIN is greater than MAX");
    }
    d.kind = Kind::kNormal;
    return d;
  }
  return bad("unknown kind \"" + std::string(parts[0]) + "\"");
}

int LengthDistribution::Sample(Rng* rng) const {
  double v = mean;
  switch (kind) {
    case Kind::kFixed:
      break;
    case Kind::kUniform:
      v = static_cast<double>(min) +
          static_cast<double>(rng->Below(static_cast<uint64_t>(max - min) + 1));
      break;
    case Kind::kNormal:
      v = std::round(mean + stddev * rng->Normal());
      break;
  }
  return static_cast<int>(std::clamp(v, static_cast<double>(min), static_cast<double>(max)));
}

std::string LengthDistribution::ToString() const {
  switch (kind) {
    case Kind::kFixed:
      return "fixed:" + FormatNumber(mean);
    case Kind::kUniform:
      return "uniform:" + std::to_string(min) + ":" + std::to_string(max);
    case Kind::kNormal: {
      std::string s = "normal:" + FormatNumber(mean) + ":" + FormatNumber(stddev);
      if (min != 1 || max != (1 << 20)) s += ":" + std::to_string(min) + ":" + std::to_string(max);
      return s;
    }
  }
  return "";
}

Result<ArrivalProcess> ParseArrivalProcess(std::string_view s) {
  if (s == "poisson") return ArrivalProcess::kPoisson;
  if (s == "fixed") return ArrivalProcess::kFixed;
  return InvalidArgument("arrival process \"" + std::string(s) + "\": expected poisson or fixed");
}

std::string_view ArrivalProcessName(ArrivalProcess p) {
  return p == ArrivalProcess::kPoisson ? "poisson" : "fixed";
}

double NextArrivalGap(ArrivalProcess process, double rate, Rng* rng) {
  if (process == ArrivalProcess::kFixed) return 1.0 / rate;
  return rng->Exponential(rate);
}

}  // namespace infermetry::loadgen
