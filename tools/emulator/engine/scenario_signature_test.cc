// Each scenario, run on the simulated clock, shows the signature it is named for.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "emulator/engine/scenario.h"
#include "emulator/engine/simulation.h"
#include "emulator/engine/workload.h"

namespace infermetry::emulator {
namespace {

constexpr double kT0 = 1700000000.0;

struct Sample {
  double t = 0;  // seconds after the start
  bool up = true;
  int running = 0;
  int waiting = 0;
  double kv = 0;
  int64_t preemptions = 0;  // cumulative
};

struct ScenarioRun {
  EngineConfig config;
  SimulationSummary summary;
  std::vector<Sample> samples;
  std::vector<FinishedRecord> finished;  // not dropped
  int64_t preemptions = 0;
  int64_t iteration_generation_tokens = 0;
  int64_t ttft_observations = 0;
  int64_t itl_observations = 0;
  double batch_sum = 0;
  int64_t steps = 0;
  std::vector<std::pair<double, bool>> availability;

  double MeanBatch() const { return steps ? batch_sum / steps : 0; }
  template <typename F>
  double MeanOf(F f) const {
    double s = 0;
    for (const FinishedRecord& r : finished) s += f(r.stats);
    return finished.empty() ? 0 : s / finished.size();
  }
};

ScenarioRun RunScenario(std::string_view name, std::string_view preset, double duration,
                        int engines = 1, bool drain = false, uint64_t seed = 42) {
  ScenarioRun run;
  const Scenario sc = *FindScenario(name);
  run.config = *ScenarioEngineConfig(sc, *Preset(preset));
  WorkloadGenerator gen(sc.workload, run.config, engines, seed);
  SimulationOptions o;
  o.engines.assign(engines, run.config);
  o.start_time = kT0;
  o.duration = duration;
  o.sample_interval = 5;
  o.drain = drain;
  o.down_windows = DownWindowsWithin(sc, duration);
  std::vector<SchedulerStats> last(engines);
  Simulation* sim = nullptr;
  SimulationCallbacks cb;
  cb.on_step = [&](int e, const StepResult& r) {
    last[e] = r.scheduler;
    run.preemptions += r.iteration.num_preempted_reqs;
    run.iteration_generation_tokens += r.iteration.num_generation_tokens;
    run.ttft_observations += r.iteration.time_to_first_tokens_iter.size();
    run.itl_observations += r.iteration.inter_token_latencies_iter.size();
    run.batch_sum += r.num_scheduled_reqs;
    ++run.steps;
  };
  cb.on_sample = [&](double t) {
    Sample s;
    s.t = t - kT0;
    s.up = sim->up();
    for (const SchedulerStats& st : last) {
      s.running += st.num_running_reqs;
      s.waiting += st.num_waiting_reqs;
      s.kv = std::max(s.kv, st.kv_cache_usage);
    }
    s.preemptions = run.preemptions;
    run.samples.push_back(s);
  };
  cb.on_finished = [&](const FinishedRecord& r) {
    if (!r.dropped) run.finished.push_back(r);
  };
  cb.on_availability = [&](double t, bool up) {
    run.availability.push_back({t - kT0, up});
    if (up) std::fill(last.begin(), last.end(), SchedulerStats{});
  };
  auto created = Simulation::Create(o, &gen, cb);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  sim = created->get();
  run.summary = sim->Run();
  return run;
}

double Share(const std::vector<Sample>& samples, bool (*pred)(const Sample&)) {
  return samples.empty()
             ? 0
             : static_cast<double>(std::count_if(samples.begin(), samples.end(), pred)) /
                   samples.size();
}

TEST(ScenarioSignatureTest, HealthyHasNoPressure) {
  for (const char* preset : {"llama-3-8b-a100", "opt-125m-t4"}) {
    ScenarioRun r = RunScenario("healthy", preset, 600);
    EXPECT_EQ(r.preemptions, 0) << preset;
    EXPECT_LT(Share(r.samples, [](const Sample& s) { return s.waiting > 0; }), 0.05) << preset;
    double max_kv = 0;
    for (const Sample& s : r.samples) max_kv = std::max(max_kv, s.kv);
    EXPECT_LT(max_kv, 0.5) << preset;
    EXPECT_GT(r.summary.finished, 1000) << preset;
  }
}

TEST(ScenarioSignatureTest, KvCachePressurePreempts) {
  for (const char* preset : {"llama-3-8b-a100", "opt-125m-t4", "gpt-oss-20b-a100"}) {
    ScenarioRun r = RunScenario("kv-cache-pressure", preset, 900);
    EXPECT_GT(Share(r.samples, [](const Sample& s) { return s.kv > 0.9; }), 0.6) << preset;
    // Preemptions keep happening: the count rises through every third of the run.
    const size_t n = r.samples.size();
    EXPECT_GT(r.samples[n / 3].preemptions, 0) << preset;
    EXPECT_GT(r.samples[2 * n / 3].preemptions, r.samples[n / 3].preemptions) << preset;
    EXPECT_GT(r.samples[n - 1].preemptions, r.samples[2 * n / 3].preemptions) << preset;
    int preempted_requests = 0;
    for (const FinishedRecord& f : r.finished) preempted_requests += f.stats.num_preemptions > 0;
    EXPECT_GT(preempted_requests, 0);
  }
}

TEST(ScenarioSignatureTest, QueueBuildupGrowsTheQueue) {
  ScenarioRun r = RunScenario("queue-buildup", "llama-3-8b-a100", 600);
  EXPECT_GT(Share(r.samples, [](const Sample& s) { return s.waiting > 0; }), 0.8);
  const size_t n = r.samples.size();
  EXPECT_GT(r.samples[n - 1].waiting, r.samples[n / 4].waiting);
  EXPECT_GT(r.samples[n - 1].running, r.config.max_num_seqs - 8);  // the batch is full
  // Requests that arrived later waited longer.
  double early = 0, late = 0;
  int ne = 0, nl = 0;
  for (const FinishedRecord& f : r.finished) {
    const double at = f.arrival_time - kT0;
    if (at < 150) {
      early += f.stats.queued_time;
      ++ne;
    }
    if (at > 300 && at < 450) {
      late += f.stats.queued_time;
      ++nl;
    }
  }
  ASSERT_GT(ne, 0);
  ASSERT_GT(nl, 0);
  EXPECT_GT(late / nl, 2 * (early / ne));
  EXPECT_GT(late / nl, 10.0);
}

TEST(ScenarioSignatureTest, LongPrefillDominatesTimeToFirstToken) {
  for (const char* preset : {"llama-3-8b-a100", "opt-125m-t4"}) {
    ScenarioRun healthy = RunScenario("healthy", preset, 300);
    ScenarioRun r = RunScenario("long-prefill", preset, 300);
    auto prefill_share = [](const FinishedRequestStats& s) {
      return s.prefill_time / s.e2e_latency;
    };
    auto ttft = [](const FinishedRequestStats& s) { return s.queued_time + s.prefill_time; };
    EXPECT_GT(r.MeanOf(prefill_share), 0.2) << preset;
    EXPECT_GT(r.MeanOf(prefill_share), 5 * healthy.MeanOf(prefill_share)) << preset;
    EXPECT_GT(r.MeanOf(ttft), 3 * healthy.MeanOf(ttft)) << preset;
    EXPECT_GT(r.MeanOf([](const FinishedRequestStats& s) { return double(s.num_prompt_tokens); }),
              1500)
        << preset;
  }
}

TEST(ScenarioSignatureTest, DecodeBoundRunsLargeBatches) {
  for (const char* preset : {"llama-3-8b-a100", "opt-125m-t4"}) {
    ScenarioRun healthy = RunScenario("healthy", preset, 300);
    ScenarioRun r = RunScenario("decode-bound", preset, 600);
    auto decode_share = [](const FinishedRequestStats& s) { return s.decode_time / s.e2e_latency; };
    EXPECT_GT(r.MeanOf(decode_share), 0.95) << preset;
    EXPECT_GT(r.MeanBatch(), 0.5 * r.config.max_num_seqs) << preset;
    EXPECT_GT(r.MeanBatch(), 4 * healthy.MeanBatch()) << preset;
    EXPECT_EQ(r.preemptions, 0) << preset;
  }
}

TEST(ScenarioSignatureTest, BurstQueuesSpikeAndDrain) {
  const Scenario sc = *FindScenario("burst");
  const RateProfile& rate = sc.workload.rate;
  ScenarioRun r = RunScenario("burst", "llama-3-8b-a100", 900);
  int spikes = 0, bursts = 0;
  for (double start = rate.burst_start; start + rate.burst_period <= 900;
       start += rate.burst_period) {
    ++bursts;
    int peak = 0, calm_max = 0;
    for (const Sample& s : r.samples) {
      if (s.t > start && s.t <= start + rate.burst_duration + 10) peak = std::max(peak, s.waiting);
      // The last minute before the next burst: the queue has drained.
      if (s.t >= start + rate.burst_period - 60 && s.t < start + rate.burst_period) {
        calm_max = std::max(calm_max, s.waiting);
      }
    }
    spikes += peak > 50;
    EXPECT_EQ(calm_max, 0) << "burst at " << start;
  }
  EXPECT_EQ(spikes, bursts);
  EXPECT_GE(bursts, 4);
  // Before the first burst nothing waits.
  for (const Sample& s : r.samples) {
    if (s.t < rate.burst_start) {
      EXPECT_EQ(s.waiting, 0);
    }
  }
}

TEST(ScenarioSignatureTest, InstanceDownReportsItsWindows) {
  ScenarioRun r = RunScenario("instance-down", "llama-3-8b-a100", 600);
  ASSERT_EQ(r.summary.down_windows.size(), 2u);
  EXPECT_DOUBLE_EQ(r.summary.down_windows[0].start, kT0 + 150);
  EXPECT_DOUBLE_EQ(r.summary.down_windows[0].end, kT0 + 210);
  EXPECT_DOUBLE_EQ(r.summary.down_windows[1].start, kT0 + 420);
  EXPECT_DOUBLE_EQ(r.summary.down_windows[1].end, kT0 + 450);
  EXPECT_EQ(r.availability, (std::vector<std::pair<double, bool>>{
                                {150, false}, {210, true}, {420, false}, {450, true}}));
  for (const Sample& s : r.samples) {
    const bool inside = (s.t > 150 && s.t < 210) || (s.t > 420 && s.t < 450);
    const bool outside = s.t < 150 || (s.t > 210 && s.t < 420) || s.t > 450;
    if (inside) {
      EXPECT_FALSE(s.up) << s.t;
    }
    if (outside) {
      EXPECT_TRUE(s.up) << s.t;
    }
  }
  EXPECT_GT(r.summary.refused, 0);
  EXPECT_GT(r.summary.dropped, 0);
  for (const FinishedRecord& f : r.finished) {
    const double at = f.arrival_time - kT0;
    EXPECT_FALSE((at >= 150 && at < 210) || (at >= 420 && at < 450)) << at;
  }
}

// Over a 10-minute run (drained so every request finishes), the per-request records and the
// per-step counters agree, as vLLM's counters and histograms must.
TEST(ScenarioSignatureTest, TenMinutesOfStatsAreConsistent) {
  for (const char* name : {"healthy", "kv-cache-pressure"}) {
    ScenarioRun r = RunScenario(name, "llama-3-8b-a100", 600, /*engines=*/2, /*drain=*/true);
    int64_t generated = 0;
    for (const FinishedRecord& f : r.finished) generated += f.stats.num_generation_tokens;
    EXPECT_EQ(generated, r.iteration_generation_tokens) << name;
    EXPECT_EQ(r.summary.generation_tokens, r.iteration_generation_tokens) << name;
    EXPECT_EQ(static_cast<int64_t>(r.finished.size()), r.summary.queued) << name;
    EXPECT_EQ(r.ttft_observations, static_cast<int64_t>(r.finished.size())) << name;
    EXPECT_EQ(r.itl_observations, generated - static_cast<int64_t>(r.finished.size())) << name;
    for (const FinishedRecord& f : r.finished) {
      EXPECT_GE(f.stats.num_generation_tokens, 1);
      EXPECT_LE(f.stats.num_generation_tokens, std::max(1, f.spec.target_output_tokens));
      if (f.stats.finish_reason == "length") {
        EXPECT_EQ(f.stats.num_generation_tokens, f.spec.max_tokens);
      } else {
        EXPECT_EQ(f.stats.finish_reason, "stop");
        EXPECT_EQ(f.stats.num_generation_tokens, f.spec.target_output_tokens);
      }
    }
  }
}

TEST(ScenarioSignatureTest, SameSeedSameRun) {
  auto digest = [](uint64_t seed) {
    ScenarioRun r = RunScenario("kv-cache-pressure", "opt-125m-t4", 300, 2, false, seed);
    double h = 0;
    for (const FinishedRecord& f : r.finished) h = h * 1.0000001 + f.finish_time + f.id;
    return std::make_tuple(r.summary.steps, r.preemptions, r.finished.size(), h);
  };
  EXPECT_EQ(digest(1), digest(1));
  EXPECT_NE(digest(1), digest(2));
}

}  // namespace
}  // namespace infermetry::emulator
