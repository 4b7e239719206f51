#pragma once
// Binary operators (binary.cc) and aggregations (aggregate.cc) at one evaluation time.

#include <unordered_map>
#include <utility>

#include "common/result.h"
#include "query/promql/ast.h"
#include "query/promql/value.h"

namespace infermetry::promql {

Result<Value> EvalBinary(const BinaryNode& n, Value lhs, Value rhs, int64_t t, NameDropper* names,
                         SignatureCache* signatures);

// What one aggregation node keeps across the steps of a query.
struct AggregationCache {
  // Each group's labels (keyed by group hash), so later operators see the same label objects
  // at every step.
  std::unordered_map<uint64_t, LabelsRef> labels;
  // The group hash of each input labels object; holding the object keeps its address from
  // being reused by another one.
  std::unordered_map<const model::Labels*, std::pair<LabelsRef, uint64_t>> hashes;
};

// `param` is the evaluated parameter (topk/bottomk/quantile/count_values), else unused.
Result<Vector> EvalAggregation(const AggregateNode& n, const Value& param, Vector in, int64_t t,
                               AggregationCache* cache);

}  // namespace infermetry::promql
