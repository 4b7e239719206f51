#pragma once
// The evaluator: loads every selector's samples once for the query's whole time range (one
// Querier), then evaluates the tree at each evaluation time. Subquery results are memoized per
// inner timestamp, so a range query evaluates each subquery step once.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "query/promql/ast.h"
#include "query/promql/engine.h"
#include "query/promql/functions.h"
#include "query/promql/ops.h"
#include "query/promql/value.h"
#include "storage/querier.h"

namespace infermetry::promql {

class Evaluator {
 public:
  // [start_ms, end_ms]: the query's evaluation times (equal for an instant query).
  Evaluator(const EngineOptions& opts, int64_t start_ms, int64_t end_ms,
            const std::atomic<bool>* cancel);

  // Assigns selector and subquery slots and loads the samples `root` needs.
  Status Prepare(storage::Queryable* q, Node* root);
  Result<Value> Eval(const Node* n, int64_t t);
  // Deadline and cancellation; called between steps.
  Status CheckAlive() const;

 private:
  struct SeriesData {
    LabelsRef labels;
    LabelsRef nameless;  // labels without __name__
    std::vector<Point> points;  // instant selectors keep staleness markers; ranges drop them
  };
  struct Interval {
    int64_t min, max;
  };

  void Walk(Node* n, int64_t mint, int64_t maxt);
  int64_t RefTime(const TimeModifiers& m, int64_t t) const;
  Value EvalVectorSelector(const VectorSelectorNode& vs, int64_t t);
  Value EvalMatrixSelector(const MatrixSelectorNode& ms, int64_t t);
  Result<Value> EvalSubquery(const SubqueryNode& sq, int64_t t);
  Result<Value> EvalCall(const CallNode& c, int64_t t);
  Result<Value> EvalAggregate(const AggregateNode& a, int64_t t);

  EngineOptions opts_;
  int64_t start_ms_, end_ms_;
  const std::atomic<bool>* cancel_;
  std::chrono::steady_clock::time_point deadline_;

  std::vector<VectorSelectorNode*> selectors_;
  std::vector<Interval> selector_ranges_;
  std::vector<bool> selector_is_range_;
  std::vector<std::vector<SeriesData>> data_;
  std::vector<std::unordered_map<int64_t, Value>> subquery_memo_;
  std::unordered_map<const Node*, UniqueCache> unique_cache_;
  NameDropper names_;
  std::unordered_map<const VectorSelectorNode*, std::vector<size_t>> cursors_;
  std::unordered_map<const BinaryNode*, SignatureCache> signatures_;
  std::unordered_map<const Node*, std::unique_ptr<FuncState>> func_state_;
  std::unordered_map<const Node*, AggregationCache> group_labels_;
  int subqueries_ = 0;
  LabelsRef empty_labels_;
};

}  // namespace infermetry::promql
