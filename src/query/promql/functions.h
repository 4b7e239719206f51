#pragma once
// The PromQL function table: one row per function (name, argument types, variadic count,
// return type, implementation). The parser type-checks calls against it; the evaluator calls
// the implementation once per evaluation time with evaluated arguments.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/promql/ast.h"
#include "query/promql/value.h"

namespace infermetry::promql {

// State a function keeps across the steps of one query (per call site).
struct FuncState {
  virtual ~FuncState() = default;
};

// One call at one evaluation time.
struct FuncCall {
  int64_t t = 0;  // evaluation time (ms)
  const CallNode* node = nullptr;
  std::vector<Value>* args = nullptr;
  Value* out = nullptr;  // type preset to the function's return type; fill vec or scalar
  std::unique_ptr<FuncState>* state = nullptr;
  NameDropper* names = nullptr;  // drops __name__, reusing label objects across steps
};

using FuncImpl = Status (*)(FuncCall& c);

struct FunctionDef {
  std::string_view name;
  ValueType args[5];
  int nargs;
  // 0: exactly nargs arguments; n > 0: the last n... as Prometheus: the last argument may be
  // left out or (n > 1) repeated up to n times; -1: repeated any number of times.
  int variadic;
  ValueType ret;
  FuncImpl impl;
};

// nullptr when there is no such function.
const FunctionDef* FindFunction(std::string_view name);

// Implementations, by file.
// functions_rate.cc
Status FnRate(FuncCall& c);
Status FnIncrease(FuncCall& c);
Status FnDelta(FuncCall& c);
Status FnIrate(FuncCall& c);
Status FnIdelta(FuncCall& c);
Status FnDeriv(FuncCall& c);
Status FnPredictLinear(FuncCall& c);
Status FnResets(FuncCall& c);
Status FnChanges(FuncCall& c);
Status FnHoltWinters(FuncCall& c);
// functions_over_time.cc
Status FnAvgOverTime(FuncCall& c);
Status FnMinOverTime(FuncCall& c);
Status FnMaxOverTime(FuncCall& c);
Status FnSumOverTime(FuncCall& c);
Status FnCountOverTime(FuncCall& c);
Status FnQuantileOverTime(FuncCall& c);
Status FnStddevOverTime(FuncCall& c);
Status FnStdvarOverTime(FuncCall& c);
Status FnLastOverTime(FuncCall& c);
Status FnPresentOverTime(FuncCall& c);
Status FnAbsentOverTime(FuncCall& c);
// functions_math.cc
Status FnMath(FuncCall& c);  // dispatches on the function name (abs, ceil, sin, ...)
Status FnRound(FuncCall& c);
Status FnClamp(FuncCall& c);
Status FnClampMin(FuncCall& c);
Status FnClampMax(FuncCall& c);
Status FnPi(FuncCall& c);
// functions_misc.cc
Status FnTime(FuncCall& c);
Status FnVector(FuncCall& c);
Status FnScalar(FuncCall& c);
Status FnTimestamp(FuncCall& c);
Status FnDate(FuncCall& c);  // minute, hour, day_of_month, ... by name
Status FnAbsent(FuncCall& c);
Status FnSort(FuncCall& c);
Status FnSortDesc(FuncCall& c);
Status FnLabelReplace(FuncCall& c);
Status FnLabelJoin(FuncCall& c);
// functions_histogram.cc
Status FnHistogramQuantile(FuncCall& c);

// Prometheus's quantile of `values` (sorted in place); NaN for an empty set.
double Quantile(double q, std::vector<double>* values);

}  // namespace infermetry::promql
