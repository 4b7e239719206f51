#pragma once
// The tree back to SQL text that parses to the same tree (positions aside): for EXPLAIN,
// error messages and tests. Every operator is parenthesized, identifiers are quoted when
// they must be, floats are printed with the fewest digits that read back as the same double,
// interval and timestamp literals as interval '...' and timestamp '...'. Because of the
// parentheses, a tree close to the parser's nesting limit may print to SQL beyond it.
//
//   ToSql(*ParseSql("select a+b*2 from t")->query) == "SELECT (a + (b * 2)) FROM t"

#include <string>

#include "query/sql/ast.h"

namespace infermetry::sql {

std::string ToSql(const ast::Statement& st);
std::string ToSql(const ast::Query& q);
std::string ToSql(const ast::Expr& e);
std::string ToSql(const ast::TableRef& t);

// An identifier as SQL: bare when PostgreSQL would read it back unchanged, else "quoted".
std::string QuoteIdent(const std::string& name);

}  // namespace infermetry::sql
