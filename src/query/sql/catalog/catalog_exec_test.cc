// The guide's queries, pasted unchanged, through ExecuteSql on the store catalog, against
// values computed by hand from the samples written (histogram_quantile as Prometheus computes
// it over sum by (le) of the bucket increases of each minute).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "query/sql/catalog/store_catalog.h"
#include "query/sql/engine.h"
#include "tsdb/db.h"

namespace infermetry::sql {
namespace {

constexpr int64_t kT0 = 1'767'225'600'000;  // ms, a whole minute
constexpr int64_t kStep = 5000;
constexpr int kScrapes = 36;  // 3 minutes after the first scrape
const double kBounds[] = {0.5, 1, 2.5, INFINITY};
const double kMid[] = {0.3, 0.7, 2, 5};  // what each bucket's observations are worth

// Observations added to bucket b (non-cumulative) by engine e at scrape i (i >= 1).
int Added(int e, int i, int b) {
  switch (b) {
    case 0:
      return (i + e) % 3;
    case 1:
      return (2 * i + e) % 4;
    case 2:
      return i % 2;
    default:
      return i % 5 == 0 ? 1 : 0;
  }
}

// Prometheus's histogram_quantile over cumulative counts.
double HistogramQuantile(double q, const std::vector<double>& cum) {
  double total = cum.back();
  double rank = q * total;
  size_t b = 0;
  while (cum[b] < rank) ++b;
  if (std::isinf(kBounds[b])) return kBounds[b - 1];
  double start = b == 0 ? 0 : kBounds[b - 1];
  double below = b == 0 ? 0 : cum[b - 1];
  return start + (kBounds[b] - start) * (rank - below) / (cum[b] - below);
}

class CatalogExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sqlcatexec-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    tsdb::Options o;
    o.dir = dir_;
    o.retention_ms = 0;
    o.compaction_interval = std::chrono::milliseconds(0);
    auto db = tsdb::DB::Open(o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto reg = StreamRegistry::Open("");
    ASSERT_TRUE(reg.ok());
    registry_ = std::move(*reg);
    ASSERT_TRUE(registry_->Ensure("vLLMmetrics", StreamKind::kMetrics).ok());
    catalog_ = NewStoreCatalog({db_.get(), nullptr, nullptr, registry_.get()});
    Fill();
  }
  void TearDown() override {
    catalog_.reset();
    if (db_) (void)db_->Close();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  static model::Labels L(const std::string& name, int engine, std::string le = "") {
    std::vector<model::Label> ls = {{"__name__", name},
                                    {"engine", std::to_string(engine)},
                                    {"model_name", "m"},
                                    {"p_stream", "vLLMmetrics"}};
    if (!le.empty()) ls.push_back({"le", le});
    return model::Labels::FromUnsorted(std::move(ls));
  }

  void Fill() {
    const char* les[] = {"0.5", "1", "2.5", "+Inf"};
    auto app = db_->NewAppender();
    storage::Metadata hist{"vllm:e2e_request_latency_seconds", model::MetricType::kHistogram, "",
                           "seconds"};
    storage::Metadata tokens{"vllm:generation_tokens", model::MetricType::kCounter, "", ""};
    ASSERT_TRUE(
        app->UpdateMetadata(L("vllm:e2e_request_latency_seconds_bucket", 0, "1"), hist).ok());
    ASSERT_TRUE(app->UpdateMetadata(L("vllm:generation_tokens_total", 0), tokens).ok());
    for (int e = 0; e < 2; ++e) {
      double cum_bucket[4] = {0, 0, 0, 0}, sum = 0, gen = 0;
      for (int i = 0; i <= kScrapes; ++i) {
        const int64_t t = kT0 + i * kStep;
        if (i > 0) {
          double running = 0;
          for (int b = 0; b < 4; ++b) {
            running += Added(e, i, b);
            cum_bucket[b] += running;
            sum += Added(e, i, b) * kMid[b];
          }
          // Cumulative per bucket: each bucket counts everything at or below its bound.
          gen += 10 * i + e;
          const int minute = static_cast<int>((t - kT0) / 60000);
          double c = 0;
          for (int b = 0; b < 4; ++b) {
            c += Added(e, i, b);
            minute_cum_[minute].resize(4);
            minute_cum_[minute][b] += c;
          }
          minute_sum_[minute] += [&] {
            double s = 0;
            for (int b = 0; b < 4; ++b) s += Added(e, i, b) * kMid[b];
            return s;
          }();
          minute_tokens_[minute] += 10 * i + e;
          minute_kv_[minute].push_back(0.01 * i + 0.1 * e);
        }
        for (int b = 0; b < 4; ++b) {
          ASSERT_TRUE(
              app->Append(L("vllm:e2e_request_latency_seconds_bucket", e, les[b]), t, cum_bucket[b])
                  .ok());
        }
        ASSERT_TRUE(app->Append(L("vllm:e2e_request_latency_seconds_sum", e), t, sum).ok());
        ASSERT_TRUE(
            app->Append(L("vllm:e2e_request_latency_seconds_count", e), t, cum_bucket[3]).ok());
        ASSERT_TRUE(app->Append(L("vllm:generation_tokens_total", e), t, gen).ok());
        if (i > 0) {
          ASSERT_TRUE(app->Append(L("vllm:kv_cache_usage_perc", e), t, 0.01 * i + 0.1 * e).ok());
        }
      }
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  QueryResult Run(const std::string& sql) {
    QueryOptions opts;
    opts.now_us = (kT0 + kScrapes * kStep + 1000) * 1000;
    auto r = ExecuteSql(sql, catalog_.get(), opts);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : QueryResult();
  }
  static std::vector<std::vector<Value>> Rows(const QueryResult& r) {
    std::vector<std::vector<Value>> out;
    for (const Batch& b : r.batches) {
      for (size_t i = 0; i < b.num_rows; ++i) {
        std::vector<Value> row;
        for (const Column& c : b.columns) row.push_back(c.Get(i));
        out.push_back(std::move(row));
      }
    }
    return out;
  }

  std::string dir_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<StreamRegistry> registry_;
  std::unique_ptr<Catalog> catalog_;
  std::map<int, std::vector<double>> minute_cum_;  // per minute: cumulative counts by bucket
  std::map<int, double> minute_sum_;
  std::map<int, double> minute_tokens_;
  std::map<int, std::vector<double>> minute_kv_;
};

TEST_F(CatalogExecTest, GuideP95P99LatencyEqualsHistogramQuantile) {
  QueryResult r = Run(R"(SELECT
  date_trunc('minute', p_timestamp) AS minute,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY value) AS p95_latency_seconds,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY value) AS p99_latency_seconds,
  avg(value) AS avg_latency_seconds
FROM vLLMmetrics
WHERE name = 'vllm_e2e_request_latency_seconds'
  AND p_timestamp >= now() - interval '1 hour'
GROUP BY 1
ORDER BY 1;)");
  auto rows = Rows(r);
  ASSERT_EQ(rows.size(), minute_cum_.size());
  for (size_t m = 0; m < rows.size(); ++m) {
    const auto& cum = minute_cum_.at(static_cast<int>(m));
    EXPECT_EQ(rows[m][0].i, (kT0 + static_cast<int64_t>(m) * 60000) * 1000);
    EXPECT_NEAR(rows[m][1].d, HistogramQuantile(0.95, cum), 1e-9) << "minute " << m;
    EXPECT_NEAR(rows[m][2].d, HistogramQuantile(0.99, cum), 1e-9) << "minute " << m;
    EXPECT_NEAR(rows[m][3].d, minute_sum_.at(static_cast<int>(m)) / cum.back(), 1e-9)
        << "minute " << m;
  }
  QueryResult n =
      Run("SELECT count(*) FROM vLLMmetrics WHERE name = 'vllm_e2e_request_latency_seconds'");
  double total = 0;
  for (const auto& [m, cum] : minute_cum_) total += cum.back();
  ASSERT_EQ(Rows(n).size(), 1u);
  EXPECT_EQ(Rows(n)[0][0].i, static_cast<int64_t>(total));
}

// Rows of date_trunc('minute', p_timestamp), percentile_cont, percentile_disc, avg, sum and count
// of histogram observations read two ways: equal (sums and averages up to rounding).
void ExpectSameHistogramAnswers(const std::vector<Value>& a, const std::vector<Value>& b) {
  EXPECT_EQ(a[0].i, b[0].i);
  EXPECT_DOUBLE_EQ(a[1].d, b[1].d);
  EXPECT_DOUBLE_EQ(a[2].d, b[2].d);
  EXPECT_NEAR(a[3].d, b[3].d, 1e-12 * std::abs(b[3].d));
  EXPECT_NEAR(a[4].d, b[4].d, 1e-12 * std::abs(b[4].d));
  EXPECT_EQ(a[5].i, b[5].i);
}

// The scan returns counted observation rows when every aggregate weighs them; count(*)
// makes it expand every observation. Both give the same answers.
TEST_F(CatalogExecTest, CountedObservationsAnswerAsExpandedOnes) {
  const std::string select = "SELECT date_trunc('minute', p_timestamp), "
      "percentile_cont(0.95) WITHIN GROUP (ORDER BY value), "
      "percentile_disc(0.5) WITHIN GROUP (ORDER BY value), avg(value), sum(value), count(value), "
      "min(p_timestamp)";
  const std::string from =
      " FROM vLLMmetrics WHERE name = 'vllm_e2e_request_latency_seconds' GROUP BY 1 ORDER BY 1";
  QueryResult plan = Run("EXPLAIN " + select + from);
  EXPECT_NE(plan.explain.find("histogram observations counted"), std::string::npos) << plan.explain;
  // The scan answers the name test: no filter, and no name column read.
  EXPECT_EQ(plan.explain.find("Filter"), std::string::npos) << plan.explain;
  EXPECT_NE(plan.explain.find("columns: p_timestamp, value]"), std::string::npos) << plan.explain;
  QueryResult counted_run = Run(select + from);
  QueryResult expanded_run = Run(select + ", count(*)" + from);
  EXPECT_LT(counted_run.stats.rows_scanned, expanded_run.stats.rows_scanned);
  auto counted = Rows(counted_run);
  auto expanded = Rows(expanded_run);
  ASSERT_EQ(counted.size(), minute_cum_.size());
  ASSERT_EQ(counted.size(), expanded.size());
  for (size_t m = 0; m < counted.size(); ++m) {
    SCOPED_TRACE("minute " + std::to_string(m));
    const auto& c = counted[m];
    const auto& e = expanded[m];
    ExpectSameHistogramAnswers(c, e);
    EXPECT_NEAR(c[4].d, minute_sum_.at(static_cast<int>(m)), 1e-9);
    EXPECT_EQ(c[5].i, e[7].i);  // count(value) = the observations = count(*) of expanded rows
    EXPECT_EQ(c[5].i, static_cast<int64_t>(minute_cum_.at(static_cast<int>(m)).back()));
    EXPECT_EQ(c[6].i, e[6].i);
  }
}

// Merged per bucket and minute (the WHERE only bounds the time, here mid-minute and between
// two milliseconds: the scrape at 30 s is out), the counted rows give what the unmerged ones
// give (max(p_timestamp) reads the time, which keeps them apart), from fewer rows.
TEST_F(CatalogExecTest, MergedObservationsAnswerAsCountedOnes) {
  const std::string select = "SELECT date_trunc('minute', p_timestamp), "
      "percentile_cont(0.95) WITHIN GROUP (ORDER BY value), "
      "percentile_disc(0.5) WITHIN GROUP (ORDER BY value), avg(value), sum(value), count(value)";
  const std::string from =
      " FROM vLLMmetrics WHERE name = 'vllm_e2e_request_latency_seconds'"
      " AND p_timestamp >= '2026-01-01 00:00:30.0005' AND p_timestamp <= '2026-01-01 00:02:47.5' GROUP BY 1 ORDER BY 1";
  QueryResult plan = Run("EXPLAIN " + select + from);
  EXPECT_NE(plan.explain.find("counted, merged per bucket and 60000 ms"), std::string::npos) << plan.explain;
  QueryResult merged_run = Run(select + from);
  QueryResult counted_run = Run(select + ", max(p_timestamp)" + from);
  EXPECT_LT(merged_run.stats.rows_scanned, counted_run.stats.rows_scanned);
  auto merged = Rows(merged_run);
  auto counted = Rows(counted_run);
  ASSERT_EQ(merged.size(), 3u);
  ASSERT_EQ(merged.size(), counted.size());
  for (size_t m = 0; m < merged.size(); ++m) {
    SCOPED_TRACE("minute " + std::to_string(m));
    ExpectSameHistogramAnswers(merged[m], counted[m]);
    EXPECT_GT(merged[m][5].i, 0);
  }
}

// Other metrics decide which groups exist. With whole-minute (hour, ...) groups only the
// intervals they reach matter: a series in covered minutes is skipped, one reaching an
// uncovered minute is read, and its samples give those minutes, but neither a gap inside its
// span nor a staleness marker does. Results equal a full read (count(*) forces one).
TEST_F(CatalogExecTest, OtherMetricsGiveTheirMinutesOnly) {
  auto app = db_->NewAppender();
  const model::Labels running = L("vllm:num_requests_running", 0);
  for (int64_t t : {kT0 + 5 * 60000, kT0 + 5 * 60000 + 30000, kT0 + 7 * 60000 + 10000}) {
    ASSERT_TRUE(app->Append(running, t, 3).ok());
  }
  ASSERT_TRUE(app->Append(running, kT0 + 8 * 60000, model::StaleNaN()).ok());
  ASSERT_TRUE(app->Commit().ok());
  const std::string sums =
      " sum(CASE WHEN name = 'vllm_generation_tokens_total' THEN value ELSE 0 END) FROM vLLMmetrics"
      " WHERE p_timestamp >= '2026-01-01 00:00:00' AND p_timestamp < '2026-01-01 01:00:00'";
  for (std::string unit : {"minute", "hour"}) {
    SCOPED_TRACE(unit);
    const std::string key = "date_trunc('" + unit + "', p_timestamp)";
    QueryResult plan = Run("EXPLAIN SELECT " + key + "," + sums + " GROUP BY 1 ORDER BY 1");
    EXPECT_NE(plan.explain.find("other names: timestamps only"), std::string::npos) << plan.explain;
    auto pushed = Rows(Run("SELECT " + key + "," + sums + " GROUP BY 1 ORDER BY 1"));
    auto full = Rows(Run("SELECT " + key + ", count(*)," + sums + " GROUP BY 1 ORDER BY 1"));
    ASSERT_EQ(pushed.size(), full.size());
    for (size_t m = 0; m < pushed.size(); ++m) {
      EXPECT_EQ(pushed[m][0].i, full[m][0].i);
      EXPECT_EQ(pushed[m][1].d, full[m][2].d);
    }
    if (unit == "minute") {
      std::vector<int64_t> minutes;
      for (const auto& r : pushed) minutes.push_back((r[0].i / 1000 - kT0) / 60000);
      EXPECT_EQ(minutes, (std::vector<int64_t>{0, 1, 2, 3, 5, 7}));
    }
  }
  // No groups: one row whatever the other metrics.
  auto one = Rows(Run("SELECT" + sums));
  ASSERT_EQ(one.size(), 1u);
  double total = 0;
  for (const auto& [m, v] : minute_tokens_) total += v;
  EXPECT_EQ(one[0][0].d, total);
}

// A name test the scan answers is dropped from the filter; the name column stays when the
// query reads it otherwise.
TEST_F(CatalogExecTest, AnsweredNameTestsLeaveTheFilter) {
  const std::string sql =
      "SELECT name, count(value) FROM vLLMmetrics WHERE name IN "
      "('vllm_e2e_request_latency_seconds', 'vllm:generation_tokens_total') "
      "AND p_timestamp >= '2026-01-01 00:01:00' GROUP BY name ORDER BY name";
  QueryResult plan = Run("EXPLAIN " + sql);
  EXPECT_EQ(plan.explain.find("name IN"), std::string::npos) << plan.explain;
  EXPECT_NE(plan.explain.find("Filter (p_timestamp >="), std::string::npos) << plan.explain;
  EXPECT_NE(plan.explain.find("columns: p_timestamp, name, value]"), std::string::npos) << plan.explain;
  auto rows = Rows(Run(sql));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0].s, "vllm_e2e_request_latency_seconds");
  EXPECT_EQ(rows[1][0].s, "vllm_generation_tokens_total");
  // The same counts with the test kept (count(*) reads every row as it is).
  auto kept = Rows(Run(
      "SELECT name, count(value), count(*) FROM vLLMmetrics WHERE (name = "
      "'vllm_e2e_request_latency_seconds' OR name = 'vllm_generation_tokens_total') "
      "AND p_timestamp >= '2026-01-01 00:01:00' GROUP BY name ORDER BY name"));
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(rows[0][1].i, kept[0][1].i);
  EXPECT_EQ(rows[1][1].i, kept[1][1].i);
  EXPECT_GT(rows[0][1].i, 0);
}

