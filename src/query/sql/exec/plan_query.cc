// Planning queries: WITH, set operations, ORDER BY, LIMIT/OFFSET; running subqueries.
#include <algorithm>

#include "common/strconv.h"
#include "query/sql/exec/cast.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/planner.h"

namespace infermetry::sql::exec {

std::string OutputName(const ast::Expr& e) {
  using K = ast::ExprKind;
  switch (e.kind) {
    case K::kColumn: return e.name;
    case K::kFunction: return e.name;
    case K::kCase: return "case";
    case K::kExtract: return "extract";
    case K::kExists: return "exists";
    case K::kCast: {
      std::string inner = OutputName(*e.args[0]);
      if (inner != "?column?") return inner;
      return e.cast_type;
    }
    default: return "?column?";
  }
}

Result<std::vector<Batch>> RunOperator(Operator* op, ExecContext* ctx) {
  INFERMETRY_RETURN_IF_ERROR(op->Open(ctx));
  std::vector<Batch> out;
  MemoryReservation mem(ctx, "result");
  while (true) {
    Batch b;
    INFERMETRY_ASSIGN_OR_RETURN(bool more, op->Next(&b));
    if (!more) break;
    INFERMETRY_RETURN_IF_ERROR(mem.Grow(BatchBytes(b)));
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::vector<Batch>> Planner::Run(const ast::Query& q, std::vector<ScopeCol>* cols) {
  INFERMETRY_ASSIGN_OR_RETURN(Rel rel, PlanQuery(q));
  *cols = rel.cols;
  return RunOperator(rel.op.get(), ctx_);
}

namespace {

Result<int64_t> LimitValue(Planner* p, const ast::Expr* e, const char* what, std::string_view sql,
                           ExecContext* ctx, bool* present) {
  *present = false;
  if (e == nullptr) return int64_t{0};
  std::vector<ScopeCol> none;
  Planner::BindCtx bc{&none, nullptr, what};
  INFERMETRY_ASSIGN_OR_RETURN(BExprPtr b, p->Bind(*e, bc));
  if (b->kind != BKind::kConst) return InvalidArgument(std::string(what) + " must be a constant");
  INFERMETRY_ASSIGN_OR_RETURN(Value v, CastValue(b->value, Type::kInt64));
  if (v.null) return int64_t{0};
  if (v.i < 0) return InvalidArgument(std::string(what) + " must not be negative");
  *present = true;
  (void)sql;
  (void)ctx;
  return v.i;
}

}  // namespace

Result<Rel> Planner::PlanQuery(const ast::Query& q) {
  size_t cte_mark = ctes_.size();
  for (const auto& c : q.with) ctes_.emplace_back(c.name, &c);
  struct Restore {
    std::vector<std::pair<std::string, const ast::CommonTable*>>* v;
    size_t n;
    ~Restore() { v->resize(n); }
  } restore{&ctes_, cte_mark};

  Rel rel;
  std::vector<SortKey> sort;
  size_t visible = 0;
  if (q.select) {
    INFERMETRY_ASSIGN_OR_RETURN(rel, PlanSelect(*q.select, q, &sort, &visible));
  } else {
    INFERMETRY_ASSIGN_OR_RETURN(rel, PlanSetOp(q));
    visible = rel.cols.size();
    // ORDER BY on a set operation: output names or ordinals.
    for (const auto& o : q.order_by) {
      const ast::Expr& e = *o.expr;
      size_t idx = SIZE_MAX;
      if (e.kind == ast::ExprKind::kLiteral && e.literal.type == Type::kInt64 && !e.literal.null) {
        if (e.literal.i < 1 || static_cast<size_t>(e.literal.i) > visible) {
          return Error(e.pos, "ORDER BY position " + std::to_string(e.literal.i) + " is not in select list");
        }
        idx = static_cast<size_t>(e.literal.i - 1);
      } else if (e.kind == ast::ExprKind::kColumn) {
        for (size_t i = 0; i < visible && idx == SIZE_MAX; ++i) {
          if (rel.cols[i].name == e.name || EqualsIgnoreCase(rel.cols[i].name, e.name)) idx = i;
        }
      }
      if (idx == SIZE_MAX) {
        return Error(e.pos, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause",
                     "Only result column names can be used, not expressions or functions.");
      }
      sort.push_back({idx, o.desc, o.nulls_first.value_or(o.desc)});
    }
  }
  if (!sort.empty()) {
    std::vector<std::string> names;
    for (const SortKey& k : sort) names.push_back(rel.cols[k.column].name);
    rel.op = std::make_unique<SortOp>(std::move(rel.op), sort, names);
  }
  bool has_limit = false, has_offset = false;
  INFERMETRY_ASSIGN_OR_RETURN(int64_t limit, LimitValue(this, q.limit.get(), "LIMIT", sql_, ctx_, &has_limit));
  INFERMETRY_ASSIGN_OR_RETURN(int64_t offset, LimitValue(this, q.offset.get(), "OFFSET", sql_, ctx_, &has_offset));
  if (has_limit || has_offset) {
    rel.op = std::make_unique<LimitOp>(std::move(rel.op), has_limit ? std::optional<int64_t>(limit) : std::nullopt,
                                       offset);
  }
  if (visible < rel.cols.size()) {
    std::vector<BExprPtr> keep;
    for (size_t i = 0; i < visible; ++i) keep.push_back(MakeColumn(i, rel.cols[i].type, rel.cols[i].name));
    rel.op = std::make_unique<ProjectOp>(std::move(rel.op), std::move(keep));
    rel.cols.resize(visible);
  }
  return rel;
}

Result<Rel> Planner::PlanSetOp(const ast::Query& q) {
  INFERMETRY_ASSIGN_OR_RETURN(Rel l, PlanQuery(*q.left));
  INFERMETRY_ASSIGN_OR_RETURN(Rel r, PlanQuery(*q.right));
  static const char* kNames[] = {"", "UNION", "UNION", "INTERSECT", "EXCEPT"};
  const char* name = kNames[static_cast<int>(q.set_op)];
  if (l.cols.size() != r.cols.size()) {
    return Error(q.right->pos, std::string("each ") + name + " query must have the same number of columns");
  }
  // Unify column types; NULL-typed columns take the other side's type.
  std::vector<Type> types;
  bool lcast = false, rcast = false;
  for (size_t i = 0; i < l.cols.size(); ++i) {
    Type a = l.cols[i].type, b = r.cols[i].type, t;
    if (a == b) t = a;
    else if (a == Type::kNull) t = b;
    else if (b == Type::kNull) t = a;
    else if (IsNumeric(a) && IsNumeric(b)) t = Type::kFloat64;
    else {
      return Error(q.right->pos, std::string(name) + " types " + std::string(TypeName(a)) + " and " +
                                     std::string(TypeName(b)) + " cannot be matched");
    }
    types.push_back(t);
    lcast |= a != t;
    rcast |= b != t;
  }
  auto cast_all = [&](Rel* rel) {
    std::vector<BExprPtr> exprs;
    for (size_t i = 0; i < rel->cols.size(); ++i) {
      BExprPtr c = MakeColumn(i, rel->cols[i].type, rel->cols[i].name);
      if (c->type != types[i]) {
        auto k = std::make_unique<BExpr>();
        k->kind = BKind::kCast;
        k->type = types[i];
        k->args.push_back(std::move(c));
        c = std::move(k);
      }
      exprs.push_back(std::move(c));
      rel->cols[i].type = types[i];
    }
    rel->op = std::make_unique<ProjectOp>(std::move(rel->op), std::move(exprs));
  };
  if (lcast) cast_all(&l);
  if (rcast) cast_all(&r);
  SetOpKind kind = q.set_op == ast::Query::SetOp::kUnionAll ? SetOpKind::kUnionAll
                   : q.set_op == ast::Query::SetOp::kUnion  ? SetOpKind::kUnion
                   : q.set_op == ast::Query::SetOp::kIntersect ? SetOpKind::kIntersect
                                                               : SetOpKind::kExcept;
  Rel out;
  out.cols = l.cols;
  for (ScopeCol& c : out.cols) c.scan = nullptr, c.pushable = false, c.table.clear(), c.hidden = false;
  out.op = std::make_unique<SetOp>(std::move(l.op), std::move(r.op), kind);
  return out;
}

}  // namespace infermetry::sql::exec
