#pragma once
// The values of a metric table's rows (docs/sql.md): counter increases and the observations
// a histogram's bucket increases stand for. Pure functions over one series' samples.

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/sample.h"

namespace infermetry::sql::catalog {

// How far before a scan's first timestamp the previous sample of a counter is looked for.
inline constexpr int64_t kCounterLookbackMs = 15 * 60 * 1000;

struct RowPoint {
  int64_t t_ms = 0;
  double raw = 0;
  std::optional<double> value;  // nullopt: SQL NULL
};

// The rows of one series with lo_ms <= t <= hi_ms, from its samples in time order (which may
// start before lo_ms: those are the lookback). Staleness markers give no row and do not end
// the series. `increase`: value is the increase since the previous sample (a drop means a
// reset: the increase is the new value); the first sample with no predecessor is an increase
// from 0, unless `older_history` (the series has samples before the lookback), then NULL.
// Otherwise value = raw.
std::vector<RowPoint> SeriesRows(const std::vector<model::Sample>& samples, int64_t lo_ms,
                                 int64_t hi_ms, bool increase, bool older_history);

// One histogram series (labels without le) over a scan: its buckets' and _sum/_count rows as
// SeriesRows(increase=true) computed them.
struct HistogramSeries {
  struct Bucket {
    double upper = 0;
    std::vector<RowPoint> rows;
  };
  std::vector<Bucket> buckets;  // sorted by upper bound, +Inf last
  std::vector<RowPoint> sum;
  std::vector<RowPoint> count;
};

// One reconstructed observation, or `count` of them that share a bucket and a timestamp.
struct Observation {
  int64_t t_ms = 0;
  double value = 0;
  double lower = 0;
  double upper = 0;
  double sum_share = 0;
  int64_t count = 1;
};

// Calls emit(obs) for each observation the series' bucket increases stand for, in time order:
// at each timestamp, the increase of bucket b minus that of the bucket below it (counts
// rounded to the nearest integer) gives c_b observations with values
// lower + (upper - lower) * k / c_b, k = 1..c_b (the +Inf bucket: lower). sum_share is the
// _sum increase divided by the _count increase at that timestamp (the row's value when those
// are unknown or the count did not grow). `counted`: one Observation per bucket and timestamp
// instead, with count = c_b and the mean of those values (ScanRequest::observation_counts).
template <typename Emit>
void ReconstructObservations(const HistogramSeries& h, bool counted, Emit&& emit);

// Implementation helpers (metric_rows.cc).
struct HistogramStep {
  int64_t t_ms = 0;
  std::vector<std::pair<size_t, int64_t>> counts;  // (bucket index, observations), c > 0
  std::optional<double> sum_share;
};
// Calls fn(step) for each timestamp at which some bucket gained observations, in time order
// (`step` is reused between calls).
void ForEachHistogramStep(const HistogramSeries& h,
                          const std::function<void(const HistogramStep&)>& fn);
double BucketLower(const HistogramSeries& h, size_t b);

template <typename Emit>
void ReconstructObservations(const HistogramSeries& h, bool counted, Emit&& emit) {
  ForEachHistogramStep(h, [&](const HistogramStep& s) {
    for (auto [b, c] : s.counts) {
      Observation o;
      o.t_ms = s.t_ms;
      o.upper = h.buckets[b].upper;
      o.lower = BucketLower(h, b);
      const double width = o.upper - o.lower, n = static_cast<double>(c);
      auto emit_one = [&](double value) {
        o.value = std::isinf(o.upper) ? o.lower : value;
        o.sum_share = s.sum_share ? *s.sum_share : o.value;
        emit(o);
      };
      if (counted) {
        o.count = c;
        emit_one(o.lower + width * (n + 1) / (2 * n));
        continue;
      }
      for (int64_t k = 1; k <= c; ++k) emit_one(o.lower + width * static_cast<double>(k) / n);
    }
  });
}

}  // namespace infermetry::sql::catalog
