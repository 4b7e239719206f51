// The span store on vLLM-shaped spans: one `llm_request` span per request, as vLLM's V1
// output processor emits it (the 8 gen_ai.latency/usage attributes and gen_ai.request.id it
// always sets, plus gen_ai.request.max_tokens and gen_ai.request.top_p: 11 attributes), the
// SDK resource (service.name and friends), random trace and span ids, 20 requests/s per
// engine. Latencies are computed the way vLLM computes them: differences of float timestamps
// (time.time() for arrival and iteration times, time.monotonic() inside the engine core).
//
//   spanstore_bench [--spanstore_spans=N] [--spanstore_dir=DIR] [benchmark flags]
//
// BM_Ingest:        acknowledged ingest (WAL kAlways, batches of 512), spans/s.
// BM_BytesPerSpan:  part bytes per span after flush and merges, with a per-column breakdown.
// BM_FindTrace*:    trace lookup by id in a store of --spanstore_spans spans (default 1M).
// BM_Search:        a filtered search over the same store.
// The large store is built once into DIR (default a temporary directory) and reused when DIR
// already holds one of the same size.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "spanstore/part_file.h"
#include "spanstore/span_part.h"
#include "spanstore/span_store.h"

namespace infermetry::spanstore {
namespace {

using model::AttrValue;

uint64_t g_spans = 1000000;
std::string g_dir;
constexpr int kEngines = 4;
constexpr double kRatePerEngine = 20.0;
constexpr size_t kBatch = 512;

AttrValue D(double d) {
  AttrValue v;
  v.type = AttrValue::Type::kDouble;
  v.d = d;
  return v;
}
AttrValue I(int64_t i) {
  AttrValue v;
  v.type = AttrValue::Type::kInt;
  v.i = i;
  return v;
}
AttrValue S(std::string s) {
  AttrValue v;
  v.type = AttrValue::Type::kString;
  v.s = std::move(s);
  return v;
}

class VllmSpans {
 public:
  VllmSpans(uint64_t seed, double epoch_start) : rng_(seed), epoch_(epoch_start) {
    for (int e = 0; e < kEngines; ++e) {
      model::Attributes res = {{"service.name", S("vllm-server")},
                               {"telemetry.sdk.language", S("python")},
                               {"telemetry.sdk.name", S("opentelemetry")},
                               {"telemetry.sdk.version", S("1.27.0")},
                               {"vllm.instrumenting_module_name", S("vllm.llm_engine")},
                               {"vllm.process_id", S(std::to_string(4100 + e))}};
      resources_.push_back(res);
      mono_.push_back(250000.0 + 1000.0 * e);  // engine-core time.monotonic()
    }
  }

