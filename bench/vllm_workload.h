#pragma once
// A vLLM-shaped metrics workload for benchmarks and tests: `engines` scrape targets, each one
// vLLM API server with one engine, exposing the real metric families of vLLM (names, label
// sets, histogram bucket boundaries as in its /metrics) plus the HTTP, process and Python
// collectors and the series Prometheus adds per scrape (`up`, `scrape_*`): about 400 series per
// target. Values evolve like a server under ~20 requests/s (varying per engine and over time):
// counters and cumulative buckets grow, gauges are small integers, kv_cache_usage_perc is a
// fraction. Deterministic for a seed. `requests_per_second` sets the mean rate per engine (each
// engine's own rate is 0.5-1.5 times it, varying over the hour); latencies keep their shape.
//
//   VllmWorkload w(100, 5000, /*seed=*/1);
//   for (int i = 0; i < 1440; ++i)
//     for (const auto& p : w.Step()) use(w.labels(p.series), p.t_ms, p.v);
//
// Timestamps: every series of one target's scrape shares one timestamp; targets are spread
// over the interval (as Prometheus offsets them) with 0-3 ms of jitter per scrape.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/metric_type.h"

namespace infermetry::bench {

class VllmWorkload {
 public:
  static constexpr int64_t kDefaultStartMs = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

  struct Point {
    uint32_t series;  // index for labels() / family_of()
    int64_t t_ms;
    double v;
  };
  struct Family {
    std::string name;  // as in "# TYPE <name> <type>"
    model::MetricType type;
    std::string help;
  };

  VllmWorkload(int engines, int64_t scrape_interval_ms, uint64_t seed,
               int64_t start_ms = kDefaultStartMs, double requests_per_second = 20);
  ~VllmWorkload();
  VllmWorkload(const VllmWorkload&) = delete;
  VllmWorkload& operator=(const VllmWorkload&) = delete;

  // The next scrape of every target: targets in order, each target's series in exposition
  // order. The returned vector is reused by the next call.
  const std::vector<Point>& Step();

  size_t num_series() const { return labels_.size(); }
  size_t series_per_engine() const;
  const model::Labels& labels(uint32_t series) const { return labels_[series]; }
  uint32_t family_of(uint32_t series) const { return family_of_[series]; }
  const std::vector<Family>& families() const;
  int64_t scrape_interval_ms() const { return interval_ms_; }

  // Writes `steps` scrapes as one OpenMetrics text (series grouped by family with "# TYPE" and
  // "# HELP" lines, timestamps in seconds with millisecond fractions, "# EOF" at the end), as
  // `promtool tsdb create-blocks-from openmetrics` reads it. Streams: the workload is replayed
  // once per family instead of being held in memory.
  static void WriteOpenMetrics(int engines, int64_t scrape_interval_ms, uint64_t seed, int steps,
                               std::FILE* out, int64_t start_ms = kDefaultStartMs);

 private:
  struct Engine;
  int64_t interval_ms_;
  int64_t start_ms_;
  int64_t step_ = 0;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::vector<model::Labels> labels_;
  std::vector<uint32_t> family_of_;
  std::vector<Point> points_;
};

}  // namespace infermetry::bench
