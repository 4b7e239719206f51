// Syntax errors: PostgreSQL-like messages, each with its line and column, the line with a
// caret, and a hint.
#include <gtest/gtest.h>

#include "query/sql/parser/parser_test_util.h"

namespace infermetry::sql {
namespace {

struct ErrorCase {
  const char* sql;
  const char* message;  // the first line of the error, with its position
  const char* hint;     // a part of the HINT line
};

void ExpectError(const ErrorCase& c) {
  std::string m = ParseErrorOf(c.sql);
  std::string first = m.substr(0, m.find('\n'));
  EXPECT_EQ(first, c.message) << c.sql << "\n" << m;
  size_t hint = m.find("\nHINT: ");
  ASSERT_NE(hint, std::string::npos) << c.sql << "\n" << m;
  EXPECT_NE(m.find(c.hint, hint), std::string::npos) << c.sql << "\n" << m;
}

TEST(SqlParserError, MisspelledKeywords) {
  ErrorCase cases[] = {
      {"SELECT a FORM t", "syntax error at or near \"FORM\" at line 1, column 10",
       "Did you mean FROM?"},
      {"SELECT * FORM t", "syntax error at or near \"FORM\" at line 1, column 10",
       "Did you mean FROM?"},
      {"SELECT a FROM t WHER x = 1", "syntax error at or near \"WHER\" at line 1, column 17",
       "Did you mean WHERE?"},
      {"SELECT a\nFROM t\nWHERE x = 1\nGRUOP BY a",
       "syntax error at or near \"GRUOP\" at line 4, column 1", "Did you mean GROUP?"},
      {"SELECT a FROM t ODRER BY a", "syntax error at or near \"ODRER\" at line 1, column 17",
       "Did you mean ORDER?"},
      {"SELEC a FROM t", "syntax error at or near \"SELEC\" at line 1, column 1",
       "Did you mean SELECT?"},
      {"SELECT a FROM t WHERE name = 'x' ANDD value > 1",
       "syntax error at or near \"ANDD\" at line 1, column 34", "Did you mean AND?"},
  };
  for (const auto& c : cases) ExpectError(c);
}

TEST(SqlParserError, MissingCommaAndParentheses) {
  ErrorCase cases[] = {
      {"SELECT a b c FROM t", "syntax error at or near \"c\" at line 1, column 12",
       "Perhaps a comma is missing before \"c\""},
      {"SELECT a FROM t t2 t3", "syntax error at or near \"t3\" at line 1, column 20",
       "Perhaps a comma is missing"},
      {"SELECT round(a b) FROM t", "syntax error at or near \"b\" at line 1, column 16",
       "Perhaps a comma or the closing parenthesis for the one at line 1, column 13 is missing"},
      {"SELECT (a + b FROM t", "syntax error at or near \"FROM\" at line 1, column 15",
       "the closing parenthesis for the one at line 1, column 8 is missing"},
      {"SELECT count(*)) FROM t", "syntax error at or near \")\" at line 1, column 16",
       "no matching opening one"},
      {"SELECT count(* FROM t", "syntax error at or near \"FROM\" at line 1, column 16",
       "the closing parenthesis for the one at line 1, column 13 is missing"},
      {"SELECT a FROM t\nWHERE (x = 1\n  AND y = 2",
       "syntax error at end of input at line 3, column 12",
       "The parenthesis opened at line 2, column 7 is not closed"},
      {"SELECT a FROM t\nWHERE b = 1\n  AND c = ) ",
       "syntax error at or near \")\" at line 3, column 11", "no matching opening one"},
  };
  for (const auto& c : cases) ExpectError(c);
}

TEST(SqlParserError, LexicalAndLiteralErrors) {
  ErrorCase cases[] = {
      {"SELECT 'abc FROM t", "unterminated quoted string at line 1, column 8",
       "Close the string with a single quote"},
      {"SELECT a FROM t WHERE x = 'it's'", "unterminated quoted string at line 1, column 32",
       "write '' for a quote inside"},
      {"SELECT \"abc FROM t", "unterminated quoted identifier at line 1, column 8", "double quote"},
      {"SELECT 1 /* never closed", "unterminated /* comment at line 1, column 10", "*/"},
      {"SELECT now() - interval '5 minuts'",
       "invalid input syntax for type interval: \"5 minuts\" at line 1, column 25", "'5 minutes'"},
      {"SELECT timestamp '2024-01-01 25:00'",
       "date/time field value out of range: \"2024-01-01 25:00\" at line 1, column 18",
       "YYYY-MM-DD HH:MM:SS"},
      {"SELECT date 'soon'", "invalid input syntax for type date: \"soon\" at line 1, column 13",
       "YYYY-MM-DD"},
      {"SELECT x::int[] FROM t", "syntax error at or near \"[\" at line 1, column 14",
       "Arrays are not supported"},
      {"SELECT `a` FROM t", "syntax error at or near \"`\" at line 1, column 8", "double quotes"},
      {"SELECT $1", "syntax error at or near \"$\" at line 1, column 8", "Parameters"},
      {"SELECT 12abc",
       "trailing junk after numeric literal at or near \"12abc\" at line 1, column 8", "space"},
  };
  for (const auto& c : cases) ExpectError(c);
}

TEST(SqlParserError, ClauseErrors) {
  ErrorCase cases[] = {
      {"", "empty query at line 1, column 1", "SELECT"},
      {"SELECT", "syntax error at end of input at line 1, column 7", "SELECT list is empty"},
      {"SELECT FROM t", "syntax error at or near \"FROM\" at line 1, column 8",
       "SELECT list is empty"},
      {"SELECT a FROM", "syntax error at end of input at line 1, column 14", "a table name"},
      {"SELECT a FROM t WHERE", "syntax error at end of input at line 1, column 22",
       "an expression"},
      {"SELECT a FROM t JOIN u", "syntax error at end of input at line 1, column 23",
       "ON <condition> or USING"},
      {"SELECT a FROM t LEFT u ON true", "syntax error at or near \"u\" at line 1, column 22",
       "JOIN after LEFT"},
      {"SELECT a FROM t ORDER a", "syntax error at or near \"a\" at line 1, column 23",
       "BY after ORDER"},
      {"SELECT a FROM t GROUP a", "syntax error at or near \"a\" at line 1, column 23",
       "BY after GROUP"},
      {"SELECT order FROM t", "syntax error at or near \"order\" at line 1, column 8",
       "an expression"},
      {"SELECT a < b < c", "syntax error at or near \"<\" at line 1, column 14", "do not chain"},
      {"SELECT CASE WHEN a THEN 1", "syntax error at end of input at line 1, column 26",
       "END to finish the CASE"},
      {"SELECT CASE a END", "syntax error at or near \"END\" at line 1, column 15", "WHEN"},
      {"SELECT CAST(a bigint)", "syntax error at or near \"bigint\" at line 1, column 15",
       "AS and a type name"},
      {"SELECT a IS 5", "syntax error at or near \"5\" at line 1, column 13",
       "NULL, TRUE, FALSE or DISTINCT FROM"},
      {"SELECT x IN ()", "syntax error at or near \")\" at line 1, column 13",
       "at least one value"},
      {"SELECT a BETWEEN 1", "syntax error at end of input at line 1, column 19",
       "AND between the two bounds"},
      {"SELECT 1; SELECT 2", "only one statement is allowed per query at line 1, column 11",
       "its own request"},
      {"INSERT INTO t VALUES (1)", "syntax error at or near \"INSERT\" at line 1, column 1",
       "Only queries are accepted"},
      {"SELECT 1 LIMIT 1 LIMIT 2", "multiple LIMIT clauses not allowed at line 1, column 18",
       "one LIMIT"},
      {"(SELECT 1 ORDER BY 1) ORDER BY 1",
       "multiple ORDER BY clauses not allowed at line 1, column 23", "ORDER BY"},
      {"SELECT count(*) FILTER (x > 1) FROM t",
       "syntax error at or near \"x\" at line 1, column 25", "WHERE inside FILTER"},
      {"EXPLAIN (FOO) SELECT 1", "unrecognized EXPLAIN option \"foo\" at line 1, column 10",
       "ANALYZE"},
      {"SELECT a FROM t WHERE x = 1 x", "syntax error at or near \"x\" at line 1, column 29",
       "Perhaps a comma"},
  };
  for (const auto& c : cases) ExpectError(c);
}

TEST(SqlParserError, WithinGroupNeedsOrderBy) {
  ErrorCase cases[] = {
      {"SELECT percentile_cont(0.95) WITHIN GROUP (value) FROM t",
       "syntax error at or near \"value\" at line 1, column 44",
       "WITHIN GROUP takes (ORDER BY <expression>)"},
      {"SELECT percentile_cont(0.95) WITHIN GROUP ORDER BY value FROM t",
       "syntax error at or near \"ORDER\" at line 1, column 43",
       "WITHIN GROUP takes (ORDER BY <expression>)"},
      {"SELECT percentile_cont(0.95) WITHIN GROUP",
       "syntax error at end of input at line 1, column 42",
       "WITHIN GROUP takes (ORDER BY <expression>)"},
  };
  for (const auto& c : cases) ExpectError(c);
}

TEST(SqlParserError, UnsupportedConstructsSaySo) {
  ErrorCase cases[] = {
      {"SELECT sum(x) OVER (PARTITION BY y) FROM t",
       "OVER (a window function) is not supported at line 1, column 15", "GROUP BY"},
      {"SELECT DISTINCT ON (a) a FROM t", "DISTINCT ON is not supported at line 1, column 17",
       "GROUP BY"},
      {"WITH RECURSIVE t AS (SELECT 1) SELECT 1",
       "WITH RECURSIVE is not supported at line 1, column 6", "recursion"},
      {"SELECT 1 INTERSECT ALL SELECT 2", "INTERSECT ALL is not supported at line 1, column 20",
       "INTERSECT"},
      {"SELECT 1 EXCEPT ALL SELECT 2", "EXCEPT ALL is not supported at line 1, column 17",
       "EXCEPT"},
      {"SELECT * FROM generate_series(1, 3)",
       "a function in FROM (\"generate_series(...)\") is not supported at line 1, column 15",
       "subquery"},
      {"SELECT * FROM a NATURAL JOIN b", "NATURAL JOIN is not supported at line 1, column 17",
       "USING"},
      {"SELECT (1, 2)", "a row value (a, b, ...) is not supported at line 1, column 10", "IN"},
      {"SELECT string_agg(a, ',' ORDER BY a) FROM t",
       "ORDER BY inside an aggregate's arguments is not supported at line 1, column 26",
       "WITHIN GROUP"},
      {"SELECT a FROM t GROUP BY ROLLUP (a)",
       "grouping by ROLLUP, CUBE or GROUPING SETS is not supported at line 1, column 26",
       "UNION ALL"},
      {"VALUES (1)", "VALUES is not supported at line 1, column 1", "UNION ALL"},
      {"SELECT a FROM t, LATERAL (SELECT 1) x", "LATERAL is not supported at line 1, column 18",
       "subquery"},
  };
  for (const auto& c : cases) ExpectError(c);
}

TEST(SqlParserError, ReservedWordAsNameSuggestsQuoting) {
  std::string m = ParseErrorOf("SELECT a FROM select");
  EXPECT_NE(m.find("syntax error at or near \"select\" at line 1, column 15"), std::string::npos)
      << m;
  EXPECT_NE(m.find("\"select\" is a reserved word"), std::string::npos) << m;
}

TEST(SqlParserError, CaretPointsAtTheOffendingToken) {
  std::string m = ParseErrorOf("SELECT a\n  FROM t\n  WHER x = 1");
  EXPECT_EQ(m,
            "syntax error at or near \"WHER\" at line 3, column 3\n"
            "    WHER x = 1\n"
            "    ^\n"
            "HINT: Did you mean WHERE?");
}

}  // namespace
}  // namespace infermetry::sql
