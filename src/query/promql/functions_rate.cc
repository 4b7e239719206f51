// Counter and gauge functions over range vectors: rate, increase, delta, irate, idelta, deriv,
// predict_linear, resets, changes, holt_winters.

#include <cmath>
#include <cstdio>
#include <string>

#include "common/strconv.h"
#include "query/promql/functions.h"

namespace infermetry::promql {
namespace {

// Applies `f` to every series of the range argument `arg`; `f` returns false for no output.
template <typename F>
void ForEachSeries(FuncCall& c, size_t arg, F f) {
  for (const RangeSeries& rs : (*c.args)[arg].range) {
    double v;
    if (f(rs, &v)) c.out->vec.push_back(Sample{rs.nameless, v, c.t});
  }
}

// Prometheus's extrapolated rate: the increase between the first and last sample, extended
// towards the window's edges when the samples reach close to them.
Status ExtrapolatedRate(FuncCall& c, bool counter, bool rate) {
  const Value& m = (*c.args)[0];
  const double range_s = static_cast<double>(m.range_end - m.range_start) / 1000.0;
  ForEachSeries(c, 0, [&](const RangeSeries& rs, double* out) {
    if (rs.n < 2) return false;
    const Point* p = rs.points;
    const Point& first = p[0];
    const Point& last = p[rs.n - 1];
    double result = last.v - first.v;
    if (counter) {
      double prev = 0;
      for (size_t i = 0; i < rs.n; ++i) {
        if (p[i].v < prev) result += prev;
        prev = p[i].v;
      }
    }
    double to_start = static_cast<double>(first.t_ms - m.range_start) / 1000.0;
    const double to_end = static_cast<double>(m.range_end - last.t_ms) / 1000.0;
    const double sampled = static_cast<double>(last.t_ms - first.t_ms) / 1000.0;
    const double avg_gap = sampled / static_cast<double>(rs.n - 1);
    if (counter && result > 0 && first.v >= 0) {
      const double to_zero = sampled * (first.v / result);
      if (to_zero < to_start) to_start = to_zero;
    }
    const double threshold = avg_gap * 1.1;
    double interval = sampled;
    interval += to_start < threshold ? to_start : avg_gap / 2;
    interval += to_end < threshold ? to_end : avg_gap / 2;
    double factor = interval / sampled;
    if (rate) factor /= range_s;
    *out = result * factor;
    return true;
  });
  return Status::Ok();
}

Status InstantValue(FuncCall& c, bool rate) {
  ForEachSeries(c, 0, [&](const RangeSeries& rs, double* out) {
    if (rs.n < 2) return false;
    const Point& last = rs.points[rs.n - 1];
    const Point& prev = rs.points[rs.n - 2];
    double result;
    if (rate && last.v < prev.v) {
      result = last.v;  // counter reset
    } else {
      result = last.v - prev.v;
    }
    const int64_t interval = last.t_ms - prev.t_ms;
    if (interval == 0) return false;
    if (rate) result /= static_cast<double>(interval) / 1000.0;
    *out = result;
    return true;
  });
  return Status::Ok();
}

// Least-squares slope and intercept of the points, x in seconds relative to `intercept_ms`.
void LinearRegression(const RangeSeries& rs, int64_t intercept_ms, double* slope, double* intercept) {
  double n = 0, sum_x = 0, sum_y = 0, sum_xy = 0, sum_x2 = 0;
  const double init_y = rs.points[0].v;
  bool const_y = true;
  for (size_t i = 0; i < rs.n; ++i) {
    const Point& p = rs.points[i];
    if (const_y && i > 0 && p.v != init_y) const_y = false;
    n += 1;
    const double x = static_cast<double>(p.t_ms - intercept_ms) / 1000.0;
    sum_x += x;
    sum_y += p.v;
    sum_xy += x * p.v;
    sum_x2 += x * x;
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      *slope = std::nan("");
      *intercept = std::nan("");
    } else {
      *slope = 0;
      *intercept = init_y;
    }
    return;
  }
  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  *slope = cov_xy / var_x;
  *intercept = sum_y / n - *slope * sum_x / n;
}

}  // namespace

Status FnRate(FuncCall& c) { return ExtrapolatedRate(c, true, true); }
Status FnIncrease(FuncCall& c) { return ExtrapolatedRate(c, true, false); }
Status FnDelta(FuncCall& c) { return ExtrapolatedRate(c, false, false); }
Status FnIrate(FuncCall& c) { return InstantValue(c, true); }
Status FnIdelta(FuncCall& c) { return InstantValue(c, false); }

Status FnDeriv(FuncCall& c) {
  ForEachSeries(c, 0, [&](const RangeSeries& rs, double* out) {
    if (rs.n < 2) return false;
    double slope, intercept;
    LinearRegression(rs, rs.points[0].t_ms, &slope, &intercept);
    *out = slope;
    return true;
  });
  return Status::Ok();
}

Status FnPredictLinear(FuncCall& c) {
  const double duration = (*c.args)[1].scalar;
  ForEachSeries(c, 0, [&](const RangeSeries& rs, double* out) {
    if (rs.n < 2) return false;
    double slope, intercept;
    LinearRegression(rs, c.t, &slope, &intercept);
    *out = slope * duration + intercept;
    return true;
  });
  return Status::Ok();
}

Status FnResets(FuncCall& c) {
  ForEachSeries(c, 0, [&](const RangeSeries& rs, double* out) {
    double resets = 0;
    for (size_t i = 1; i < rs.n; ++i) {
      if (rs.points[i].v < rs.points[i - 1].v) resets++;
    }
    *out = resets;
    return true;
  });
  return Status::Ok();
}

Status FnChanges(FuncCall& c) {
  ForEachSeries(c, 0, [&](const RangeSeries& rs, double* out) {
    double changes = 0;
    for (size_t i = 1; i < rs.n; ++i) {
      const double a = rs.points[i - 1].v, b = rs.points[i].v;
      if (a != b && !(std::isnan(a) && std::isnan(b))) changes++;
    }
    *out = changes;
    return true;
  });
  return Status::Ok();
}

Status FnHoltWinters(FuncCall& c) {
  const double sf = (*c.args)[1].scalar, tf = (*c.args)[2].scalar;
  auto fixed6 = [](double v) {  // Go's %f
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%f", v);
    return std::string(buf);
  };
  if (!(sf > 0 && sf < 1)) {
    return InvalidArgument("invalid smoothing factor. Expected: 0 < sf < 1, got: " + fixed6(sf));
  }
  if (!(tf > 0 && tf < 1)) {
    return InvalidArgument("invalid trend factor. Expected: 0 < tf < 1, got: " + fixed6(tf));
  }
  ForEachSeries(c, 0, [&](const RangeSeries& rs, double* out) {
    if (rs.n < 2) return false;
    double s0 = 0, s1 = rs.points[0].v;
    double b = rs.points[1].v - rs.points[0].v;
    for (size_t i = 1; i < rs.n; ++i) {
      const double x = sf * rs.points[i].v;
      if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
      const double y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    *out = s1;
    return true;
  });
  return Status::Ok();
}

}  // namespace infermetry::promql
