#pragma once
// The PostgreSQL-dialect SQL parser: one statement of text to the tree in query/sql/ast.h.
//
//   Result<ast::Statement> st = ParseSql("SELECT name, avg(value) FROM m GROUP BY 1");
//
// Accepts one query (SELECT, WITH, UNION [ALL] / INTERSECT / EXCEPT, optional EXPLAIN
// [ANALYZE] or EXPLAIN (ANALYZE, ...)) with optional trailing ';'s. The tree follows ast.h;
// in addition:
//   - `pos` is the byte offset where the node's text starts: a binary operator, IS, IN,
//     BETWEEN and LIKE node starts at its left operand; NOT EXISTS at NOT; a negative
//     constant at its minus sign; a typed literal (interval '1 hour') at the type name.
//   - A minus sign before a bare number is folded into the constant (-1 is a kLiteral,
//     -9223372036854775808 a bigint); integers that do not fit int64, and all numbers with a
//     '.' or an exponent, are kFloat64.
//   - interval '...', timestamp [with|without time zone] '...', timestamptz '...' and
//     date '...' are literals (date at midnight, kTimestamp); other `type 'text'` forms are
//     casts of an unknown-typed string. Bad interval/timestamp text is a parse error at the
//     string.
//   - cast_type is one of "bigint", "integer", "smallint", "double precision", "real",
//     "numeric", "text" (also for varchar(n), char(n), character varying), "boolean",
//     "timestamp", "timestamptz", "time", "timetz", "date", "interval"; any other type name
//     is passed on as written (lower-cased unless quoted), for the planner to reject.
//   - Functions written with special syntax become plain calls: current_timestamp and
//     localtimestamp -> now(), current_date -> current_date(), current_time -> current_time(),
//     x AT TIME ZONE z -> timezone(z, x), position(a IN b) -> strpos(b, a),
//     substring(s FROM a FOR n) -> substring(s, a, n), trim([both|leading|trailing] [c] FROM s)
//     -> btrim/ltrim/rtrim(s [, c]). COALESCE, NULLIF, GREATEST, LEAST are calls as written.
//   - Table names may be qualified (schema.table); the qualifier is dropped.
//   - A parenthesized query used as an operand keeps its own ORDER BY / LIMIT; clauses after
//     a parenthesized single query attach to it, as in PostgreSQL.
// Not supported, each with its own error: window functions, DISTINCT ON, WITH RECURSIVE,
// INTERSECT/EXCEPT ALL, LATERAL, NATURAL JOIN, functions in FROM, row values, VALUES,
// GROUPING SETS/ROLLUP/CUBE, ORDER BY inside aggregate arguments, arrays, parameters.
//
// Errors are Code::kParseError statuses built by SqlError (query/sql/error.h): a
// PostgreSQL-like message ("syntax error at or near \"FORM\"", "syntax error at end of
// input", "unterminated quoted string", "invalid input syntax for type interval: ..."), the
// line and column, the offending line with a caret, and a hint (a misspelled keyword, a
// missing comma, an unclosed or unmatched parenthesis, what was expected). Never crashes:
// nesting deeper than kMaxSqlDepth levels, and more than 10000 chained operators, are errors.

#include <string_view>

#include "common/result.h"
#include "query/sql/ast.h"

namespace infermetry::sql {

inline constexpr int kMaxSqlDepth = 200;

Result<ast::Statement> ParseSql(std::string_view sql);

}  // namespace infermetry::sql
