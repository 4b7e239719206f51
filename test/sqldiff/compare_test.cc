// The differential test's own parts: PostgreSQL's printed forms read back exactly, the
// comparison's tolerance, and a generator that is deterministic and covers every form.

#include <gtest/gtest.h>

#include <set>

#include "compare.h"
#include "dataset.h"
#include "query_gen.h"

namespace infermetry::sqldiff {
namespace {

TEST(SqlDiffTest, TimestampsRoundTripInPostgresForm) {
  Result<int64_t> t = ParseTimestamp("2024-03-10 08:00:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, 1710057600LL * 1'000'000);
  EXPECT_EQ(FormatTimestamp(*t), "2024-03-10 08:00:00");
  EXPECT_EQ(FormatTimestamp(*t + 250'000), "2024-03-10 08:00:00.25");
  EXPECT_EQ(*ParseTimestamp("2024-03-10 08:00:00.25"), *t + 250'000);
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59.999999");
  EXPECT_FALSE(ParseTimestamp("2024-03-10").ok());
  EXPECT_FALSE(ParseTimestamp("2024-03-10 08:00:00x").ok());
}

TEST(SqlDiffTest, CellsCompareByTypeWithTolerance) {
  std::string why;
  EXPECT_TRUE(SameCell(sql::Value::Float(0.1 + 0.2), "0.3", &why));
  EXPECT_TRUE(SameCell(sql::Value::Float(1.0 / 3), "0.33333333333333333333", &why));
  EXPECT_FALSE(SameCell(sql::Value::Float(1.0), "1.00001", &why));
  EXPECT_EQ(why, "numbers differ");
  EXPECT_TRUE(SameCell(sql::Value::Int(42), "42.000", &why));
  EXPECT_TRUE(SameCell(sql::Value::Null(sql::Type::kInt64), kNullText, &why));
  EXPECT_FALSE(SameCell(sql::Value::Text(""), kNullText, &why));
  EXPECT_FALSE(SameCell(sql::Value::Null(sql::Type::kText), "", &why));
  EXPECT_TRUE(SameCell(sql::Value::Text("a b"), "a b", &why));
  EXPECT_FALSE(SameCell(sql::Value::Text("A"), "a", &why));
  EXPECT_TRUE(SameCell(sql::Value::Bool(true), "t", &why));
  EXPECT_TRUE(SameCell(sql::Value::Timestamp(*ParseTimestamp("2024-03-10 08:01:00")), "2024-03-10 08:01:00", &why));
  EXPECT_FALSE(SameCell(sql::Value::Timestamp(*ParseTimestamp("2024-03-10 08:01:00")), "2024-03-10 08:01:00.5", &why));
  EXPECT_TRUE(SameCell(sql::Value::Interv({0, 1, 3'600'000'000}), "1 day 01:00:00", &why));
  EXPECT_EQ(PgText(sql::Value::Float(12.0625)), "12.0625");
  EXPECT_EQ(PgText(sql::Value::Float(0.1)), "0.1");
}

TEST(SqlDiffTest, ErrorsMustMatchErrors) {
  std::string why;
  PgResult pg_error{true, "ERROR:  division by zero", {}};
  PgResult pg_rows{false, "", {{"1"}}};
  Result<sql::QueryResult> ours_error = InvalidArgument("division by zero");
  EXPECT_TRUE(SameAnswer(ours_error, pg_error, &why));
  EXPECT_FALSE(SameAnswer(ours_error, pg_rows, &why));
  EXPECT_NE(why.find("only infermetry fails"), std::string::npos);
}

TEST(SqlDiffTest, GeneratorIsDeterministicAndCoversEveryForm) {
  Dataset ds = MakeDataset(7, 100);
  ASSERT_EQ(ds.tables.size(), 3u);
  size_t nulls = 0;
  for (const auto& row : ds.table("m").rows) {
    for (const auto& v : row) nulls += v.null;
  }
  EXPECT_GT(nulls, 10u);
  QueryGen a(7, &ds), b(7, &ds);
  std::set<std::string> forms;
  for (int i = 0; i < 300; ++i) {
    GenQuery qa = a.Next(), qb = b.Next();
    ASSERT_EQ(qa.sql, qb.sql);
    EXPECT_EQ(qa.sql.find('\n'), std::string::npos);
    if (qa.form != "error") {
      EXPECT_NE(qa.sql.find("ORDER BY"), std::string::npos) << qa.sql;
    }
    forms.insert(qa.form);
  }
  EXPECT_EQ(forms.size(), 8u);
}

}  // namespace
}  // namespace infermetry::sqldiff
