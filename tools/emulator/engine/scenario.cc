#include "emulator/engine/scenario.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "emulator/engine/workload.h"

namespace infermetry::emulator {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Chat-like traffic: a few hundred prompt tokens, ~120-token answers, half of the requests
// behind one of four system prompts.
Workload ChatWorkload(double load) {
  Workload w;
  w.rate.load = load;
  w.prompt_tokens = LengthDist::Lognormal(350, 0.7, 16, 4096);
  w.output_tokens = LengthDist::Lognormal(120, 0.7, 4, 1024);
  w.max_tokens = 512;
  w.prefix_share = 0.5;
  w.num_prefix_groups = 4;
  w.prefix_tokens = 192;
  return w;
}

Scenario Healthy() {
  Scenario s;
  s.name = "healthy";
  s.description = "chat traffic at 40% of capacity: no queue, no preemption";
  s.workload = ChatWorkload(0.4);
  return s;
}

Scenario KvCachePressure() {
  Scenario s;
  s.name = "kv-cache-pressure";
  s.description = "KV cache sized for ~16 requests, load 92%: usage near 100%, preemptions";
  s.overrides.kv_cache_requests = 16;
  s.overrides.max_model_len = 8192;
  s.workload = ChatWorkload(0.92);
  s.workload.prompt_tokens = LengthDist::Lognormal(600, 0.5, 64, 4096);
  s.workload.output_tokens = LengthDist::Lognormal(400, 0.5, 32, 1500);
  s.workload.max_tokens = 2048;
  s.workload.prefix_share = 0.2;
  return s;
}

Scenario QueueBuildup() {
  Scenario s;
  s.name = "queue-buildup";
  s.description = "arrivals at 140% of capacity: the batch is full and the waiting queue grows";
  s.workload = ChatWorkload(1.4);
  return s;
}

Scenario LongPrefill() {
  Scenario s;
  s.name = "long-prefill";
  s.description = "~6000-token prompts with short answers: prefill dominates, high TTFT";
  s.workload = ChatWorkload(0.5);
  s.workload.prompt_tokens = LengthDist::Lognormal(6000, 0.25, 1024, 32768);
  s.workload.output_tokens = LengthDist::Lognormal(12, 0.5, 1, 64);
  s.workload.max_tokens = 64;
  s.workload.prefix_share = 0;
  return s;
}

Scenario DecodeBound() {
  Scenario s;
  s.name = "decode-bound";
  s.description = "short prompts, ~900-token answers: decode dominates, large batches";
  s.workload = ChatWorkload(0.9);
  s.workload.prompt_tokens = LengthDist::Lognormal(100, 0.5, 8, 512);
  s.workload.output_tokens = LengthDist::Lognormal(900, 0.3, 200, 4000);
  s.workload.max_tokens = 2048;
  s.workload.prefix_share = 0;
  return s;
}

Scenario Burst() {
  Scenario s;
  s.name = "burst";
  s.description = "25% load with 20 s bursts at 300% every 180 s: queue spikes, then drains";
  s.workload = ChatWorkload(0.25);
  s.workload.rate.burst_start = 60;
  s.workload.rate.burst_period = 180;
  s.workload.rate.burst_duration = 20;
  s.workload.rate.burst_load = 3.0;
  return s;
}

Scenario InstanceDown() {
  Scenario s;
  s.name = "instance-down";
  s.description = "healthy traffic; the server is down 150-210 s and 420-450 s of every 600 s";
  s.workload = ChatWorkload(0.4);
  s.down_windows = {{150, 210}, {420, 450}};
  s.down_repeat = 600;
  return s;
}

using Builder = Scenario (*)();
struct Entry {
  std::string_view name;
  Builder build;
};
constexpr Entry kScenarios[] = {
    {"healthy", Healthy},
    {"kv-cache-pressure", KvCachePressure},
    {"queue-buildup", QueueBuildup},
    {"long-prefill", LongPrefill},
    {"decode-bound", DecodeBound},
    {"burst", Burst},
    {"instance-down", InstanceDown},
};

}  // namespace

double RateProfile::LoadAt(double t) const {
  double l = load;
  if (ramp_duration > 0) {
    const double stepped = std::floor(std::min(std::max(t, 0.0), ramp_duration) / 10) * 10;
    l = load + (ramp_to_load - load) * stepped / ramp_duration;
  }
  if (burst_period > 0 && t >= burst_start) {
    const double k = std::floor((t - burst_start) / burst_period);
    const double phase = t - (burst_start + k * burst_period);
    if (phase < burst_duration) l = burst_load;
  }
  return l;
}

double RateProfile::NextChange(double t) const {
  double next = kInf;
  if (ramp_duration > 0 && t < ramp_duration) {
    next = (std::floor(std::max(t, 0.0) / 10) + 1) * 10;
  }
  if (burst_period > 0) {
    if (t < burst_start) {
      next = std::min(next, burst_start);
    } else {
      const double base = burst_start + std::floor((t - burst_start) / burst_period) * burst_period;
      double cand = base + burst_duration;
      if (cand <= t) cand = base + burst_period;
      if (cand <= t) cand = t + burst_period;  // rounding guard: always move forward
      next = std::min(next, cand);
    }
  }
  return next;
}

std::vector<std::string_view> ScenarioNames() {
  std::vector<std::string_view> names;
  for (const Entry& e : kScenarios) names.push_back(e.name);
  return names;
}

Result<Scenario> FindScenario(std::string_view name) {
  for (const Entry& e : kScenarios) {
    if (e.name == name) return e.build();
  }
  std::string known;
  for (const Entry& e : kScenarios) {
    if (!known.empty()) known += ", ";
    known += e.name;
  }
  return NotFound("unknown scenario \"" + std::string(name) + "\" (known: " + known + ")");
}

Result<EngineConfig> ScenarioEngineConfig(const Scenario& scenario, const EngineConfig& base) {
  EngineConfig c = base;
  const EngineOverrides& o = scenario.overrides;
  if (o.max_model_len > 0) c.max_model_len = std::min(c.max_model_len, o.max_model_len);
  if (o.max_num_seqs > 0) c.max_num_seqs = o.max_num_seqs;
  if (o.max_num_batched_tokens > 0) c.max_num_batched_tokens = o.max_num_batched_tokens;
  if (o.kv_cache_requests > 0) {
    const MeanLengths m = EstimateMeanLengths(scenario.workload, c.max_model_len);
    const double tokens = o.kv_cache_requests * (m.prompt + m.output);
    const int wanted = static_cast<int>(std::ceil(tokens / c.block_size)) + 1;
    const int minimum = (c.max_model_len + c.block_size - 1) / c.block_size + 1;
    c.num_gpu_blocks = std::max(wanted, minimum);
  }
  Status st = Validate(c);
  if (!st.ok()) return st.WithContext("scenario " + scenario.name);
  return c;
}

std::vector<DownWindow> DownWindowsWithin(const Scenario& scenario, double duration) {
  std::vector<DownWindow> out;
  if (scenario.down_windows.empty()) return out;
  const double period = scenario.down_repeat;
  for (double base = 0; base < duration; base += period) {
    for (const DownWindow& w : scenario.down_windows) {
      if (base + w.start >= duration) continue;
      out.push_back({base + w.start, std::min(duration, base + w.end)});
    }
    if (period <= 0) break;
  }
  return out;
}

}  // namespace infermetry::emulator
