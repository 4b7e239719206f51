// Pushing metric names out of aggregate arguments. The guide's queries read several metrics
// at once without a WHERE on `name`:
//   SELECT date_trunc('minute', p_timestamp), sum(CASE WHEN name = 'x' THEN value ELSE 0 END)
//   FROM metrics WHERE p_timestamp >= ... GROUP BY 1
// Rows of any other name only decide which groups exist (through p_timestamp) and add the
// ELSE value, which changes nothing when it is NULL, or 0 under sum, or any constant under an
// aggregate that ignores repeats. Then the scan may return every row of the named metrics and,
// for the rest, one row per distinct timestamp (ScanRequest::other_names_as_times): the same
// result without rebuilding every other histogram's observations. When the groups are whole
// minutes (hours, days...) of the time and the WHERE clause only bounds the time, only which
// minutes hold some row matters (ScanRequest::other_times_granularity_ms).
#include <algorithm>
#include <cctype>
#include <numeric>

#include "query/sql/exec/datetime.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/functions.h"
#include "query/sql/exec/planner.h"

namespace infermetry::sql::exec {

namespace {

// True when every column `e` reads is `time_col`.
bool ReadsOnly(const BExpr& e, size_t time_col) {
  if (e.kind == BKind::kColumn && e.column != time_col) return false;
  return std::all_of(e.args.begin(), e.args.end(),
                     [&](const BExprPtr& a) { return ReadsOnly(*a, time_col); });
}

const BExpr* StripCasts(const BExpr* e) {
  while (e->kind == BKind::kCast && e->args.size() == 1) e = e->args[0].get();
  return e;
}

// `name = 'x'`, `name IN ('x', ...)` or an OR of them: adds the names, false otherwise.
bool NameTest(const BExpr& e, std::vector<std::string>* names) {
  if (e.kind == BKind::kOr) return NameTest(*e.args[0], names) && NameTest(*e.args[1], names);
  if (e.kind == BKind::kCompare && e.op == "=") {
    const BExpr* l = e.args[0].get();
    const BExpr* r = e.args[1].get();
    if (r->kind == BKind::kColumn) std::swap(l, r);
    if (l->kind != BKind::kColumn || !l->metric_name || r->kind != BKind::kConst) return false;
    if (!r->value.null) names->push_back(r->value.s);
    return true;
  }
  if (e.kind == BKind::kInList && !e.negated && e.args[0]->kind == BKind::kColumn &&
      e.args[0]->metric_name) {
    for (size_t i = 1; i < e.args.size(); ++i) {
      if (e.args[i]->kind != BKind::kConst) return false;
      if (!e.args[i]->value.null) names->push_back(e.args[i]->value.s);
    }
    return true;
  }
  return false;
}

// An aggregate whose value on the rows of other names is unchanged by them.
bool NameGuarded(const AggSpec& a, std::vector<std::string>* names) {
  if (!a.arg || a.filter || a.arg->kind != BKind::kCase) return false;
  const BExpr& c = *a.arg;
  size_t whens = (c.args.size() - (c.has_else ? 1 : 0)) / 2;
  for (size_t i = 0; i < whens; ++i) {
    if (!NameTest(*c.args[2 * i], names)) return false;
  }
  if (!c.has_else) return true;
  const BExpr* e = StripCasts(c.args.back().get());
  if (e->kind != BKind::kConst) return false;
  if (e->value.null || a.distinct) return true;
  std::string_view fn = a.fn->name;
  if (fn == "min" || fn == "max" || fn == "bool_and" || fn == "bool_or") return true;
  bool zero = (e->value.type == Type::kInt64 && e->value.i == 0) ||
              (e->value.type == Type::kFloat64 && e->value.d == 0);
  return fn == "sum" && zero;
}

}  // namespace

bool OnlyTimeBounds(const BExpr& e, size_t time_col) {
  if (e.kind == BKind::kAnd) {
    return OnlyTimeBounds(*e.args[0], time_col) && OnlyTimeBounds(*e.args[1], time_col);
  }
  if (e.kind != BKind::kCompare || e.op == "<>") return false;
  const BExpr* l = e.args[0].get();
  const BExpr* r = e.args[1].get();
  if (r->kind == BKind::kColumn) std::swap(l, r);
  return l->kind == BKind::kColumn && l->column == time_col && r->kind == BKind::kConst &&
         !r->value.null && r->type == Type::kTimestamp;
}

int64_t KeyGranularityMs(const std::vector<BExprPtr>& keys, size_t time_col) {
  int64_t g = 0;
  for (const auto& k : keys) {
    if (k->kind != BKind::kCall || k->fn == nullptr || k->fn->name != "date_trunc" ||
        k->args.size() != 2 || k->args[0]->kind != BKind::kConst || k->args[0]->value.null ||
        k->args[1]->kind != BKind::kColumn || k->args[1]->column != time_col) {
      return 0;
    }
    std::string unit = k->args[0]->value.s;
    for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    int64_t ms = 0;
    if (int64_t us = FixedUnitMicros(unit)) {
      ms = us / 1000;  // 0 for microseconds
    } else if (DateTrunc(unit, 0).ok()) {
      ms = 86400000;  // week, month, year...: whole UTC days
    }
    if (ms == 0) return 0;
    g = g == 0 ? ms : std::gcd(g, ms);
  }
  return keys.empty() ? INT64_MAX : g;
}

void Planner::PushNamesFromAggregates(const std::vector<ScopeCol>& cols, const BExpr* where,
                                      const AggCtx& agg) {
  ScanOp* scan = nullptr;
  size_t time_col = SIZE_MAX;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (!cols[i].scan || (scan && cols[i].scan != scan)) return;  // one metric table alone
    scan = cols[i].scan;
    if (scan->table->schema()[cols[i].scan_col].name == scan->table->time_column()) time_col = i;
  }
  if (!scan || time_col == SIZE_MAX || !scan->table->supports_name_pushdown() ||
      scan->request.names || agg.aggs.empty()) {
    return;
  }
  if (where && !ReadsOnly(*where, time_col)) return;
  for (const auto& k : agg.keys) {
    if (!ReadsOnly(*k, time_col)) return;
  }
  std::vector<std::string> names;
  for (const AggSpec& a : agg.aggs) {
    if (!NameGuarded(a, &names)) return;
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.empty()) return;
  scan->request.names = std::move(names);
  scan->request.other_names_as_times = true;
  if (!where || OnlyTimeBounds(*where, time_col)) {
    scan->request.other_times_granularity_ms = KeyGranularityMs(agg.keys, time_col);
  }
}

}  // namespace infermetry::sql::exec
