#pragma once
// The syntax tree the parser (parser/) produces and the planner (exec/) consumes. Plain data;
// every node carries `pos`, the byte offset in the SQL text where it starts, for error messages.
//
// Identifiers are stored as written after PostgreSQL's folding: unquoted ones lower-cased,
// double-quoted ones exact ("gen_ai.usage.completion_tokens" stays as is).

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "query/sql/value.h"

namespace infermetry::sql::ast {

struct Query;
struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct OrderItem {
  ExprPtr expr;
  bool desc = false;
  std::optional<bool> nulls_first;  // unset: PostgreSQL's default (NULLS LAST for ASC)
};

enum class ExprKind {
  kLiteral,    // literal: 1, 2.5 (kFloat64), 'text', TRUE, NULL, interval '1 hour' (kInterval),
               //   timestamp '2024-01-01 00:00:00' (kTimestamp); `literal_unknown` marks a
               //   bare string literal whose type comes from context, as in PostgreSQL
  kColumn,     // [table.]column                       -> table (may be ""), name
  kStar,       // * or table.*                         -> table (may be "")
  kUnary,      // op in {"-", "+", "NOT"}               -> args[0]
  kBinary,     // op in {"+","-","*","/","%","^","||","=","<>","<","<=",">",">=","AND","OR"}
               //   ("!=" is parsed as "<>")           -> args[0], args[1]
  kFunction,   // name(args) with distinct, star (count(*)), within_group (percentile_*),
               //   filter (agg FILTER (WHERE ...)); name lower-cased
  kCase,       // CASE [operand] WHEN .. THEN .. [ELSE ..] END -> case_operand, whens, else_expr
  kCast,       // CAST(x AS t) and x::t                -> args[0], cast_type (lower-cased,
               //   normalized: "bigint", "integer", "double precision", "numeric", "text",
               //   "timestamp", "timestamptz", "interval", "boolean", "date", "real", ...)
  kIsNull,     // x IS [NOT] NULL                      -> args[0], negated
  kIsBool,     // x IS [NOT] TRUE/FALSE                -> args[0], negated, literal (bool)
  kIsDistinct, // x IS [NOT] DISTINCT FROM y           -> args[0], args[1], negated
  kInList,     // x [NOT] IN (a, b, ...)               -> args[0] = x, args[1..] = list
  kInSubquery, // x [NOT] IN (SELECT ...)              -> args[0], subquery
  kBetween,    // x [NOT] BETWEEN a AND b              -> args[0..2], negated
  kLike,       // x [NOT] LIKE|ILIKE p [ESCAPE e]      -> args[0], args[1], [args[2]],
               //   negated, case_insensitive
  kSubquery,   // (SELECT ...) as a scalar             -> subquery
  kExists,     // [NOT] EXISTS (SELECT ...)            -> subquery, negated
  kExtract,    // EXTRACT(field FROM x)                -> field (lower-cased), args[0]
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  int pos = 0;

  Value literal;               // kLiteral, kIsBool
  bool literal_unknown = false;

  std::string table;           // kColumn, kStar
  std::string name;            // kColumn (column), kFunction (function)
  std::string op;              // kUnary, kBinary
  std::vector<ExprPtr> args;

  bool distinct = false;       // kFunction
  bool star = false;           // kFunction: count(*)
  std::vector<OrderItem> within_group;  // kFunction
  ExprPtr filter;              // kFunction: FILTER (WHERE ...)

  ExprPtr case_operand;        // kCase
  std::vector<std::pair<ExprPtr, ExprPtr>> whens;
  ExprPtr else_expr;

  std::string cast_type;       // kCast
  std::string field;           // kExtract
  bool negated = false;
  bool case_insensitive = false;
  std::unique_ptr<Query> subquery;
};

struct SelectItem {
  ExprPtr expr;       // kStar for * / t.*
  std::string alias;  // "" when none was written
};

struct TableRef {
  enum class Kind { kTable, kSubquery, kJoin };
  enum class JoinType { kInner, kLeft, kRight, kFull, kCross };
  Kind kind = Kind::kTable;
  int pos = 0;
  std::string name;                 // kTable
  std::string alias;                // kTable, kSubquery ("" when none)
  std::vector<std::string> column_aliases;  // AS t(a, b)
  std::unique_ptr<Query> subquery;  // kSubquery
  JoinType join = JoinType::kInner; // kJoin; a FROM list "a, b" is a kCross join
  std::unique_ptr<TableRef> left, right;
  ExprPtr on;                       // kJoin with ON
  std::vector<std::string> using_columns;  // kJoin with USING
};

struct Select {
  int pos = 0;
  bool distinct = false;
  std::vector<SelectItem> items;
  std::unique_ptr<TableRef> from;  // null: SELECT without FROM
  ExprPtr where;
  std::vector<ExprPtr> group_by;   // integer literals are ordinals (GROUP BY 1)
  ExprPtr having;
};

struct CommonTable {
  std::string name;
  std::vector<std::string> columns;  // WITH t(a, b) AS (...)
  std::unique_ptr<Query> query;
};

// A query: a SELECT, or a set operation of two queries, with WITH, ORDER BY, LIMIT, OFFSET.
struct Query {
  int pos = 0;
  std::vector<CommonTable> with;
  std::unique_ptr<Select> select;  // set when this is a plain SELECT
  enum class SetOp { kNone, kUnionAll, kUnion, kIntersect, kExcept };
  SetOp set_op = SetOp::kNone;     // else left `set_op` right
  std::unique_ptr<Query> left, right;
  std::vector<OrderItem> order_by;  // integer literals are ordinals, names may be output aliases
  ExprPtr limit;                    // null: none (LIMIT ALL too)
  ExprPtr offset;
};

struct Statement {
  bool explain = false;  // EXPLAIN [ANALYZE] <query>
  bool analyze = false;
  std::unique_ptr<Query> query;
};

}  // namespace infermetry::sql::ast
