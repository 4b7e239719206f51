#pragma once
// Helpers for the parser tests.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "query/sql/parser/deparse.h"
#include "query/sql/parser/parser.h"

namespace infermetry::sql {

inline ast::Statement MustParse(std::string_view sql) {
  auto r = ParseSql(sql);
  EXPECT_TRUE(r.ok()) << sql << "\n" << r.status().message();
  if (!r.ok()) return ast::Statement{};
  return std::move(r).value();
}

// The first select item of "SELECT <expr>" as fully parenthesized SQL.
inline std::string ExprSql(std::string_view expr) {
  ast::Statement st = MustParse("SELECT " + std::string(expr));
  if (!st.query || !st.query->select || st.query->select->items.empty()) return "<none>";
  return ToSql(*st.query->select->items[0].expr);
}

// The error message of a query that must fail to parse.
inline std::string ParseErrorOf(std::string_view sql) {
  auto r = ParseSql(sql);
  EXPECT_FALSE(r.ok()) << sql;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Code::kParseError) << r.status().message();
  return r.status().message();
}

}  // namespace infermetry::sql
