#pragma once
// Turns a scenario's Workload into an endless, deterministic stream of requests.
//
// - Arrival times: a Poisson process (or evenly spaced) whose rate at offset t is
//   workload.rate.LoadAt(t) x capacity, where capacity = EstimateCapacity(config, mean prompt,
//   mean output) x num_engines x rate_multiplier.
// - Prompt and output lengths are drawn from the workload's distributions and clamped to what
//   the model accepts: prompt <= max_model_len - 16, target output <= max_model_len - prompt, and
//   max_tokens (when set) <= max_model_len - prompt, as vLLM's API server requires.
// - A request in prefix group g starts with group g's fixed prefix tokens; the rest of every
//   prompt is random token ids, so unrelated prompts share no block.
// - external_id is "cmpl-" followed by 32 hex digits.
// The same (workload, config, num_engines, seed, rate_multiplier) give the same stream on every
// run. Random numbers come from std::mt19937_64 through this file's own transforms (no
// <random> distributions), so streams are also equal across standard libraries.
//
// Thread-safety: none.

#include <cstdint>
#include <random>
#include <vector>

#include "emulator/engine/arrival.h"
#include "emulator/engine/engine_config.h"
#include "emulator/engine/scenario.h"

namespace infermetry::emulator {

// One draw of `dist` using `rng`.
int SampleLength(const LengthDist& dist, std::mt19937_64& rng);

// Mean prompt and target-output lengths of `workload` after the clamps above (estimated from a
// fixed-seed sample).
struct MeanLengths {
  double prompt = 0;
  double output = 0;
};
MeanLengths EstimateMeanLengths(const Workload& workload, int max_model_len);

class WorkloadGenerator : public ArrivalSource {
 public:
  WorkloadGenerator(Workload workload, const EngineConfig& config, int num_engines, uint64_t seed,
                    double rate_multiplier = 1.0);

  bool Next(Arrival* out) override;  // never exhausted

  // Requests per second at load 1 (all engines).
  double capacity() const { return capacity_; }
  // Requests per second offered at offset `t`.
  double RateAt(double t) const;
  const MeanLengths& mean_lengths() const { return means_; }

 private:
  double NextOffset();
  void Lengths(int* prompt, int* output, int* max_tokens);

  Workload workload_;
  int max_model_len_;
  std::mt19937_64 rng_;
  MeanLengths means_;
  double capacity_ = 0;
  double t_ = 0;  // offset of the previous arrival
  std::vector<std::vector<uint32_t>> prefixes_;
};

}  // namespace infermetry::emulator
