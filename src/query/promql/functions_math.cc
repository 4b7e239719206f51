// Element-wise math over instant vectors: abs, ceil, floor, exp, ln, log2, log10, sqrt, sgn,
// the trigonometric functions, deg, rad, round, clamp, clamp_min, clamp_max, pi. Every one
// drops the metric name.

#include <cmath>
#include <numbers>

#include "query/promql/functions.h"

namespace infermetry::promql {
namespace {

using MathFn = double (*)(double);

double Sgn(double v) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;
}
double Deg(double v) { return v * 180 / std::numbers::pi; }
double Rad(double v) { return v * std::numbers::pi / 180; }
double Abs(double v) { return std::fabs(v); }
double Ceil(double v) { return std::ceil(v); }
double Floor(double v) { return std::floor(v); }
double Exp(double v) { return std::exp(v); }
double Ln(double v) { return std::log(v); }
double Log2(double v) { return std::log2(v); }
double Log10(double v) { return std::log10(v); }
double Sqrt(double v) { return std::sqrt(v); }
double Sin(double v) { return std::sin(v); }
double Cos(double v) { return std::cos(v); }
double Tan(double v) { return std::tan(v); }
double Asin(double v) { return std::asin(v); }
double Acos(double v) { return std::acos(v); }
double Atan(double v) { return std::atan(v); }
double Sinh(double v) { return std::sinh(v); }
double Cosh(double v) { return std::cosh(v); }
double Tanh(double v) { return std::tanh(v); }
double Asinh(double v) { return std::asinh(v); }
double Acosh(double v) { return std::acosh(v); }
double Atanh(double v) { return std::atanh(v); }

constexpr std::pair<std::string_view, MathFn> kMath[] = {
    {"abs", Abs},     {"ceil", Ceil},   {"floor", Floor}, {"exp", Exp},     {"ln", Ln},
    {"log2", Log2},   {"log10", Log10}, {"sqrt", Sqrt},   {"sgn", Sgn},     {"sin", Sin},
    {"cos", Cos},     {"tan", Tan},     {"asin", Asin},   {"acos", Acos},   {"atan", Atan},
    {"sinh", Sinh},   {"cosh", Cosh},   {"tanh", Tanh},   {"asinh", Asinh}, {"acosh", Acosh},
    {"atanh", Atanh}, {"deg", Deg},     {"rad", Rad},
};

template <typename F>
Status Map(FuncCall& c, F f) {
  for (const Sample& s : (*c.args)[0].vec) {
    c.out->vec.push_back(Sample{c.names->Drop(s.metric), f(s.v), c.t});
  }
  return Status::Ok();
}

}  // namespace

Status FnMath(FuncCall& c) {
  for (const auto& [name, fn] : kMath) {
    if (name == c.node->func->name) return Map(c, fn);
  }
  return Internal("no math function " + std::string(c.node->func->name));
}

Status FnRound(FuncCall& c) {
  const double to_nearest = c.args->size() > 1 ? (*c.args)[1].scalar : 1.0;
  const double inverse = 1.0 / to_nearest;
  return Map(c, [inverse](double v) { return std::floor(v * inverse + 0.5) / inverse; });
}

Status FnClamp(FuncCall& c) {
  const double lo = (*c.args)[1].scalar, hi = (*c.args)[2].scalar;
  if (hi < lo) return Status::Ok();
  return Map(c, [lo, hi](double v) { return GoMax(lo, GoMin(hi, v)); });
}

Status FnClampMin(FuncCall& c) {
  const double lo = (*c.args)[1].scalar;
  return Map(c, [lo](double v) { return GoMax(lo, v); });
}

Status FnClampMax(FuncCall& c) {
  const double hi = (*c.args)[1].scalar;
  return Map(c, [hi](double v) { return GoMin(hi, v); });
}

Status FnPi(FuncCall& c) {
  c.out->scalar = std::numbers::pi;
  return Status::Ok();
}

}  // namespace infermetry::promql
