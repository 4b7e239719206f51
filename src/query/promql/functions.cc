// The function table (see functions.h).

#include "query/promql/functions.h"

namespace infermetry::promql {
namespace {

constexpr ValueType S = ValueType::kScalar;
constexpr ValueType V = ValueType::kVector;
constexpr ValueType M = ValueType::kMatrix;
constexpr ValueType Str = ValueType::kString;

constexpr FunctionDef kFunctions[] = {
    {"abs", {V}, 1, 0, V, FnMath},
    {"absent", {V}, 1, 0, V, FnAbsent},
    {"absent_over_time", {M}, 1, 0, V, FnAbsentOverTime},
    {"acos", {V}, 1, 0, V, FnMath},
    {"acosh", {V}, 1, 0, V, FnMath},
    {"asin", {V}, 1, 0, V, FnMath},
    {"asinh", {V}, 1, 0, V, FnMath},
    {"atan", {V}, 1, 0, V, FnMath},
    {"atanh", {V}, 1, 0, V, FnMath},
    {"avg_over_time", {M}, 1, 0, V, FnAvgOverTime},
    {"ceil", {V}, 1, 0, V, FnMath},
    {"changes", {M}, 1, 0, V, FnChanges},
    {"clamp", {V, S, S}, 3, 0, V, FnClamp},
    {"clamp_max", {V, S}, 2, 0, V, FnClampMax},
    {"clamp_min", {V, S}, 2, 0, V, FnClampMin},
    {"cos", {V}, 1, 0, V, FnMath},
    {"cosh", {V}, 1, 0, V, FnMath},
    {"count_over_time", {M}, 1, 0, V, FnCountOverTime},
    {"day_of_month", {V}, 1, 1, V, FnDate},
    {"day_of_week", {V}, 1, 1, V, FnDate},
    {"day_of_year", {V}, 1, 1, V, FnDate},
    {"days_in_month", {V}, 1, 1, V, FnDate},
    {"deg", {V}, 1, 0, V, FnMath},
    {"delta", {M}, 1, 0, V, FnDelta},
    {"deriv", {M}, 1, 0, V, FnDeriv},
    {"exp", {V}, 1, 0, V, FnMath},
    {"floor", {V}, 1, 0, V, FnMath},
    {"histogram_quantile", {S, V}, 2, 0, V, FnHistogramQuantile},
    {"holt_winters", {M, S, S}, 3, 0, V, FnHoltWinters},
    {"hour", {V}, 1, 1, V, FnDate},
    {"idelta", {M}, 1, 0, V, FnIdelta},
    {"increase", {M}, 1, 0, V, FnIncrease},
    {"irate", {M}, 1, 0, V, FnIrate},
    {"label_join", {V, Str, Str, Str}, 4, -1, V, FnLabelJoin},
    {"label_replace", {V, Str, Str, Str, Str}, 5, 0, V, FnLabelReplace},
    {"last_over_time", {M}, 1, 0, V, FnLastOverTime},
    {"ln", {V}, 1, 0, V, FnMath},
    {"log10", {V}, 1, 0, V, FnMath},
    {"log2", {V}, 1, 0, V, FnMath},
    {"max_over_time", {M}, 1, 0, V, FnMaxOverTime},
    {"min_over_time", {M}, 1, 0, V, FnMinOverTime},
    {"minute", {V}, 1, 1, V, FnDate},
    {"month", {V}, 1, 1, V, FnDate},
    {"pi", {}, 0, 0, S, FnPi},
    {"predict_linear", {M, S}, 2, 0, V, FnPredictLinear},
    {"present_over_time", {M}, 1, 0, V, FnPresentOverTime},
    {"quantile_over_time", {S, M}, 2, 0, V, FnQuantileOverTime},
    {"rad", {V}, 1, 0, V, FnMath},
    {"rate", {M}, 1, 0, V, FnRate},
    {"resets", {M}, 1, 0, V, FnResets},
    {"round", {V, S}, 2, 1, V, FnRound},
    {"scalar", {V}, 1, 0, S, FnScalar},
    {"sgn", {V}, 1, 0, V, FnMath},
    {"sin", {V}, 1, 0, V, FnMath},
    {"sinh", {V}, 1, 0, V, FnMath},
    {"sort", {V}, 1, 0, V, FnSort},
    {"sort_desc", {V}, 1, 0, V, FnSortDesc},
    {"sqrt", {V}, 1, 0, V, FnMath},
    {"stddev_over_time", {M}, 1, 0, V, FnStddevOverTime},
    {"stdvar_over_time", {M}, 1, 0, V, FnStdvarOverTime},
    {"sum_over_time", {M}, 1, 0, V, FnSumOverTime},
    {"tan", {V}, 1, 0, V, FnMath},
    {"tanh", {V}, 1, 0, V, FnMath},
    {"time", {}, 0, 0, S, FnTime},
    {"timestamp", {V}, 1, 0, V, FnTimestamp},
    {"vector", {S}, 1, 0, V, FnVector},
    {"year", {V}, 1, 1, V, FnDate},
};

}  // namespace

const FunctionDef* FindFunction(std::string_view name) {
  for (const FunctionDef& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace infermetry::promql
