// The emulator's vLLM /metrics: the cost of applying one engine step's stats (Record) and of
// producing the exposition text (Render) for 1 and 8 engines, after some traffic so that the
// http_* series exist. Deterministic figures (read_proc_self = false) except where noted.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "emulator/metrics/vllm_metrics.h"

namespace infermetry::emulator {
namespace {

VllmMetricsOptions Options(int engines, bool read_proc_self) {
  VllmMetricsOptions o;
  EngineConfig c;
  c.model = "meta-llama/Llama-3.1-8B-Instruct";
  c.max_model_len = 131072;
  for (int i = 0; i < engines; ++i) o.engines.push_back(c);
  o.start_time = 1795458885.25;
  o.read_proc_self = read_proc_self;
  return o;
}

// A busy decode step: 48 running requests, 2 of them getting their first token, 46 decoding,
// 2 finishing.
IterationStats TypicalStep(double t) {
  IterationStats it;
  it.iteration_timestamp = t;
  it.num_prompt_tokens = 1800;
  it.prompt_tokens_local_compute = 1400;
  it.prompt_tokens_local_cache_hit = 400;
  it.num_generation_tokens = 48;
  it.time_to_first_tokens_iter = {0.21, 0.34};
  it.inter_token_latencies_iter.assign(46, 0.031);
  for (int i = 0; i < 2; ++i) {
    FinishedRequestStats r;
    r.finish_reason = i == 0 ? "stop" : "length";
    r.e2e_latency = 6.5;
    r.num_prompt_tokens = 900;
    r.num_generation_tokens = 200;
    r.max_tokens_param = 256;
    r.queued_time = 0.1;
    r.prefill_time = 0.2;
    r.inference_time = 6.3;
    r.decode_time = 6.1;
    r.mean_time_per_output_token = 6.1 / 199;
    r.num_cached_tokens = 200;
    it.finished_requests.push_back(r);
  }
  return it;
}

SchedulerStats TypicalScheduler() {
  SchedulerStats s;
  s.num_running_reqs = 48;
  s.num_waiting_reqs = 3;
  s.num_waiting_for_capacity = 3;
  s.kv_cache_usage = 0.62;
  s.prefix_cache_queries = 1800;
  s.prefix_cache_hits = 400;
  return s;
}

void Warm(VllmMetrics* m, int engines) {
  IterationStats it = TypicalStep(1795458890.0);
  SchedulerStats s = TypicalScheduler();
  for (int i = 0; i < 100; ++i) {
    for (int e = 0; e < engines; ++e) m->Record(e, s, &it);
  }
  for (const char* h : {"/v1/chat/completions", "/v1/completions", "/v1/models"}) {
    m->RecordHttp(h, "POST", 200, 812, 0, 2.4);
    m->RecordHttp(h, "POST", 400, 120, 180, 0.002);
  }
}

void BM_RecordTypicalStep(benchmark::State& state) {
  VllmMetrics m(Options(1, false));
  Warm(&m, 1);
  IterationStats it = TypicalStep(1795458890.0);
  SchedulerStats s = TypicalScheduler();
  for (auto _ : state) m.Record(0, s, &it);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordTypicalStep);

void BM_RecordHttp(benchmark::State& state) {
  VllmMetrics m(Options(1, false));
  Warm(&m, 1);
  for (auto _ : state) m.RecordHttp("/v1/chat/completions", "POST", 200, 812, 0, 2.4);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordHttp);

// Arg 0: engines; arg 1: 1 = process_* read from /proc/self.
void BM_Render(benchmark::State& state) {
  const int engines = static_cast<int>(state.range(0));
  VllmMetrics m(Options(engines, state.range(1) != 0));
  Warm(&m, engines);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string body = m.Render(1795458990.0);
    bytes = body.size();
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["body_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Render)->Args({1, 0})->Args({8, 0})->Args({1, 1})->Args({8, 1});

}  // namespace
}  // namespace infermetry::emulator

BENCHMARK_MAIN();