  model::Span Next() {
    std::uniform_real_distribution<double> u(0, 1);
    std::exponential_distribution<double> gap(kRatePerEngine * kEngines);
    double dt = gap(rng_);
    epoch_ += dt;
    int e = static_cast<int>(rng_() % kEngines);
    for (auto& m : mono_) m += dt;
    model::Span s;
    for (auto& b : s.trace_id) b = static_cast<uint8_t>(rng_());
    for (auto& b : s.span_id) b = static_cast<uint8_t>(rng_());
    s.name = "llm_request";
    s.kind = 2;  // SERVER
    s.service_name = "vllm-server";
    s.resource_attributes = resources_[e];
    s.scope_name = "vllm.tracing.otel";
    int64_t prompt = 50 + static_cast<int64_t>(u(rng_) * 2000);
    int64_t completion = 10 + static_cast<int64_t>(u(rng_) * 500);
    double arrival = epoch_;
    double queued_ts = mono_[e] + 0.0004 + u(rng_) * 0.0004;
    double scheduled_ts = queued_ts + u(rng_) * 0.05;
    double first_token_ts =
        scheduled_ts + 0.015 + static_cast<double>(prompt) * 0.00008 * (0.8 + 0.4 * u(rng_));
    double last_token_ts =
        first_token_ts + static_cast<double>(completion) * 0.012 * (0.8 + 0.4 * u(rng_));
    double first_iter = arrival + (first_token_ts - mono_[e]) + 0.0002;  // time.time()
    double last_iter = arrival + (last_token_ts - mono_[e]) + 0.0002;
    s.start_ns = static_cast<int64_t>(arrival * 1e9);
    s.end_ns = static_cast<int64_t>(last_iter * 1e9) + static_cast<int64_t>(rng_() % 300000);
    static const int64_t kMaxTokens[] = {256, 512, 1024, 2048};
    static const double kTopP[] = {1.0, 0.95, 0.9};
    char id[33];
    std::snprintf(id, sizeof(id), "%016" PRIx64 "%016" PRIx64, rng_(), rng_());
    s.attributes = {
        {"gen_ai.latency.time_to_first_token", D(first_iter - arrival)},
        {"gen_ai.latency.e2e", D(last_iter - arrival)},
        {"gen_ai.latency.time_in_queue", D(scheduled_ts - queued_ts)},
        {"gen_ai.usage.prompt_tokens", I(prompt)},
        {"gen_ai.usage.completion_tokens", I(completion)},
        {"gen_ai.latency.time_in_model_prefill", D(first_token_ts - scheduled_ts)},
        {"gen_ai.latency.time_in_model_decode", D(last_token_ts - first_token_ts)},
        {"gen_ai.latency.time_in_model_inference", D(last_token_ts - scheduled_ts)},
        {"gen_ai.request.id", S(std::string("chatcmpl-") + id)},
        {"gen_ai.request.top_p", D(kTopP[rng_() % 3])},
        {"gen_ai.request.max_tokens", I(kMaxTokens[rng_() % 4])},
    };
    return s;
  }

