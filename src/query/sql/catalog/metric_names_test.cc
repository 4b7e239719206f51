#include "query/sql/catalog/metric_names.h"

#include <gtest/gtest.h>

#include "query/sql/catalog/metric_rows.h"
#include "query/sql/catalog/time_coverage.h"

namespace infermetry::sql::catalog {
namespace {

TEST(MetricNamesTest, CanonicalNames) {
  EXPECT_EQ(CanonicalMetricName("vllm:num_requests_running"), "vllm_num_requests_running");
  EXPECT_EQ(CanonicalMetricName("vllm_num_requests_running"), "vllm_num_requests_running");
  EXPECT_EQ(CanonicalMetricName("vllm:gpu_cache_usage_perc"), "vllm_kv_cache_usage_perc");
  EXPECT_EQ(CanonicalMetricName("vllm_gpu_cache_usage_perc"), "vllm_kv_cache_usage_perc");
  EXPECT_EQ(CanonicalMetricName("vllm:gpu_prefix_cache_queries_total"),
            "vllm_prefix_cache_queries_total");
  EXPECT_EQ(CanonicalMetricName("vllm:gpu_prefix_cache_hits_total"),
            "vllm_prefix_cache_hits_total");
  EXPECT_EQ(CanonicalMetricName("vllm:time_per_output_token_seconds_bucket"),
            "vllm_inter_token_latency_seconds_bucket");
  EXPECT_EQ(CanonicalMetricName("vllm:time_in_queue_requests_sum"),
            "vllm_request_queue_time_seconds_sum");
  // Only whole names (plus the series suffixes) are aliased.
  EXPECT_EQ(CanonicalMetricName("vllm:gpu_prefix_cache_hit_rate"),
            "vllm_gpu_prefix_cache_hit_rate");
  EXPECT_EQ(CanonicalMetricName("vllm:gpu_cache_usage_perc_x"), "vllm_gpu_cache_usage_perc_x");
  EXPECT_EQ(CanonicalMetricName("http_requests_total"), "http_requests_total");
}

TEST(MetricNamesTest, PushdownMatcherSelectsEverySpelling) {
  auto m = NameMatcher({"vllm_kv_cache_usage_perc"}, false);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->Matches("vllm:kv_cache_usage_perc"));
  EXPECT_TRUE(m->Matches("vllm_kv_cache_usage_perc"));
  EXPECT_TRUE(m->Matches("vllm:gpu_cache_usage_perc"));
  EXPECT_TRUE(m->Matches("vllm_gpu_cache_usage_perc"));
  EXPECT_FALSE(m->Matches("vllm:kv_cache_usage_perc_bucket"));
  EXPECT_FALSE(m->Matches("vllmXkv_cache_usage_perc"));
  auto h = NameMatcher({"vllm_e2e_request_latency_seconds", "vllm_prefix_cache_hits_total"}, true);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->Matches("vllm:e2e_request_latency_seconds_bucket"));
  EXPECT_TRUE(h->Matches("vllm:e2e_request_latency_seconds_sum"));
  EXPECT_TRUE(h->Matches("vllm_e2e_request_latency_seconds_count"));
  EXPECT_TRUE(h->Matches("vllm:gpu_prefix_cache_hits_total"));
  EXPECT_FALSE(h->Matches("vllm:e2e_request_latency_seconds_created"));
}

std::vector<model::Sample> S(std::vector<std::pair<int64_t, double>> v) {
  std::vector<model::Sample> out;
  for (auto [t, x] : v) out.push_back({t, x});
  return out;
}

TEST(MetricRowsTest, CounterIncreasesAreResetAware) {
  auto rows = SeriesRows(S({{0, 5}, {10, 8}, {20, 2}, {30, 2}, {40, 10}}), 0, 100, true, false);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(*rows[0].value, 5);  // first sample: from 0
  EXPECT_EQ(*rows[1].value, 3);
  EXPECT_EQ(*rows[2].value, 2);  // reset: the new value
  EXPECT_EQ(*rows[3].value, 0);
  EXPECT_EQ(*rows[4].value, 8);
  EXPECT_EQ(rows[2].raw, 2);
}

TEST(MetricRowsTest, LookbackStalenessAndHistory) {
  // Samples before lo only give the predecessor.
  auto rows = SeriesRows(S({{5, 100}, {15, 110}, {25, 111}}), 10, 100, true, false);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].t_ms, 15);
  EXPECT_EQ(*rows[0].value, 10);
  // No predecessor in the lookback but older history: NULL.
  rows = SeriesRows(S({{15, 110}, {25, 111}}), 10, 100, true, true);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].value.has_value());
  EXPECT_EQ(*rows[1].value, 1);
  // A staleness marker gives no row; the next sample continues the series.
  rows = SeriesRows(S({{0, 1}, {10, model::StaleNaN()}, {20, 4}}), 0, 100, true, false);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[1].value, 3);
  // Gauges: value = raw; beyond hi: nothing.
  rows = SeriesRows(S({{0, 7}, {10, 3}, {200, 1}}), 0, 100, false, true);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[1].value, 3);
}

