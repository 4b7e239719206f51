#include "query/sql/catalog/metric_table.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "model/sample.h"
#include "query/sql/catalog/catalog_test_util.h"
#include "query/sql/catalog/store_catalog.h"
#include "tsdb/db.h"

namespace infermetry::sql::catalog {
namespace {

using testing::ScanAll;
using testing::Scanned;
using testing::ScannedRow;

constexpr int64_t kT0 = 1'767'225'600'000;  // ms, 2026-01-01T00:00:00Z
constexpr int64_t kStep = 5000;
constexpr int64_t kMin = 60 * 1000;

int64_t Us(int64_t ms) { return ms * 1000; }

model::Labels L(std::string name, std::vector<model::Label> extra) {
  extra.push_back({"__name__", std::move(name)});
  return model::Labels::FromUnsorted(std::move(extra));
}

class MetricTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sqlcat-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    tsdb::Options o;
    o.dir = dir_;
    o.retention_ms = 0;
    o.compaction_interval = std::chrono::milliseconds(0);
    auto db = tsdb::DB::Open(o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  void TearDown() override {
    if (db_) (void)db_->Close();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Add(const model::Labels& ls, std::vector<std::pair<int64_t, double>> samples) {
    auto app = db_->NewAppender();
    for (auto [t, v] : samples) ASSERT_TRUE(app->Append(ls, t, v).ok()) << ls.ToString();
    ASSERT_TRUE(app->Commit().ok());
  }
  void Meta(const model::Labels& ls, std::string family, model::MetricType type,
            std::string unit = "") {
    auto app = db_->NewAppender();
    storage::Metadata md{std::move(family), type, "help", std::move(unit)};
    ASSERT_TRUE(app->UpdateMetadata(ls, md).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  std::shared_ptr<MetricTable> Table(std::string stream = "", int64_t min_us = INT64_MIN,
                                     int64_t max_us = INT64_MAX) {
    auto t = MetricTable::Make(db_.get(), std::move(stream), min_us, max_us);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : nullptr;
  }
  static std::vector<ScannedRow> Named(const Scanned& s, const std::string& name) {
    std::vector<ScannedRow> out;
    for (const auto& r : s.rows) {
      if (r["name"].s == name) out.push_back(r);
    }
    return out;
  }

  // A histogram with bounds 0.5, 1, +Inf for `engine`, cumulative bucket counts per scrape.
  void Histogram(const std::string& engine, std::vector<std::array<double, 3>> cum,
                 std::vector<double> sums) {
    std::vector<model::Label> base{{"engine", engine}, {"job", "vllm"}, {"instance", "b:8000"}};
    const char* les[] = {"0.5", "1", "+Inf"};
    for (int b = 0; b < 3; ++b) {
      auto ls = base;
      ls.push_back({"le", les[b]});
      std::vector<std::pair<int64_t, double>> s;
      for (size_t i = 0; i < cum.size(); ++i) s.push_back({kT0 + i * kStep, cum[i][b]});
      Add(L("vllm:e2e_request_latency_seconds_bucket", ls), s);
    }
    std::vector<std::pair<int64_t, double>> count, sum;
    for (size_t i = 0; i < cum.size(); ++i) {
      count.push_back({kT0 + i * kStep, cum[i][2]});
      sum.push_back({kT0 + i * kStep, sums[i]});
    }
    Add(L("vllm:e2e_request_latency_seconds_count", base), count);
    Add(L("vllm:e2e_request_latency_seconds_sum", base), sum);
    Meta(L("vllm:e2e_request_latency_seconds_bucket", base), "vllm:e2e_request_latency_seconds",
         model::MetricType::kHistogram, "seconds");
  }

  std::string dir_;
  std::unique_ptr<tsdb::DB> db_;
};

const std::vector<model::Label> kA = {
    {"engine", "0"}, {"instance", "a:8000"}, {"job", "vllm"}, {"model_name", "m"}};

TEST_F(MetricTableTest, SchemaHasLabelAndResourceColumns) {
  Add(L("vllm:num_requests_running", kA), {{kT0, 1}});
  Add(L("vllm:num_requests_running", {{"engine", "1"}, {"p_stream", "s"}}), {{kT0, 1}});
  Add(L("target_info", {{"job", "vllm"}, {"instance", "a:8000"}, {"k8s_pod_name", "pod-a"}}),
      {{kT0, 1}});
  Add(L("odd", {{"value", "x"}}), {{kT0, 1}});
  auto t = Table();
  std::vector<std::string> names;
  for (const auto& c : t->schema()) names.push_back(c.name);
  std::vector<std::string> want = {"p_timestamp", "name",         "value",      "raw_value",
                                   "metric_type", "unit",         "engine",     "instance",
                                   "job",         "k8s_pod_name", "model_name", "label_value"};
  EXPECT_EQ(names, want);
  EXPECT_EQ(t->schema()[0].type, Type::kTimestamp);
  EXPECT_EQ(t->schema()[2].type, Type::kFloat64);
  EXPECT_EQ(t->schema()[6].type, Type::kText);
  EXPECT_TRUE(t->supports_name_pushdown());
  EXPECT_EQ(t->time_column(), "p_timestamp");
  EXPECT_EQ(*t->CanonicalText(1, "vllm_gpu_cache_usage_perc"), "vllm_kv_cache_usage_perc");
  EXPECT_FALSE(t->CanonicalText(6, "x").has_value());
}

TEST_F(MetricTableTest, CounterIncreasesWithResetsGaugesRaw) {
  auto ls = L("vllm:prompt_tokens_total", kA);
  Meta(ls, "vllm:prompt_tokens", model::MetricType::kCounter, "tokens");
  Add(ls, {{kT0, 10},
           {kT0 + kStep, 20},
           {kT0 + 2 * kStep, 25},
           {kT0 + 3 * kStep, 5},
           {kT0 + 4 * kStep, 15}});
  auto g = L("vllm:num_requests_running", kA);
  Meta(g, "vllm:num_requests_running", model::MetricType::kGauge);
  Add(g, {{kT0, 3}, {kT0 + kStep, 1}});
  auto s = ScanAll(Table().get(), {});
  auto c = Named(s, "vllm_prompt_tokens_total");
  ASSERT_EQ(c.size(), 5u);
  std::vector<double> want = {10, 10, 5, 5, 10}, raw = {10, 20, 25, 5, 15};
  double total = 0;
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(c[i]["value"].d, want[i]) << i;
    EXPECT_EQ(c[i]["raw_value"].d, raw[i]) << i;
    EXPECT_EQ(c[i]["p_timestamp"].i, Us(kT0 + i * kStep));
    EXPECT_EQ(c[i]["metric_type"].s, "counter");
    EXPECT_EQ(c[i]["unit"].s, "tokens");
    EXPECT_EQ(c[i]["model_name"].s, "m");
    total += c[i]["value"].d;
  }
  EXPECT_EQ(total, 40);  // 25 before the reset, 15 after
  auto gr = Named(s, "vllm_num_requests_running");
  ASSERT_EQ(gr.size(), 2u);
  EXPECT_EQ(gr[1]["value"].d, 1);
  EXPECT_EQ(gr[1]["metric_type"].s, "gauge");
  EXPECT_EQ(gr[1]["unit"].s, "");
}

TEST_F(MetricTableTest, CounterLookbackAndOlderHistory) {
  auto near = L("vllm:generation_tokens_total", {{"engine", "0"}});
  auto gap = L("vllm:generation_tokens_total", {{"engine", "1"}});
  auto fresh = L("vllm:generation_tokens_total", {{"engine", "2"}});
  const int64_t start = kT0 + 60 * kMin;
  Add(near, {{start - 10 * kMin, 100}, {start + kStep, 130}});
  Add(gap, {{start - 20 * kMin, 100}, {start + kStep, 130}});  // predecessor beyond 15 min
  Add(fresh, {{start + kStep, 7}});
  Meta(near, "vllm:generation_tokens", model::MetricType::kCounter);
  auto t = Table();
  ScanRequest req;
  req.min_time_us = Us(start);
  auto s = ScanAll(t.get(), req);
  ASSERT_EQ(s.rows.size(), 3u);
  std::map<std::string, Value> by_engine;
  for (const auto& r : s.rows) by_engine[r["engine"].s] = r["value"];
  EXPECT_EQ(by_engine["0"].d, 30);
  EXPECT_TRUE(by_engine["1"].null);  // increase unknown
  EXPECT_EQ(by_engine["2"].d, 7);    // the series' first sample: from 0
  for (const auto& r : s.rows) EXPECT_EQ(r["raw_value"].d, r["engine"].s == "2" ? 7 : 130);
}

TEST_F(MetricTableTest, StalenessMarkersGiveNoRows) {
  auto ls = L("vllm:request_success_total", {{"finished_reason", "stop"}});
  Add(ls, {{kT0, 1}, {kT0 + kStep, model::StaleNaN()}, {kT0 + 2 * kStep, 4}});
  auto s = ScanAll(Table().get(), {});
  ASSERT_EQ(s.rows.size(), 2u);
  EXPECT_EQ(s.rows[1]["value"].d, 3);
  EXPECT_EQ(s.rows[1]["metric_type"].s, "counter");  // no metadata: by its _total
}

TEST_F(MetricTableTest, HistogramObservationRows) {
  // engine 0: scrape 1 adds 2 obs <= 0.5, 1 in (0.5,1], 1 above 1 (sum +3.2);
  //           scrape 2 (a reset) restarts at 1 obs <= 0.5 (sum 0.25).
  Histogram("0", {{0, 0, 0}, {2, 3, 4}, {1, 1, 1}}, {0, 3.2, 0.25});
  // engine 1: its first scrape counts from 0 (5 obs <= 0.5), then one in (0.5, 1].
  Histogram("1", {{5, 5, 5}, {5, 6, 6}, {5, 6, 6}}, {1, 1.75, 1.75});
  Add(L("target_info", {{"job", "vllm"}, {"instance", "b:8000"}, {"region", "eu"}}), {{kT0, 1}});
  auto t = Table();
  auto s = ScanAll(t.get(), {});
  EXPECT_FALSE(s.mixed_annex);
  auto obs = Named(s, "vllm_e2e_request_latency_seconds");
  ASSERT_EQ(obs.size(), 11u);
  std::map<std::string, std::vector<ScannedRow>> by_engine;
  for (const auto& r : obs) {
    EXPECT_TRUE(r.histogram);
    EXPECT_EQ(r["metric_type"].s, "histogram");
    EXPECT_EQ(r["unit"].s, "seconds");
    EXPECT_TRUE(r["raw_value"].null);
    EXPECT_TRUE(r["le"].null);
    EXPECT_EQ(r["region"].s, "eu");  // resource attribute joined on job+instance
    by_engine[r["engine"].s].push_back(r);
  }
  auto& e0 = by_engine["0"];
  ASSERT_EQ(e0.size(), 5u);
  std::sort(e0.begin(), e0.end(), [](const auto& a, const auto& b) {
    return std::tie(a["p_timestamp"].i, a["value"].d) < std::tie(b["p_timestamp"].i, b["value"].d);
  });
  EXPECT_EQ(e0[0]["p_timestamp"].i, Us(kT0 + kStep));
  EXPECT_DOUBLE_EQ(e0[0]["value"].d, 0.25);
  EXPECT_DOUBLE_EQ(e0[1]["value"].d, 0.5);
  EXPECT_DOUBLE_EQ(e0[2]["value"].d, 1.0);  // (0.5, 1], k = 1 of 1; also the +Inf row's 1.0
  EXPECT_DOUBLE_EQ(e0[3]["value"].d, 1.0);
  std::set<double> uppers;
  for (int i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ(e0[i].sum_share, 3.2 / 4);
    uppers.insert(e0[i].upper);
  }
  EXPECT_TRUE(uppers.count(INFINITY));
  for (const auto& r : e0) {
    double want_lower = std::isinf(r.upper) ? 1 : r.upper == 1 ? 0.5 : 0;
    EXPECT_EQ(r.lower, want_lower);
  }
  // After the reset: one observation in (0, 0.5].
  EXPECT_EQ(e0[4]["p_timestamp"].i, Us(kT0 + 2 * kStep));
  EXPECT_DOUBLE_EQ(e0[4]["value"].d, 0.5);
  EXPECT_DOUBLE_EQ(e0[4].sum_share, 0.25);
  auto& e1 = by_engine["1"];
  ASSERT_EQ(e1.size(), 6u);
  std::sort(e1.begin(), e1.end(), [](const auto& a, const auto& b) {
    return std::tie(a["p_timestamp"].i, a["value"].d) < std::tie(b["p_timestamp"].i, b["value"].d);
  });
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(e1[k]["p_timestamp"].i, Us(kT0));
    EXPECT_DOUBLE_EQ(e1[k]["value"].d, 0.1 * (k + 1));
    EXPECT_DOUBLE_EQ(e1[k].sum_share, 0.2);
  }
  EXPECT_DOUBLE_EQ(e1[5]["value"].d, 1.0);
  EXPECT_DOUBLE_EQ(e1[5].sum_share, 0.75);
  // The raw series stay available, as counters.
  auto buckets = Named(s, "vllm_e2e_request_latency_seconds_bucket");
  EXPECT_EQ(buckets.size(), 18u);
  for (const auto& r : buckets) {
    EXPECT_FALSE(r.histogram);
    EXPECT_FALSE(r["le"].null);
    EXPECT_EQ(r["metric_type"].s, "histogram");
  }
  EXPECT_EQ(Named(s, "vllm_e2e_request_latency_seconds_sum").size(), 6u);
  EXPECT_EQ(Named(s, "vllm_e2e_request_latency_seconds_count").size(), 6u);
}

TEST_F(MetricTableTest, SummariesAndHistogramsWithoutMetadata) {
  auto q = L("rpc_seconds", {{"quantile", "0.5"}});
  Meta(q, "rpc_seconds", model::MetricType::kSummary);
  Add(q, {{kT0, 0.2}, {kT0 + kStep, 0.3}});
  Add(L("rpc_seconds_count", {}), {{kT0, 4}, {kT0 + kStep, 6}});
  // No metadata: a histogram recognised by its _bucket series with `le`.
  Add(L("bare_bucket", {{"le", "1"}}), {{kT0, 0}, {kT0 + kStep, 2}});
  Add(L("bare_bucket", {{"le", "+Inf"}}), {{kT0, 0}, {kT0 + kStep, 3}});
  Add(L("bare_count", {}), {{kT0, 0}, {kT0 + kStep, 3}});
  Add(L("bare_sum", {}), {{kT0, 0}, {kT0 + kStep, 4.5}});
  Add(L("plain", {}), {{kT0, 5}, {kT0 + kStep, 1}});
  auto s = ScanAll(Table().get(), {});
  auto quant = Named(s, "rpc_seconds");
  ASSERT_EQ(quant.size(), 2u);
  EXPECT_EQ(quant[1]["value"].d, 0.3);
  EXPECT_EQ(quant[1]["quantile"].s, "0.5");
  EXPECT_EQ(quant[1]["metric_type"].s, "summary");
  auto count = Named(s, "rpc_seconds_count");
  ASSERT_EQ(count.size(), 2u);
  EXPECT_EQ(count[1]["value"].d, 2);
  EXPECT_EQ(count[1]["metric_type"].s, "summary");
  auto obs = Named(s, "bare");
  ASSERT_EQ(obs.size(), 3u);
  for (const auto& r : obs) {
    EXPECT_TRUE(r.histogram);
    EXPECT_DOUBLE_EQ(r.sum_share, 1.5);
  }
  EXPECT_EQ(Named(s, "bare_sum")[1]["metric_type"].s, "histogram");
  auto plain = Named(s, "plain");
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(plain[1]["value"].d, 1);
  EXPECT_EQ(plain[1]["metric_type"].s, "unknown");
}

TEST_F(MetricTableTest, NamePushdownSelectsEverySpellingAndAlias) {
  Add(L("vllm:kv_cache_usage_perc", {{"instance", "new"}}), {{kT0, 0.5}});
  Add(L("vllm_gpu_cache_usage_perc", {{"instance", "old"}}), {{kT0, 0.25}});
  Add(L("vllm:gpu_cache_usage_perc", {{"instance", "older"}}), {{kT0, 0.125}});
  Add(L("vllm:num_requests_waiting", {{"instance", "new"}}), {{kT0, 9}});
  Histogram("0", {{0, 0, 0}, {1, 1, 1}}, {0, 0.1});
  auto t = Table();
  ScanRequest req;
  req.names = std::vector<std::string>{*t->CanonicalText(kMetricName, "vllm:gpu_cache_usage_perc")};
  auto s = ScanAll(t.get(), req);
  ASSERT_EQ(s.rows.size(), 3u);
  double sum = 0;
  for (const auto& r : s.rows) {
    EXPECT_EQ(r["name"].s, "vllm_kv_cache_usage_perc");
    sum += r["value"].d;
  }
  EXPECT_EQ(sum, 0.875);
  // The histogram's own name reads its parts but returns only the observation rows.
  req.names = std::vector<std::string>{"vllm_e2e_request_latency_seconds", "nothing_here"};
  s = ScanAll(t.get(), req);
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_TRUE(s.rows[0].histogram);
  req.names = std::vector<std::string>{"vllm_e2e_request_latency_seconds_count"};
  s = ScanAll(t.get(), req);
  ASSERT_EQ(s.rows.size(), 2u);
  EXPECT_FALSE(s.rows[0].histogram);
  req.names = std::vector<std::string>{};
  EXPECT_TRUE(ScanAll(t.get(), req).rows.empty());
}

TEST_F(MetricTableTest, TimePushdownColumnsAndBatches) {
  auto ls = L("vllm:num_requests_running", kA);
  std::vector<std::pair<int64_t, double>> samples;
  for (int i = 0; i < 100; ++i) samples.push_back({kT0 + i * kStep, static_cast<double>(i)});
  Add(ls, samples);
  auto t = Table();
  ScanRequest req;
  req.min_time_us = Us(kT0 + 10 * kStep);
  req.max_time_us = Us(kT0 + 29 * kStep) + 999;  // inclusive; sub-ms bounds round inward
  req.columns = {testing::ColumnIndex(*t, "value"), testing::ColumnIndex(*t, "engine")};
  req.batch_rows = 7;
  auto s = ScanAll(t.get(), req);
  ASSERT_EQ(s.rows.size(), 20u);
  EXPECT_EQ(s.batches, 3u);
  EXPECT_EQ(s.max_batch, 7u);
  EXPECT_EQ(s.rows[0].cols.size(), 2u);
  EXPECT_EQ(s.rows[0]["value"].d, 10);
  EXPECT_EQ(s.rows[19]["value"].d, 29);
  req.min_time_us = Us(kT0 + 10 * kStep) + 1;  // excludes the sample at +10 steps
  EXPECT_EQ(ScanAll(t.get(), req).rows.size(), 19u);
  req.columns = {};
  auto reader = t->Scan(ScanRequest{});
  ASSERT_TRUE(reader.ok());
  Batch b;
  ASSERT_TRUE(*(*reader)->Next(&b));
  EXPECT_EQ(b.columns.size(), 0u);
  EXPECT_EQ(b.num_rows, 100u);
}

TEST_F(MetricTableTest, StreamsByPStreamLabel) {
  Add(L("vllm:num_requests_running", {{"p_stream", "vLLMmetrics"}, {"engine", "0"}}), {{kT0, 1}});
  Add(L("vllm:num_requests_running", {{"p_stream", "other"}, {"engine", "1"}}), {{kT0, 2}});
  Add(L("vllm:num_requests_running", {{"engine", "2"}}), {{kT0, 3}});
  auto reg = StreamRegistry::Open("");
  ASSERT_TRUE(reg.ok());
  ASSERT_TRUE((*reg)->Ensure("vLLMmetrics", StreamKind::kMetrics).ok());
  auto cat = NewStoreCatalog({db_.get(), nullptr, nullptr, reg->get()});
  auto t = cat->Find("vllmmetrics", INT64_MIN, INT64_MAX);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto s = ScanAll(t->get(), {});
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_EQ(s.rows[0]["engine"].s, "0");
  for (const auto& c : (*t)->schema()) EXPECT_NE(c.name, "p_stream");
  auto all = cat->Find("metrics", INT64_MIN, INT64_MAX);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(ScanAll(all->get(), {}).rows.size(), 3u);
  auto missing = cat->Find("nope", INT64_MIN, INT64_MAX);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("logs, metrics, traces, vLLMmetrics"),
            std::string::npos)
      << missing.status().message();
  EXPECT_EQ(cat->Find("traces", INT64_MIN, INT64_MAX).status().code(), Code::kUnavailable);
  EXPECT_EQ(cat->TableNames(),
            (std::vector<std::string>{"logs", "metrics", "traces", "vLLMmetrics"}));
}

}  // namespace
}  // namespace infermetry::sql::catalog
