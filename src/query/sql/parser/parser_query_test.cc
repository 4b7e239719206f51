// Queries: SELECT clauses, FROM and joins, WITH, set operations, ORDER BY / LIMIT / OFFSET,
// EXPLAIN, and the Parseable guide's ten queries (parse, print, parse again).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "query/sql/parser/parser_test_util.h"

namespace infermetry::sql {
namespace {

using ast::ExprKind;
using ast::Query;
using ast::TableRef;

std::string RoundTrip(std::string_view sql) {
  ast::Statement st = MustParse(sql);
  return st.query ? ToSql(st) : "<error>";
}

TEST(SqlParserQuery, SelectClauses) {
  auto st = MustParse(
      "SELECT DISTINCT name AS n, value v, count(*) FROM vLLMmetrics WHERE value > 0 "
      "GROUP BY 1, name HAVING count(*) > 1 ORDER BY 2 DESC NULLS LAST, n ASC, 3 NULLS FIRST "
      "LIMIT 10 OFFSET 5 ROWS;");
  const Query& q = *st.query;
  ASSERT_NE(q.select, nullptr);
  const ast::Select& s = *q.select;
  EXPECT_TRUE(s.distinct);
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_EQ(s.items[0].alias, "n");
  EXPECT_EQ(s.items[1].alias, "v");
  EXPECT_EQ(s.items[2].alias, "");
  ASSERT_NE(s.from, nullptr);
  EXPECT_EQ(s.from->kind, TableRef::Kind::kTable);
  EXPECT_EQ(s.from->name, "vllmmetrics");
  EXPECT_EQ(s.from->alias, "");
  EXPECT_EQ(s.where->op, ">");
  ASSERT_EQ(s.group_by.size(), 2u);
  EXPECT_EQ(s.group_by[0]->literal.i, 1);  // an ordinal
  EXPECT_EQ(s.group_by[1]->name, "name");
  EXPECT_EQ(s.having->op, ">");
  ASSERT_EQ(q.order_by.size(), 3u);
  EXPECT_TRUE(q.order_by[0].desc);
  EXPECT_EQ(q.order_by[0].nulls_first, false);
  EXPECT_FALSE(q.order_by[1].desc);
  EXPECT_FALSE(q.order_by[1].nulls_first.has_value());
  EXPECT_EQ(q.order_by[2].nulls_first, true);
  EXPECT_EQ(q.limit->literal.i, 10);
  EXPECT_EQ(q.offset->literal.i, 5);
  EXPECT_FALSE(st.explain);
}

TEST(SqlParserQuery, KeywordsAsNamesAndAliases) {
  EXPECT_EQ(RoundTrip("SELECT date_trunc('minute', p_timestamp) AS minute FROM t"),
            "SELECT date_trunc('minute', p_timestamp) AS minute FROM t");
  EXPECT_EQ(RoundTrip("SELECT x hour, y minute, z name, w value, k kind, s status FROM t"),
            "SELECT x AS hour, y AS minute, z AS name, w AS value, k AS kind, s AS status FROM t");
  EXPECT_EQ(RoundTrip("SELECT 1 AS from, 2 AS \"Order\""), "SELECT 1 AS \"from\", 2 AS \"Order\"");
  EXPECT_EQ(RoundTrip("SELECT time, date, type FROM t AS status"),
            "SELECT time, date, type FROM t AS status");
  EXPECT_EQ(RoundTrip("SELECT \"select\" FROM \"My Table\""),
            "SELECT \"select\" FROM \"My Table\"");
}

TEST(SqlParserQuery, SelectWithoutFromAndStar) {
  auto st = MustParse("SELECT *, t.* FROM t");
  EXPECT_EQ(st.query->select->items[0].expr->kind, ExprKind::kStar);
  EXPECT_EQ(st.query->select->items[0].expr->table, "");
  EXPECT_EQ(st.query->select->items[1].expr->table, "t");
  auto one = MustParse("SELECT 1");
  EXPECT_EQ(one.query->select->from, nullptr);
}

TEST(SqlParserQuery, FromTablesAliasesAndSubqueries) {
  auto st = MustParse(
      "SELECT * FROM public.metrics AS m, traces t, "
      "(SELECT a, b FROM x) AS sub (c, d), (SELECT 1) s2");
  // a, b, c, d is ((a CROSS b) CROSS c) CROSS d.
  const TableRef& f = *st.query->select->from;
  ASSERT_EQ(f.kind, TableRef::Kind::kJoin);
  EXPECT_EQ(f.join, TableRef::JoinType::kCross);
  const TableRef& sub2 = *f.right;
  EXPECT_EQ(sub2.kind, TableRef::Kind::kSubquery);
  EXPECT_EQ(sub2.alias, "s2");
  const TableRef& sub = *f.left->right;
  EXPECT_EQ(sub.kind, TableRef::Kind::kSubquery);
  EXPECT_EQ(sub.alias, "sub");
  EXPECT_EQ(sub.column_aliases, (std::vector<std::string>{"c", "d"}));
  ASSERT_NE(sub.subquery, nullptr);
  EXPECT_EQ(sub.subquery->select->items.size(), 2u);
  const TableRef& m = *f.left->left->left;
  EXPECT_EQ(m.name, "metrics");  // the schema is dropped
  EXPECT_EQ(m.alias, "m");
  EXPECT_EQ(f.left->left->right->alias, "t");
  EXPECT_EQ(m.pos, 14);
}

TEST(SqlParserQuery, Joins) {
  EXPECT_EQ(RoundTrip("SELECT * FROM a JOIN b ON a.x = b.x"),
            "SELECT * FROM (a JOIN b ON (a.x = b.x))");
  EXPECT_EQ(RoundTrip("SELECT * FROM a INNER JOIN b USING (x, y)"),
            "SELECT * FROM (a JOIN b USING (x, y))");
  EXPECT_EQ(RoundTrip("SELECT * FROM a LEFT OUTER JOIN b ON true LEFT JOIN c ON false"),
            "SELECT * FROM ((a LEFT JOIN b ON TRUE) LEFT JOIN c ON FALSE)");
  EXPECT_EQ(RoundTrip("SELECT * FROM a RIGHT JOIN b ON p FULL OUTER JOIN c ON q CROSS JOIN d"),
            "SELECT * FROM (((a RIGHT JOIN b ON p) FULL JOIN c ON q) CROSS JOIN d)");
  EXPECT_EQ(RoundTrip("SELECT * FROM a, b JOIN c ON p"),
            "SELECT * FROM (a CROSS JOIN (b JOIN c ON p))");
  EXPECT_EQ(RoundTrip("SELECT * FROM (a JOIN b ON p) JOIN c ON q"),
            "SELECT * FROM ((a JOIN b ON p) JOIN c ON q)");
  auto st = MustParse("SELECT * FROM m LEFT JOIN s ON m.t = s.t");
  const TableRef& j = *st.query->select->from;
  EXPECT_EQ(j.kind, TableRef::Kind::kJoin);
  EXPECT_EQ(j.join, TableRef::JoinType::kLeft);
  EXPECT_EQ(j.left->name, "m");
  EXPECT_EQ(j.right->name, "s");
  ASSERT_NE(j.on, nullptr);
  EXPECT_EQ(j.on->op, "=");
}

TEST(SqlParserQuery, With) {
  auto st = MustParse("WITH a AS (SELECT 1 AS x), b (y) AS (SELECT x FROM a) SELECT y FROM b");
  const Query& q = *st.query;
  ASSERT_EQ(q.with.size(), 2u);
  EXPECT_EQ(q.with[0].name, "a");
  EXPECT_TRUE(q.with[0].columns.empty());
  EXPECT_EQ(q.with[1].name, "b");
  EXPECT_EQ(q.with[1].columns, (std::vector<std::string>{"y"}));
  ASSERT_NE(q.with[1].query, nullptr);
  EXPECT_EQ(q.with[1].query->select->from->name, "a");
  ASSERT_NE(q.select, nullptr);
  EXPECT_EQ(RoundTrip("WITH a AS (SELECT 1) SELECT * FROM a UNION ALL SELECT * FROM a"),
            "WITH a AS (SELECT 1) (SELECT * FROM a) UNION ALL (SELECT * FROM a)");
}

TEST(SqlParserQuery, SetOperations) {
  EXPECT_EQ(RoundTrip("SELECT 1 UNION ALL SELECT 2 UNION SELECT 3"),
            "((SELECT 1) UNION ALL (SELECT 2)) UNION (SELECT 3)");
  EXPECT_EQ(RoundTrip("SELECT 1 EXCEPT SELECT 2 UNION SELECT 3"),
            "((SELECT 1) EXCEPT (SELECT 2)) UNION (SELECT 3)");
  // INTERSECT binds tighter than UNION and EXCEPT.
  EXPECT_EQ(RoundTrip("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3"),
            "(SELECT 1) UNION ((SELECT 2) INTERSECT (SELECT 3))");
  EXPECT_EQ(RoundTrip("SELECT 1 UNION (SELECT 2 UNION SELECT 3)"),
            "(SELECT 1) UNION ((SELECT 2) UNION (SELECT 3))");
  EXPECT_EQ(RoundTrip("SELECT 1 UNION DISTINCT SELECT 2"), "(SELECT 1) UNION (SELECT 2)");
  // ORDER BY and LIMIT after a set operation apply to its result; inside parentheses, to the
  // operand.
  auto st = MustParse(
      "(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT b FROM u ORDER BY 1 "
      "LIMIT 5");
  const Query& q = *st.query;
  EXPECT_EQ(q.set_op, Query::SetOp::kUnionAll);
  EXPECT_EQ(q.select, nullptr);
  EXPECT_EQ(q.order_by.size(), 1u);
  EXPECT_EQ(q.limit->literal.i, 5);
  EXPECT_EQ(q.left->order_by.size(), 1u);
  EXPECT_EQ(q.left->limit->literal.i, 1);
  EXPECT_TRUE(q.right->order_by.empty());
  EXPECT_EQ(q.right->limit, nullptr);
  EXPECT_EQ(MustParse("SELECT 1 INTERSECT SELECT 2").query->set_op, Query::SetOp::kIntersect);
  EXPECT_EQ(MustParse("SELECT 1 EXCEPT SELECT 2").query->set_op, Query::SetOp::kExcept);
  EXPECT_EQ(MustParse("SELECT 1 UNION SELECT 2").query->set_op, Query::SetOp::kUnion);
}

TEST(SqlParserQuery, LimitOffsetForms) {
  auto all = MustParse("SELECT 1 LIMIT ALL");
  EXPECT_EQ(all.query->limit, nullptr);
  auto swapped = MustParse("SELECT 1 OFFSET 2 LIMIT 3");
  EXPECT_EQ(swapped.query->limit->literal.i, 3);
  EXPECT_EQ(swapped.query->offset->literal.i, 2);
  auto fetch = MustParse("SELECT 1 OFFSET 1 ROW FETCH FIRST 4 ROWS ONLY");
  EXPECT_EQ(fetch.query->limit->literal.i, 4);
  auto paren = MustParse("(SELECT a FROM t) ORDER BY a LIMIT 2");
  ASSERT_NE(paren.query->select, nullptr);
  EXPECT_EQ(paren.query->order_by.size(), 1u);
  EXPECT_EQ(paren.query->limit->literal.i, 2);
}

TEST(SqlParserQuery, Explain) {
  auto e = MustParse("EXPLAIN SELECT 1");
  EXPECT_TRUE(e.explain);
  EXPECT_FALSE(e.analyze);
  auto a = MustParse("explain analyze SELECT 1;");
  EXPECT_TRUE(a.explain);
  EXPECT_TRUE(a.analyze);
  auto o = MustParse("EXPLAIN (ANALYZE, COSTS false, FORMAT TEXT) SELECT 1");
  EXPECT_TRUE(o.analyze);
  auto p = MustParse("EXPLAIN (SELECT 1)");
  EXPECT_TRUE(p.explain);
  EXPECT_FALSE(p.analyze);
}

TEST(SqlParserQuery, CommentsAndTrailingSemicolons) {
  auto st = MustParse("-- leading\nSELECT /* inline */ 1 -- trailing\n;;");
  EXPECT_EQ(st.query->select->items[0].expr->literal.i, 1);
}

TEST(SqlParserQuery, ParenthesesHoldingQueriesOrExpressions) {
  // An expression in parentheses that starts with a subquery stays an expression ...
  EXPECT_EQ(RoundTrip("SELECT ((SELECT 1) + 1)"), "SELECT ((SELECT 1) + 1)");
  // ... and a parenthesized set operation is a subquery, in expressions, IN and FROM.
  auto st = MustParse(
      "SELECT ((SELECT 1) UNION (SELECT 2)), x IN ((SELECT 1) UNION (SELECT 2)), "
      "y IN ((SELECT 1), 2) FROM ((SELECT 1 AS c) UNION ALL (SELECT 2)) u");
  const auto& items = st.query->select->items;
  EXPECT_EQ(items[0].expr->kind, ExprKind::kSubquery);
  EXPECT_EQ(items[0].expr->subquery->set_op, Query::SetOp::kUnion);
  EXPECT_EQ(items[1].expr->kind, ExprKind::kInSubquery);
  EXPECT_EQ(items[2].expr->kind, ExprKind::kInList);
  EXPECT_EQ(items[2].expr->args.size(), 3u);
  EXPECT_EQ(st.query->select->from->kind, TableRef::Kind::kSubquery);
  EXPECT_EQ(st.query->select->from->alias, "u");
  // A column named values in parentheses is an expression.
  EXPECT_EQ(RoundTrip("SELECT (values - 1) FROM t"), "SELECT (values - 1) FROM t");
  // A parenthesized join whose first table is a subquery.
  auto j = MustParse("SELECT * FROM ((SELECT 1 AS a) x JOIN y ON true)");
  EXPECT_EQ(j.query->select->from->kind, TableRef::Kind::kJoin);
  EXPECT_EQ(j.query->select->from->left->kind, TableRef::Kind::kSubquery);
}

// Printing a tree gives SQL that parses to a tree that prints the same.
TEST(SqlParserQuery, PrintedSqlReadsBack) {
  const char* queries[] = {
      "SELECT -(1), - 1, -x, +1, -2 ^ 2, (-2) ^ 2, - (2 ^ 2), 1e400, -1e400, -0.0, 5.0, 0.1",
      "SELECT \"exists\"(1), \"position\"(a), \"trim\"(b), \"extract\"(c), current_date",
      "SELECT CAST(x AS \"int\"), CAST(y AS jsonb), x::\"My Type\", z::varchar(3)",
      "SELECT * FROM (SELECT 1) x JOIN (SELECT 2) y ON true LEFT JOIN z USING (a)",
      "SELECT (SELECT 1 UNION SELECT 2 ORDER BY 1 LIMIT 1)",
      "SELECT x IN ((SELECT 1) UNION (SELECT 2)), NOT NOT EXISTS (SELECT 1), x = NOT y",
      "SELECT interval '-1 days +02:00:00', interval '1 year 2 mons', interval '2562047788 hours', "
      "timestamp '0001-01-01 00:00:00+01', timestamp '294000-01-01'",
      "SELECT 'it''s', E'\\n', \"a\"\"b\", \"Upper\" AS \"Alias\" FROM \"Stream\" AS \"S\"",
      "WITH a AS (SELECT 1), b AS (SELECT * FROM a) (SELECT * FROM a) INTERSECT SELECT * FROM b",
      "SELECT EXTRACT(from FROM x), EXTRACT('Epoch' FROM y), ts AT TIME ZONE 'UTC'",
      "EXPLAIN ANALYZE SELECT a FROM t ORDER BY a DESC NULLS LAST LIMIT 1 OFFSET 1",
  };
  for (const char* q : queries) {
    SCOPED_TRACE(q);
    std::string printed = RoundTrip(q);
    EXPECT_EQ(RoundTrip(printed), printed);
  }
  EXPECT_EQ(RoundTrip("SELECT -(1), -x, x::\"int\""), "SELECT (- (1)), (- x), CAST(x AS \"int\")");
  EXPECT_EQ(RoundTrip("SELECT x::\"int4\", y::\"timestamp with time zone\""),
            "SELECT CAST(x AS integer), CAST(y AS timestamptz)");
}

std::filesystem::path TestDataDir() {
  if (const char* d = std::getenv("INFERMETRY_TESTDATA"); d != nullptr && *d != '\0') return d;
  return std::filesystem::path(INFERMETRY_SOURCE_DIR) / "test" / "data";
}

// The guide's queries, as "-- name: x" blocks.
std::vector<std::pair<std::string, std::string>> GuideQueries() {
  std::ifstream in(TestDataDir() / "sql" / "parseable-queries.sql");
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("-- name: ", 0) == 0) {
      out.emplace_back(line.substr(9), "");
    } else if (!out.empty()) {
      out.back().second += line + "\n";
    }
  }
  return out;
}

