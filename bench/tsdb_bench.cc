// Metrics TSDB on a vLLM-shaped workload (bench/vllm_workload.h, ~400 series per engine, 5 s
// scrapes):
//   BM_Ingest      appenders committing one scrape per engine to a DB (WAL kAlways / kBatch),
//                  1-2 threads; samples/s of wall time and per CPU-second (= per core).
//   BM_HeadMemory  40,000 series (100 engines) after 1 h of scrapes: exact accounting of the
//                  head's structures and process RSS growth, per active series; with the DB's
//                  20-minute range (head truncated as the DB persists ranges) and without.
//   BM_HeadQuery   one series over the head's whole range.
//
//   build-rel/bench/tsdb_bench
// Set INFERMETRY_BENCH_DIR to put the DB on the disk to measure (default: the temp directory).

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "tsdb/db.h"
#include "tsdb/head.h"
#include "vllm_workload.h"

namespace infermetry::tsdb {
namespace {

using bench::VllmWorkload;

constexpr int64_t kInterval = 5000;

std::string BenchDir() {
  const char* env = std::getenv("INFERMETRY_BENCH_DIR");
  std::string base = env != nullptr ? env : std::filesystem::temp_directory_path().string();
  std::string tmpl = base + "/infermetry-tsdb-bench-XXXXXX";
  return ::mkdtemp(tmpl.data());
}

double CpuSeconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

size_t RssBytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<size_t>(resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// Pre-generated scrapes: steps x engines, each engine's points contiguous.
struct Scrapes {
  explicit Scrapes(int engines, int steps) : w(engines, kInterval, /*seed=*/1) {
    per_engine = w.series_per_engine();
    for (int s = 0; s < steps; ++s) points.push_back(w.Step());
  }
  VllmWorkload w;
  size_t per_engine;
  std::vector<std::vector<VllmWorkload::Point>> points;
};

// range(0): 0 = kAlways, 1 = kBatch; range(1): appender threads.
void BM_Ingest(benchmark::State& state) {
  log::SetLevel(log::Level::kWarn);
  constexpr int kEngines = 100, kSteps = 24;
  static Scrapes* scrapes = new Scrapes(kEngines, kSteps);
  const int threads = static_cast<int>(state.range(1));
  std::string dir = BenchDir();
  Options o;
  o.dir = dir;
  o.wal_sync = state.range(0) == 0 ? wal::SyncPolicy::kAlways : wal::SyncPolicy::kBatch;
  o.compaction_interval = std::chrono::milliseconds(0);
  selfmon::Registry registry;
  o.metrics = &registry;
  auto db = DB::Open(o);
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  int64_t offset = 0;  // later rounds continue in time
  uint64_t samples = 0;
  double wall = 0, cpu = 0;
  for (auto _ : state) {
    double cpu0 = CpuSeconds();
    auto t0 = std::chrono::steady_clock::now();
    std::atomic<uint64_t> errors{0};
    std::vector<std::thread> ths;
    for (int th = 0; th < threads; ++th) {
      ths.emplace_back([&, th] {
        auto app = (*db)->NewAppender();
        for (const auto& step : scrapes->points) {
          for (int e = th; e < kEngines; e += threads) {
            size_t begin = static_cast<size_t>(e) * scrapes->per_engine;
            for (size_t i = begin; i < begin + scrapes->per_engine && i < step.size(); ++i) {
              const auto& p = step[i];
              if (!app->Append(scrapes->w.labels(p.series), p.t_ms + offset, p.v).ok()) ++errors;
            }
            if (!app->Commit().ok()) ++errors;
          }
        }
      });
    }
    for (auto& t : ths) t.join();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(secs);
    wall += secs;
    cpu += CpuSeconds() - cpu0;
    samples += static_cast<uint64_t>(kSteps) * scrapes->w.num_series();
    offset += kSteps * kInterval;
    if (errors > 0) state.SkipWithError("append or commit failed");
  }
  state.counters["samples/s"] = static_cast<double>(samples) / wall;
  state.counters["samples/cpu_s"] = static_cast<double>(samples) / cpu;
  state.counters["series"] = static_cast<double>(scrapes->w.num_series());
  state.counters["wal_B/sample"] =
      static_cast<double>((*db)->Stats().wal_bytes) / static_cast<double>(samples);
  (void)(*db)->Close();
  db->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Ingest)
    ->ArgsProduct({{0, 1}, {1, 2, 8}})
    ->ArgNames({"batch_sync", "threads"})
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

// The head after 1 h of 100 engines. truncate: drop persisted ranges as the DB does.
struct FilledHead {
  std::unique_ptr<Head> head;
  size_t rss_growth = 0;
  size_t rss_growth_trimmed = 0;
  double seconds = 0;
  uint64_t peak_bytes = 0;  // largest accounted head memory, sampled every minute
  uint64_t peak_series = 0;
  model::Labels one;
};

FilledHead Fill(bool truncate) {
  constexpr int kEngines = 100;
  constexpr int kSteps = 3600 * 1000 / kInterval;  // 1 h
  FilledHead f;
  VllmWorkload w(kEngines, kInterval, /*seed=*/7);
  w.Step();  // allocate the generator's buffers before measuring
  malloc_trim(0);
  size_t rss0 = RssBytes();
  HeadOptions ho;  // the DB's defaults: 20-minute range
  static selfmon::Registry* registry = new selfmon::Registry();  // outlives every head
  ho.metrics = registry;
  f.head = std::make_unique<Head>(ho);
  const int64_t r = ho.chunk_range_ms;
  auto app = f.head->NewAppender();
  auto t0 = std::chrono::steady_clock::now();
  for (int s = 0; s < kSteps; ++s) {
    const auto& pts = w.Step();
    for (const auto& p : pts) (void)app->Append(w.labels(p.series), p.t_ms, p.v);
    (void)app->Commit();
    if (truncate) {
      int64_t a = f.head->MinTime() / r * r;
      if (f.head->MaxTime() >= a + r + r / 4) {  // as DB::Compact with no ooo window
        f.head->RaiseMinValidTime(a + r);
        f.head->Truncate(a + r);
      }
    }
    if (s % 12 == 11) {
      HeadStats st = f.head->Stats();
      if (st.memory_bytes > f.peak_bytes) {
        f.peak_bytes = st.memory_bytes;
        f.peak_series = st.series;
      }
    }
  }
  // (Includes the Stats() walks, ~1% of the time.)
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  app.reset();
  f.rss_growth = RssBytes() - rss0;
  malloc_trim(0);
  f.rss_growth_trimmed = RssBytes() - rss0;
  f.one = w.labels(5);
  return f;
}

void BM_HeadMemory(benchmark::State& state) {
  log::SetLevel(log::Level::kWarn);
  bool truncate = state.range(0) == 1;
  FilledHead f;
  for (auto _ : state) f = Fill(truncate);
  HeadStats st = f.head->Stats();
  double series = static_cast<double>(st.series);
  state.counters["series"] = series;
  state.counters["samples_held"] = static_cast<double>(st.samples);
  state.counters["samples/series"] = static_cast<double>(st.samples) / series;
  state.counters["chunk_B/sample"] =
      static_cast<double>(st.chunk_bytes) / static_cast<double>(st.samples);
  state.counters["chunks/series"] = static_cast<double>(st.chunks) / series;
  state.counters["acct_B/series"] = static_cast<double>(st.memory_bytes) / series;
  state.counters["peak_acct_B/series"] =
      static_cast<double>(f.peak_bytes) / static_cast<double>(f.peak_series);
  state.counters["rss_B/series"] = static_cast<double>(f.rss_growth) / series;
  state.counters["rss_trim_B/series"] = static_cast<double>(f.rss_growth_trimmed) / series;
  state.counters["append_samples/s"] = 720.0 * series / f.seconds;
}
BENCHMARK(BM_HeadMemory)->Arg(1)->Arg(0)->ArgName("truncate")->Iterations(1)->Unit(benchmark::kSecond);

void BM_HeadQuery(benchmark::State& state) {
  log::SetLevel(log::Level::kWarn);
  static FilledHead* f = new FilledHead(Fill(true));
  std::vector<storage::Matcher> ms;
  for (const auto& l : f->one) {
    ms.push_back(*storage::Matcher::Make(storage::Matcher::Op::kEq, l.name, l.value));
  }
  int64_t mint = f->head->MinTime(), maxt = f->head->MaxTime();
  uint64_t samples = 0;
  for (auto _ : state) {
    auto q = *f->head->NewQuerier(mint, maxt);
    auto set = q->Select({mint, maxt}, ms);
    while (set->Next()) {
      auto it = set->Samples();
      while (it->Next()) ++samples;
    }
  }
  state.counters["samples/query"] =
      static_cast<double>(samples) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_HeadQuery)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace infermetry::tsdb

BENCHMARK_MAIN();
