#pragma once
// Binary operators (binary.cc) and aggregations (aggregate.cc) at one evaluation time.

#include <unordered_map>

#include "common/result.h"
#include "query/promql/ast.h"
#include "query/promql/value.h"

namespace infermetry::promql {

Result<Value> EvalBinary(const BinaryNode& n, Value lhs, Value rhs, int64_t t, NameDropper* names);

// `param` is the evaluated parameter (topk/bottomk/quantile/count_values), else unused.
// `labels_cache` keeps each group's labels across steps (keyed by group hash), so later
// operators see the same label objects at every step.
Result<Vector> EvalAggregation(const AggregateNode& n, const Value& param, Vector in, int64_t t,
                               std::unordered_map<uint64_t, LabelsRef>* labels_cache);

}  // namespace infermetry::promql