TEST_F(CatalogExecTest, GuideTokenThroughputAndKvCacheWithOldName) {
  auto tokens = Rows(Run(R"(SELECT
  date_trunc('minute', p_timestamp) AS minute,
  sum(CASE WHEN name = 'vllm_prompt_tokens_total' THEN value ELSE 0 END) AS prompt_tokens,
  sum(CASE WHEN name = 'vllm_generation_tokens_total' THEN value ELSE 0 END) AS generation_tokens
FROM vLLMmetrics
WHERE p_timestamp >= now() - interval '1 hour'
GROUP BY 1
ORDER BY 1;)"));
  ASSERT_EQ(tokens.size(), minute_tokens_.size());
  for (size_t m = 0; m < tokens.size(); ++m) {
    EXPECT_EQ(tokens[m][1].d, 0);
    EXPECT_EQ(tokens[m][2].d, minute_tokens_.at(static_cast<int>(m))) << "minute " << m;
  }
  // The names were pushed down, the other metrics read as timestamps only; with count(*) the
  // whole table is read, and the sums are the same.
  const std::string grouped = R"(
  sum(CASE WHEN name = 'vllm_prompt_tokens_total' THEN value ELSE 0 END),
  sum(CASE WHEN name = 'vllm_generation_tokens_total' THEN value ELSE 0 END)
FROM vLLMmetrics GROUP BY 1 ORDER BY 1)";
  QueryResult plan = Run("EXPLAIN SELECT date_trunc('minute', p_timestamp)," + grouped);
  EXPECT_NE(plan.explain.find("other names: timestamps only"), std::string::npos) << plan.explain;
  auto pushed = Rows(Run("SELECT date_trunc('minute', p_timestamp)," + grouped));
  auto full = Rows(Run("SELECT date_trunc('minute', p_timestamp), count(*)," + grouped));
  ASSERT_EQ(pushed.size(), full.size());
  ASSERT_GT(pushed.size(), 0u);
  for (size_t m = 0; m < pushed.size(); ++m) {
    EXPECT_EQ(pushed[m][0].i, full[m][0].i);
    EXPECT_EQ(pushed[m][1].d, full[m][2].d);
    EXPECT_EQ(pushed[m][2].d, full[m][3].d);
  }
  auto kv = Rows(Run(R"(SELECT
  date_trunc('minute', p_timestamp) AS minute,
  avg(CASE WHEN name = 'vllm_gpu_cache_usage_perc' THEN value END) AS avg_kv_cache_pct,
  max(CASE WHEN name = 'vllm_gpu_cache_usage_perc' THEN value END) AS max_kv_cache_pct
FROM vLLMmetrics
WHERE p_timestamp >= now() - interval '1 hour'
GROUP BY 1
ORDER BY 1;)"));
  ASSERT_EQ(kv.size(), minute_kv_.size());
  for (size_t m = 0; m < kv.size(); ++m) {
    const auto& v = minute_kv_.at(static_cast<int>(m));
    double sum = 0, mx = 0;
    for (double x : v) {
      sum += x;
      mx = std::max(mx, x);
    }
    EXPECT_NEAR(kv[m][1].d, sum / v.size(), 1e-12) << "minute " << m;
    EXPECT_NEAR(kv[m][2].d, mx, 1e-12) << "minute " << m;
  }
  // The alert query's form: the old name in WHERE, pushed down as the current name.
  auto alert = Rows(Run(R"(SELECT avg(value)
FROM vLLMmetrics
WHERE name = 'vllm_gpu_cache_usage_perc'
  AND p_timestamp >= now() - interval '5 minutes')"));
  double sum = 0, n = 0;
  for (const auto& [m, v] : minute_kv_) {
    for (double x : v) {
      sum += x;
      ++n;
    }
  }
  ASSERT_EQ(alert.size(), 1u);
  EXPECT_NEAR(alert[0][0].d, sum / n, 1e-12);
}

}  // namespace
}  // namespace infermetry::sql
