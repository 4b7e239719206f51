#include "emulator/engine/workload.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "emulator/engine/step_model.h"

namespace infermetry::emulator {
namespace {

constexpr uint32_t kVocabSize = 50000;
constexpr int kReservedOutput = 16;  // prompts leave at least this much room to generate
constexpr double kTwoPi = 6.283185307179586;

double Uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double StandardNormal(std::mt19937_64& rng) {
  const double u1 = 1.0 - Uniform01(rng);  // (0, 1]
  const double u2 = Uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

double Exponential1(std::mt19937_64& rng) { return -std::log(1.0 - Uniform01(rng)); }

uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Draw {
  int prompt = 1;
  int output = 1;
  int max_tokens = 0;
  int group = -1;  // prefix group, -1 = none
  int prefix = 0;  // leading tokens taken from the group's prefix
};

// Lengths of one request, clamped to the model; the same sequence of draws for the estimate
// of the means and for the generated requests.
Draw DrawRequest(const Workload& w, int max_model_len, std::mt19937_64& rng) {
  Draw d;
  const int prompt_limit = std::max(1, max_model_len - kReservedOutput);
  d.prompt = std::clamp(SampleLength(w.prompt_tokens, rng), 1, prompt_limit);
  if (w.prefix_share > 0 && w.num_prefix_groups > 0 && w.prefix_tokens > 0 &&
      Uniform01(rng) < w.prefix_share) {
    d.group = static_cast<int>(Uniform01(rng) * w.num_prefix_groups);
    d.prompt = std::max(d.prompt, std::min(w.prefix_tokens + 1, prompt_limit));
    d.prefix = std::min(w.prefix_tokens, d.prompt - 1);
  }
  const int room = max_model_len - d.prompt;
  d.output = std::clamp(SampleLength(w.output_tokens, rng), 1, room);
  d.max_tokens = w.max_tokens > 0 ? std::min(w.max_tokens, room) : 0;
  return d;
}

}  // namespace

int SampleLength(const LengthDist& dist, std::mt19937_64& rng) {
  double v = dist.a;
  switch (dist.kind) {
    case LengthDist::Kind::kFixed:
      break;
    case LengthDist::Kind::kUniform:
      v = dist.a + std::floor(Uniform01(rng) * (dist.b - dist.a + 1));
      break;
    case LengthDist::Kind::kLognormal:
      v = dist.a * std::exp(dist.b * StandardNormal(rng));
      break;
  }
  const double r = std::round(v);
  return static_cast<int>(std::clamp<double>(r, dist.min, dist.max));
}

MeanLengths EstimateMeanLengths(const Workload& workload, int max_model_len) {
  constexpr int kSamples = 4096;
  std::mt19937_64 rng(0x5eed);
  double prompt = 0, output = 0;
  for (int i = 0; i < kSamples; ++i) {
    const Draw d = DrawRequest(workload, max_model_len, rng);
    prompt += d.prompt;
    // A request generates its target or stops at max_tokens.
    output += d.max_tokens > 0 ? std::min(d.output, d.max_tokens) : d.output;
  }
  return {prompt / kSamples, output / kSamples};
}

WorkloadGenerator::WorkloadGenerator(Workload workload, const EngineConfig& config, int num_engines,
                                     uint64_t seed, double rate_multiplier)
    : workload_(std::move(workload)), max_model_len_(config.max_model_len), rng_(seed) {
  means_ = EstimateMeanLengths(workload_, max_model_len_);
  capacity_ = EstimateCapacity(config, means_.prompt, means_.output) * std::max(1, num_engines) *
              rate_multiplier;
  // Each group's system prompt: fixed token ids derived from the seed and the group.
  for (int g = 0; g < workload_.num_prefix_groups; ++g) {
    std::vector<uint32_t> p(std::max(0, workload_.prefix_tokens));
    for (size_t i = 0; i < p.size(); ++i) {
      p[i] = static_cast<uint32_t>(Mix64(seed ^ (static_cast<uint64_t>(g + 1) << 32) ^ i) %
                                   kVocabSize);
    }
    prefixes_.push_back(std::move(p));
  }
}

double WorkloadGenerator::RateAt(double t) const { return workload_.rate.LoadAt(t) * capacity_; }

double WorkloadGenerator::NextOffset() {
  const RateProfile& rate = workload_.rate;
  double t = t_;
  if (!rate.poisson) {
    // Evenly spaced at the rate in force; skip spans of zero rate.
    while (RateAt(t) <= 0) {
      t = rate.NextChange(t);
      if (std::isinf(t)) return t;
    }
    return t + 1.0 / RateAt(t);
  }
  // Poisson with a piecewise-constant rate: spend one Exp(1) draw of integrated intensity.
  double e = Exponential1(rng_);
  while (true) {
    const double r = RateAt(t);
    const double change = rate.NextChange(t);
    if (r > 0) {
      const double dt = e / r;
      if (t + dt <= change) return t + dt;
      e -= r * (change - t);
    }
    if (std::isinf(change)) return change;
    t = change;
  }
}

bool WorkloadGenerator::Next(Arrival* out) {
  const double t = NextOffset();
  if (std::isinf(t)) return false;
  t_ = t;
  const Draw d = DrawRequest(workload_, max_model_len_, rng_);
  RequestSpec& s = out->spec;
  s = RequestSpec{};
  s.prompt.resize(d.prompt);
  int i = 0;
  if (d.group >= 0) {
    const std::vector<uint32_t>& p = prefixes_[d.group];
    for (; i < d.prefix; ++i) s.prompt[i] = p[i];
  }
  for (; i < d.prompt; ++i) s.prompt[i] = static_cast<uint32_t>(rng_() % kVocabSize);
  s.target_output_tokens = d.output;
  s.max_tokens = d.max_tokens;
  s.temperature = workload_.temperature;
  s.top_p = workload_.top_p;
  static constexpr char kHex[] = "0123456789abcdef";
  s.external_id = "cmpl-";
  for (int w = 0; w < 2; ++w) {
    uint64_t x = rng_();
    for (int k = 0; k < 16; ++k, x >>= 4) s.external_id += kHex[x & 15];
  }
  out->offset = t;
  return true;
}

}  // namespace infermetry::emulator
