// Persistent TSDB blocks on the vLLM-shaped workload (bench/vllm_workload.h): bytes per sample
// on disk, write throughput, full-block read throughput, and selective queries.
//
//   build/bench/block_bench                       # 10 engines x 2 h and 100 engines x 2 h
//   INFERMETRY_BLOCK_BREAKDOWN=1 build/bench/block_bench --benchmark_filter=Write/10
// Set INFERMETRY_BENCH_DIR to choose the disk (default: the system temp directory).
// The breakdown prints the compressed bytes per metric family (each family's series encoded
// and compressed on their own, so the figures are an upper bound of their share).

#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <cstdio>

#include "tsdb/block/block.h"
#include "tsdb/block/series_codec.h"
#include "vllm_workload.h"

namespace infermetry::tsdb {
namespace {

constexpr int64_t kIntervalMs = 5000;
constexpr int kSteps = 2 * 3600 * 1000 / kIntervalMs;  // 2 h

// The workload held series-major, in label order, ready for BlockWriter.
struct Data {
  std::vector<model::Labels> labels;
  std::vector<uint32_t> family;
  std::vector<std::string> family_names;
  std::vector<std::vector<int64_t>> ts;   // per engine (all series of a target share them)
  std::vector<uint32_t> engine;           // per series
  std::vector<std::vector<double>> values;  // per series
  uint64_t samples = 0;
  int64_t mint = INT64_MAX, maxt = INT64_MIN;
};

Data& GetData(int engines) {
  static std::map<int, std::unique_ptr<Data>> cache;
  auto& d = cache[engines];
  if (d) return *d;
  d = std::make_unique<Data>();
  bench::VllmWorkload w(engines, kIntervalMs, 42);
  const size_t per = w.series_per_engine();
  std::vector<std::vector<double>> values(w.num_series());
  d->ts.resize(engines);
  for (int s = 0; s < kSteps; ++s) {
    for (const auto& p : w.Step()) {
      values[p.series].push_back(p.v);
      if (p.series % per == 0) d->ts[p.series / per].push_back(p.t_ms);
      d->mint = std::min(d->mint, p.t_ms);
      d->maxt = std::max(d->maxt, p.t_ms);
    }
  }
  std::vector<uint32_t> order(w.num_series());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return w.labels(a) < w.labels(b); });
  for (uint32_t id : order) {
    d->labels.push_back(w.labels(id));
    d->family.push_back(w.family_of(id));
    d->engine.push_back(static_cast<uint32_t>(id / per));
    d->values.push_back(std::move(values[id]));
    d->samples += kSteps;
  }
  for (const auto& f : w.families()) d->family_names.push_back(f.name);
  return *d;
}

std::string BenchDir() {
  const char* env = std::getenv("INFERMETRY_BENCH_DIR");
  std::string base = env != nullptr ? env : std::filesystem::temp_directory_path().string();
  std::string tmpl = base + "/infermetry-block-bench-XXXXXX";
  return ::mkdtemp(tmpl.data());
}

Result<BlockMeta> WriteBlock(const Data& d, const std::string& dir) {
  INFERMETRY_ASSIGN_OR_RETURN(auto w, BlockWriter::Create(DefaultEnv(), dir, {d.mint, d.maxt}));
  std::vector<model::Sample> samples;
  for (size_t i = 0; i < d.labels.size(); ++i) {
    const auto& ts = d.ts[d.engine[i]];
    samples.resize(ts.size());
    for (size_t k = 0; k < ts.size(); ++k) samples[k] = {ts[k], d.values[i][k]};
    INFERMETRY_RETURN_IF_ERROR(w->AddSeries(d.labels[i], samples));
  }
  return w->Finish();
}

void Breakdown(const Data& d) {
  std::map<uint32_t, std::vector<size_t>> by_family;
  for (size_t i = 0; i < d.labels.size(); ++i) by_family[d.family[i]].push_back(i);
  struct Row {
    size_t bytes;
    size_t series;
    std::string name;
  };
  std::vector<Row> rows;
  size_t total = 0;
  for (auto& [f, ids] : by_family) {
    blockfmt::PageEncoder enc;
    size_t bytes = 0;
    auto flush = [&] {
      std::string raw = enc.Finish();
      std::string out(ZSTD_compressBound(raw.size()), '\0');
      bytes += ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3);
    };
    for (size_t i : ids) {
      enc.Add(d.engine[i], d.values[i]);
      if (enc.raw_size() >= 256 * 1024) flush();
    }
    flush();
    total += bytes;
    rows.push_back({bytes, ids.size(), d.family_names[f]});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.bytes > b.bytes; });
  std::fprintf(stderr, "compressed sample bytes by family (total %zu, %.3f B/sample):\n", total,
               static_cast<double>(total) / static_cast<double>(d.samples));
  for (size_t i = 0; i < rows.size() && i < 25; ++i) {
    std::fprintf(stderr, "  %10zu B  %5.1f%%  %6.3f B/sample  %4zu series  %s\n", rows[i].bytes,
                 100.0 * static_cast<double>(rows[i].bytes) / static_cast<double>(total),
                 static_cast<double>(rows[i].bytes) / static_cast<double>(rows[i].series * kSteps),
                 rows[i].series, rows[i].name.c_str());
  }
}

