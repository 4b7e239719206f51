// Metric table scans (query/sql/catalog) over an hour of 100 vLLM engines scraped every 5 s
// (bench/vllm_workload.h, ~400 series per engine, 28.8 M samples), stored in a real TSDB:
//   BM_FindTable      finding the table (its columns) alone
//   BM_ScanCounter    vllm_generation_tokens_total: reset-aware increases
//   BM_ScanGauge      vllm_num_requests_running: raw values
//   BM_ScanHistogram  vllm_e2e_request_latency_seconds: observation rows reconstructed from
//                     the bucket increases (with the histogram annex)
//   BM_ScanBuckets    vllm_e2e_request_latency_seconds_bucket: the raw bucket series
//   BM_ScanHistogramCounted  the same observations as counted rows (observation_counts)
//   BM_ScanHistogramMerged   the counted rows merged per bucket and minute (p_timestamp and
//                     value only)
// Each scan reads p_timestamp, name, value and the engine label; rows/s is items_per_second.
//
//   build/bench/sql_catalog_bench
// Set INFERMETRY_BENCH_DIR to put the DB on the disk to measure (default: the temp directory).

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "query/sql/catalog/metric_table.h"
#include "tsdb/db.h"
#include "vllm_workload.h"

namespace infermetry::sql::catalog {
namespace {

using bench::VllmWorkload;

constexpr int kEngines = 100;
constexpr int64_t kInterval = 5000;
constexpr int kSteps = 720;  // one hour

struct Store {
  std::string dir;
  std::unique_ptr<tsdb::DB> db;
  ~Store() {
    if (db) (void)db->Close();
    db.reset();
    std::filesystem::remove_all(dir);
  }
};

Store* GetStore() {
  static std::unique_ptr<Store> store = [] {
    auto s = std::make_unique<Store>();
    const char* env = std::getenv("INFERMETRY_BENCH_DIR");
    std::string base = env ? env : std::filesystem::temp_directory_path().string();
    std::string tmpl = base + "/infermetry-sqlcat-bench-XXXXXX";
    s->dir = ::mkdtemp(tmpl.data());
    tsdb::Options o;
    o.dir = s->dir;
    o.wal_sync = wal::SyncPolicy::kBatch;
    o.retention_ms = 0;
    o.compaction_interval = std::chrono::milliseconds(0);
    auto db = tsdb::DB::Open(o);
    if (!db.ok()) {
      std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
      std::exit(1);
    }
    s->db = std::move(*db);
    VllmWorkload w(kEngines, kInterval, /*seed=*/1);
    std::set<uint32_t> described;
    for (int i = 0; i < kSteps; ++i) {
      auto app = s->db->NewAppender();
      for (const auto& p : w.Step()) {
        const model::Labels& ls = w.labels(p.series);
        if (described.insert(w.family_of(p.series)).second) {
          const auto& f = w.families()[w.family_of(p.series)];
          (void)app->UpdateMetadata(ls, {f.name, f.type, f.help, ""});
        }
        (void)app->Append(ls, p.t_ms, p.v);
      }
      if (!app->Commit().ok()) std::exit(1);
      if (i % 120 == 119) (void)s->db->Compact();
    }
    (void)s->db->Compact();
    return s;
  }();
  return store.get();
}

void Scan(benchmark::State& state, const std::string& name, bool counted = false, int64_t merge_ms = 0) {
  Store* s = GetStore();
  size_t rows = 0;
  for (auto _ : state) {
    auto t = MetricTable::Make(s->db.get(), "", INT64_MIN, INT64_MAX);
    if (!t.ok()) {
      state.SkipWithError(t.status().ToString().c_str());
      return;
    }
    ScanRequest req;
    req.names = std::vector<std::string>{name};
    req.observation_counts = counted;
    req.observation_merge_ms = merge_ms;
    size_t engine = 0;
    for (size_t i = 0; i < (*t)->schema().size(); ++i) {
      if ((*t)->schema()[i].name == "engine") engine = i;
    }
    req.columns = {kMetricTimestamp, kMetricName, kMetricValue, engine};
    if (merge_ms > 0) req.columns = {kMetricTimestamp, kMetricValue};  // all a merged scan may read
    auto reader = (*t)->Scan(req);
    if (!reader.ok()) {
      state.SkipWithError(reader.status().ToString().c_str());
      return;
    }
    size_t n = 0;
    Batch b;
    while (true) {
      auto more = (*reader)->Next(&b);
      if (!more.ok()) {
        state.SkipWithError(more.status().ToString().c_str());
        return;
      }
      if (!*more) break;
      n += b.num_rows;
    }
    rows = n;
    state.SetItemsProcessed(state.items_processed() + static_cast<int64_t>(n));
  }
  state.counters["rows"] = static_cast<double>(rows);
}

// Finding the table alone: label names, target_info and metadata of the whole hour.
void BM_FindTable(benchmark::State& state) {
  Store* s = GetStore();
  for (auto _ : state) {
    auto t = MetricTable::Make(s->db.get(), "", INT64_MIN, INT64_MAX);
    if (!t.ok()) state.SkipWithError(t.status().ToString().c_str());
    benchmark::DoNotOptimize(t);
  }
}

void BM_ScanCounter(benchmark::State& s) { Scan(s, "vllm_generation_tokens_total"); }
void BM_ScanGauge(benchmark::State& s) { Scan(s, "vllm_num_requests_running"); }
void BM_ScanHistogram(benchmark::State& s) { Scan(s, "vllm_e2e_request_latency_seconds"); }
void BM_ScanBuckets(benchmark::State& s) { Scan(s, "vllm_e2e_request_latency_seconds_bucket"); }
// The same observations as counted rows (one per bucket and scrape).
void BM_ScanHistogramCounted(benchmark::State& s) {
  Scan(s, "vllm_e2e_request_latency_seconds", /*counted=*/true);
}

// Counted rows merged per bucket and minute (the guide's latency query): one row per bucket
// and minute.
void BM_ScanHistogramMerged(benchmark::State& s) {
  Scan(s, "vllm_e2e_request_latency_seconds", /*counted=*/true, /*merge_ms=*/60000);
}

BENCHMARK(BM_FindTable)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScanCounter)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScanGauge)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScanHistogram)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScanBuckets)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScanHistogramCounted)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ScanHistogramMerged)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace infermetry::sql::catalog

BENCHMARK_MAIN();
