#include "query/sql/catalog/metric_rows.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace infermetry::sql::catalog {

std::vector<RowPoint> SeriesRows(const std::vector<model::Sample>& samples, int64_t lo_ms,
                                 int64_t hi_ms, bool increase, bool older_history) {
  std::vector<RowPoint> out;
  std::optional<double> prev;
  for (const model::Sample& s : samples) {
    if (model::IsStaleNaN(s.v)) continue;  // no row; a later sample continues the series
    if (s.t_ms > hi_ms) break;
    if (s.t_ms < lo_ms) {  // lookback: only the predecessor of the first row
      prev = s.v;
      continue;
    }
    RowPoint p{s.t_ms, s.v, s.v};
    if (increase) {
      if (prev) {
        p.value = s.v >= *prev ? s.v - *prev : s.v;
      } else if (older_history) {
        p.value = std::nullopt;  // the predecessor is further back than the lookback
      }                          // else: the series' first sample, an increase from 0
    }
    prev = s.v;
    out.push_back(p);
  }
  return out;
}

double BucketLower(const HistogramSeries& h, size_t b) {
  const double upper = h.buckets[b].upper;
  if (b > 0) return h.buckets[b - 1].upper;
  return upper > 0 ? 0.0 : upper;
}

std::vector<HistogramStep> HistogramSteps(const HistogramSeries& h) {
  // Per timestamp: the known cumulative increase of each bucket, in bucket order.
  std::map<int64_t, std::vector<std::pair<size_t, int64_t>>> by_time;
  for (size_t b = 0; b < h.buckets.size(); ++b) {
    for (const RowPoint& p : h.buckets[b].rows) {
      if (!p.value || std::isnan(*p.value)) continue;
      by_time[p.t_ms].push_back({b, std::llround(*p.value)});
    }
  }
  auto find = [](const std::vector<RowPoint>& rows, int64_t t) -> std::optional<double> {
    auto it = std::lower_bound(rows.begin(), rows.end(), t,
                               [](const RowPoint& p, int64_t x) { return p.t_ms < x; });
    if (it == rows.end() || it->t_ms != t) return std::nullopt;
    return it->value;
  };
  std::vector<HistogramStep> out;
  for (auto& [t, cums] : by_time) {
    HistogramStep s{t, {}, std::nullopt};
    int64_t below = 0;
    for (auto [b, cum] : cums) {
      int64_t c = cum - below;
      below = std::max(below, cum);
      if (c > 0) s.counts.push_back({b, c});
    }
    if (s.counts.empty()) continue;
    std::optional<double> sum = find(h.sum, t), count = find(h.count, t);
    if (sum && count && *count > 0) s.sum_share = *sum / *count;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace infermetry::sql::catalog
