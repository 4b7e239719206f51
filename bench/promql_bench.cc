// PromQL range-query latency on the vLLM-shaped workload (bench/vllm_workload.h): 8 engines
// scraped every 5 s for 1 h 10 min into a tsdb::DB (blocks + head, as in production), then
// range queries over the last hour at 5 s steps (721 evaluation steps):
//   BM_RangeRate               rate(vllm:generation_tokens_total[5m])
//   BM_RangeSumRate            sum by (model_name) (rate(vllm:generation_tokens_total[5m]))
//   BM_RangeHistogramQuantile  histogram_quantile(0.95, sum by (le) (rate(..._bucket[5m])))
//   BM_InstantHistogramQuantile the same as an instant query at the end
//
//   build/bench/promql_bench
// Set INFERMETRY_BENCH_DIR to put the DB on the disk to measure (default: the temp directory).

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "query/promql/engine.h"
#include "tsdb/db.h"
#include "vllm_workload.h"

namespace infermetry::promql {
namespace {

using bench::VllmWorkload;

constexpr int kEngines = 8;
constexpr int64_t kInterval = 5000;
constexpr int64_t kLoadMs = 70 * 60 * 1000;  // 1 h of queries plus the 5m windows before
constexpr int64_t kQueryMs = 60 * 60 * 1000;

struct Fixture {
  std::string dir;
  std::unique_ptr<tsdb::DB> db;
  int64_t end_ms = 0;
  ~Fixture() {
    if (db) (void)db->Close();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture* g_fixture = nullptr;  // built by the first benchmark, removed at exit by main()

Fixture* Data() {
  if (g_fixture == nullptr) {
    auto* fx = new Fixture;
    const char* env = std::getenv("INFERMETRY_BENCH_DIR");
    std::string base = env != nullptr ? env : std::filesystem::temp_directory_path().string();
    std::string tmpl = base + "/infermetry-promql-bench-XXXXXX";
    fx->dir = ::mkdtemp(tmpl.data());
    tsdb::Options o;
    o.dir = fx->dir;
    o.wal_sync = wal::SyncPolicy::kBatch;
    o.compaction_interval = std::chrono::milliseconds(0);
    auto db = tsdb::DB::Open(o);
    if (!db.ok()) {
      std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
      std::abort();
    }
    fx->db = std::move(*db);
    VllmWorkload w(kEngines, kInterval, 1);
    const size_t per_engine = w.series_per_engine();
    const int steps = static_cast<int>(kLoadMs / kInterval);
    for (int s = 0; s < steps; ++s) {
      const auto& points = w.Step();
      for (size_t begin = 0; begin < points.size(); begin += per_engine) {
        auto a = fx->db->NewAppender();
        for (size_t i = begin; i < begin + per_engine && i < points.size(); ++i) {
          (void)a->Append(w.labels(points[i].series), points[i].t_ms, points[i].v);
          fx->end_ms = std::max(fx->end_ms, points[i].t_ms);
        }
        (void)a->Commit();
      }
      if (s % 60 == 59) (void)fx->db->Compact();
    }
    g_fixture = fx;
  }
  return g_fixture;
}

void RunRange(benchmark::State& state, const char* query) {
  Fixture* f = Data();
  Engine engine;
  const int64_t end = f->end_ms, start = end - kQueryMs;
  size_t series = 0, points = 0;
  for (auto _ : state) {
    auto r = engine.Range(f->db.get(), query, start, end, kInterval);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    series = r->series.size();
    points = 0;
    for (const auto& s : r->series) points += s.points.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["series"] = static_cast<double>(series);
  state.counters["points"] = static_cast<double>(points);
}

void BM_RangeRate(benchmark::State& state) {
  RunRange(state, "rate(vllm:generation_tokens_total[5m])");
}
void BM_RangeSumRate(benchmark::State& state) {
  RunRange(state, "sum by (model_name) (rate(vllm:generation_tokens_total[5m]))");
}
void BM_RangeHistogramQuantile(benchmark::State& state) {
  RunRange(state, "histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))");
}

void BM_InstantHistogramQuantile(benchmark::State& state) {
  Fixture* f = Data();
  Engine engine;
  for (auto _ : state) {
    auto r = engine.Instant(f->db.get(),
                            "histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))",
                            f->end_ms);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(r);
  }
}

BENCHMARK(BM_RangeRate)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RangeSumRate)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RangeHistogramQuantile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InstantHistogramQuantile)->Unit(benchmark::kMicrosecond);

}  // namespace

void DeleteFixture() {
  delete g_fixture;
  g_fixture = nullptr;
}

}  // namespace infermetry::promql

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  infermetry::promql::DeleteFixture();
  return 0;
}
