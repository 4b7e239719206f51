#include "query/sql/exec/bound.h"

#include "query/sql/exec/cast.h"
#include "query/sql/exec/functions.h"

namespace infermetry::sql::exec {

BExprPtr MakeConst(Value v) {
  auto e = std::make_unique<BExpr>();
  e->kind = BKind::kConst;
  e->type = v.type;
  e->value = std::move(v);
  return e;
}

BExprPtr MakeColumn(size_t index, Type type, std::string name) {
  auto e = std::make_unique<BExpr>();
  e->kind = BKind::kColumn;
  e->type = type;
  e->column = index;
  e->name = std::move(name);
  return e;
}

BExprPtr CloneExpr(const BExpr& e) {
  auto c = std::make_unique<BExpr>();
  c->kind = e.kind;
  c->type = e.type;
  c->value = e.value;
  c->column = e.column;
  c->op = e.op;
  c->fn = e.fn;
  c->negated = e.negated;
  c->case_insensitive = e.case_insensitive;
  c->has_else = e.has_else;
  c->date = e.date;
  c->name = e.name;
  c->unknown_literal = e.unknown_literal;
  c->metric_name = e.metric_name;
  c->numeric = e.numeric;
  for (const auto& a : e.args) c->args.push_back(CloneExpr(*a));
  return c;
}

bool IsConstantExpr(const BExpr& e) {
  if (e.kind == BKind::kColumn) return false;
  for (const auto& a : e.args) {
    if (!IsConstantExpr(*a)) return false;
  }
  return true;
}

namespace {

std::string Literal(const Value& v) {
  if (v.null) return "NULL";
  switch (v.type) {
    case Type::kText: return "'" + v.s + "'";
    case Type::kTimestamp: return "'" + ValueToText(v) + "'::timestamp";
    case Type::kInterval: return "'" + ValueToText(v) + "'::interval";
    default: return ValueToText(v);
  }
}

std::string Join(const BExpr& e, size_t from) {
  std::string s;
  for (size_t i = from; i < e.args.size(); ++i) {
    if (i > from) s += ", ";
    s += ExprToString(*e.args[i]);
  }
  return s;
}

}  // namespace

namespace {
thread_local bool g_with_index = false;
}  // namespace

std::string ExprFingerprint(const BExpr& e) {
  bool saved = g_with_index;
  g_with_index = true;
  std::string s = ExprToString(e);
  g_with_index = saved;
  return s;
}

std::string ExprToString(const BExpr& e) {
  switch (e.kind) {
    case BKind::kConst: return Literal(e.value);
    case BKind::kColumn:
      if (g_with_index) return e.name + "#" + std::to_string(e.column);
      return e.name.empty() ? "#" + std::to_string(e.column) : e.name;
    case BKind::kArith:
    case BKind::kCompare:
      return "(" + ExprToString(*e.args[0]) + " " + e.op + " " + ExprToString(*e.args[1]) + ")";
    case BKind::kNeg: return "(- " + ExprToString(*e.args[0]) + ")";
    case BKind::kAnd: return "(" + ExprToString(*e.args[0]) + " AND " + ExprToString(*e.args[1]) + ")";
    case BKind::kOr: return "(" + ExprToString(*e.args[0]) + " OR " + ExprToString(*e.args[1]) + ")";
    case BKind::kNot: return "(NOT " + ExprToString(*e.args[0]) + ")";
    case BKind::kCall:
      if (e.fn->name == "||") return "(" + ExprToString(*e.args[0]) + " || " + ExprToString(*e.args[1]) + ")";
      return std::string(e.fn->name) + "(" + Join(e, 0) + ")";
    case BKind::kCase: {
      std::string s = "CASE";
      size_t whens = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
      for (size_t w = 0; w < whens; ++w) {
        s += " WHEN " + ExprToString(*e.args[2 * w]) + " THEN " + ExprToString(*e.args[2 * w + 1]);
      }
      if (e.has_else) s += " ELSE " + ExprToString(*e.args.back());
      return s + " END";
    }
    case BKind::kCast:
      return ExprToString(*e.args[0]) + "::" + (e.date ? "date" : std::string(TypeName(e.type)));
    case BKind::kIsNull: return "(" + ExprToString(*e.args[0]) + (e.negated ? " IS NOT NULL)" : " IS NULL)");
    case BKind::kIsBool:
      return "(" + ExprToString(*e.args[0]) + (e.negated ? " IS NOT " : " IS ") + (e.value.i ? "TRUE)" : "FALSE)");
    case BKind::kIsDistinct:
      return "(" + ExprToString(*e.args[0]) + (e.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") +
             ExprToString(*e.args[1]) + ")";
    case BKind::kInList:
      return "(" + ExprToString(*e.args[0]) + (e.negated ? " NOT IN (" : " IN (") + Join(e, 1) + "))";
    case BKind::kLike: {
      std::string s = "(" + ExprToString(*e.args[0]) + (e.negated ? " NOT" : "") +
                      (e.case_insensitive ? " ILIKE " : " LIKE ") + ExprToString(*e.args[1]);
      if (e.args.size() > 2) s += " ESCAPE " + ExprToString(*e.args[2]);
      return s + ")";
    }
  }
  return "?";
}

bool ReadsColumn(const BExpr& e, size_t col) {
  if (e.kind == BKind::kColumn && e.column == col) return true;
  for (const auto& a : e.args) {
    if (ReadsColumn(*a, col)) return true;
  }
  return false;
}

}  // namespace infermetry::sql::exec
