// The emulated vLLM engine on the simulated clock: how much traffic one CPU core simulates.
//
//   build/bench/emulator_bench
// BM_SimulateScenario: 10 simulated minutes of a scenario on 1 engine of the llama-3-8b-a100
//   preset (arrivals from the WorkloadGenerator, every step delivered to a callback, a sample
//   every 15 s, every finished request recorded); requests/s and simulated_s/s are per CPU
//   second.
// BM_EngineStep: Engine::Step alone, in steady state with `batch` requests decoding (a finished
//   request is replaced at once); steps/s and tokens/s per CPU second.

#include <benchmark/benchmark.h>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "emulator/engine/engine.h"
#include "emulator/engine/scenario.h"
#include "emulator/engine/simulation.h"
#include "emulator/engine/workload.h"

namespace infermetry::emulator {
namespace {

constexpr double kSimulatedSeconds = 600;

void BM_SimulateScenario(benchmark::State& state, const char* scenario) {
  const Scenario sc = *FindScenario(scenario);
  const EngineConfig config = *ScenarioEngineConfig(sc, *Preset("llama-3-8b-a100"));
  int64_t requests = 0, steps = 0, tokens = 0;
  uint64_t seed = 1;
  for (auto _ : state) {
    WorkloadGenerator gen(sc.workload, config, 1, seed++);
    SimulationOptions o;
    o.engines = {config};
    o.start_time = 1.7e9;
    o.duration = kSimulatedSeconds;
    o.sample_interval = 15;
    SimulationCallbacks cb;
    int64_t samples = 0;
    cb.on_step = [&](int, const StepResult& r) { tokens += r.iteration.num_generation_tokens; };
    cb.on_sample = [&](double) { ++samples; };
    cb.on_finished = [&](const FinishedRecord& r) {
      requests += r.stats.num_generation_tokens > 0;
    };
    auto sim = Simulation::Create(o, &gen, cb);
    if (!sim.ok()) {
      state.SkipWithError(sim.status().ToString().c_str());
      return;
    }
    SimulationSummary s = (*sim)->Run();
    steps += s.steps;
    benchmark::DoNotOptimize(samples);
  }
  state.counters["requests/s"] =
      benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsRate);
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
  state.counters["simulated_s/s"] = benchmark::Counter(
      kSimulatedSeconds * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_SimulateScenario, healthy, "healthy")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SimulateScenario, kv_cache_pressure, "kv-cache-pressure")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SimulateScenario, decode_bound, "decode-bound")->Unit(benchmark::kMillisecond);

RequestSpec BenchSpec(int i) {
  RequestSpec s;
  s.prompt.resize(256);
  std::iota(s.prompt.begin(), s.prompt.end(), static_cast<uint32_t>(i) * 256);
  s.target_output_tokens = 200 + i % 100;
  s.max_tokens = 512;
  return s;
}

void BM_EngineStep(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  EngineConfig config = *Preset("llama-3-8b-a100");
  Engine engine(config, 0);
  double now = 0;
  int next = 0;
  for (; next < batch; ++next) (void)engine.Add(BenchSpec(next), now);
  int64_t tokens = 0;
  for (auto _ : state) {
    StepResult r = engine.Step(now);
    now += r.duration;
    tokens += r.iteration.num_generation_tokens;
    for (const RequestOutput& o : r.outputs) {
      if (o.finished) (void)engine.Add(BenchSpec(next++), now);
    }
  }
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EngineStep)->Arg(16)->Arg(64)->Arg(256);

}  // namespace
}  // namespace infermetry::emulator

BENCHMARK_MAIN();