void BM_Write(benchmark::State& state) {
  const Data& d = GetData(static_cast<int>(state.range(0)));
  if (std::getenv("INFERMETRY_BLOCK_BREAKDOWN") != nullptr) Breakdown(d);
  std::string dir = BenchDir();
  BlockMeta meta;
  for (auto _ : state) {
    auto m = WriteBlock(d, dir);
    if (!m.ok()) {
      state.SkipWithError(m.status().ToString().c_str());
      break;
    }
    meta = *m;
    state.PauseTiming();
    (void)DefaultEnv()->RemoveAll(dir + "/" + meta.id);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.samples));
  state.counters["series"] = static_cast<double>(d.labels.size());
  state.counters["samples"] = static_cast<double>(d.samples);
  state.counters["bytes"] = static_cast<double>(meta.size_bytes);
  state.counters["bytes_per_sample"] =
      static_cast<double>(meta.size_bytes) / static_cast<double>(d.samples);
  (void)DefaultEnv()->RemoveAll(dir);
}
BENCHMARK(BM_Write)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond)->Iterations(1);

struct Opened {
  std::string dir;
  std::unique_ptr<Block> block;
};

Opened& GetBlock(int engines) {
  static std::map<int, Opened> cache;
  Opened& o = cache[engines];
  if (o.block) return o;
  o.dir = BenchDir();
  auto meta = WriteBlock(GetData(engines), o.dir);
  if (!meta.ok()) std::abort();
  auto b = Block::Open(DefaultEnv(), o.dir + "/" + meta->id);
  if (!b.ok()) std::abort();
  o.block = std::move(*b);
  return o;
}

void RunQuery(benchmark::State& state, std::vector<storage::Matcher> ms) {
  Opened& o = GetBlock(static_cast<int>(state.range(0)));
  const BlockMeta& meta = o.block->meta();
  int64_t samples = 0, series = 0;
  for (auto _ : state) {
    auto q = o.block->NewQuerier(meta.mint, meta.maxt);
    auto set = q->Select({meta.mint, meta.maxt}, ms);
    double sum = 0;
    while (set->Next()) {
      ++series;
      auto it = set->Samples();
      while (it->Next()) {
        sum += it->v();
        ++samples;
      }
    }
    benchmark::DoNotOptimize(sum);
    if (!set->status().ok()) state.SkipWithError(set->status().ToString().c_str());
  }
  state.SetItemsProcessed(samples);
  state.counters["series"] = static_cast<double>(series) / static_cast<double>(state.iterations());
}

storage::Matcher M(storage::Matcher::Op op, std::string n, std::string v) {
  return *storage::Matcher::Make(op, std::move(n), std::move(v));
}

void BM_ReadAll(benchmark::State& state) {
  RunQuery(state, {M(storage::Matcher::Op::kRe, "__name__", ".+")});
}
BENCHMARK(BM_ReadAll)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

void BM_QueryOneSeries(benchmark::State& state) {
  RunQuery(state, {M(storage::Matcher::Op::kEq, "__name__", "vllm:e2e_request_latency_seconds_count"),
                   M(storage::Matcher::Op::kEq, "instance", "vllm-7:8000")});
}
BENCHMARK(BM_QueryOneSeries)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);

void BM_QueryFamily(benchmark::State& state) {
  RunQuery(state, {M(storage::Matcher::Op::kEq, "__name__", "vllm:time_to_first_token_seconds_bucket")});
}
BENCHMARK(BM_QueryFamily)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

void BM_Open(benchmark::State& state) {
  Opened& o = GetBlock(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto b = Block::Open(DefaultEnv(), o.block->dir());
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_Open)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace infermetry::tsdb

// `block_bench --write_openmetrics=PATH [--engines=N]` writes the workload of the write benchmark
// (2 h at 5 s) as OpenMetrics text instead of benchmarking, for
// `promtool tsdb create-blocks-from openmetrics PATH DIR` (a Prometheus figure to compare with).
int main(int argc, char** argv) {
  std::string om_path;
  int engines = 10;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--write_openmetrics=", 0) == 0) om_path = a.substr(20);
    if (a.rfind("--engines=", 0) == 0) engines = std::atoi(a.c_str() + 10);
  }
  if (!om_path.empty()) {
    std::FILE* f = std::fopen(om_path.c_str(), "w");
    if (f == nullptr) return 1;
    infermetry::bench::VllmWorkload::WriteOpenMetrics(engines, infermetry::tsdb::kIntervalMs, 42,
                                                      infermetry::tsdb::kSteps, f);
    return std::fclose(f) == 0 ? 0 : 1;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
