// Counted histogram observations. A histogram's rows in a metric table stand for its
// observations, rebuilt from bucket increases: c observations of one bucket at one timestamp
// are c rows that differ only in `value`. When the query reads `value` only through aggregates
// that weigh a counted row by its observations (count, sum, avg, percentile_cont,
// percentile_disc of the bare column: they use the bucket bounds and _sum shares of the annex,
// not the spread values) and every other aggregate ignores how often a row repeats, the scan
// may return one counted row in place of the c rows (ScanRequest::observation_counts): the
// same result from a fraction of the rows, e.g.
//   SELECT date_trunc('minute', p_timestamp), percentile_cont(0.95) WITHIN GROUP (ORDER BY
//   value), avg(value) FROM metrics WHERE name = 'vllm_e2e_request_latency_seconds' GROUP BY 1
// When, besides, the query reads the time only through such date_trunc keys and a WHERE clause
// of time bounds the scan holds, and no other column of the table, the counted rows of one
// bucket and one minute can be one row (ScanRequest::observation_merge_ms): a row per bucket
// and minute instead of per bucket, series and scrape.
#include <algorithm>

#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/functions.h"
#include "query/sql/exec/planner.h"

namespace infermetry::sql::exec {

namespace {

bool Weighs(std::string_view fn) {
  return fn == "count" || fn == "sum" || fn == "avg" || fn == "percentile_cont" ||
         fn == "percentile_disc";
}

bool IgnoresRepeats(const AggSpec& a) {
  std::string_view fn = a.fn->name;
  return a.distinct || fn == "min" || fn == "max" || fn == "bool_and" || fn == "bool_or";
}

}  // namespace

void Planner::PushObservationCounts(const std::vector<ScopeCol>& cols, const BExpr* where,
                                    const AggCtx& agg) {
  ScanOp* scan = nullptr;
  for (const ScopeCol& c : cols) {
    if (!c.scan || (scan && c.scan != scan)) return;  // one table alone
    scan = c.scan;
  }
  if (!scan) return;
  std::optional<size_t> obs = scan->table->observation_column();
  if (!obs) return;
  size_t value = SIZE_MAX;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].scan_col == *obs) value = i;
  }
  if (value == SIZE_MAX || (where && ReadsColumn(*where, value))) return;
  for (const auto& k : agg.keys) {
    if (ReadsColumn(*k, value)) return;
  }
  for (const AggSpec& a : agg.aggs) {
    if (a.filter && ReadsColumn(*a.filter, value)) return;
    bool bare = a.arg && a.arg->kind == BKind::kColumn && a.arg->column == value;
    if (bare ? a.distinct || !Weighs(a.fn->name)
             : (a.arg && ReadsColumn(*a.arg, value)) || !IgnoresRepeats(a)) {
      return;
    }
  }
  scan->request.observation_counts = true;
}

void Planner::PushObservationMerge(const OperatorPtr& op, const std::vector<ScopeCol>& cols,
                                   const AggCtx& agg) {
  ScanOp* scan = cols.empty() ? nullptr : cols.front().scan;
  if (!scan || !scan->request.observation_counts) return;  // one table alone, counted
  const BExpr* where = nullptr;
  if (auto* filter = dynamic_cast<const FilterOp*>(op.get())) {
    if (filter->children[0].get() != scan) return;
    where = filter->pred.get();
  } else if (op.get() != scan) {
    return;
  }
  size_t time_col = SIZE_MAX;
  for (size_t i = 0; i < cols.size(); ++i) {
    const std::string& name = scan->table->schema()[cols[i].scan_col].name;
    if (name == scan->table->time_column()) {
      time_col = i;
    } else if (scan->used[cols[i].scan_col] && cols[i].scan_col != *scan->table->observation_column()) {
      return;  // another column of the rows is read
    }
  }
  if (time_col == SIZE_MAX || (where && !OnlyTimeBounds(*where, time_col))) return;
  for (const AggSpec& a : agg.aggs) {
    if ((a.arg && ReadsColumn(*a.arg, time_col)) || (a.filter && ReadsColumn(*a.filter, time_col))) return;
  }
  scan->request.observation_merge_ms = KeyGranularityMs(agg.keys, time_col);
}

}  // namespace infermetry::sql::exec
