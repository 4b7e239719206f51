// Name tests the scan already answers. `WHERE name = 'x'` (or IN) on a metric table is pushed
// down as ScanRequest::names; when the table returns only rows of those names
// (Table::names_exact) the test is true on every row it returns, so an aggregate query drops
// it from its filter, and, when nothing else reads `name`, does not read the column at all
// (each row would otherwise carry a copy of its metric's name only to compare it).
#include "query/sql/exec/planner.h"

namespace infermetry::sql::exec {

namespace {

bool IsNameTest(const BExpr& e, size_t name_col) {
  auto is_name = [&](const BExpr& x) { return x.kind == BKind::kColumn && x.column == name_col; };
  auto is_const = [](const BExpr& x) { return x.kind == BKind::kConst; };
  if (e.kind == BKind::kCompare && e.op == "=") {
    const BExpr& l = *e.args[0];
    const BExpr& r = *e.args[1];
    return (is_name(l) && is_const(r) && !r.value.null) ||
           (is_name(r) && is_const(l) && !l.value.null);
  }
  if (e.kind == BKind::kInList && !e.negated && is_name(*e.args[0])) {
    for (size_t i = 1; i < e.args.size(); ++i) {
      if (!is_const(*e.args[i])) return false;
    }
    return true;
  }
  return false;
}

// `e` without its ANDed name tests; null when nothing is left.
BExprPtr WithoutNameTests(BExprPtr e, size_t name_col, bool* dropped) {
  if (e->kind == BKind::kAnd) {
    BExprPtr l = WithoutNameTests(std::move(e->args[0]), name_col, dropped);
    BExprPtr r = WithoutNameTests(std::move(e->args[1]), name_col, dropped);
    if (!l || !r) return l ? std::move(l) : std::move(r);
    e->args[0] = std::move(l);
    e->args[1] = std::move(r);
    return e;
  }
  if (IsNameTest(*e, name_col)) {
    *dropped = true;
    return nullptr;
  }
  return e;
}

}  // namespace

void Planner::DropAnsweredNameTests(OperatorPtr* op, const std::vector<ScopeCol>& cols,
                                    const AggCtx& agg) {
  auto* filter = dynamic_cast<FilterOp*>(op->get());
  if (filter == nullptr) return;
  ScanOp* scan = nullptr;
  size_t name_col = SIZE_MAX;
  for (size_t i = 0; i < cols.size(); ++i) {
    const ScopeCol& c = cols[i];
    if (!c.scan || (scan && c.scan != scan)) return;  // one metric table alone
    scan = c.scan;
    if (c.metric_name) name_col = i;
  }
  if (!scan || name_col == SIZE_MAX || !scan->table->names_exact() || !scan->request.names ||
      scan->request.other_names_as_times) {
    return;
  }
  bool dropped = false;
  BExprPtr rest = WithoutNameTests(std::move(filter->pred), name_col, &dropped);
  if (!dropped) {
    filter->pred = std::move(rest);
    return;
  }
  bool read = rest && ReadsColumn(*rest, name_col);
  for (const auto& k : agg.keys) read = read || ReadsColumn(*k, name_col);
  for (const AggSpec& a : agg.aggs) {
    read = read || (a.arg && ReadsColumn(*a.arg, name_col)) ||
           (a.filter && ReadsColumn(*a.filter, name_col));
  }
  if (!read) scan->used[cols[name_col].scan_col] = false;
  if (rest) {
    filter->pred = std::move(rest);
  } else {
    *op = std::move(filter->children[0]);
  }
}

}  // namespace infermetry::sql::exec
