// Write-ahead log append throughput: 64 B, 4 KiB and 256 KiB records, one record per Append,
// under kAlways (fdatasync per Append, group-committed across threads) and kBatch (write only;
// a background sync every second), and replay speed.
//
//   build/bench/wal_bench --benchmark_filter=Always
// Set INFERMETRY_BENCH_DIR to put the WAL on the disk to measure (default: the system temp
// directory; a tmpfs there makes fsync free and the figure meaningless).

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/log.h"
#include "tsdb/wal/wal.h"

namespace infermetry::wal {
namespace {

std::string BenchDir() {
  const char* env = std::getenv("INFERMETRY_BENCH_DIR");
  std::string base = env != nullptr ? env : std::filesystem::temp_directory_path().string();
  std::string tmpl = base + "/infermetry-wal-bench-XXXXXX";
  return ::mkdtemp(tmpl.data());
}

std::unique_ptr<Wal> g_wal;
std::string g_dir;

// range(0): record bytes; range(1): 0 = kAlways, 1 = kBatch.
void BM_WalAppend(benchmark::State& state) {
  const size_t bytes = static_cast<size_t>(state.range(0));
  if (state.thread_index() == 0) {
    log::SetLevel(log::Level::kWarn);
    g_dir = BenchDir();
    Options o;
    o.dir = g_dir + "/wal";
    o.name = "bench";
    o.sync = state.range(1) == 0 ? SyncPolicy::kAlways : SyncPolicy::kBatch;
    auto w = Wal::Open(
        o, [](uint64_t, std::string_view) { return Status::Ok(); }, nullptr);
    if (!w.ok()) {
      state.SkipWithError(w.status().ToString().c_str());
      return;
    }
    g_wal = std::move(*w);
  }
  std::string record(bytes, static_cast<char>('a' + state.thread_index() % 26));
  for (auto _ : state) {
    Status st = g_wal->Append(record);
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) {
    (void)g_wal->Close();
    g_wal.reset();
    std::filesystem::remove_all(g_dir);
  }
}

void AppendArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"bytes", "batch"});
  for (int64_t bytes : {64, 4 << 10, 256 << 10}) b->Args({bytes, 0});
}
void BatchArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"bytes", "batch"});
  for (int64_t bytes : {64, 4 << 10, 256 << 10}) b->Args({bytes, 1});
}
BENCHMARK(BM_WalAppend)
    ->Name("BM_WalAppendAlways")
    ->Apply(AppendArgs)
    ->Threads(1)
    ->Threads(8)
    ->UseRealTime();
BENCHMARK(BM_WalAppend)
    ->Name("BM_WalAppendBatch")
    ->Apply(BatchArgs)
    ->Threads(1)
    ->Threads(8)
    ->UseRealTime();

// Opening a WAL of 64 MiB of 256-byte records: the CRC check and the replay callback.
void BM_WalReplay(benchmark::State& state) {
  log::SetLevel(log::Level::kWarn);
  std::string dir = BenchDir();
  Options o;
  o.dir = dir + "/wal";
  o.name = "bench-replay";
  o.sync = SyncPolicy::kBatch;
  const std::string record(256, 'r');
  constexpr int kRecords = 256 << 10;
  {
    auto w = Wal::Open(
        o, [](uint64_t, std::string_view) { return Status::Ok(); }, nullptr);
    for (int i = 0; i < kRecords; ++i) (void)(*w)->Append(record);
  }
  for (auto _ : state) {
    uint64_t n = 0;
    auto w = Wal::Open(
        o,
        [&n](uint64_t, std::string_view r) {
          n += r.size();
          return Status::Ok();
        },
        nullptr);
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * kRecords * 256);
  state.counters["records/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kRecords, benchmark::Counter::kIsRate);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WalReplay)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace infermetry::wal

BENCHMARK_MAIN();
