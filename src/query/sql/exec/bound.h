#pragma once
// Bound expressions: the binder's output, typed and resolved to input column indexes, which
// the evaluator (expr_eval.h) computes a column at a time.

#include <memory>
#include <string>
#include <vector>

#include "query/sql/value.h"

namespace infermetry::sql::exec {

struct FunctionDef;

enum class BKind {
  kConst,       // value
  kColumn,      // column (index into the input batch)
  kArith,       // op in + - * / % ^ on args[0], args[1] (types already promoted)
  kNeg,         // -args[0]
  kCompare,     // op in = <> < <= > >= on args of one type
  kAnd,         // args (2), three-valued
  kOr,
  kNot,
  kCall,        // fn->scalar over args
  kCase,        // args: when0, then0, when1, then1, ..., [else]; has_else
  kCast,        // args[0] to `type`; date truncates to the day
  kIsNull,      // negated
  kIsBool,      // args[0] IS [NOT] value.i
  kIsDistinct,  // negated
  kInList,      // args[0] IN args[1..]; negated
  kLike,        // args[0] LIKE args[1] [ESCAPE args[2]]; negated, case_insensitive
};

struct BExpr {
  BKind kind = BKind::kConst;
  Type type = Type::kNull;
  Value value;
  size_t column = 0;
  std::string op;
  const FunctionDef* fn = nullptr;
  std::vector<std::unique_ptr<BExpr>> args;
  bool negated = false;
  bool case_insensitive = false;
  bool has_else = false;
  bool date = false;
  bool unknown_literal = false;
  bool numeric = false;      // a double that PostgreSQL would type numeric (from numbers
                             // written in the query): rounds half away from zero
  bool metric_name = false;  // kColumn: a metric table's `name` column (constants compared
                             // with it are made canonical, docs/sql.md "Metric names")  // kConst from a bare string literal: its type comes from context
  std::string name;  // kColumn: the column's name (for EXPLAIN and fingerprints)
};
using BExprPtr = std::unique_ptr<BExpr>;

BExprPtr MakeConst(Value v);
BExprPtr MakeColumn(size_t index, Type type, std::string name);
BExprPtr CloneExpr(const BExpr& e);
// True when `e` reads input column `col`.
bool ReadsColumn(const BExpr& e, size_t col);
// A readable form, also used to recognize equal expressions (GROUP BY keys, repeated
// aggregates): "date_trunc('minute', p_timestamp)".
std::string ExprToString(const BExpr& e);
// ExprToString with column indexes: equal only for the same computation on the same columns.
std::string ExprFingerprint(const BExpr& e);
// True when the expression reads no column (it can be folded to a constant).
bool IsConstantExpr(const BExpr& e);

}  // namespace infermetry::sql::exec