 private:
  std::mt19937_64 rng_;
  double epoch_;
  std::vector<double> mono_;
  std::vector<model::Attributes> resources_;
};

double NowEpochSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

SpanStoreOptions StoreOptions(const std::string& dir) {
  SpanStoreOptions o;
  o.dir = dir;
  o.background = false;
  return o;
}

std::string TempDir(const char* name) {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / (std::string(name) + "-XXXXXX")).string();
  return ::mkdtemp(tmpl.data());
}

// Bytes of each column over all parts of the span engine.
std::map<std::string, uint64_t> ColumnBytes(const std::string& dir) {
  std::map<std::string, uint64_t> out;
  static const char* kNames[] = {"trace_id", "span_id",  "parent_id",   "trace_state",
                                 "flags",    "service",  "name",        "kind",
                                 "start",    "duration", "status",      "status_message",
                                 "resource", "scope",    "attr_layout", "events_links",
                                 "dropped",  "dropped",  "dropped"};
  std::string parts = dir + "/spans/parts";
  for (const auto& entry : std::filesystem::directory_iterator(parts)) {
    auto p = Part::Open(DefaultEnv(), entry.path().string(), RowKind::kSpan);
    if (!p.ok()) continue;
    uint64_t blocks = 0;
    for (const auto& g : (*p)->granules()) {
      for (const auto& b : g.blocks) {
        std::string name =
            b.column < 19
                ? kNames[b.column]
                : "attr:" + (*p)->dicts()[SpanCodec::kKeys][b.column - SpanCodec::kAttrBase];
        out[name] += b.stored_len;
        blocks += b.stored_len;
      }
    }
    out["(footer, index, bloom)"] += (*p)->file_size() - blocks;
  }
  return out;
}

void BM_Ingest(benchmark::State& state) {
  std::string dir = TempDir("spanstore-ingest");
  auto store = SpanStore::Open(StoreOptions(dir));
  if (!store.ok()) return state.SkipWithError(store.status().ToString().c_str());
  VllmSpans gen(1, NowEpochSeconds() - 3600);
  std::vector<std::vector<model::Span>> batches(32);
  for (auto& b : batches) {
    for (size_t i = 0; i < kBatch; ++i) b.push_back(gen.Next());
  }
  size_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<model::Span> batch = batches[i++ % batches.size()];
    state.ResumeTiming();
    Status st = (*store)->IngestSpans(std::move(batch));
    if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kBatch));
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Ingest)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_BytesPerSpan(benchmark::State& state) {
  const int64_t n = state.range(0);
  for (auto _ : state) {
    std::string dir = TempDir("spanstore-bytes");
    {
      auto store = SpanStore::Open(StoreOptions(dir));
      if (!store.ok()) return state.SkipWithError(store.status().ToString().c_str());
      VllmSpans gen(
          2, NowEpochSeconds() - static_cast<double>(n) / (kRatePerEngine * kEngines) - 7200);
      for (int64_t done = 0; done < n;) {
        std::vector<model::Span> batch;
        for (size_t i = 0; i < kBatch && done < n; ++i, ++done) batch.push_back(gen.Next());
        Status st = (*store)->IngestSpans(std::move(batch));
        if (!st.ok()) return state.SkipWithError(st.ToString().c_str());
      }
      if (!(*store)->Flush().ok()) return state.SkipWithError("flush");
      while (true) {
        auto m = (*store)->span_engine().Merge();
        if (!m.ok()) return state.SkipWithError(m.status().ToString().c_str());
        if (*m == 0) break;
      }
      state.counters["bytes_per_span"] =
          static_cast<double>((*store)->span_engine().part_bytes()) / static_cast<double>(n);
      state.counters["parts"] = static_cast<double>((*store)->span_engine().part_count());
    }
    for (const auto& [col, bytes] : ColumnBytes(dir)) {
      state.counters["B/span " + col] = static_cast<double>(bytes) / static_cast<double>(n);
    }
    std::filesystem::remove_all(dir);
  }
}
BENCHMARK(BM_BytesPerSpan)->Arg(300000)->Iterations(1)->Unit(benchmark::kSecond);

// The large store shared by the lookup and search benchmarks.
struct BigStore {
  std::unique_ptr<SpanStore> store;
  std::vector<model::TraceId> sample;
  double build_seconds = 0;
  uint64_t bytes = 0;
};

BigStore* GetBigStore() {
  static BigStore* big = [] {
    auto* b = new BigStore();
    std::string dir = g_dir.empty() ? TempDir("spanstore-big") : g_dir;
    std::string marker = dir + "/bench-" + std::to_string(g_spans) + ".ids";
    bool reuse = std::filesystem::exists(marker);
    auto t0 = std::chrono::steady_clock::now();
    SpanStoreOptions o = StoreOptions(dir);
    o.wal_sync = wal::SyncPolicy::kBatch;  // building only; the ingest benchmark uses kAlways
    auto s = SpanStore::Open(o);
    if (!s.ok()) {
      std::fprintf(stderr, "open: %s\n", s.status().ToString().c_str());
      std::exit(1);
    }
    b->store = std::move(*s);
    if (reuse) {
      std::ifstream in(marker, std::ios::binary);
      model::TraceId id;
      while (in.read(reinterpret_cast<char*>(id.data()), 16)) b->sample.push_back(id);
    } else {
      VllmSpans gen(3,
                    NowEpochSeconds() - static_cast<double>(g_spans) / (kRatePerEngine * kEngines));
      std::mt19937_64 pick(4);
      for (uint64_t done = 0; done < g_spans;) {
        std::vector<model::Span> batch;
        for (size_t i = 0; i < kBatch && done < g_spans; ++i, ++done) {
          batch.push_back(gen.Next());
          if (pick() % 1000 == 0) b->sample.push_back(batch.back().trace_id);
        }
        Status st = b->store->IngestSpans(std::move(batch));
        if (!st.ok()) {
          std::fprintf(stderr, "ingest: %s\n", st.ToString().c_str());
          std::exit(1);
        }
        if (done % (kBatch * 512) == 0) (void)b->store->span_engine().Merge();
      }
      (void)b->store->Flush();
      while (true) {
        auto m = b->store->span_engine().Merge();
        if (!m.ok() || *m == 0) break;
      }
      std::ofstream out(marker, std::ios::binary);
      for (const auto& id : b->sample) out.write(reinterpret_cast<const char*>(id.data()), 16);
    }
    b->build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    b->bytes = b->store->span_engine().part_bytes();
    std::fprintf(stderr, "big store: %" PRIu64 " spans, %zu parts, %.1f B/span, %s in %.1f s\n",
                 g_spans, b->store->span_engine().part_count(),
                 static_cast<double>(b->bytes) / static_cast<double>(g_spans),
                 reuse ? "reopened" : "built", b->build_seconds);
    return b;
  }();
  return big;
}

