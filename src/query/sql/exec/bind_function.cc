// Binding function calls (scalar ones through the function table) and aggregates: the
// aggregate-query mode that maps GROUP BY expressions and aggregate calls to the output of
// the HashAggregate operator.
#include <algorithm>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/planner.h"

namespace infermetry::sql::exec {

bool IsAggregateCall(const ast::Expr& e) {
  if (e.kind != ast::ExprKind::kFunction) return false;
  const FunctionDef* f = FindFunction(e.name);
  return f != nullptr && f->kind == FnKind::kAggregate;
}

bool ContainsAggregate(const ast::Expr& e) {
  if (IsAggregateCall(e)) return true;
  for (const auto& a : e.args) if (a && ContainsAggregate(*a)) return true;
  if (e.case_operand && ContainsAggregate(*e.case_operand)) return true;
  for (const auto& [w, t] : e.whens) {
    if (ContainsAggregate(*w) || ContainsAggregate(*t)) return true;
  }
  if (e.else_expr && ContainsAggregate(*e.else_expr)) return true;
  return false;
}

namespace {

bool ContainsColumn(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::kColumn || e.kind == ast::ExprKind::kStar) return true;
  for (const auto& a : e.args) if (a && ContainsColumn(*a)) return true;
  if (e.case_operand && ContainsColumn(*e.case_operand)) return true;
  for (const auto& [w, t] : e.whens) if (ContainsColumn(*w) || ContainsColumn(*t)) return true;
  if (e.else_expr && ContainsColumn(*e.else_expr)) return true;
  for (const auto& o : e.within_group) if (ContainsColumn(*o.expr)) return true;
  return false;
}

std::string Signature(const std::string& name, const std::vector<BExprPtr>& args) {
  std::string s = name + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    s += (i ? ", " : "");
    s += args[i]->unknown_literal ? "unknown" : std::string(TypeName(args[i]->type));
  }
  return s + ")";
}

}  // namespace

Result<BExprPtr> Planner::BindFunction(const ast::Expr& e, BindCtx& bc) {
  const FunctionDef* f = FindFunction(e.name);
  if (f != nullptr && f->kind == FnKind::kAggregate) {
    bool nested = bc.agg || std::string_view(bc.clause) == "aggregate function calls";
    return Error(e.pos, nested ? "aggregate function calls cannot be nested"
                               : std::string("aggregate functions are not allowed in ") + bc.clause);
  }
  std::vector<BExprPtr> args;
  for (const auto& a : e.args) {
    INFERMETRY_ASSIGN_OR_RETURN(BExprPtr b, Bind(*a, bc));
    args.push_back(std::move(b));
  }
  std::vector<Type> types;
  for (const auto& a : args) types.push_back(a->unknown_literal ? Type::kNull : a->type);
  std::vector<Type> cast_to;
  Type ret = Type::kNull;
  int n = static_cast<int>(args.size());
  bool ok = f != nullptr && n >= f->min_args && (f->max_args < 0 || n <= f->max_args) &&
            f->resolve(types, &cast_to, &ret);
  if (!ok) {
    std::string hint = "No function matches the given name and argument types. You might need to add explicit type casts.";
    if (f == nullptr) {
      std::string best;
      size_t best_d = SIZE_MAX;
      for (const FunctionDef& d : AllFunctions()) {
        size_t dist = EditDistance(e.name, d.name);
        if (dist < best_d) { best_d = dist; best = std::string(d.name); }
      }
      if (best_d <= std::max<size_t>(1, e.name.size() / 3)) hint = "Perhaps you meant function \"" + best + "\".";
    }
    return Error(e.pos, "function " + Signature(e.name, args) + " does not exist", hint);
  }
  // round(x) of a computed double is PostgreSQL's round(double precision): half to even.
  if (f->name == "round" && args.size() == 1 && !args[0]->numeric &&
      args[0]->type == Type::kFloat64) {
    f = FindFunction("round_half_even");
  }
  auto call = std::make_unique<BExpr>();
  call->kind = BKind::kCall;
  call->fn = f;
  call->type = ret;
  for (size_t i = 0; i < args.size(); ++i) {
    if (cast_to[i] != args[i]->type || args[i]->unknown_literal) {
      Type want = cast_to[i];
      if (want == Type::kText && !args[i]->unknown_literal && args[i]->type != Type::kNull) {
        // 'a' (any) arguments keep their type; explicit text parameters need text
        if (args[i]->type != Type::kText) {
          auto c = std::make_unique<BExpr>();
          c->kind = BKind::kCast;
          c->type = Type::kText;
          c->args.push_back(std::move(args[i]));
          args[i] = std::move(c);
        }
      } else {
        INFERMETRY_ASSIGN_OR_RETURN(args[i], Coerce(std::move(args[i]), want, e.args[i]->pos));
      }
    }
    call->args.push_back(std::move(args[i]));
  }
  return call;
}

