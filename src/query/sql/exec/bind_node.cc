// Binding each kind of syntax node (bind_expr.cc holds names, coercion and operators).
#include "query/sql/error.h"
#include "query/sql/exec/cast.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/planner.h"

namespace infermetry::sql::exec {

namespace {

BExprPtr Node(BKind k, Type t) {
  auto n = std::make_unique<BExpr>();
  n->kind = k;
  n->type = t;
  return n;
}

// The type CASE branches, COALESCE arguments and IN lists share.
bool CommonOf(const std::vector<BExprPtr>& xs, Type* out) {
  Type t = Type::kNull;
  for (const auto& x : xs) {
    if (x->unknown_literal || x->type == Type::kNull) continue;
    if (t == Type::kNull) t = x->type;
    else if (t != x->type) {
      if (IsNumeric(t) && IsNumeric(x->type)) t = Type::kFloat64;
      else return false;
    }
  }
  *out = t == Type::kNull ? Type::kText : t;
  return true;
}

}  // namespace

Result<BExprPtr> Planner::BindNode(const ast::Expr& e, BindCtx& bc) {
  using K = ast::ExprKind;
  switch (e.kind) {
    case K::kLiteral: {
      auto c = MakeConst(e.literal);
      c->numeric = e.literal.type == Type::kFloat64;  // 2.5 is numeric in PostgreSQL
      if (e.literal_unknown) {
        c->unknown_literal = true;
        c->type = Type::kText;
      }
      return c;
    }
    case K::kColumn: return ResolveColumn(e, *bc.cols);
    case K::kStar: return Error(e.pos, "\"*\" is not allowed here");
    case K::kUnary: {
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr a, Bind(*e.args[0], bc));
      if (e.op == "NOT") {
        INFERMETRY_ASSIGN_OR_RETURN(a, Coerce(std::move(a), Type::kBool, e.args[0]->pos));
        auto n = Node(BKind::kNot, Type::kBool);
        n->args.push_back(std::move(a));
        return n;
      }
      if (a->unknown_literal) {
        INFERMETRY_ASSIGN_OR_RETURN(a, Coerce(std::move(a), Type::kFloat64, e.pos));
      }
      if (!IsNumeric(a->type) && a->type != Type::kInterval) {
        return Error(e.pos, "operator does not exist: " + e.op + " " + std::string(TypeName(a->type)));
      }
      if (e.op == "+") return a;
      auto n = Node(BKind::kNeg, a->type);
      n->numeric = a->numeric;
      n->args.push_back(std::move(a));
      return n;
    }
    case K::kBinary: return BindBinary(e, bc);
    case K::kFunction: return BindFunction(e, bc);
    case K::kCase: {
      std::vector<BExprPtr> conds, results;
      for (const auto& [w, t] : e.whens) {
        BExprPtr c;
        if (e.case_operand) {
          INFERMETRY_ASSIGN_OR_RETURN(BExprPtr op, Bind(*e.case_operand, bc));
          INFERMETRY_ASSIGN_OR_RETURN(BExprPtr wv, Bind(*w, bc));
          INFERMETRY_ASSIGN_OR_RETURN(c, BindCompare(w->pos, "=", std::move(op), std::move(wv)));
        } else {
          INFERMETRY_ASSIGN_OR_RETURN(c, Bind(*w, bc));
          INFERMETRY_ASSIGN_OR_RETURN(c, Coerce(std::move(c), Type::kBool, w->pos));
        }
        conds.push_back(std::move(c));
        INFERMETRY_ASSIGN_OR_RETURN(BExprPtr r, Bind(*t, bc));
        results.push_back(std::move(r));
      }
      if (e.else_expr) {
        INFERMETRY_ASSIGN_OR_RETURN(BExprPtr r, Bind(*e.else_expr, bc));
        results.push_back(std::move(r));
      }
      Type t;
      if (!CommonOf(results, &t)) return Error(e.pos, "CASE types cannot be matched", "Cast the branches to one type.");
      auto n = Node(BKind::kCase, t);
      n->has_else = e.else_expr != nullptr;
      for (size_t i = 0; i < results.size(); ++i) {
        INFERMETRY_ASSIGN_OR_RETURN(results[i], Coerce(std::move(results[i]), t, e.pos));
        if (i < conds.size()) n->args.push_back(std::move(conds[i]));
        n->args.push_back(std::move(results[i]));
      }
      return n;
    }
    case K::kCast: {
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr a, Bind(*e.args[0], bc));
      bool date = false;
      std::optional<Type> t = CastTargetType(e.cast_type, &date);
      if (!t) return Error(e.pos, "type \"" + e.cast_type + "\" does not exist");
      if (a->kind == BKind::kConst && !date) {
        Result<Value> v = CastValue(a->value, *t);
        if (!v.ok()) return Error(e.args[0]->pos, v.status().message());
        auto c = MakeConst(*v);
        c->type = *t;
        return c;
      }
      if (a->type != *t || date) {
        bool ok = a->type == Type::kText || *t == Type::kText || a->type == Type::kNull ||
                  (IsNumeric(a->type) && (IsNumeric(*t) || *t == Type::kBool)) ||
                  (a->type == Type::kBool && *t == Type::kInt64) || a->type == *t;
        if (!ok) {
          return Error(e.pos, "cannot cast type " + std::string(TypeName(a->type)) + " to " +
                                  std::string(TypeName(*t)));
        }
      }
      auto n = Node(BKind::kCast, *t);
      n->date = date;
      // A computed double becomes an integer as PostgreSQL's float8 does (half to even);
      // numbers typed in the query (numeric there) round half away from zero.
      if (a->type == Type::kFloat64 && *t == Type::kInt64 && !a->numeric) n->op = "half_even";
      n->numeric = *t == Type::kFloat64 && (a->numeric || a->type == Type::kInt64) &&
                   (e.cast_type == "numeric" || e.cast_type == "decimal");
      n->args.push_back(std::move(a));
      return n;
    }
    case K::kIsNull: {
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr a, Bind(*e.args[0], bc));
      auto n = Node(BKind::kIsNull, Type::kBool);
      n->negated = e.negated;
      n->args.push_back(std::move(a));
      return n;
    }
    case K::kIsBool: {
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr a, Bind(*e.args[0], bc));
      INFERMETRY_ASSIGN_OR_RETURN(a, Coerce(std::move(a), Type::kBool, e.pos));
      auto n = Node(BKind::kIsBool, Type::kBool);
      n->negated = e.negated;
      n->value = e.literal;
      n->args.push_back(std::move(a));
      return n;
    }
    case K::kIsDistinct: {
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr l, Bind(*e.args[0], bc));
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr r, Bind(*e.args[1], bc));
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr c, BindCompare(e.pos, "=", std::move(l), std::move(r)));
      c->kind = BKind::kIsDistinct;
      c->negated = e.negated;
      return c;
    }
    case K::kInList: {
      std::vector<BExprPtr> xs;
      for (const auto& a : e.args) {
        INFERMETRY_ASSIGN_OR_RETURN(BExprPtr b, Bind(*a, bc));
        xs.push_back(std::move(b));
      }
      Type t;
      if (!CommonOf(xs, &t)) {
        return Error(e.pos, "IN types " + std::string(TypeName(xs[0]->type)) + " and the list's cannot be matched");
      }
      auto n = Node(BKind::kInList, Type::kBool);
      n->negated = e.negated;
      for (size_t i = 1; i < xs.size(); ++i) CanonicalizeNames(*xs[0], xs[i].get());
      for (size_t i = 0; i < xs.size(); ++i) {
        INFERMETRY_ASSIGN_OR_RETURN(BExprPtr c, Coerce(std::move(xs[i]), t, e.args[i]->pos));
        n->args.push_back(std::move(c));
      }
      return n;
    }
    case K::kBetween: {
      auto half = [&](const char* op, int i) -> Result<BExprPtr> {
        INFERMETRY_ASSIGN_OR_RETURN(BExprPtr x, Bind(*e.args[0], bc));
        INFERMETRY_ASSIGN_OR_RETURN(BExprPtr b, Bind(*e.args[i], bc));
        return BindCompare(e.pos, op, std::move(x), std::move(b));
      };
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr lo, half(e.negated ? "<" : ">=", 1));
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr hi, half(e.negated ? ">" : "<=", 2));
      auto n = Node(e.negated ? BKind::kOr : BKind::kAnd, Type::kBool);
      n->args.push_back(std::move(lo));
      n->args.push_back(std::move(hi));
      return n;
    }
    case K::kLike: {
      auto n = Node(BKind::kLike, Type::kBool);
      n->negated = e.negated;
      n->case_insensitive = e.case_insensitive;
      for (const auto& a : e.args) {
        INFERMETRY_ASSIGN_OR_RETURN(BExprPtr b, Bind(*a, bc));
        if (b->type != Type::kText && !b->unknown_literal && b->type != Type::kNull) {
          return Error(a->pos, "operator does not exist: " + std::string(TypeName(b->type)) +
                                   (e.case_insensitive ? " ~~* " : " ~~ ") + "unknown",
                       "LIKE needs text; cast the value to text.");
        }
        INFERMETRY_ASSIGN_OR_RETURN(b, Coerce(std::move(b), Type::kText, a->pos));
        n->args.push_back(std::move(b));
      }
      return n;
    }
    case K::kExtract: {
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr a, Bind(*e.args[0], bc));
      if (a->unknown_literal) {
        INFERMETRY_ASSIGN_OR_RETURN(a, Coerce(std::move(a), Type::kTimestamp, e.pos));
      }
      if (a->type != Type::kTimestamp && a->type != Type::kInterval && a->type != Type::kNull) {
        return Error(e.pos, "function extract(unknown, " + std::string(TypeName(a->type)) + ") does not exist");
      }
      auto n = Node(BKind::kCall, Type::kFloat64);
      n->fn = FindFunction("date_part");
      n->args.push_back(MakeConst(Value::Text(e.field)));
      n->args.push_back(std::move(a));
      return n;
    }
    case K::kInSubquery:
    case K::kSubquery:
    case K::kExists: return BindSubqueryExpr(e, bc);
  }
  return Error(e.pos, "unsupported expression");
}

