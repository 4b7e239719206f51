// The per-query limits act: memory limit (per operator), timeout, cancel flag.
#include <gtest/gtest.h>

#include "query/sql/engine.h"
#include "query/sql/exec/memory_table.h"

namespace infermetry::sql::exec {
namespace {

class LimitsTest : public testing::Test {
 protected:
  void SetUp() override {
    MemoryTable* t = cat_.AddTable("t", {{"k", Type::kText}, {"v", Type::kInt64}});
    for (int i = 0; i < 20000; ++i) {
      ASSERT_TRUE(t->AppendRow({Value::Text("key-number-" + std::to_string(i)), Value::Int(i)}).ok());
    }
  }
  MemoryCatalog cat_;
};

TEST_F(LimitsTest, HashAggregateHitsTheMemoryLimit) {
  QueryOptions o;
  o.memory_limit_bytes = 256 << 10;
  Result<QueryResult> r = ExecuteSql("SELECT k, count(*) FROM t GROUP BY k", &cat_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_NE(r.status().message().find("HashAggregate"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("256 KiB"), std::string::npos) << r.status().message();
}

TEST_F(LimitsTest, SortHitsTheMemoryLimit) {
  QueryOptions o;
  o.memory_limit_bytes = 256 << 10;
  Result<QueryResult> r = ExecuteSql("SELECT k FROM t ORDER BY k DESC", &cat_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_NE(r.status().message().find("Sort"), std::string::npos) << r.status().message();
}

TEST_F(LimitsTest, PercentileValueListsCount) {
  QueryOptions o;
  o.memory_limit_bytes = 100 << 10;
  Result<QueryResult> r = ExecuteSql(
      "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a.v) FROM t a, t b WHERE b.v < 10", &cat_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted) << r.status().ToString();
}

TEST_F(LimitsTest, SameQueryFitsAGenerousLimit) {
  QueryOptions o;
  o.memory_limit_bytes = 256 << 20;
  Result<QueryResult> r = ExecuteSql("SELECT k, count(*) FROM t GROUP BY k", &cat_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->num_rows(), 20000u);
  EXPECT_GT(r->stats.peak_memory_bytes, 0u);
  EXPECT_EQ(r->stats.rows_scanned, 20000u);
}

TEST_F(LimitsTest, TimeoutStopsALongQuery) {
  QueryOptions o;
  o.timeout = std::chrono::milliseconds(20);
  // 400 million pairs: far longer than 20 ms.
  Result<QueryResult> r = ExecuteSql("SELECT count(*) FROM t a, t b WHERE a.v + b.v = -1", &cat_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded);
  EXPECT_NE(r.status().message().find("query exceeded its timeout of 20ms"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("HINT"), std::string::npos);
}

TEST_F(LimitsTest, ZeroTimeoutFailsAtOnce) {
  QueryOptions o;
  o.timeout = std::chrono::milliseconds(0);
  Result<QueryResult> r = ExecuteSql("SELECT count(*) FROM t", &cat_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded);
}

TEST_F(LimitsTest, CancelFlag) {
  std::atomic<bool> cancel{true};
  QueryOptions o;
  o.cancel = &cancel;
  Result<QueryResult> r = ExecuteSql("SELECT count(*) FROM t", &cat_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCancelled);
}

}  // namespace
}  // namespace infermetry::sql::exec