TEST(SqlParserQuery, GuideQueriesRoundTrip) {
  auto queries = GuideQueries();
  ASSERT_EQ(queries.size(), 10u) << "test/data/sql/parseable-queries.sql";
  for (const auto& [name, sql] : queries) {
    SCOPED_TRACE(name);
    ast::Statement st = MustParse(sql);
    ASSERT_NE(st.query, nullptr);
    std::string printed = ToSql(st);
    ast::Statement again = MustParse(printed);
    ASSERT_NE(again.query, nullptr);
    EXPECT_EQ(ToSql(again), printed);
    const ast::Select& s = *st.query->select;
    EXPECT_EQ(s.from->name, "vllmmetrics");
    ASSERT_NE(s.where, nullptr);
  }
}

TEST(SqlParserQuery, GuideLatencyQueryTree) {
  auto queries = GuideQueries();
  ASSERT_FALSE(queries.empty());
  ASSERT_EQ(queries[0].first, "p95_p99_latency");
  ast::Statement st = MustParse(queries[0].second);
  const ast::Select& s = *st.query->select;
  ASSERT_EQ(s.items.size(), 4u);
  EXPECT_EQ(s.items[0].alias, "minute");
  EXPECT_EQ(s.items[0].expr->name, "date_trunc");
  const ast::Expr& p95 = *s.items[1].expr;
  EXPECT_EQ(p95.name, "percentile_cont");
  EXPECT_DOUBLE_EQ(p95.args[0]->literal.d, 0.95);
  ASSERT_EQ(p95.within_group.size(), 1u);
  EXPECT_EQ(p95.within_group[0].expr->name, "value");
  EXPECT_EQ(s.items[1].alias, "p95_latency_seconds");
  // WHERE name = '...' AND p_timestamp >= now() - interval '1 hour'
  EXPECT_EQ(s.where->op, "AND");
  const ast::Expr& ts = *s.where->args[1];
  EXPECT_EQ(ts.op, ">=");
  EXPECT_EQ(ts.args[1]->op, "-");
  EXPECT_EQ(ts.args[1]->args[0]->name, "now");
  EXPECT_EQ(ts.args[1]->args[1]->literal.type, Type::kInterval);
  EXPECT_EQ(ts.args[1]->args[1]->literal.iv.micros, 3'600'000'000);
  ASSERT_EQ(s.group_by.size(), 1u);
  EXPECT_EQ(s.group_by[0]->literal.i, 1);
  ASSERT_EQ(st.query->order_by.size(), 1u);

  ast::Statement cost = MustParse(queries[5].second);
  EXPECT_EQ(queries[5].first, "gpu_cost_estimate");
  const auto& items = cost.query->select->items;
  EXPECT_EQ(items[0].alias, "hour");
  EXPECT_EQ(items[4].expr->name, "round");
  EXPECT_EQ(items[4].expr->args[0]->args[1]->name, "nullif");
  ast::Statement alert = MustParse(queries[6].second);
  ASSERT_NE(alert.query->select->having, nullptr);
  EXPECT_EQ(alert.query->select->having->args[0]->name, "percentile_cont");
}

}  // namespace
}  // namespace infermetry::sql
