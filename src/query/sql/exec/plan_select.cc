// Planning one SELECT: FROM, WHERE (with pushdown), GROUP BY/aggregates, HAVING, the select
// list, DISTINCT and the ORDER BY keys (hidden columns when they are not selected).
#include <algorithm>

#include "common/strconv.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/planner.h"

namespace infermetry::sql::exec {

namespace {

struct Item {
  const ast::Expr* expr = nullptr;  // null for a column expanded from *
  int star_col = -1;
  std::string name;
};

bool IsOrdinal(const ast::Expr& e) {
  return e.kind == ast::ExprKind::kLiteral && e.literal.type == Type::kInt64 && !e.literal.null;
}

}  // namespace

Result<Rel> Planner::PlanSelect(const ast::Select& s, const ast::Query& q,
                                std::vector<SortKey>* sort, size_t* visible) {
  Rel from;
  if (s.from) {
    INFERMETRY_ASSIGN_OR_RETURN(from, PlanFrom(*s.from));
  } else {
    from.op = std::make_unique<OneRowOp>();
  }
  const BExpr* where = nullptr;  // owned by the FilterOp
  if (s.where) {
    BindCtx bc{&from.cols, nullptr, "WHERE"};
    INFERMETRY_ASSIGN_OR_RETURN(BExprPtr pred, Bind(*s.where, bc));
    INFERMETRY_ASSIGN_OR_RETURN(pred, Coerce(std::move(pred), Type::kBool, s.where->pos));
    PushDown(*pred, from.cols);
    where = pred.get();
    from.op = std::make_unique<FilterOp>(std::move(from.op), std::move(pred));
  }
  // The select list with * expanded.
  std::vector<Item> items;
  for (const auto& it : s.items) {
    if (it.expr->kind != ast::ExprKind::kStar) {
      items.push_back({it.expr.get(), -1, it.alias.empty() ? OutputName(*it.expr) : it.alias});
      continue;
    }
    if (!s.from) return Error(it.expr->pos, "SELECT * with no tables specified is not valid");
    size_t before = items.size();
    for (size_t i = 0; i < from.cols.size(); ++i) {
      const ScopeCol& c = from.cols[i];
      if (c.hidden) continue;
      if (!it.expr->table.empty() && !(c.table == it.expr->table || EqualsIgnoreCase(c.table, it.expr->table))) continue;
      items.push_back({nullptr, static_cast<int>(i), c.name});
    }
    if (items.size() == before && !it.expr->table.empty()) {
      return Error(it.expr->pos, "missing FROM-clause entry for table \"" + it.expr->table + "\"");
    }
  }
  bool is_agg = !s.group_by.empty() || s.having != nullptr;
  for (const Item& i : items) is_agg |= i.expr && ContainsAggregate(*i.expr);
  if (q.select.get() == &s) {
    for (const auto& o : q.order_by) is_agg |= ContainsAggregate(*o.expr);
  }
  AggCtx agg;
  agg.input = &from.cols;
  if (is_agg) {
    for (const auto& g : s.group_by) {
      const ast::Expr* ge = g.get();
      if (IsOrdinal(*ge)) {
        int64_t k = ge->literal.i;
        if (k < 1 || static_cast<size_t>(k) > items.size()) {
          return Error(ge->pos, "GROUP BY position " + std::to_string(k) + " is not in select list");
        }
        const Item& it = items[k - 1];
        if (it.expr == nullptr) {
          BExprPtr c = MakeColumn(it.star_col, from.cols[it.star_col].type, from.cols[it.star_col].name);
          if (from.cols[it.star_col].scan) from.cols[it.star_col].scan->used[from.cols[it.star_col].scan_col] = true;
          agg.key_fps.push_back(ExprFingerprint(*c));
          agg.keys.push_back(std::move(c));
          continue;
        }
        ge = it.expr;
      } else if (ge->kind == ast::ExprKind::kColumn && ge->table.empty()) {
        bool in_input = std::any_of(from.cols.begin(), from.cols.end(), [&](const ScopeCol& c) {
          return !c.hidden && EqualsIgnoreCase(c.name, ge->name);
        });
        if (!in_input) {
          for (const Item& it : items) {
            if (it.expr && it.name == ge->name) { ge = it.expr; break; }
          }
        }
      }
      if (ContainsAggregate(*ge)) return Error(ge->pos, "aggregate functions are not allowed in GROUP BY");
      BindCtx bc{&from.cols, nullptr, "GROUP BY"};
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr key, Bind(*ge, bc));
      std::string fp = ExprFingerprint(*key);
      if (std::find(agg.key_fps.begin(), agg.key_fps.end(), fp) != agg.key_fps.end()) continue;
      agg.key_fps.push_back(fp);
      agg.keys.push_back(std::move(key));
    }
  }
  BindCtx bc{&from.cols, is_agg ? &agg : nullptr, "SELECT"};
  std::vector<BExprPtr> exprs;
  std::vector<std::string> names;
  for (const Item& it : items) {
    if (it.expr) {
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr b, Bind(*it.expr, bc));
      if (b->unknown_literal) b->unknown_literal = false;  // SELECT 'abc' is text
      if (b->type == Type::kNull) b->type = Type::kText;
      exprs.push_back(std::move(b));
    } else if (!is_agg) {
      const ScopeCol& c = from.cols[it.star_col];
      if (c.scan) c.scan->used[c.scan_col] = true;
      exprs.push_back(MakeColumn(it.star_col, c.type, c.name));
    } else {
      ast::Expr col;
      col.kind = ast::ExprKind::kColumn;
      col.table = from.cols[it.star_col].table;
      col.name = from.cols[it.star_col].name;
      col.pos = s.pos;
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr b, Bind(col, bc));
      exprs.push_back(std::move(b));
    }
    names.push_back(it.name);
  }
  BExprPtr having;
  if (s.having) {
    bc.clause = "HAVING";
    INFERMETRY_ASSIGN_OR_RETURN(having, Bind(*s.having, bc));
    INFERMETRY_ASSIGN_OR_RETURN(having, Coerce(std::move(having), Type::kBool, s.having->pos));
  }
  *visible = exprs.size();
  if (q.select.get() == &s) {
    bc.clause = "ORDER BY";
    std::vector<std::string> fps;
    for (const auto& e : exprs) fps.push_back(ExprFingerprint(*e));
    for (const auto& o : q.order_by) {
      const ast::Expr& e = *o.expr;
      size_t idx = SIZE_MAX;
      if (IsOrdinal(e)) {
        if (e.literal.i < 1 || static_cast<size_t>(e.literal.i) > *visible) {
          return Error(e.pos, "ORDER BY position " + std::to_string(e.literal.i) + " is not in select list");
        }
        idx = static_cast<size_t>(e.literal.i - 1);
      } else if (e.kind == ast::ExprKind::kColumn && e.table.empty()) {
        for (size_t i = 0; i < *visible && idx == SIZE_MAX; ++i) {
          if (names[i] == e.name) idx = i;
        }
        for (size_t i = 0; i < *visible && idx == SIZE_MAX; ++i) {
          if (EqualsIgnoreCase(names[i], e.name) && items[i].expr &&
              items[i].expr->kind != ast::ExprKind::kColumn) idx = i;
        }
      }
      if (idx == SIZE_MAX) {
        INFERMETRY_ASSIGN_OR_RETURN(BExprPtr b, Bind(e, bc));
        std::string fp = ExprFingerprint(*b);
        auto f = std::find(fps.begin(), fps.end(), fp);
        if (f != fps.end()) {
          idx = static_cast<size_t>(f - fps.begin());
        } else {
          if (s.distinct) {
            return Error(e.pos, "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
          }
          idx = exprs.size();
          fps.push_back(fp);
          names.push_back(ExprToString(*b));
          exprs.push_back(std::move(b));
        }
      }
      sort->push_back({idx, o.desc, o.nulls_first.value_or(o.desc)});
    }
  }
  OperatorPtr op = std::move(from.op);
  if (is_agg) {
    PushNamesFromAggregates(from.cols, where, agg);
    PushObservationCounts(from.cols, where, agg);
    DropAnsweredNameTests(&op, from.cols, agg);
    PushObservationMerge(op, from.cols, agg);
    std::vector<BExprPtr> keys;
    for (const auto& k : agg.keys) keys.push_back(CloneExpr(*k));
    op = std::make_unique<HashAggregateOp>(std::move(op), std::move(keys), std::move(agg.aggs));
    if (having) op = std::make_unique<FilterOp>(std::move(op), std::move(having));
  }
  Rel out;
  for (size_t i = 0; i < exprs.size(); ++i) {
    ScopeCol c;
    c.name = names[i];
    c.type = exprs[i]->type;
    c.numeric = exprs[i]->numeric;
    out.cols.push_back(c);
  }
  out.op = std::make_unique<ProjectOp>(std::move(op), std::move(exprs));
  if (s.distinct) out.op = std::make_unique<DistinctOp>(std::move(out.op));
  return out;
}

}  // namespace infermetry::sql::exec
