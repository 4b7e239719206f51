// The *_over_time family: aggregations of each series' samples within the range.

#include <algorithm>
#include <cmath>

#include "query/promql/functions.h"

namespace infermetry::promql {
namespace {

template <typename F>
Status OverTime(FuncCall& c, size_t arg, bool keep_name, F f) {
  for (const RangeSeries& rs : (*c.args)[arg].range) {
    if (rs.n == 0) continue;
    c.out->vec.push_back(Sample{keep_name ? rs.metric : rs.nameless, f(rs), c.t});
  }
  return Status::Ok();
}

// Welford's running variance (population).
double Variance(const RangeSeries& rs) {
  double count = 0, mean = 0, m2 = 0;
  for (size_t i = 0; i < rs.n; ++i) {
    const double v = rs.points[i].v;
    count++;
    const double delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
  }
  return m2 / count;
}

}  // namespace

double Quantile(double q, std::vector<double>* values) {
  if (values->empty() || std::isnan(q)) return std::nan("");
  if (q < 0) return -HUGE_VAL;
  if (q > 1) return HUGE_VAL;
  std::sort(values->begin(), values->end());
  const double n = static_cast<double>(values->size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return (*values)[static_cast<size_t>(lower)] * (1 - weight) +
         (*values)[static_cast<size_t>(upper)] * weight;
}

Status FnAvgOverTime(FuncCall& c) {
  return OverTime(c, 0, false, [](const RangeSeries& rs) {
    double mean = 0, count = 0;
    for (size_t i = 0; i < rs.n; ++i) {
      const double v = rs.points[i].v;
      count++;
      if (std::isinf(mean)) {
        if (std::isinf(v) && (mean > 0) == (v > 0)) continue;
        if (!std::isinf(v) && !std::isnan(v)) continue;
      }
      mean += v / count - mean / count;
    }
    return mean;
  });
}

Status FnMinOverTime(FuncCall& c) {
  return OverTime(c, 0, false, [](const RangeSeries& rs) {
    double m = rs.points[0].v;
    for (size_t i = 0; i < rs.n; ++i) {
      if (rs.points[i].v < m || std::isnan(m)) m = rs.points[i].v;
    }
    return m;
  });
}

Status FnMaxOverTime(FuncCall& c) {
  return OverTime(c, 0, false, [](const RangeSeries& rs) {
    double m = rs.points[0].v;
    for (size_t i = 0; i < rs.n; ++i) {
      if (rs.points[i].v > m || std::isnan(m)) m = rs.points[i].v;
    }
    return m;
  });
}

Status FnSumOverTime(FuncCall& c) {
  return OverTime(c, 0, false, [](const RangeSeries& rs) {
    double sum = 0;
    for (size_t i = 0; i < rs.n; ++i) sum += rs.points[i].v;
    return sum;
  });
}

Status FnCountOverTime(FuncCall& c) {
  return OverTime(c, 0, false, [](const RangeSeries& rs) { return static_cast<double>(rs.n); });
}

Status FnQuantileOverTime(FuncCall& c) {
  const double q = (*c.args)[0].scalar;
  return OverTime(c, 1, false, [q](const RangeSeries& rs) {
    std::vector<double> vals;
    vals.reserve(rs.n);
    for (size_t i = 0; i < rs.n; ++i) vals.push_back(rs.points[i].v);
    return Quantile(q, &vals);
  });
}

Status FnStddevOverTime(FuncCall& c) {
  return OverTime(c, 0, false, [](const RangeSeries& rs) { return std::sqrt(Variance(rs)); });
}

Status FnStdvarOverTime(FuncCall& c) {
  return OverTime(c, 0, false, [](const RangeSeries& rs) { return Variance(rs); });
}

Status FnLastOverTime(FuncCall& c) {
  return OverTime(c, 0, true, [](const RangeSeries& rs) { return rs.points[rs.n - 1].v; });
}

Status FnPresentOverTime(FuncCall& c) {
  return OverTime(c, 0, false, [](const RangeSeries&) { return 1.0; });
}

}  // namespace infermetry::promql
