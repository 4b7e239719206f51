// Pushing WHERE conjuncts into table scans: time bounds on the table's time column and metric
// names. Pushdown only narrows what a table returns; the full WHERE is applied afterwards.
#include <algorithm>

#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/planner.h"

namespace infermetry::sql::exec {

namespace {

void Conjuncts(const BExpr& e, std::vector<const BExpr*>* out) {
  if (e.kind == BKind::kAnd) {
    Conjuncts(*e.args[0], out);
    Conjuncts(*e.args[1], out);
  } else {
    out->push_back(&e);
  }
}

const ScopeCol* PushableColumn(const BExpr& e, const std::vector<ScopeCol>& cols) {
  if (e.kind != BKind::kColumn || e.column >= cols.size()) return nullptr;
  const ScopeCol& c = cols[e.column];
  return c.scan && c.pushable ? &c : nullptr;
}

void NarrowNames(ScanOp* scan, std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (scan->request.names) {
    std::vector<std::string> both;
    for (const auto& n : names) {
      if (std::find(scan->request.names->begin(), scan->request.names->end(), n) != scan->request.names->end()) {
        both.push_back(n);
      }
    }
    names = std::move(both);
  }
  scan->request.names = std::move(names);
}

}  // namespace

void Planner::PushDown(const BExpr& pred, const std::vector<ScopeCol>& cols) {
  std::vector<const BExpr*> conj;
  Conjuncts(pred, &conj);
  for (const BExpr* c : conj) {
    if (c->kind == BKind::kCompare) {
      const BExpr* l = c->args[0].get();
      const BExpr* r = c->args[1].get();
      std::string op = c->op;
      if (PushableColumn(*r, cols) && l->kind == BKind::kConst) {
        std::swap(l, r);
        op = op == "<" ? ">" : op == ">" ? "<" : op == "<=" ? ">=" : op == ">=" ? "<=" : op;
      }
      const ScopeCol* col = PushableColumn(*l, cols);
      if (col == nullptr || r->kind != BKind::kConst || r->value.null) continue;
      ScanOp* scan = col->scan;
      const std::string& schema_name = scan->table->schema()[col->scan_col].name;
      if (col->type == Type::kTimestamp && r->type == Type::kTimestamp &&
          schema_name == scan->table->time_column()) {
        int64_t v = r->value.i;
        ScanRequest& req = scan->request;
        if (op == ">=" || op == "=") req.min_time_us = std::max(req.min_time_us, v);
        if (op == ">" && v < INT64_MAX) req.min_time_us = std::max(req.min_time_us, v + 1);
        if (op == "<=" || op == "=") req.max_time_us = std::min(req.max_time_us, v);
        if (op == "<" && v > INT64_MIN) req.max_time_us = std::min(req.max_time_us, v - 1);
      } else if (op == "=" && schema_name == "name" && col->type == Type::kText &&
                 scan->table->supports_name_pushdown()) {
        NarrowNames(scan, {r->value.s});
      }
    } else if (c->kind == BKind::kInList && !c->negated) {
      const ScopeCol* col = PushableColumn(*c->args[0], cols);
      if (col == nullptr || col->type != Type::kText) continue;
      ScanOp* scan = col->scan;
      if (scan->table->schema()[col->scan_col].name != "name" || !scan->table->supports_name_pushdown()) continue;
      std::vector<std::string> names;
      bool all = true;
      for (size_t i = 1; i < c->args.size(); ++i) {
        const BExpr& a = *c->args[i];
        if (a.kind != BKind::kConst) { all = false; break; }
        if (!a.value.null) names.push_back(a.value.s);
      }
      if (all) NarrowNames(scan, std::move(names));
    }
  }
}

}  // namespace infermetry::sql::exec
