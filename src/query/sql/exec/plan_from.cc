// Planning FROM: tables (streams and WITH queries), subqueries, joins.
#include <algorithm>

#include "common/strconv.h"
#include "query/sql/error.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/planner.h"

namespace infermetry::sql::exec {

namespace {

void Rename(std::vector<ScopeCol>* cols, const std::string& qualifier,
            const std::vector<std::string>& aliases) {
  for (size_t i = 0; i < cols->size(); ++i) {
    (*cols)[i].table = qualifier;
    if (i < aliases.size()) (*cols)[i].name = aliases[i];
  }
}

// Smallest and largest column index an expression reads (SIZE_MAX, 0 when none).
void ColumnRange(const BExpr& e, size_t* lo, size_t* hi) {
  if (e.kind == BKind::kColumn) {
    *lo = std::min(*lo, e.column);
    *hi = std::max(*hi, e.column);
  }
  for (const auto& a : e.args) ColumnRange(*a, lo, hi);
}

void Rebase(BExpr* e, size_t offset) {
  if (e->kind == BKind::kColumn) e->column -= offset;
  for (auto& a : e->args) Rebase(a.get(), offset);
}

void SplitAnd(BExprPtr e, std::vector<BExprPtr>* out) {
  if (e->kind == BKind::kAnd) {
    SplitAnd(std::move(e->args[0]), out);
    SplitAnd(std::move(e->args[1]), out);
  } else {
    out->push_back(std::move(e));
  }
}

}  // namespace

Result<Rel> Planner::PlanFrom(const ast::TableRef& t) {
  switch (t.kind) {
    case ast::TableRef::Kind::kTable: return PlanTable(t);
    case ast::TableRef::Kind::kSubquery: {
      auto saved = outer_;
      outer_.clear();  // a FROM subquery cannot see the enclosing query's columns (no LATERAL)
      Result<Rel> r = PlanQuery(*t.subquery);
      outer_ = saved;
      if (!r.ok()) return r;
      for (ScopeCol& c : r->cols) c.scan = nullptr, c.pushable = false;
      Rename(&r->cols, t.alias, t.column_aliases);
      return r;
    }
    case ast::TableRef::Kind::kJoin: return PlanJoin(t);
  }
  return Error(t.pos, "unsupported FROM item");
}

Result<Rel> Planner::PlanTable(const ast::TableRef& t) {
  const std::string& qual = t.alias.empty() ? t.name : t.alias;
  for (size_t i = ctes_.size(); i-- > 0;) {
    if (ctes_[i].first != t.name) continue;
    const ast::CommonTable* cte = ctes_[i].second;
    // The WITH query sees only the WITH entries before it.
    auto saved = ctes_;
    ctes_.resize(i);
    auto saved_outer = outer_;
    outer_.clear();
    Result<Rel> r = PlanQuery(*cte->query);
    ctes_ = saved;
    outer_ = saved_outer;
    if (!r.ok()) return r;
    for (ScopeCol& c : r->cols) c.scan = nullptr, c.pushable = false;
    Rename(&r->cols, qual, cte->columns);
    if (!t.column_aliases.empty()) Rename(&r->cols, qual, t.column_aliases);
    return r;
  }
  const QueryOptions& o = ctx_->options();
  Result<std::shared_ptr<Table>> table = catalog_->Find(t.name, o.min_time_us, o.max_time_us);
  if (!table.ok()) {
    if (table.status().code() != Code::kNotFound) return table.status();
    std::vector<std::string> names = catalog_->TableNames();
    std::string list;
    for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
    std::string hint = names.empty() ? "There are no streams yet." : "Streams: " + list + ".";
    return Error(t.pos, "relation \"" + t.name + "\" does not exist", hint);
  }
  // EXPLAIN shows the stream's own spelling (vLLMmetrics, not the folded vllmmetrics).
  std::string display = t.name;
  for (const std::string& n : catalog_->TableNames()) {
    if (n == t.name) { display = n; break; }
    if (EqualsIgnoreCase(n, t.name)) display = n;
  }
  auto scan = std::make_unique<ScanOp>(display, *table);
  const auto& schema = (*table)->schema();
  std::string tc((*table)->time_column());
  bool has_time = std::any_of(schema.begin(), schema.end(),
                              [&](const ColumnSchema& c) { return !tc.empty() && c.name == tc; });
  if (has_time) {
    scan->request.min_time_us = o.min_time_us;
    scan->request.max_time_us = o.max_time_us;
  }
  Rel rel;
  for (size_t i = 0; i < schema.size(); ++i) {
    ScopeCol c;
    c.table = qual;
    c.name = i < t.column_aliases.size() ? t.column_aliases[i] : schema[i].name;
    c.type = schema[i].type;
    c.scan = scan.get();
    c.scan_col = i;
    c.pushable = true;
    c.metric_name = (*table)->supports_name_pushdown() && schema[i].name == "name" &&
                    schema[i].type == Type::kText;
    rel.cols.push_back(c);
  }
  rel.op = std::move(scan);
  return rel;
}

Result<Rel> Planner::PlanJoin(const ast::TableRef& t) {
  INFERMETRY_ASSIGN_OR_RETURN(Rel left, PlanFrom(*t.left));
  INFERMETRY_ASSIGN_OR_RETURN(Rel right, PlanFrom(*t.right));
  using JT = ast::TableRef::JoinType;
  JoinKind kind = t.join == JT::kInner ? JoinKind::kInner : t.join == JT::kLeft ? JoinKind::kLeft
                  : t.join == JT::kRight ? JoinKind::kRight : t.join == JT::kFull ? JoinKind::kFull
                                                                                  : JoinKind::kCross;
  if (kind == JoinKind::kRight || kind == JoinKind::kFull) for (auto& c : left.cols) c.pushable = false;
  if (kind == JoinKind::kLeft || kind == JoinKind::kFull) for (auto& c : right.cols) c.pushable = false;
  size_t nl = left.cols.size();
  std::vector<ScopeCol> all = left.cols;
  all.insert(all.end(), right.cols.begin(), right.cols.end());
  std::vector<BExprPtr> lkeys, rkeys, rest;
  BindCtx bc{&all, nullptr, "JOIN conditions"};
  std::vector<BExprPtr> conjuncts;
  if (t.on) {
    INFERMETRY_ASSIGN_OR_RETURN(BExprPtr on, Bind(*t.on, bc));
    INFERMETRY_ASSIGN_OR_RETURN(on, Coerce(std::move(on), Type::kBool, t.on->pos));
    SplitAnd(std::move(on), &conjuncts);
  }
  for (const std::string& u : t.using_columns) {
    ast::Expr l, r;
    l.kind = r.kind = ast::ExprKind::kColumn;
    l.pos = r.pos = t.pos;
    l.name = r.name = u;
    INFERMETRY_ASSIGN_OR_RETURN(BExprPtr lb, ResolveColumn(l, left.cols));
    INFERMETRY_ASSIGN_OR_RETURN(BExprPtr rb, ResolveColumn(r, right.cols));
    all[nl + rb->column].hidden = true;
    rb->column += nl;
    INFERMETRY_ASSIGN_OR_RETURN(BExprPtr eq, BindCompare(t.pos, "=", std::move(lb), std::move(rb)));
    conjuncts.push_back(std::move(eq));
  }
  for (BExprPtr& c : conjuncts) {
    if (c->kind == BKind::kCompare && c->op == "=") {
      size_t llo = SIZE_MAX, lhi = 0, rlo = SIZE_MAX, rhi = 0;
      ColumnRange(*c->args[0], &llo, &lhi);
      ColumnRange(*c->args[1], &rlo, &rhi);
      bool l_left = llo != SIZE_MAX && lhi < nl, l_right = llo != SIZE_MAX && llo >= nl;
      bool r_left = rlo != SIZE_MAX && rhi < nl, r_right = rlo != SIZE_MAX && rlo >= nl;
      if ((l_left && r_right) || (l_right && r_left)) {
        BExprPtr a = std::move(c->args[0]), b = std::move(c->args[1]);
        if (l_right) std::swap(a, b);
        Rebase(b.get(), nl);
        lkeys.push_back(std::move(a));
        rkeys.push_back(std::move(b));
        continue;
      }
    }
    rest.push_back(std::move(c));
  }
  BExprPtr residual;
  for (BExprPtr& r : rest) {
    if (!residual) { residual = std::move(r); continue; }
    auto a = std::make_unique<BExpr>();
    a->kind = BKind::kAnd;
    a->type = Type::kBool;
    a->args.push_back(std::move(residual));
    a->args.push_back(std::move(r));
    residual = std::move(a);
  }
  std::vector<Type> lt, rt;
  for (const auto& c : left.cols) lt.push_back(c.type);
  for (const auto& c : right.cols) rt.push_back(c.type);
  if (kind == JoinKind::kCross && (residual || !lkeys.empty())) kind = JoinKind::kInner;
  Rel out;
  out.op = std::make_unique<JoinOp>(std::move(left.op), std::move(right.op), kind, std::move(lkeys),
                                    std::move(rkeys), std::move(residual), lt, rt);
  out.cols = std::move(all);
  return out;
}

}  // namespace infermetry::sql::exec
