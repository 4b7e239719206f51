// percentile_cont/percentile_disc over histogram rows equal Prometheus's histogram_quantile;
// sum/avg use the _sum shares. Expected values are computed by hand below.
#include <gtest/gtest.h>

#include <cmath>

#include "query/sql/engine.h"
#include "query/sql/exec/memory_table.h"
#include "query/sql/exec/percentile.h"

namespace infermetry::sql::exec {
namespace {

constexpr int64_t kMinute = 60000000;

// Buckets (le): 0.1 x2, 0.5 x3, 1 x4, +Inf x1 in minute 0; 0.5 x2 in minute 1.
class HistogramTest : public testing::Test {
 protected:
  void SetUp() override {
    t_ = cat_.AddTable("m", {{"p_timestamp", Type::kTimestamp}, {"name", Type::kText}, {"value", Type::kFloat64}},
                       "p_timestamp", true);
    HistogramAnnex h;
    auto add = [&](int64_t ts, double lower, double upper, int n) {
      for (int i = 0; i < n; ++i) {
        ASSERT_TRUE(t_->AppendRow({Value::Timestamp(ts), Value::Text("lat"), Value::Float(std::isinf(upper) ? lower : upper)}).ok());
        h.lower.push_back(lower);
        h.upper.push_back(upper);
        h.sum_share.push_back(0.25);
      }
    };
    add(0, 0, 0.1, 2);
    add(1000000, 0.1, 0.5, 3);
    add(2000000, 0.5, 1, 4);
    add(3000000, 1, INFINITY, 1);
    add(kMinute, 0.1, 0.5, 2);
    // An ordinary metric beside it.
    ASSERT_TRUE(t_->AppendRow({Value::Timestamp(0), Value::Text("other"), Value::Float(7)}).ok());
    h.lower.push_back(0);
    h.upper.push_back(0);
    h.sum_share.push_back(0);
    t_->SetHistogram(2, h);
  }

  double One(const std::string& sql) {
    Result<QueryResult> r = ExecuteSql(sql, &cat_, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->num_rows() == 0) return NAN;
    const Column& c = r->batches[0].columns[0];
    return c.type == Type::kFloat64 ? c.doubles[0] : static_cast<double>(c.ints[0]);
  }

  MemoryCatalog cat_;
  MemoryTable* t_ = nullptr;
};

TEST_F(HistogramTest, QuantileEqualsHistogramQuantile) {
  const std::string where = " FROM m WHERE name = 'lat' AND p_timestamp < '1970-01-01 00:01:00'";
  // rank = q * 10; cumulative counts 2, 5, 9, 10.
  EXPECT_DOUBLE_EQ(One("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY value)" + where), 0.5);
  EXPECT_DOUBLE_EQ(One("SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY value)" + where), 1.0);
  EXPECT_DOUBLE_EQ(One("SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY value)" + where), 0.1 + 0.4 * 0.5 / 3);
  EXPECT_DOUBLE_EQ(One("SELECT percentile_cont(0.1) WITHIN GROUP (ORDER BY value)" + where), 0.05);
  // rank 9.5 falls in +Inf: its lower bound.
  EXPECT_DOUBLE_EQ(One("SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY value)" + where), 1.0);
  EXPECT_DOUBLE_EQ(One("SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY value)" + where), 0.5);
  EXPECT_EQ(One("SELECT percentile_cont(-0.5) WITHIN GROUP (ORDER BY value)" + where), -INFINITY);
  EXPECT_EQ(One("SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY value)" + where), INFINITY);
}

TEST_F(HistogramTest, SumAndAvgUseSumShares) {
  const std::string where = " FROM m WHERE name = 'lat' AND p_timestamp < '1970-01-01 00:01:00'";
  EXPECT_DOUBLE_EQ(One("SELECT sum(value)" + where), 2.5);
  EXPECT_DOUBLE_EQ(One("SELECT avg(value)" + where), 0.25);
  EXPECT_DOUBLE_EQ(One("SELECT count(value)" + where), 10);
}

TEST_F(HistogramTest, GroupsMergeTheirOwnBuckets) {
  Result<QueryResult> r = ExecuteSql(
      "SELECT date_trunc('minute', p_timestamp) AS minute, "
      "percentile_cont(0.95) WITHIN GROUP (ORDER BY value) AS p95 FROM m "
      "WHERE name = 'lat' GROUP BY 1 ORDER BY 1", &cat_, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->num_rows(), 2u);
  const Column& p95 = r->batches[0].columns[1];
  EXPECT_DOUBLE_EQ(p95.doubles[0], 1.0);
  // Minute 1: two observations in (0.1, 0.5]: rank 1.9 -> 0.1 + 0.4 * 1.9 / 2.
  EXPECT_DOUBLE_EQ(p95.doubles[1], 0.1 + 0.4 * 1.9 / 2);
}

TEST_F(HistogramTest, ComputedValuesLoseTheAnnex) {
  // CASE computes a new column: plain percentile over the bucket values (0.1 0.1 0.5 0.5 0.5
  // 1 1 1 1 1): position 0.5 * 9 = 4.5 -> between 0.5 and 1.
  EXPECT_DOUBLE_EQ(One("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN name = 'lat' "
                       "THEN value END) FROM m WHERE p_timestamp < '1970-01-01 00:01:00'"), 0.75);
}

TEST_F(HistogramTest, EmptyGroupIsNull) {
  Result<QueryResult> r = ExecuteSql(
      "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY value) FROM m WHERE name = 'none'", &cat_, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->num_rows(), 1u);
  EXPECT_TRUE(r->batches[0].columns[0].IsNull(0));
}

TEST(HistogramQuantile, PrometheusEdgeCases) {
  std::map<double, HistBucket> b;
  EXPECT_TRUE(std::isnan(HistogramQuantile(0.5, b)));
  b[-1] = {-INFINITY, 4};
  b[1] = {-1, 4};
  b[INFINITY] = {1, 0};
  // First bucket with upper <= 0 answers its upper bound.
  EXPECT_DOUBLE_EQ(HistogramQuantile(0.25, b), -1);
  // rank 6 in (-1, 1]: -1 + 2 * (6 - 4) / 4.
  EXPECT_DOUBLE_EQ(HistogramQuantile(0.75, b), 0);
  EXPECT_TRUE(std::isnan(HistogramQuantile(NAN, b)));
}

}  // namespace
}  // namespace infermetry::sql::exec