void BM_FindTrace(benchmark::State& state) {
  BigStore* b = GetBigStore();
  size_t i = 0;
  for (auto _ : state) {
    auto r = b->store->FindTrace(b->sample[i++ % b->sample.size()]);
    if (!r.ok() || r->size() != 1) return state.SkipWithError("trace not found");
  }
  state.counters["spans_stored"] = static_cast<double>(g_spans);
  state.counters["parts"] = static_cast<double>(b->store->span_engine().part_count());
}
BENCHMARK(BM_FindTrace)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FindTraceMissing(benchmark::State& state) {
  BigStore* b = GetBigStore();
  std::mt19937_64 rng(9);
  for (auto _ : state) {
    model::TraceId id;
    for (auto& x : id) x = static_cast<uint8_t>(rng());
    auto r = b->store->FindTrace(id);
    if (!r.ok() || !r->empty()) return state.SkipWithError("unexpected result");
  }
}
BENCHMARK(BM_FindTraceMissing)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The last hour's slow requests with long prompts: time range + service + name + duration +
// attribute equality, newest 100.
void BM_Search(benchmark::State& state) {
  BigStore* b = GetBigStore();
  storage::SpanQuery q;
  q.start_ns = static_cast<int64_t>((NowEpochSeconds() - 3600) * 1e9);
  q.service = "vllm-server";
  q.name = "llm_request";
  q.min_duration_ns = 5000000000;
  q.attributes = {{"gen_ai.request.max_tokens", "2048"}};
  q.limit = 100;
  size_t found = 0;
  for (auto _ : state) {
    auto r = b->store->SearchSpans(q);
    if (!r.ok()) return state.SkipWithError(r.status().ToString().c_str());
    found = r->size();
  }
  state.counters["results"] = static_cast<double>(found);
}
BENCHMARK(BM_Search)->Unit(benchmark::kMillisecond)->UseRealTime();

// No time bound, a rare attribute value: every granule passes the statistics, so this reads
// and checks the filter and attribute columns of the whole store.
void BM_SearchFullScan(benchmark::State& state) {
  BigStore* b = GetBigStore();
  storage::SpanQuery q;
  q.attributes = {{"gen_ai.usage.prompt_tokens", "1234"}};
  q.min_duration_ns = 5000000000;
  q.limit = 100;
  size_t found = 0;
  for (auto _ : state) {
    auto r = b->store->SearchSpans(q);
    if (!r.ok()) return state.SkipWithError(r.status().ToString().c_str());
    found = r->size();
  }
  state.counters["results"] = static_cast<double>(found);
}
BENCHMARK(BM_SearchFullScan)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
}  // namespace infermetry::spanstore

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--spanstore_spans=", 0) == 0) {
      infermetry::spanstore::g_spans = std::stoull(a.substr(18));
    } else if (a.rfind("--spanstore_dir=", 0) == 0) {
      infermetry::spanstore::g_dir = a.substr(16);
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