Result<BExprPtr> Planner::BindSubqueryExpr(const ast::Expr& e, BindCtx& bc) {
  std::vector<ScopeCol> cols;
  outer_.push_back(bc.agg ? bc.agg->input : bc.cols);
  Result<std::vector<Batch>> rows = Run(*e.subquery, &cols);
  outer_.pop_back();
  if (!rows.ok()) return rows.status();
  if (e.kind == ast::ExprKind::kExists) {
    bool any = false;
    for (const Batch& b : *rows) any |= b.num_rows > 0;
    return MakeConst(Value::Bool(any != e.negated));
  }
  if (cols.size() != 1) {
    return Error(e.subquery->pos, e.kind == ast::ExprKind::kSubquery
                                      ? "subquery must return only one column"
                                      : "subquery has too many columns");
  }
  if (e.kind == ast::ExprKind::kSubquery) {
    size_t n = 0;
    Value v = Value::Null(cols[0].type);
    for (const Batch& b : *rows) {
      if (b.num_rows > 0 && n == 0) v = b.columns[0].Get(0);
      n += b.num_rows;
    }
    if (n > 1) return Error(e.pos, "more than one row returned by a subquery used as an expression");
    auto c = MakeConst(v);
    c->type = cols[0].type;
    return c;
  }
  // x IN (SELECT ...): a list of constants.
  INFERMETRY_ASSIGN_OR_RETURN(BExprPtr x, Bind(*e.args[0], bc));
  Type t = cols[0].type;
  if (x->type != t && !(x->unknown_literal || x->type == Type::kNull)) {
    if (IsNumeric(x->type) && IsNumeric(t)) t = Type::kFloat64;
    else return Error(e.pos, "operator does not exist: " + std::string(TypeName(x->type)) + " = " + std::string(TypeName(t)));
  }
  INFERMETRY_ASSIGN_OR_RETURN(x, Coerce(std::move(x), t, e.pos));
  auto n = Node(BKind::kInList, Type::kBool);
  n->negated = e.negated;
  n->args.push_back(std::move(x));
  size_t count = 0;
  for (const Batch& b : *rows) {
    for (size_t r = 0; r < b.num_rows; ++r) {
      INFERMETRY_ASSIGN_OR_RETURN(Value v, CastValue(b.columns[0].Get(r), t));
      n->args.push_back(MakeConst(v));
      n->args.back()->type = t;
      ++count;
    }
  }
  INFERMETRY_RETURN_IF_ERROR(ctx_->Reserve(0, "IN (subquery)"));
  if (count == 0) return MakeConst(Value::Bool(e.negated));
  return n;
}

}  // namespace infermetry::sql::exec
