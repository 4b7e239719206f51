#pragma once
// A runner for promqltest scripts (Prometheus's PromQL test format), for the engine's tests:
//
//   load 5m
//     http_requests{job="api"}  0+10x10  _  stale  1 2 3
//   eval instant at 50m sum(http_requests)
//     {} 100
//   eval_fail instant at 0m ...      (the query must fail)
//   eval_ordered instant at 50m ...  (results in this order)
//   clear
//
// Value sequences: `a+bxN` (N+1 values a, a+b, ...), `axN` (a repeated N+1 times), `_` (no
// sample), `_xN` (N missing samples), `stale` (a staleness marker). Samples of a `load` are at
// 0, interval, 2*interval, ... Each `eval instant` also runs as a range query around its time
// and must give the same result there.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/labels.h"
#include "query/promql/engine.h"
#include "storage/querier.h"

namespace infermetry::promql::testing {

// An in-memory Queryable: series sorted by labels, samples in time order.
class MemoryStorage : public storage::Queryable {
 public:
  void Append(const model::Labels& ls, int64_t t_ms, double v);
  void Clear() { series_.clear(); }
  Result<std::unique_ptr<storage::Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

 private:
  std::map<model::Labels, std::vector<Point>> series_;
};

struct ScriptResult {
  int evals = 0;
  int passed = 0;
  std::vector<std::string> failures;  // "file:line: expr: why"
  Status error;                       // malformed script
};

ScriptResult RunScript(std::string_view text, const std::string& name);

}  // namespace infermetry::promql::testing