Result<BExprPtr> Planner::BindAggregate(const ast::Expr& e, BindCtx& bc) {
  AggCtx& agg = *bc.agg;
  BindCtx plain{agg.input, nullptr, "aggregate function calls"};
  if (IsAggregateCall(e)) {
    const FunctionDef* f = FindFunction(e.name);
    AggSpec spec;
    spec.fn = f;
    spec.distinct = e.distinct;
    std::vector<BExprPtr> args;
    bool ordered = e.name == "percentile_cont" || e.name == "percentile_disc";
    if (ordered) {
      if (e.within_group.size() != 1 || e.args.size() != 1) {
        return Error(e.pos, "function " + e.name + " needs one fraction and WITHIN GROUP (ORDER BY one expression)");
      }
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr q, Bind(*e.args[0], plain));
      INFERMETRY_ASSIGN_OR_RETURN(q, Coerce(std::move(q), Type::kFloat64, e.args[0]->pos));
      if (q->kind != BKind::kConst) return Error(e.args[0]->pos, "the percentile fraction must be a constant");
      if (q->value.null) return Error(e.args[0]->pos, "the percentile fraction must not be NULL");
      spec.opts.fraction = q->value.d;
      spec.opts.desc = e.within_group[0].desc;
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr x, Bind(*e.within_group[0].expr, plain));
      args.push_back(std::move(x));
    } else if (!e.within_group.empty()) {
      return Error(e.pos, "WITHIN GROUP is only allowed for ordered-set aggregates (percentile_cont, percentile_disc)");
    } else if (!e.star) {
      for (const auto& a : e.args) {
        INFERMETRY_ASSIGN_OR_RETURN(BExprPtr b, Bind(*a, plain));
        args.push_back(std::move(b));
      }
    }
    if (e.name == "string_agg" && args.size() == 2) {
      INFERMETRY_ASSIGN_OR_RETURN(BExprPtr sep, Coerce(std::move(args[1]), Type::kText, e.pos));
      if (sep->kind != BKind::kConst) return Error(e.args[1]->pos, "the string_agg separator must be a constant");
      spec.opts.separator = sep->value.null ? "" : sep->value.s;
      args.pop_back();
    }
    std::vector<Type> types;
    for (const auto& a : args) types.push_back(a->unknown_literal ? Type::kNull : a->type);
    std::vector<Type> cast_to;
    Type ret = Type::kNull;
    int n = static_cast<int>(args.size()) + (e.name == "string_agg" ? 1 : 0);
    if (e.name == "string_agg") types.push_back(Type::kText);
    bool ok = n >= f->min_args && (f->max_args < 0 || n <= f->max_args) && f->resolve(types, &cast_to, &ret);
    if (!ok || (e.star && e.name != "count")) {
      std::string sig = e.name + "(";
      for (size_t i = 0; i < types.size(); ++i) sig += (i ? ", " : "") + std::string(TypeName(types[i]));
      return Error(e.pos, "function " + sig + ") does not exist",
                   "No function matches the given name and argument types. You might need to add explicit type casts.");
    }
    if (!args.empty()) {
      INFERMETRY_ASSIGN_OR_RETURN(spec.arg, Coerce(std::move(args[0]), cast_to[0], e.pos));
      spec.opts.arg_type = spec.arg->type;
    }
    spec.opts.ret = ret;
    if (e.filter) {
      INFERMETRY_ASSIGN_OR_RETURN(spec.filter, Bind(*e.filter, plain));
      INFERMETRY_ASSIGN_OR_RETURN(spec.filter, Coerce(std::move(spec.filter), Type::kBool, e.filter->pos));
    }
    if (e.star) spec.fn = f, spec.opts.ret = Type::kInt64;
    spec.display = e.name + "(" + (e.distinct ? "DISTINCT " : "") +
                   (e.star ? "*" : spec.arg ? ExprToString(*spec.arg) : "") +
                   (spec.opts.separator.empty() ? "" : ", '" + spec.opts.separator + "'") + ")";
    if (ordered) {
      std::string q;
      AppendFloat8(&q, spec.opts.fraction);
      spec.display = e.name + "(" + q + ") WITHIN GROUP (ORDER BY " + ExprToString(*spec.arg) +
                     (spec.opts.desc ? " DESC" : "") + ")";
    }
    if (spec.filter) spec.display += " FILTER (WHERE " + ExprToString(*spec.filter) + ")";
    std::string fp = spec.display + "|" + (spec.arg ? ExprFingerprint(*spec.arg) : "") + "|" +
                     (spec.filter ? ExprFingerprint(*spec.filter) : "");
    size_t idx = std::find(agg.agg_fps.begin(), agg.agg_fps.end(), fp) - agg.agg_fps.begin();
    if (idx == agg.aggs.size()) {
      agg.agg_fps.push_back(fp);
      agg.aggs.push_back(std::move(spec));
    }
    const AggSpec& s = agg.aggs[idx];
    BExprPtr col = MakeColumn(agg.keys.size() + idx, s.opts.ret, s.display);
    // sum/avg of integers or numerics are numeric in PostgreSQL.
    col->numeric = (e.name == "sum" || e.name == "avg") && s.arg &&
                   (s.arg->type == Type::kInt64 || s.arg->numeric);
    return col;
  }
  if (!ContainsAggregate(e) && ContainsColumn(e) && e.kind != ast::ExprKind::kInSubquery &&
      e.kind != ast::ExprKind::kSubquery && e.kind != ast::ExprKind::kExists) {
    INFERMETRY_ASSIGN_OR_RETURN(BExprPtr b, Bind(e, plain));
    std::string fp = ExprFingerprint(*b);
    for (size_t k = 0; k < agg.keys.size(); ++k) {
      if (agg.key_fps[k] == fp) return MakeColumn(k, b->type, ExprToString(*b));
    }
    if (e.kind == ast::ExprKind::kColumn) {
      std::string full = e.table.empty() ? e.name : e.table + "." + e.name;
      return Error(e.pos, "column \"" + full + "\" must appear in the GROUP BY clause or be used in an aggregate function");
    }
  }
  if (e.kind == ast::ExprKind::kStar) {
    return Error(e.pos, "column \"*\" must appear in the GROUP BY clause or be used in an aggregate function");
  }
  return BindNode(e, bc);
}

}  // namespace infermetry::sql::exec
