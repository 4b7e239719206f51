// Binding expressions: names, types (PostgreSQL's coercions), constant folding.
#include <algorithm>

#include "common/strconv.h"
#include "query/sql/catalog/metric_names.h"
#include "query/sql/error.h"
#include "query/sql/exec/cast.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/planner.h"

namespace infermetry::sql::exec {

Status Planner::Error(int pos, std::string msg, std::string hint) const {
  return SqlError(Code::kInvalidArgument, sql_, pos, msg, hint);
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

Result<BExprPtr> Planner::ResolveColumn(const ast::Expr& e, const std::vector<ScopeCol>& cols) {
  auto find = [&](const std::vector<ScopeCol>& cs, bool ci, int* found) {
    int hits = 0;
    for (size_t i = 0; i < cs.size(); ++i) {
      const ScopeCol& c = cs[i];
      if (!e.table.empty()) {
        if (!(c.table == e.table || (ci && EqualsIgnoreCase(c.table, e.table)))) continue;
      } else if (c.hidden) {
        continue;
      }
      if (c.name == e.name || (ci && EqualsIgnoreCase(c.name, e.name))) {
        if (hits == 0) *found = static_cast<int>(i);
        ++hits;
      }
    }
    return hits;
  };
  int idx = -1;
  int hits = find(cols, false, &idx);
  if (hits == 0) hits = find(cols, true, &idx);
  std::string full = e.table.empty() ? e.name : e.table + "." + e.name;
  if (hits > 1) return Error(e.pos, "column reference \"" + full + "\" is ambiguous");
  if (hits == 1) {
    const ScopeCol& c = cols[idx];
    if (c.scan) c.scan->used[c.scan_col] = true;
    BExprPtr col = MakeColumn(static_cast<size_t>(idx), c.type, c.name);
    col->metric_name = c.metric_name;
    col->numeric = c.numeric;
    return col;
  }
  for (const auto* outer : outer_) {
    int oi = -1;
    if (find(*outer, true, &oi) > 0) {
      return Error(e.pos, "correlated subqueries are not supported: column \"" + full +
                              "\" belongs to an enclosing query",
                   "Rewrite the subquery as a join, or compute it in a WITH clause.");
    }
  }
  if (!e.table.empty()) {
    bool known = std::any_of(cols.begin(), cols.end(), [&](const ScopeCol& c) {
      return EqualsIgnoreCase(c.table, e.table);
    });
    if (!known) return Error(e.pos, "missing FROM-clause entry for table \"" + e.table + "\"");
  }
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const ScopeCol& c : cols) {
    if (c.hidden) continue;
    size_t d = EditDistance(e.name, c.name);
    if (d < best_d) { best_d = d; best = c.name; }
  }
  std::string hint;
  if (best_d <= std::max<size_t>(1, (e.name.size() + 2) / 3)) {
    hint = "Perhaps you meant to reference the column \"" + best + "\".";
  }
  return Error(e.pos, "column \"" + full + "\" does not exist", hint);
}

Result<BExprPtr> Planner::Coerce(BExprPtr e, Type t, int pos) {
  if (e->type == t && !e->unknown_literal) return e;
  if (e->kind == BKind::kConst && (e->unknown_literal || e->value.null)) {
    Result<Value> v = CastValue(e->value, t);
    if (!v.ok()) return Error(pos, v.status().message());
    auto c = MakeConst(*v);
    c->type = t;
    return c;
  }
  if (e->type == t) return e;
  if (e->type == Type::kInt64 && t == Type::kFloat64) {
    auto c = std::make_unique<BExpr>();
    c->kind = BKind::kCast;
    c->type = t;
    c->args.push_back(std::move(e));
    return Fold(std::move(c));
  }
  return Error(pos, "argument of type " + std::string(TypeName(e->type)) +
                        " cannot be used as " + std::string(TypeName(t)),
               "You might need to add an explicit type cast.");
}

BExprPtr Planner::Fold(BExprPtr e) {
  if (e->kind == BKind::kConst || !IsConstantExpr(*e)) return e;
  Result<Value> v = EvalConstant(*e, ctx_);
  if (!v.ok()) return e;  // the error surfaces if the expression is evaluated
  Type t = e->type;
  auto c = MakeConst(*v);
  c->type = t;
  c->numeric = e->numeric;
  return c;
}

Result<BExprPtr> Planner::Bind(const ast::Expr& e, BindCtx& bc) {
  if (++depth_ > 400) {
    --depth_;
    return Error(e.pos, "expression is nested too deeply");
  }
  Result<BExprPtr> r = bc.agg ? BindAggregate(e, bc) : BindNode(e, bc);
  --depth_;
  if (!r.ok()) return r;
  return Fold(std::move(r).value());
}

void Planner::CanonicalizeNames(const BExpr& col, BExpr* c) {
  if (col.kind != BKind::kColumn || !col.metric_name || c->kind != BKind::kConst ||
      c->value.null || c->value.type != Type::kText) {
    return;
  }
  c->value.s = catalog::CanonicalMetricName(c->value.s);
}

Result<BExprPtr> Planner::BindCompare(int pos, std::string op, BExprPtr l, BExprPtr r) {
  CanonicalizeNames(*l, r.get());
  CanonicalizeNames(*r, l.get());
  Type lt = l->unknown_literal || l->type == Type::kNull ? Type::kNull : l->type;
  Type rt = r->unknown_literal || r->type == Type::kNull ? Type::kNull : r->type;
  Type t;
  if (lt == Type::kNull && rt == Type::kNull) t = Type::kText;
  else if (lt == Type::kNull) t = rt;
  else if (rt == Type::kNull) t = lt;
  else if (lt == rt) t = lt;
  else if (IsNumeric(lt) && IsNumeric(rt)) t = Type::kFloat64;
  else {
    return Error(pos, "operator does not exist: " + std::string(TypeName(lt)) + " " + op + " " +
                          std::string(TypeName(rt)),
                 "No operator matches the given name and argument types. You might need to add "
                 "explicit type casts.");
  }
  INFERMETRY_ASSIGN_OR_RETURN(l, Coerce(std::move(l), t, pos));
  INFERMETRY_ASSIGN_OR_RETURN(r, Coerce(std::move(r), t, pos));
  auto c = std::make_unique<BExpr>();
  c->kind = BKind::kCompare;
  c->type = Type::kBool;
  c->op = std::move(op);
  c->args.push_back(std::move(l));
  c->args.push_back(std::move(r));
  return c;
}

Result<BExprPtr> Planner::BindBinary(const ast::Expr& e, BindCtx& bc) {
  INFERMETRY_ASSIGN_OR_RETURN(BExprPtr l, Bind(*e.args[0], bc));
  INFERMETRY_ASSIGN_OR_RETURN(BExprPtr r, Bind(*e.args[1], bc));
  const std::string& op = e.op;
  auto node = std::make_unique<BExpr>();
  if (op == "AND" || op == "OR") {
    INFERMETRY_ASSIGN_OR_RETURN(l, Coerce(std::move(l), Type::kBool, e.args[0]->pos));
    INFERMETRY_ASSIGN_OR_RETURN(r, Coerce(std::move(r), Type::kBool, e.args[1]->pos));
    node->kind = op == "AND" ? BKind::kAnd : BKind::kOr;
    node->type = Type::kBool;
  } else if (op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    return BindCompare(e.pos, op, std::move(l), std::move(r));
  } else if (op == "||") {
    auto call = std::make_unique<BExpr>();
    call->kind = BKind::kCall;
    call->fn = FindFunction("||");
    call->type = Type::kText;
    for (BExprPtr* x : {&l, &r}) {
      if ((*x)->unknown_literal || (*x)->type == Type::kNull) {
        INFERMETRY_ASSIGN_OR_RETURN(*x, Coerce(std::move(*x), Type::kText, e.pos));
      }
    }
    call->args.push_back(std::move(l));
    call->args.push_back(std::move(r));
    return call;
  } else {
    // Arithmetic. Unknown literals take the other side's type (interval beside a timestamp).
    Type lt = l->type, rt = r->type;
    if (l->unknown_literal || lt == Type::kNull) {
      Type t = rt == Type::kTimestamp ? (op == "-" ? Type::kTimestamp : Type::kInterval)
                                      : (rt == Type::kNull ? Type::kFloat64 : rt);
      if (rt == Type::kInterval && (op == "*" || op == "/")) t = Type::kFloat64;
      INFERMETRY_ASSIGN_OR_RETURN(l, Coerce(std::move(l), t, e.args[0]->pos));
      lt = t;
    }
    if (r->unknown_literal && lt == Type::kTimestamp && op == "-" &&
        CastValue(r->value, Type::kTimestamp).ok()) {
      INFERMETRY_ASSIGN_OR_RETURN(r, Coerce(std::move(r), Type::kTimestamp, e.args[1]->pos));
      rt = Type::kTimestamp;
    }
    if (r->unknown_literal || rt == Type::kNull) {
      Type t = lt == Type::kTimestamp ? Type::kInterval : lt;
      if (lt == Type::kInterval && (op == "*" || op == "/")) t = Type::kFloat64;
      INFERMETRY_ASSIGN_OR_RETURN(r, Coerce(std::move(r), t, e.args[1]->pos));
      rt = t;
    }
    Type res = Type::kNull;
    char o = op[0];
    bool l_num = l->numeric || lt == Type::kInt64, r_num = r->numeric || rt == Type::kInt64;
    node->numeric = l_num && r_num && (l->numeric || r->numeric) && o != '^';
    if (IsNumeric(lt) && IsNumeric(rt)) {
      res = (lt == Type::kFloat64 || rt == Type::kFloat64 || o == '^') ? Type::kFloat64 : Type::kInt64;
      INFERMETRY_ASSIGN_OR_RETURN(l, Coerce(std::move(l), res, e.pos));
      INFERMETRY_ASSIGN_OR_RETURN(r, Coerce(std::move(r), res, e.pos));
    } else if (lt == Type::kTimestamp && rt == Type::kTimestamp && o == '-') {
      res = Type::kInterval;
    } else if (lt == Type::kTimestamp && rt == Type::kInterval && (o == '+' || o == '-')) {
      res = Type::kTimestamp;
    } else if (lt == Type::kInterval && rt == Type::kTimestamp && o == '+') {
      res = Type::kTimestamp;
    } else if (lt == Type::kInterval && rt == Type::kInterval && (o == '+' || o == '-')) {
      res = Type::kInterval;
    } else if ((lt == Type::kInterval && IsNumeric(rt) && (o == '*' || o == '/')) ||
               (IsNumeric(lt) && rt == Type::kInterval && o == '*')) {
      res = Type::kInterval;
    } else {
      return Error(e.pos, "operator does not exist: " + std::string(TypeName(lt)) + " " + op +
                              " " + std::string(TypeName(rt)),
                   "No operator matches the given name and argument types. You might need to "
                   "add explicit type casts.");
    }
    node->kind = BKind::kArith;
    node->type = res;
    node->op = op;
  }
  node->args.push_back(std::move(l));
  node->args.push_back(std::move(r));
  return node;
}

}  // namespace infermetry::sql::exec
