// Expressions: precedence, literals, operators, predicates, functions, casts, positions.
#include <gtest/gtest.h>

#include "query/sql/parser/interval_text.h"
#include "query/sql/parser/parser_test_util.h"
#include "query/sql/parser/timestamp_text.h"

namespace infermetry::sql {
namespace {

using ast::ExprKind;

const ast::Expr& FirstItem(const ast::Statement& st) { return *st.query->select->items[0].expr; }

TEST(SqlParserExpr, ArithmeticPrecedence) {
  EXPECT_EQ(ExprSql("a + b * c"), "(a + (b * c))");
  EXPECT_EQ(ExprSql("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(ExprSql("a * b / c % d"), "(((a * b) / c) % d)");
  EXPECT_EQ(ExprSql("2 ^ 3 ^ 2"), "((2 ^ 3) ^ 2)");  // left-associative, as in PostgreSQL
  EXPECT_EQ(ExprSql("-2 ^ 2"), "(-2 ^ 2)");          // unary minus binds tighter than ^
  EXPECT_EQ(ExprSql("a * b ^ c"), "(a * (b ^ c))");
  EXPECT_EQ(ExprSql("-a * b"), "((- a) * b)");
  EXPECT_EQ(ExprSql("- - a"), "(- (- a))");
  EXPECT_EQ(ExprSql("+a"), "(+ a)");
  EXPECT_EQ(ExprSql("a || b || c"), "((a || b) || c)");
  EXPECT_EQ(ExprSql("a || b + c"), "(a || (b + c))");
  EXPECT_EQ(ExprSql("(a + b) * c"), "((a + b) * c)");
}

TEST(SqlParserExpr, LogicalAndComparisonPrecedence) {
  EXPECT_EQ(ExprSql("a OR b AND c"), "(a OR (b AND c))");
  EXPECT_EQ(ExprSql("NOT a AND b"), "((NOT a) AND b)");
  EXPECT_EQ(ExprSql("NOT a = b"), "(NOT (a = b))");
  EXPECT_EQ(ExprSql("a = b AND c <> d OR e"), "(((a = b) AND (c <> d)) OR e)");
  EXPECT_EQ(ExprSql("a != b"), "(a <> b)");
  EXPECT_EQ(ExprSql("a < b + 1"), "(a < (b + 1))");
  EXPECT_EQ(ExprSql("a <= b"), "(a <= b)");
  EXPECT_EQ(ExprSql("a >= b"), "(a >= b)");
  EXPECT_EQ(ExprSql("a > b"), "(a > b)");
  EXPECT_EQ(ExprSql("a = b IS TRUE"), "((a = b) IS TRUE)");
  EXPECT_EQ(ExprSql("a LIKE b || 'x'"), "(a LIKE (b || 'x'))");
  EXPECT_EQ(ExprSql("a = b LIKE c"), "(a = (b LIKE c))");
  EXPECT_EQ(ExprSql("x = NOT y"), "(x = (NOT y))");
}

TEST(SqlParserExpr, Literals) {
  auto st = MustParse(
      "SELECT 1, 9223372036854775807, 9223372036854775808, -9223372036854775808, "
      "2.5, 1e3, .5, 'it''s', TRUE, false, NULL, -7, -2.5");
  const auto& items = st.query->select->items;
  ASSERT_EQ(items.size(), 13u);
  EXPECT_EQ(items[0].expr->literal.type, Type::kInt64);
  EXPECT_EQ(items[0].expr->literal.i, 1);
  EXPECT_EQ(items[1].expr->literal.i, INT64_MAX);
  EXPECT_EQ(items[2].expr->literal.type, Type::kFloat64);
  EXPECT_DOUBLE_EQ(items[2].expr->literal.d, 9223372036854775808.0);
  EXPECT_EQ(items[3].expr->literal.type, Type::kInt64);
  EXPECT_EQ(items[3].expr->literal.i, INT64_MIN);
  EXPECT_EQ(items[4].expr->literal.type, Type::kFloat64);
  EXPECT_DOUBLE_EQ(items[4].expr->literal.d, 2.5);
  EXPECT_DOUBLE_EQ(items[5].expr->literal.d, 1000);
  EXPECT_EQ(items[5].expr->literal.type, Type::kFloat64);
  EXPECT_DOUBLE_EQ(items[6].expr->literal.d, 0.5);
  EXPECT_EQ(items[7].expr->literal.type, Type::kText);
  EXPECT_EQ(items[7].expr->literal.s, "it's");
  EXPECT_TRUE(items[7].expr->literal_unknown);
  EXPECT_EQ(items[8].expr->literal.type, Type::kBool);
  EXPECT_EQ(items[8].expr->literal.i, 1);
  EXPECT_EQ(items[9].expr->literal.i, 0);
  EXPECT_TRUE(items[10].expr->literal.null);
  EXPECT_EQ(items[10].expr->literal.type, Type::kNull);
  EXPECT_EQ(items[11].expr->kind, ExprKind::kLiteral);
  EXPECT_EQ(items[11].expr->literal.i, -7);
  EXPECT_EQ(items[11].expr->pos, 116);  // the minus sign
  EXPECT_DOUBLE_EQ(items[12].expr->literal.d, -2.5);
  for (const auto& item : items) EXPECT_EQ(item.expr->kind, ExprKind::kLiteral);
}

TEST(SqlParserExpr, TypedLiterals) {
  auto st = MustParse(
      "SELECT interval '1 hour', INTERVAL '5 minutes', timestamp '2024-01-01 10:00:00', "
      "date '2024-01-02', timestamp with time zone '2024-01-01 12:00:00+02', "
      "timestamptz '2024-01-01T10:00:00Z', bigint '5', double precision '1.5'");
  const auto& items = st.query->select->items;
  ASSERT_EQ(items.size(), 8u);
  EXPECT_EQ(items[0].expr->literal.type, Type::kInterval);
  EXPECT_EQ(items[0].expr->literal.iv, (Interval{0, 0, 3'600'000'000}));
  EXPECT_EQ(items[0].expr->pos, 7);
  EXPECT_EQ(items[1].expr->literal.iv, (Interval{0, 0, 300'000'000}));
  int64_t ten = *ParseTimestampText("2024-01-01 10:00:00");
  EXPECT_EQ(items[2].expr->literal.type, Type::kTimestamp);
  EXPECT_EQ(items[2].expr->literal.i, ten);
  EXPECT_EQ(items[3].expr->literal.type, Type::kTimestamp);
  EXPECT_EQ(items[3].expr->literal.i, *ParseTimestampText("2024-01-02"));
  EXPECT_EQ(items[4].expr->literal.i, ten);
  EXPECT_EQ(items[5].expr->literal.i, ten);
  EXPECT_EQ(items[6].expr->kind, ExprKind::kCast);
  EXPECT_EQ(items[6].expr->cast_type, "bigint");
  EXPECT_EQ(items[6].expr->args[0]->literal.s, "5");
  EXPECT_TRUE(items[6].expr->args[0]->literal_unknown);
  EXPECT_EQ(items[7].expr->cast_type, "double precision");
}

TEST(SqlParserExpr, IntervalFieldQualifiers) {
  auto st = MustParse(
      "SELECT interval '1' hour, interval '90' minute, interval '1 day 2 hours' day, "
      "interval '2' day to hour, interval '1 hour' AS hour, interval '1.5' second");
  const auto& items = st.query->select->items;
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[0].expr->literal.iv, (Interval{0, 0, 3'600'000'000}));
  EXPECT_EQ(items[0].alias, "");
  EXPECT_EQ(items[1].expr->literal.iv, (Interval{0, 0, 5'400'000'000}));
  EXPECT_EQ(items[2].expr->literal.iv, (Interval{0, 1, 0}));
  EXPECT_EQ(items[3].expr->literal.iv, (Interval{0, 0, 7'200'000'000}));
  EXPECT_EQ(items[4].expr->literal.iv, (Interval{0, 0, 3'600'000'000}));
  EXPECT_EQ(items[4].alias, "hour");
  EXPECT_EQ(items[5].expr->literal.iv, (Interval{0, 0, 1'500'000}));
}

TEST(SqlParserExpr, CastsNormalizeTypeNames) {
  struct Case {
    const char* type;
    const char* want;
  } cases[] = {
      {"int", "integer"},
      {"int4", "integer"},
      {"INTEGER", "integer"},
      {"int8", "bigint"},
      {"bigint", "bigint"},
      {"smallint", "smallint"},
      {"float8", "double precision"},
      {"double precision", "double precision"},
      {"float", "double precision"},
      {"float(10)", "real"},
      {"float4", "real"},
      {"real", "real"},
      {"bool", "boolean"},
      {"boolean", "boolean"},
      {"numeric(10, 2)", "numeric"},
      {"decimal", "numeric"},
      {"text", "text"},
      {"varchar(20)", "text"},
      {"character varying", "text"},
      {"char(3)", "text"},
      {"timestamp", "timestamp"},
      {"timestamp(3)", "timestamp"},
      {"timestamp without time zone", "timestamp"},
      {"timestamp with time zone", "timestamptz"},
      {"timestamptz", "timestamptz"},
      {"interval", "interval"},
      {"date", "date"},
      {"jsonb", "jsonb"},
      {"pg_catalog.int8", "bigint"},
      {"\"MyType\"", "MyType"},
  };
  for (const auto& c : cases) {
    auto st = MustParse(std::string("SELECT CAST(x AS ") + c.type + "), x::" + c.type);
    const auto& items = st.query->select->items;
    ASSERT_EQ(items.size(), 2u) << c.type;
    for (const auto& item : items) {
      EXPECT_EQ(item.expr->kind, ExprKind::kCast) << c.type;
      EXPECT_EQ(item.expr->cast_type, c.want) << c.type;
      EXPECT_EQ(item.expr->args[0]->name, "x");
    }
  }
  EXPECT_EQ(ExprSql("a::text::bigint"), "CAST(CAST(a AS text) AS bigint)");
  EXPECT_EQ(ExprSql("-1::text"), "(- CAST(1 AS text))");  // :: binds tighter than unary minus
  EXPECT_EQ(ExprSql("a + b::int"), "(a + CAST(b AS integer))");
}

TEST(SqlParserExpr, Columns) {
  auto st = MustParse(
      "SELECT Name, t.Value, \"gen_ai.usage.completion_tokens\", s.t.c, t.*, "
      "\"T\".\"X\", name, value, minute, hour, kind, status, type, time, date, "
      "timestamp, interval");
  const auto& items = st.query->select->items;
  ASSERT_EQ(items.size(), 17u);
  EXPECT_EQ(items[0].expr->kind, ExprKind::kColumn);
  EXPECT_EQ(items[0].expr->name, "name");
  EXPECT_EQ(items[0].expr->table, "");
  EXPECT_EQ(items[1].expr->table, "t");
  EXPECT_EQ(items[1].expr->name, "value");
  EXPECT_EQ(items[1].expr->pos, 13);
  EXPECT_EQ(items[2].expr->name, "gen_ai.usage.completion_tokens");
  EXPECT_EQ(items[3].expr->table, "t");
  EXPECT_EQ(items[3].expr->name, "c");
  EXPECT_EQ(items[4].expr->kind, ExprKind::kStar);
  EXPECT_EQ(items[4].expr->table, "t");
  EXPECT_EQ(items[5].expr->table, "T");
  EXPECT_EQ(items[5].expr->name, "X");
  const char* names[] = {"name", "value", "minute", "hour",      "kind",    "status",
                         "type", "time",  "date",   "timestamp", "interval"};
  for (int k = 0; k < 11; ++k) {
    EXPECT_EQ(items[6 + k].expr->kind, ExprKind::kColumn) << names[k];
    EXPECT_EQ(items[6 + k].expr->name, names[k]);
    EXPECT_EQ(items[6 + k].alias, "");
  }
}

TEST(SqlParserExpr, Predicates) {
  EXPECT_EQ(ExprSql("a IS NULL"), "(a IS NULL)");
  EXPECT_EQ(ExprSql("a IS NOT NULL"), "(a IS NOT NULL)");
  EXPECT_EQ(ExprSql("a ISNULL"), "(a IS NULL)");
  EXPECT_EQ(ExprSql("a NOTNULL"), "(a IS NOT NULL)");
  EXPECT_EQ(ExprSql("a IS TRUE"), "(a IS TRUE)");
  EXPECT_EQ(ExprSql("a IS NOT FALSE"), "(a IS NOT FALSE)");
  EXPECT_EQ(ExprSql("a IS DISTINCT FROM b + 1"), "(a IS DISTINCT FROM (b + 1))");
  EXPECT_EQ(ExprSql("a IS NOT DISTINCT FROM b"), "(a IS NOT DISTINCT FROM b)");
  EXPECT_EQ(ExprSql("a IN (1, 2, 3)"), "(a IN (1, 2, 3))");
  EXPECT_EQ(ExprSql("a NOT IN ('x')"), "(a NOT IN ('x'))");
  EXPECT_EQ(ExprSql("a IN (SELECT b FROM t)"), "(a IN (SELECT b FROM t))");
  EXPECT_EQ(ExprSql("a NOT IN (SELECT b FROM t)"), "(a NOT IN (SELECT b FROM t))");
  EXPECT_EQ(ExprSql("a BETWEEN 1 AND 2 + 3"), "(a BETWEEN 1 AND (2 + 3))");
  EXPECT_EQ(ExprSql("a NOT BETWEEN b AND c AND d"), "((a NOT BETWEEN b AND c) AND d)");
  EXPECT_EQ(ExprSql("a LIKE 'x%'"), "(a LIKE 'x%')");
  EXPECT_EQ(ExprSql("a NOT ILIKE 'x%' ESCAPE '!'"), "(a NOT ILIKE 'x%' ESCAPE '!')");
  EXPECT_EQ(ExprSql("EXISTS (SELECT 1)"), "(EXISTS (SELECT 1))");
  EXPECT_EQ(ExprSql("NOT EXISTS (SELECT 1)"), "(NOT EXISTS (SELECT 1))");
  EXPECT_EQ(ExprSql("(SELECT max(v) FROM t) + 1"), "((SELECT max(v) FROM t) + 1)");

  auto st = MustParse("SELECT a NOT IN (1, 2), b ILIKE 'x', c IS NOT TRUE, NOT EXISTS (SELECT 1)");
  const auto& items = st.query->select->items;
  EXPECT_EQ(items[0].expr->kind, ExprKind::kInList);
  EXPECT_TRUE(items[0].expr->negated);
  EXPECT_EQ(items[0].expr->args.size(), 3u);
  EXPECT_EQ(items[1].expr->kind, ExprKind::kLike);
  EXPECT_TRUE(items[1].expr->case_insensitive);
  EXPECT_FALSE(items[1].expr->negated);
  EXPECT_EQ(items[2].expr->kind, ExprKind::kIsBool);
  EXPECT_TRUE(items[2].expr->negated);
  EXPECT_EQ(items[2].expr->literal.i, 1);
  EXPECT_EQ(items[3].expr->kind, ExprKind::kExists);
  EXPECT_TRUE(items[3].expr->negated);
  EXPECT_EQ(items[3].expr->pos, 52);
}

TEST(SqlParserExpr, Functions) {
  EXPECT_EQ(ExprSql("count(*)"), "count(*)");
  EXPECT_EQ(ExprSql("COUNT(DISTINCT name)"), "count(DISTINCT name)");
  EXPECT_EQ(ExprSql("sum(ALL x)"), "sum(x)");
  EXPECT_EQ(ExprSql("date_trunc('minute', p_timestamp)"), "date_trunc('minute', p_timestamp)");
  EXPECT_EQ(ExprSql("now()"), "now()");
  EXPECT_EQ(ExprSql("current_timestamp"), "now()");
  EXPECT_EQ(ExprSql("CURRENT_DATE"), "\"current_date\"()");
  EXPECT_EQ(ExprSql("coalesce(a, b, 0)"), "coalesce(a, b, 0)");
  EXPECT_EQ(ExprSql("NULLIF(a, 0)"), "nullif(a, 0)");
  EXPECT_EQ(ExprSql("GREATEST(a, b)"), "greatest(a, b)");
  EXPECT_EQ(ExprSql("least(a, b)"), "least(a, b)");
  EXPECT_EQ(ExprSql("left(s, 2)"), "\"left\"(s, 2)");
  EXPECT_EQ(ExprSql("pg_catalog.now()"), "now()");
  EXPECT_EQ(ExprSql("count(*) FILTER (WHERE x > 1)"), "count(*) FILTER (WHERE (x > 1))");
  EXPECT_EQ(ExprSql("percentile_cont(0.95) WITHIN GROUP (ORDER BY value)"),
            "percentile_cont(0.95) WITHIN GROUP (ORDER BY value)");
  EXPECT_EQ(ExprSql("percentile_disc(0.5) WITHIN GROUP (ORDER BY value DESC)"),
            "percentile_disc(0.5) WITHIN GROUP (ORDER BY value DESC)");
  EXPECT_EQ(ExprSql("EXTRACT(EPOCH FROM ts)"), "EXTRACT(epoch FROM ts)");
  EXPECT_EQ(ExprSql("extract('hour' from ts)"), "EXTRACT(hour FROM ts)");
  EXPECT_EQ(ExprSql("position('a' IN s)"), "strpos(s, 'a')");
  EXPECT_EQ(ExprSql("substring(s FROM 2 FOR 3)"), "substring(s, 2, 3)");
  EXPECT_EQ(ExprSql("substring(s, 2)"), "substring(s, 2)");
  EXPECT_EQ(ExprSql("trim(both 'x' FROM s)"), "btrim(s, 'x')");
  EXPECT_EQ(ExprSql("trim(leading FROM s)"), "ltrim(s)");
  EXPECT_EQ(ExprSql("trim(s)"), "btrim(s)");
  EXPECT_EQ(ExprSql("ts AT TIME ZONE 'UTC'"), "timezone('UTC', ts)");

  auto st = MustParse(
      "SELECT count(DISTINCT x), count(*), "
      "percentile_cont(0.99) WITHIN GROUP (ORDER BY value DESC NULLS FIRST), "
      "sum(v) FILTER (WHERE ok), EXTRACT(hour FROM ts)");
  const auto& items = st.query->select->items;
  EXPECT_EQ(items[0].expr->kind, ExprKind::kFunction);
  EXPECT_TRUE(items[0].expr->distinct);
  EXPECT_TRUE(items[1].expr->star);
  EXPECT_TRUE(items[1].expr->args.empty());
  ASSERT_EQ(items[2].expr->within_group.size(), 1u);
  EXPECT_TRUE(items[2].expr->within_group[0].desc);
  EXPECT_EQ(items[2].expr->within_group[0].nulls_first, true);
  EXPECT_DOUBLE_EQ(items[2].expr->args[0]->literal.d, 0.99);
  ASSERT_NE(items[3].expr->filter, nullptr);
  EXPECT_EQ(items[3].expr->filter->name, "ok");
  EXPECT_EQ(items[4].expr->kind, ExprKind::kExtract);
  EXPECT_EQ(items[4].expr->field, "hour");
}

TEST(SqlParserExpr, Case) {
  EXPECT_EQ(ExprSql("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"),
            "CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END");
  EXPECT_EQ(ExprSql("CASE x WHEN 1 THEN 'one' END"), "CASE x WHEN 1 THEN 'one' END");
  auto st = MustParse("SELECT CASE WHEN name = 'a' THEN value END");
  const auto& e = FirstItem(st);
  EXPECT_EQ(e.kind, ExprKind::kCase);
  EXPECT_EQ(e.case_operand, nullptr);
  ASSERT_EQ(e.whens.size(), 1u);
  EXPECT_EQ(e.whens[0].first->op, "=");
  EXPECT_EQ(e.else_expr, nullptr);
}

TEST(SqlParserExpr, PositionsAreByteOffsets) {
  //                      0         1         2         3
  //                      0123456789012345678901234567890123456
  auto st = MustParse("SELECT a + f(b, 'x')\n  FROM t WHERE c IS NULL");
  const auto& e = FirstItem(st);
  EXPECT_EQ(e.pos, 7);  // a binary node starts where its left operand starts
  EXPECT_EQ(e.args[0]->pos, 7);
  EXPECT_EQ(e.args[1]->pos, 11);  // f(
  EXPECT_EQ(e.args[1]->args[0]->pos, 13);
  EXPECT_EQ(e.args[1]->args[1]->pos, 16);
  EXPECT_EQ(st.query->select->from->pos, 28);
  EXPECT_EQ(st.query->select->where->pos, 36);
  EXPECT_EQ(st.query->select->where->args[0]->pos, 36);
  EXPECT_EQ(st.query->pos, 0);
  EXPECT_EQ(st.query->select->pos, 0);
}

TEST(SqlParserExpr, DeepNestingIsAnErrorNotACrash) {
  std::string ok = std::string(150, '(') + "1" + std::string(150, ')');
  EXPECT_EQ(ExprSql(ok), "1");
  std::string deep = "SELECT " + std::string(500, '(') + "1" + std::string(500, ')');
  EXPECT_NE(ParseErrorOf(deep).find("nested too deeply"), std::string::npos);
  std::string minus = "SELECT ";
  for (int k = 0; k < 50000; ++k) minus += "- ";
  minus += "1";
  EXPECT_NE(ParseErrorOf(minus).find("nested too deeply"), std::string::npos);
  std::string nots = "SELECT ";
  for (int k = 0; k < 5000; ++k) nots += "NOT ";
  EXPECT_NE(ParseErrorOf(nots + "TRUE").find("nested too deeply"), std::string::npos);
  std::string subq = "SELECT ";
  for (int k = 0; k < 1000; ++k) subq += "(SELECT ";
  EXPECT_NE(ParseErrorOf(subq + "1").find("nested too deeply"), std::string::npos);
  // Long flat chains are fine up to the operator limit, then an error.
  std::string chain = "SELECT 1";
  for (int k = 0; k < 5000; ++k) chain += " + 1";
  MustParse(chain);
  std::string long_chain = "SELECT 1";
  for (int k = 0; k < 200000; ++k) long_chain += "+1";
  EXPECT_NE(ParseErrorOf(long_chain).find("too complex"), std::string::npos);
}

}  // namespace
}  // namespace infermetry::sql
