// Planner and executor: pushdown into scans, the Parseable guide's queries on a metric table,
// EXPLAIN ANALYZE, stats, name resolution.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "query/sql/engine.h"
#include "query/sql/exec/memory_table.h"

namespace infermetry::sql::exec {
namespace {

constexpr int64_t kNow = 1717243200LL * 1000000;  // 2024-06-01 12:00:00
constexpr int64_t kSec = 1000000;

class MetricsTest : public testing::Test {
 protected:
  void SetUp() override {
    t_ = cat_.AddTable("vLLMmetrics",
                       {{"p_timestamp", Type::kTimestamp}, {"name", Type::kText},
                        {"value", Type::kFloat64}, {"engine", Type::kText}},
                       "p_timestamp", true);
    // Two hours of samples every 15 s: tokens as per-sample increases, a gauge, requests.
    for (int64_t ts = kNow - 7200 * kSec; ts < kNow; ts += 15 * kSec) {
      Add(ts, "vllm_generation_tokens_total", 100);
      Add(ts, "vllm_prompt_tokens_total", 40);
      Add(ts, "vllm_request_success_total", 2);
      Add(ts, "vllm_kv_cache_usage_perc",  // the current name; the guide writes the old one
           ts >= kNow - 300 * kSec ? 0.95 : 0.5);
      Add(ts, "vllm_num_requests_running", 3);
      Add(ts, "vllm_num_requests_waiting", 1);
      Add(ts, "vllm_e2e_request_latency_seconds", 2.0);
      Add(ts, "vllm_time_to_first_token_seconds", 0.2);
    }
  }
  void Add(int64_t ts, const char* name, double v) {
    ASSERT_TRUE(t_->AppendRow({Value::Timestamp(ts), Value::Text(name), Value::Float(v), Value::Text("e1")}).ok());
  }
  Result<QueryResult> Run(const std::string& sql) {
    QueryOptions o;
    o.now_us = kNow;
    return ExecuteSql(sql, &cat_, o);
  }
  MemoryCatalog cat_;
  MemoryTable* t_ = nullptr;
};

TEST_F(MetricsTest, TimeAndNamePushdown) {
  Result<QueryResult> r = Run(
      "SELECT avg(value) FROM vLLMmetrics WHERE name = 'vllm_num_requests_waiting' "
      "AND p_timestamp >= now() - interval '5 minutes'");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ScanRequest req = t_->last_request();
  EXPECT_EQ(req.min_time_us, kNow - 300 * kSec);
  EXPECT_EQ(req.max_time_us, INT64_MAX);
  ASSERT_TRUE(req.names.has_value());
  EXPECT_EQ(*req.names, std::vector<std::string>{"vllm_num_requests_waiting"});
  EXPECT_EQ(req.columns, (std::vector<size_t>{0, 1, 2}));  // engine is not read
  EXPECT_EQ(r->stats.rows_scanned, 20u);                    // 5 minutes of one series
  EXPECT_DOUBLE_EQ(r->batches[0].columns[0].doubles[0], 1.0);
}

TEST_F(MetricsTest, BetweenInAndOptionsRange) {
  QueryOptions o;
  o.now_us = kNow;
  o.max_time_us = kNow - 60 * kSec;
  Result<QueryResult> r = ExecuteSql(
      "SELECT count(*) FROM vllmmetrics WHERE name IN ('vllm_prompt_tokens_total', "
      "'vllm_generation_tokens_total') AND p_timestamp BETWEEN '2024-06-01 11:00:00' AND "
      "'2024-06-01 11:30:00'", &cat_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ScanRequest req = t_->last_request();
  EXPECT_EQ(req.min_time_us, kNow - 3600 * kSec);
  EXPECT_EQ(req.max_time_us, kNow - 1800 * kSec);
  ASSERT_TRUE(req.names.has_value());
  EXPECT_EQ(req.names->size(), 2u);
  EXPECT_EQ(r->batches[0].columns[0].ints[0], 2 * 121);
}

TEST_F(MetricsTest, NoPushdownThroughOr) {
  Result<QueryResult> r = Run("SELECT count(*) FROM vLLMmetrics WHERE name = 'x' OR p_timestamp > now()");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(t_->last_request().names.has_value());
  EXPECT_EQ(t_->last_request().min_time_us, INT64_MIN);
}

// Histogram observations are asked for as counted rows only when every aggregate weighs them
// (count, sum, avg, percentile of the bare value) or ignores repeats, and nothing else reads
// the value.
TEST_F(MetricsTest, ObservationCountsOnlyWhenEveryAggregateWeighsThem) {
  const std::string where = " FROM vLLMmetrics WHERE name = 'vllm_e2e_request_latency_seconds'";
  const std::string by_minute = " GROUP BY date_trunc('minute', p_timestamp)";
  struct Case {
    std::string sql;
    bool counted;
  };
  const std::vector<Case> cases = {
      {"SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY value), avg(value)" + where + by_minute, true},
      {"SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY value), sum(value), count(value), "
       "max(p_timestamp), count(DISTINCT engine)" + where, true},
      {"SELECT avg(value), count(*)" + where, false},            // counts rows
      {"SELECT avg(value), min(value)" + where, false},          // reads the spread values
      {"SELECT avg(value * 2)" + where, false},                  // a computation on them
      {"SELECT count(DISTINCT value)" + where, false},
      {"SELECT sum(value) FILTER (WHERE value > 1)" + where, false},
      {"SELECT avg(value)" + where + " AND value > 1", false},
      {"SELECT value, count(value)" + where + " GROUP BY 1", false},
      {"SELECT count(engine), avg(value)" + where, false},       // counts rows too
      {"SELECT avg(a.value) FROM vLLMmetrics a JOIN vLLMmetrics b ON a.p_timestamp = b.p_timestamp "
       "WHERE a.name = 'vllm_e2e_request_latency_seconds'", false},
  };
  for (const Case& c : cases) {
    Result<QueryResult> r = Run(c.sql);
    ASSERT_TRUE(r.ok()) << c.sql << ": " << r.status().ToString();
    EXPECT_EQ(t_->last_request().observation_counts, c.counted) << c.sql;
  }
  Result<QueryResult> plan = Run("EXPLAIN " + cases[0].sql);
  ASSERT_TRUE(plan.ok());
  EXPECT_NE(plan->explain.find("histogram observations counted"), std::string::npos) << plan->explain;
}

// Counted observations are merged per bucket and interval only when nothing but date_trunc
// keys and time bounds reads the time, and no other column is read.
TEST_F(MetricsTest, ObservationMergeOnlyWhenNothingElseIsRead) {
  const std::string p95 = "SELECT date_trunc('minute', p_timestamp), percentile_cont(0.95) WITHIN GROUP (ORDER BY "
                          "value), avg(value) FROM vLLMmetrics ";
  const std::string hour = "WHERE p_timestamp >= now() - interval '1 hour' ";
  struct Case {
    std::string sql;
    int64_t merge_ms;
  };
  const std::vector<Case> cases = {
      {p95 + hour + "GROUP BY 1", 60000},
      {p95 + "WHERE p_timestamp >= now() - interval '1 hour' AND p_timestamp < now() GROUP BY 1", 60000},
      {"SELECT date_trunc('hour', p_timestamp), sum(value), count(value) FROM vLLMmetrics GROUP BY 1", 3600000},
      {"SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY value) FROM vLLMmetrics " + hour, INT64_MAX},
      {p95 + hour + "GROUP BY 1, engine", 0},                              // another column
      {p95 + hour + "AND engine = 'e1' GROUP BY 1", 0},                    // in the WHERE too
      {p95 + "WHERE name = 'vllm_e2e_request_latency_seconds' GROUP BY 1", 0},  // a name test left
      {p95 + "WHERE extract(minute FROM p_timestamp) < 30 GROUP BY 1", 0},  // not a bound
      {"SELECT extract(minute FROM p_timestamp), avg(value) FROM vLLMmetrics GROUP BY 1", 0},
      {"SELECT date_trunc('minute', p_timestamp), avg(value), max(p_timestamp) FROM vLLMmetrics GROUP BY 1", 0},
      {"SELECT date_trunc('minute', p_timestamp), avg(value), count(*) FROM vLLMmetrics GROUP BY 1", 0},
  };
  for (const Case& c : cases) {
    Result<QueryResult> r = Run(c.sql);
    ASSERT_TRUE(r.ok()) << c.sql << ": " << r.status().ToString();
    EXPECT_EQ(t_->last_request().observation_merge_ms, c.merge_ms) << c.sql;
  }
  Result<QueryResult> plan = Run("EXPLAIN " + cases[0].sql);
  ASSERT_TRUE(plan.ok());
  EXPECT_NE(plan->explain.find("histogram observations counted, merged per bucket and 60000 ms"), std::string::npos)
      << plan->explain;
}

// With the names pushed down, a granularity is passed when the groups are date_trunc of the
// time and the WHERE clause only bounds it.
TEST_F(MetricsTest, OtherTimesGranularityFromDateTruncKeys) {
  const std::string sum =
      "sum(CASE WHEN name = 'vllm_prompt_tokens_total' THEN value ELSE 0 END) FROM vLLMmetrics ";
  struct Case {
    std::string sql;
    int64_t granularity_ms;
  };
  const std::vector<Case> cases = {
      {"SELECT date_trunc('minute', p_timestamp), " + sum +
           "WHERE p_timestamp >= now() - interval '1 hour' GROUP BY 1", 60000},
      {"SELECT date_trunc('HOUR', p_timestamp), " + sum + "GROUP BY 1", 3600000},
      {"SELECT date_trunc('minute', p_timestamp), date_trunc('hour', p_timestamp), " + sum +
           "GROUP BY 1, 2", 60000},
      {"SELECT date_trunc('month', p_timestamp), " + sum + "GROUP BY 1", 86400000},
      {"SELECT " + sum + "WHERE p_timestamp BETWEEN '2024-06-01 11:00:00' AND '2024-06-01 11:30:00'",
       INT64_MAX},
      // Not only time bounds, other keys, or units below a millisecond: every distinct time.
      {"SELECT date_trunc('minute', p_timestamp), " + sum +
           "WHERE extract(minute FROM p_timestamp) < 30 GROUP BY 1", 0},
      {"SELECT p_timestamp, " + sum + "GROUP BY 1", 0},
      {"SELECT date_trunc('microseconds', p_timestamp), " + sum + "GROUP BY 1", 0},
  };
  for (const Case& c : cases) {
    Result<QueryResult> r = Run(c.sql);
    ASSERT_TRUE(r.ok()) << c.sql << ": " << r.status().ToString();
    ScanRequest req = t_->last_request();
    EXPECT_TRUE(req.other_names_as_times) << c.sql;
    EXPECT_EQ(req.other_times_granularity_ms, c.granularity_ms) << c.sql;
  }
}

// The guide's ten queries, pasted unchanged from the seeds file.
std::map<std::string, std::string> GuideQueries() {
  std::map<std::string, std::string> out;
  std::ifstream in(std::string(INFERMETRY_SEEDS_DIR) + "/parseable-queries.sql");
  std::string line, name, sql;
  while (std::getline(in, line)) {
    if (line.rfind("-- name: ", 0) == 0) {
      if (!name.empty()) out[name] = sql;
      name = line.substr(9);
      sql.clear();
    } else if (!name.empty() && line.rfind("--", 0) != 0) {
      sql += line + "\n";
    }
  }
  if (!name.empty()) out[name] = sql;
  return out;
}

TEST_F(MetricsTest, GuideQueriesRun) {
  auto q = GuideQueries();
  ASSERT_EQ(q.size(), 10u);
  for (const auto& [name, sql] : q) {
    Result<QueryResult> r = Run(sql);
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
  }
  Result<QueryResult> tokens = Run(q["token_throughput"]);
  ASSERT_EQ(tokens->num_rows(), 60u);  // one row per minute of the last hour
  const Batch& b = tokens->batches[0];
  EXPECT_DOUBLE_EQ(b.columns[1].doubles[0], 4 * 40);   // 4 samples a minute
  EXPECT_DOUBLE_EQ(b.columns[2].doubles[0], 4 * 100);
  Result<QueryResult> cost = Run(q["gpu_cost_estimate"]);
  ASSERT_EQ(cost->num_rows(), 2u);
  EXPECT_DOUBLE_EQ(cost->batches[0].columns[2].doubles[0], 240 * 2);
  EXPECT_DOUBLE_EQ(cost->batches[0].columns[4].doubles[0], 0.004604);  // round(2.21 / 480, 6)
  Result<QueryResult> kv = Run(q["alert_kv_cache_saturation"]);
  ASSERT_EQ(kv->num_rows(), 1u);
  EXPECT_DOUBLE_EQ(kv->batches[0].columns[0].doubles[0], 0.95);
  Result<QueryResult> queue = Run(q["alert_high_queue_depth"]);
  EXPECT_EQ(queue->num_rows(), 0u);  // avg 1 is not > 50
  Result<QueryResult> p99 = Run(q["alert_high_p99_latency"]);
  EXPECT_EQ(p99->num_rows(), 0u);
  Result<QueryResult> lat = Run(q["p95_p99_latency"]);
  EXPECT_EQ(lat->columns[1].name, "p95_latency_seconds");
  EXPECT_DOUBLE_EQ(lat->batches[0].columns[1].doubles[0], 2.0);
}

// Names read only inside CASE WHEN name = ... aggregates are pushed down; the other names'
// rows come back as bare timestamps, and results equal those of a table without pushdown.
TEST_F(MetricsTest, NamesFromCaseAggregatesArePushedDown) {
  // A minute holding only other names must still give its row (sums of 0).
  Add(kNow - 30 * kSec, "vllm_iteration_tokens_total", 7);
  MemoryTable* plain = cat_.AddTable("plain",
                                     {{"p_timestamp", Type::kTimestamp}, {"name", Type::kText},
                                      {"value", Type::kFloat64}, {"engine", Type::kText}},
                                     "p_timestamp", false);
  QueryOptions o;
  o.now_us = kNow;
  Result<QueryResult> all = ExecuteSql("SELECT * FROM vLLMmetrics", &cat_, o);
  ASSERT_TRUE(all.ok());
  for (const Batch& b : all->batches) {
    for (size_t r = 0; r < b.num_rows; ++r) {
      std::vector<Value> row;
      for (const Column& c : b.columns) row.push_back(c.Get(r));
      ASSERT_TRUE(plain->AppendRow(row).ok());
    }
  }
  auto rows = [&](const std::string& table, const std::string& body) {
    Result<QueryResult> r = ExecuteSql("SELECT " + body.substr(0, body.find("FROM")) + "FROM " +
                                           table + body.substr(body.find("FROM") + 4), &cat_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const Batch& b : r->batches) {
      for (size_t i = 0; i < b.num_rows; ++i) {
        std::string line;
        for (const Column& c : b.columns) {
          Value v = c.Get(i);
          line += v.null ? "NULL" : v.type == Type::kFloat64 ? std::to_string(v.d) : std::to_string(v.i);
          line += "|";
        }
        out.push_back(line);
      }
    }
    return out;
  };
  struct Case {
    std::string body;
    bool pushed;
  };
  const std::vector<Case> cases = {
      {"date_trunc('minute', p_timestamp) AS m, sum(CASE WHEN name = 'vllm_prompt_tokens_total' "
       "THEN value ELSE 0 END), sum(CASE WHEN name = 'vllm_generation_tokens_total' THEN value "
       "ELSE 0 END) FROM $ WHERE p_timestamp >= now() - interval '10 minutes' GROUP BY 1 ORDER BY 1",
       true},
      // (the current name: the reference table does not resolve vLLM's renames)
      {"date_trunc('minute', p_timestamp), avg(CASE WHEN name = 'vllm_kv_cache_usage_perc' THEN "
       "value END), max(CASE WHEN name IN ('vllm_num_requests_running') THEN value ELSE -1 END) "
       "FROM $ GROUP BY 1 ORDER BY 1",
       true},
      // Not provably the same: other rows count, other columns filter, or ELSE matters.
      {"date_trunc('minute', p_timestamp), avg(CASE WHEN name = 'vllm_prompt_tokens_total' THEN "
       "value ELSE 0 END) FROM $ GROUP BY 1 ORDER BY 1",
       false},
      {"date_trunc('minute', p_timestamp), count(*), sum(CASE WHEN name = "
       "'vllm_prompt_tokens_total' THEN value ELSE 0 END) FROM $ GROUP BY 1 ORDER BY 1",
       false},
      {"date_trunc('minute', p_timestamp), sum(CASE WHEN name = 'vllm_prompt_tokens_total' THEN "
       "value ELSE 0 END) FROM $ WHERE engine = 'e1' GROUP BY 1 ORDER BY 1",
       false},
      {"engine, sum(CASE WHEN name = 'vllm_prompt_tokens_total' THEN value ELSE 0 END) FROM $ "
       "GROUP BY 1 ORDER BY 1",
       false},
  };
  for (const Case& c : cases) {
    std::string body = c.body;
    body.replace(body.find('$'), 1, "");
    std::vector<std::string> got = rows("vLLMmetrics", body);
    ScanRequest req = t_->last_request();
    EXPECT_EQ(req.other_names_as_times, c.pushed) << c.body;
    EXPECT_EQ(req.names.has_value(), c.pushed) << c.body;
    EXPECT_EQ(got, rows("plain", body)) << c.body;
    EXPECT_FALSE(got.empty()) << c.body;
  }
  // The minute that holds only the other name is there, with zero sums.
  std::vector<std::string> tokens = rows("vLLMmetrics", cases[0].body.substr(0, cases[0].body.find('$')) +
                                                         cases[0].body.substr(cases[0].body.find('$') + 1));
  EXPECT_EQ(tokens.size(), 10u);
}

TEST_F(MetricsTest, ExplainAnalyzeReportsRowsPerNode) {
  Result<QueryResult> r = Run(
      "EXPLAIN ANALYZE SELECT date_trunc('minute', p_timestamp), count(*) FROM vLLMmetrics "
      "WHERE p_timestamp >= now() - interval '10 minutes' GROUP BY 1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->columns.size(), 1u);
  EXPECT_EQ(r->columns[0].name, "QUERY PLAN");
  EXPECT_NE(r->explain.find("HashAggregate"), std::string::npos) << r->explain;
  EXPECT_NE(r->explain.find("Scan vLLMmetrics [p_timestamp >= 2024-06-01 11:50:00"), std::string::npos) << r->explain;
  EXPECT_NE(r->explain.find("rows=320"), std::string::npos) << r->explain;
  EXPECT_NE(r->explain.find("rows=10 "), std::string::npos) << r->explain;
}

TEST_F(MetricsTest, NameConstantsAreCanonical) {
  // Colons, and a name vLLM renamed: both select the stored canonical name.
  Result<QueryResult> r = Run(
      "SELECT count(*), sum(CASE WHEN name = 'vllm:gpu_cache_usage_perc' THEN 1 ELSE 0 END) "
      "FROM vLLMmetrics WHERE name IN ('vllm:gpu_cache_usage_perc', 'vllm:num_requests_running')");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ScanRequest req = t_->last_request();
  ASSERT_TRUE(req.names.has_value());
  EXPECT_EQ(*req.names, (std::vector<std::string>{"vllm_kv_cache_usage_perc", "vllm_num_requests_running"}));
  EXPECT_EQ(r->batches[0].columns[0].ints[0], 2 * 480);
  EXPECT_DOUBLE_EQ(r->batches[0].columns[1].doubles[0], 480);
}

TEST_F(MetricsTest, CaseInsensitiveColumnsAndQuotedNames) {
  Result<QueryResult> r = Run("SELECT \"name\", Value FROM vLLMmetrics LIMIT 1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->columns[1].name, "value");
}

TEST(MemoryTable, RejectsWrongTypes) {
  MemoryCatalog cat;
  MemoryTable* t = cat.AddTable("t", {{"a", Type::kInt64}});
  EXPECT_FALSE(t->AppendRow({Value::Text("x")}).ok());
  EXPECT_FALSE(t->AppendRow({}).ok());
  EXPECT_TRUE(t->AppendRow({Value::Null()}).ok());
}

TEST(Engine, ConcurrentQueriesShareACatalog) {
  MemoryCatalog cat;
  MemoryTable* t = cat.AddTable("t", {{"a", Type::kInt64}});
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(t->AppendRow({Value::Int(i)}).ok());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      Result<QueryResult> r = ExecuteSql("SELECT sum(a) FROM t", &cat, {});
      if (r.ok() && r->batches[0].columns[0].doubles[0] == 499500) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 4);
}

}  // namespace
}  // namespace infermetry::sql::exec
