#pragma once
// Named traffic scenarios for the emulator: each is a set of engine-config overrides, a
// workload (arrival process, prompt and output lengths, shared system prompts) and, for
// "instance-down", the windows during which the server is down.
//
//   Result<Scenario> s = FindScenario("kv-cache-pressure");
//   Result<EngineConfig> config = ScenarioEngineConfig(*s, *Preset("llama-3-8b-a100"));
//   WorkloadGenerator gen(s->workload, *config, /*num_engines=*/1, /*seed=*/42);
//
// Arrival rates are expressed as a load: a fraction of the engines' estimated capacity
// (EstimateCapacity in step_model.h) for the workload's mean lengths, so one scenario shows the
// same behaviour on opt-125m and on Llama-3-8B. Lengths are tokens, clamped to what the model
// accepts (see workload.h).
//
// The scenarios and what they show:
//   healthy            load 0.4: no preemption, nothing waits, KV usage well below 0.9.
//   kv-cache-pressure  a cache sized for ~16 average requests (context capped at 8192) at load
//                      0.92: KV usage near 1, preemptions that keep rising, a slowly growing
//                      queue.
//   queue-buildup      load 1.4: the batch is full, the waiting queue and time in queue grow.
//   long-prefill       ~6000-token prompts, short answers: prefill is a large share of e2e,
//                      TTFT far above healthy.
//   decode-bound       short prompts, ~900-token answers at load 0.9: decode dominates e2e,
//                      batches of well over half of max_num_seqs.
//   burst              load 0.25 with 20 s bursts at load 3 every 180 s: the queue spikes in a
//                      burst and empties between them.
//   instance-down      healthy traffic, but the server is down for [150 s, 210 s) and
//                      [420 s, 450 s) of every 600 s.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "emulator/engine/engine_config.h"

namespace infermetry::emulator {

// A distribution of token lengths, clamped to [min, max].
struct LengthDist {
  enum class Kind { kFixed, kUniform, kLognormal };
  Kind kind = Kind::kFixed;
  double a = 16;  // kFixed: the value; kUniform: low; kLognormal: the median
  double b = 0;   // kUniform: high; kLognormal: sigma of the underlying normal
  int min = 1;
  int max = 1 << 20;

  static LengthDist Fixed(int v) { return {Kind::kFixed, double(v), 0, v, v}; }
  static LengthDist Uniform(int lo, int hi) {
    return {Kind::kUniform, double(lo), double(hi), lo, hi};
  }
  static LengthDist Lognormal(double median, double sigma, int lo, int hi) {
    return {Kind::kLognormal, median, sigma, lo, hi};
  }
};

// Offered load over time, as a fraction of estimated capacity.
struct RateProfile {
  double load = 0.5;
  bool poisson = true;  // false: evenly spaced arrivals
  // Periodic bursts: from burst_start, every burst_period seconds, the load is burst_load for
  // burst_duration seconds (no bursts when burst_period <= 0).
  double burst_period = 0;
  double burst_duration = 0;
  double burst_load = 0;
  double burst_start = 0;
  // Linear ramp from `load` to `ramp_to_load` over ramp_duration seconds, then flat (no ramp when
  // ramp_duration <= 0); applied in 10 s steps.
  double ramp_to_load = 0;
  double ramp_duration = 0;

  // The load at `t` seconds after the start.
  double LoadAt(double t) const;
  // The first time after `t` at which LoadAt may change (infinity if never).
  double NextChange(double t) const;
};

struct Workload {
  RateProfile rate;
  LengthDist prompt_tokens = LengthDist::Lognormal(350, 0.7, 16, 4096);
  LengthDist output_tokens = LengthDist::Lognormal(120, 0.7, 4, 1024);  // where text stops
  int max_tokens = 512;  // sent with every request (0 = unset)
  // Shared system prompts: this fraction of requests starts with one of num_prefix_groups
  // prefixes of prefix_tokens tokens (counted in the prompt length).
  double prefix_share = 0;
  int num_prefix_groups = 0;
  int prefix_tokens = 0;
  double temperature = 0.7;
  double top_p = 0.95;
};

// Changes a scenario makes to the engine config it runs on.
struct EngineOverrides {
  // > 0: num_gpu_blocks is set so the cache holds this many requests of the workload's mean
  // context (prompt + output), but never less than one max_model_len request.
  double kv_cache_requests = 0;
  // > 0: caps max_model_len (vLLM refuses a cache that cannot hold one full-length request, so
  // a small cache comes with a shorter context).
  int max_model_len = 0;
  int max_num_seqs = 0;            // > 0: replaces the config's
  int max_num_batched_tokens = 0;  // > 0: replaces the config's
};

// [start, end) seconds after the start of a run.
struct DownWindow {
  double start = 0;
  double end = 0;
};

struct Scenario {
  std::string name;
  std::string description;  // one line, for --help and logs
  EngineOverrides overrides;
  Workload workload;
  std::vector<DownWindow> down_windows;  // relative, sorted, disjoint
  double down_repeat = 0;                // > 0: the windows repeat with this period (seconds)
};

std::vector<std::string_view> ScenarioNames();
// kNotFound naming the known scenarios when `name` is not one of them.
Result<Scenario> FindScenario(std::string_view name);
// `base` with the scenario's overrides applied; kInvalidArgument if the result is invalid.
Result<EngineConfig> ScenarioEngineConfig(const Scenario& scenario, const EngineConfig& base);
// The scenario's down windows (repeated when down_repeat > 0) that start before `duration`,
// clipped to it.
std::vector<DownWindow> DownWindowsWithin(const Scenario& scenario, double duration);

}  // namespace infermetry::emulator
