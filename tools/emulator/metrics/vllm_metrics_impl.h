#pragma once
// Internal state of VllmMetrics, shared by vllm_metrics.cc (construction, HTTP, rendering)
// and vllm_record.cc (the engine-stats update rules). Not part of the module's interface.

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/metrics/metric_family.h"
#include "emulator/metrics/vllm_families.h"
#include "emulator/metrics/vllm_metrics.h"

namespace infermetry::emulator {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

struct VllmMetrics::Impl {
  explicit Impl(VllmMetricsOptions options);

  // The registered family of `id`, or null when the layout/options do not register it.
  MetricFamily* F(FamilyId id) {
    int i = index[static_cast<size_t>(id)];
    return i < 0 ? nullptr : &families[i];
  }

  // Adds a series to `f`; its `_created` is start_time (+1 us per series) during construction,
  // the latest clock afterwards.
  int AddChild(MetricFamily& f, std::string key, LabelPairs labels);

  // V1: the series of engine `engine` and extra-label value number `value` (all created at
  // construction, value-major; the spec-decode per-position counters engine-major).
  int Slot(const MetricFamily& f, int engine, int value) const {
    if (f.spec().id == FamilyId::kSpecAcceptedPerPos) {
      return engine * options.num_speculative_tokens + value;
    }
    return value * num_engines + engine;
  }

  // V0: the series whose extra label (if the family has one) is `value`, created on first use
  // with labels model_name (+ the extra label).
  int V0Child(MetricFamily& f, std::string_view value);

  void RecordV1(int engine, const SchedulerStats& s, const IterationStats* it);
  void RecordV0(const SchedulerStats& s, const IterationStats* it);

  VllmMetricsOptions options;
  bool v0 = false;
  bool legacy = false;
  bool multiprocess = false;
  int num_engines = 1;
  std::string model;

  mutable std::mutex mu;
  std::vector<MetricFamily> families;  // registered, in registration order
  std::array<int, static_cast<size_t>(FamilyId::kCount)> index;
  uint64_t next_seq = 0;
  bool constructing = true;
  double start_time = 0;
  mutable double clock = 0;  // the latest wall time seen
  uint64_t activity = 0;     // Record() and RecordHttp() calls, for the modelled GC figures
  mutable size_t last_render_size = 0;
  // V0's gpu_prefix_cache_hit_rate is cumulative.
  double v0_prefix_queries = 0;
  double v0_prefix_hits = 0;
};

}  // namespace infermetry::emulator