TEST(MetricRowsTest, HistogramObservations) {
  HistogramSeries h;
  auto rows = [](std::vector<std::pair<int64_t, double>> v) {
    return SeriesRows(S(std::move(v)), 10, 100, true, false);
  };
  // Buckets 1, 2, +Inf; between t=0 and t=10: 2 obs in (0,1], 1 in (1,2], 1 above 2.
  h.buckets = {{1, rows({{0, 0}, {10, 2}})},
               {2, rows({{0, 0}, {10, 3}})},
               {INFINITY, rows({{0, 0}, {10, 4}})}};
  h.sum = rows({{0, 0}, {10, 7}});
  h.count = rows({{0, 0}, {10, 4}});
  std::vector<Observation> obs;
  ReconstructObservations(h, false, [&](const Observation& o) { obs.push_back(o); });
  ASSERT_EQ(obs.size(), 4u);
  EXPECT_DOUBLE_EQ(obs[0].value, 0.5);
  EXPECT_DOUBLE_EQ(obs[1].value, 1.0);
  EXPECT_EQ(obs[0].lower, 0);
  EXPECT_EQ(obs[0].upper, 1);
  EXPECT_DOUBLE_EQ(obs[2].value, 2.0);
  EXPECT_EQ(obs[2].lower, 1);
  EXPECT_DOUBLE_EQ(obs[3].value, 2.0);  // +Inf bucket: its lower bound
  EXPECT_TRUE(std::isinf(obs[3].upper));
  for (const auto& o : obs) {
    EXPECT_EQ(o.t_ms, 10);
    EXPECT_DOUBLE_EQ(o.sum_share, 7.0 / 4.0);
  }
  // Counted: one observation per bucket, with the count and the mean of the spread values.
  std::vector<Observation> counted;
  ReconstructObservations(h, true, [&](const Observation& o) { counted.push_back(o); });
  ASSERT_EQ(counted.size(), 3u);
  EXPECT_EQ(counted[0].count, 2);
  EXPECT_DOUBLE_EQ(counted[0].value, 0.75);  // mean of 0.5 and 1
  EXPECT_EQ(counted[1].count, 1);
  EXPECT_DOUBLE_EQ(counted[1].value, 2.0);
  EXPECT_EQ(counted[2].count, 1);
  EXPECT_DOUBLE_EQ(counted[2].value, 2.0);
  EXPECT_DOUBLE_EQ(counted[0].sum_share, 7.0 / 4.0);
  // Without _sum/_count the share is the value: the counted row's mean times its count is
  // the sum of the spread values.
  h.sum.clear();
  h.count.clear();
  counted.clear();
  ReconstructObservations(h, true, [&](const Observation& o) { counted.push_back(o); });
  EXPECT_DOUBLE_EQ(counted[0].sum_share * counted[0].count, 0.5 + 1.0);
  // A first bucket with a negative bound: lower = upper.
  EXPECT_EQ(BucketLower(HistogramSeries{{{-1, {}}, {1, {}}}, {}, {}}, 0), -1);
}

TEST(TimeCoverageTest, MarksAndCoversWholeIntervals) {
  TimeCoverage c(60000);
  EXPECT_FALSE(c.Covers(0, 0));
  EXPECT_TRUE(c.Mark(61000));   // interval 1
  EXPECT_FALSE(c.Mark(119999)); // the same interval
  EXPECT_TRUE(c.Covers(60000, 119999));
  EXPECT_FALSE(c.Covers(59999, 60000));
  EXPECT_TRUE(c.Mark(180000));  // interval 3: a gap at 2
  EXPECT_FALSE(c.Covers(60000, 180000));
  EXPECT_TRUE(c.Mark(150000));  // fills 2: one run 1..3
  EXPECT_TRUE(c.Covers(60000, 239999));
  EXPECT_FALSE(c.Covers(60000, 240000));
  EXPECT_TRUE(c.Mark(-1));      // before the epoch: interval -1
  EXPECT_TRUE(c.Covers(-60000, -1));
  EXPECT_FALSE(c.Covers(-60000, 0));
  EXPECT_TRUE(c.Mark(0));       // joins -1 and 1..3
  EXPECT_TRUE(c.Covers(-60000, 239999));
  TimeCoverage all(INT64_MAX);  // one interval from 0 on
  EXPECT_TRUE(all.Mark(5));
  EXPECT_TRUE(all.Covers(0, INT64_MAX - 1));
  EXPECT_FALSE(all.Covers(-1, 5));
}

}  // namespace
}  // namespace infermetry::sql::catalog
