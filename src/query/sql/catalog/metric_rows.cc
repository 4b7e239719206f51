#include "query/sql/catalog/metric_rows.h"

#include <algorithm>
#include <cmath>

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

void ForEachHistogramStep(const HistogramSeries& h,
                          const std::function<void(const HistogramStep&)>& fn) {
  // One cursor per bucket over its rows with a known increase; the buckets of one series are
  // scraped together, so each step takes one row from (nearly) every bucket.
  auto known = [](const RowPoint& p) { return p.value && !std::isnan(*p.value); };
  std::vector<size_t> pos(h.buckets.size(), 0);
  auto skip_unknown = [&](size_t b) {
    const auto& rows = h.buckets[b].rows;
    while (pos[b] < rows.size() && !known(rows[pos[b]])) ++pos[b];
  };
  for (size_t b = 0; b < pos.size(); ++b) skip_unknown(b);
  // The value at time t of rows sorted by time, moving `i` forward.
  auto at = [](const std::vector<RowPoint>& rows, size_t* i, int64_t t) -> std::optional<double> {
    while (*i < rows.size() && rows[*i].t_ms < t) ++*i;
    if (*i == rows.size() || rows[*i].t_ms != t) return std::nullopt;
    return rows[*i].value;
  };
  size_t sum_i = 0, count_i = 0;
  HistogramStep s;
  while (true) {
    int64_t t = INT64_MAX;
    for (size_t b = 0; b < pos.size(); ++b) {
      if (pos[b] < h.buckets[b].rows.size()) t = std::min(t, h.buckets[b].rows[pos[b]].t_ms);
    }
    if (t == INT64_MAX) return;
    s.t_ms = t;
    s.counts.clear();
    int64_t below = 0;
    for (size_t b = 0; b < pos.size(); ++b) {
      const auto& rows = h.buckets[b].rows;
      if (pos[b] == rows.size() || rows[pos[b]].t_ms != t) continue;
      const int64_t cum = std::llround(*rows[pos[b]].value);
      const int64_t c = cum - below;
      below = std::max(below, cum);
      if (c > 0) s.counts.push_back({b, c});
      ++pos[b];
      skip_unknown(b);
    }
    if (s.counts.empty()) continue;
    std::optional<double> sum = at(h.sum, &sum_i, t), count = at(h.count, &count_i, t);
    s.sum_share.reset();
    if (sum && count && *count > 0) s.sum_share = *sum / *count;
    fn(s);
  }
}

}  // namespace infermetry::sql::catalog
