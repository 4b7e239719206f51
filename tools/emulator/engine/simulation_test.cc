#include "emulator/engine/simulation.h"

#include <gtest/gtest.h>

#include <numeric>

#include "emulator/engine/workload.h"

namespace infermetry::emulator {
namespace {

constexpr double kT0 = 1700000000.0;

EngineConfig Small() {
  EngineConfig c;
  c.model = "test-model";
  c.max_model_len = 1024;
  c.num_gpu_blocks = 500;
  c.max_num_seqs = 16;
  c.max_num_batched_tokens = 512;
  c.step_overhead = 0.01;
  c.prefill_per_token = 0.0001;
  c.decode_per_seq = 0.001;
  c.attention_per_kv_token = 0;
  return c;
}

Arrival At(double offset, int prompt, int target, const std::string& id) {
  Arrival a;
  a.offset = offset;
  a.spec.prompt.resize(prompt);
  std::iota(a.spec.prompt.begin(), a.spec.prompt.end(), static_cast<uint32_t>(offset * 1000) + 1);
  a.spec.target_output_tokens = target;
  a.spec.external_id = id;
  return a;
}

struct Log {
  std::vector<std::pair<int, double>> steps;  // engine, iteration timestamp
  std::vector<double> samples;
  std::vector<FinishedRecord> finished;
  std::vector<std::pair<double, bool>> availability;
  std::vector<std::pair<double, Code>> refused;
};

SimulationCallbacks Record(Log* log) {
  SimulationCallbacks cb;
  cb.on_step = [log](int e, const StepResult& r) {
    log->steps.push_back({e, r.iteration.iteration_timestamp});
  };
  cb.on_sample = [log](double t) { log->samples.push_back(t); };
  cb.on_finished = [log](const FinishedRecord& r) { log->finished.push_back(r); };
  cb.on_availability = [log](double t, bool up) { log->availability.push_back({t, up}); };
  cb.on_refused = [log](double t, const RequestSpec&, const Status& s) {
    log->refused.push_back({t, s.code()});
  };
  return cb;
}

std::unique_ptr<Simulation> Make(SimulationOptions o, ArrivalSource* src, SimulationCallbacks cb) {
  Result<std::unique_ptr<Simulation>> sim = Simulation::Create(std::move(o), src, std::move(cb));
  EXPECT_TRUE(sim.ok()) << sim.status().ToString();
  return std::move(sim).value();
}

TEST(SimulationTest, DispatchesToTheLeastLoadedEngineAndStepsInTimeOrder) {
  VectorArrivals src(
      {At(0, 100, 50, "a"), At(0, 10, 5, "b"), At(0, 10, 5, "c"), At(0.5, 10, 5, "d")});
  SimulationOptions o;
  o.engines = {Small(), Small()};
  o.start_time = kT0;
  o.duration = 10;
  o.drain = true;
  Log log;
  SimulationSummary s = Make(o, &src, Record(&log))->Run();
  EXPECT_EQ(s.arrivals, 4);
  EXPECT_EQ(s.queued, 4);
  EXPECT_EQ(s.finished, 4);
  ASSERT_EQ(log.finished.size(), 4u);
  std::map<std::string, int> engine_of;
  for (const FinishedRecord& r : log.finished) engine_of[r.external_id] = r.engine;
  // a -> 0, b -> 1 (0 has one), c -> 0 (tie, lowest index), d -> 1 (b and c finished by 0.5? no:
  // by then engine 0 still runs a, engine 1 is idle).
  EXPECT_EQ(engine_of["a"], 0);
  EXPECT_EQ(engine_of["b"], 1);
  EXPECT_EQ(engine_of["c"], 0);
  EXPECT_EQ(engine_of["d"], 1);
  for (size_t i = 1; i < log.steps.size(); ++i) {
    EXPECT_GE(log.steps[i].second, log.steps[i - 1].second);
  }
  for (const FinishedRecord& r : log.finished) {
    EXPECT_FALSE(r.dropped);
    EXPECT_NEAR(r.finish_time - r.arrival_time, r.stats.e2e_latency, 1e-9);
    EXPECT_EQ(r.spec.external_id, r.external_id);
    EXPECT_GE(r.arrival_time, kT0);
  }
}

TEST(SimulationTest, SamplesAtFixedIntervalsAndSkipsIdleTime) {
  // Two requests an hour apart: the idle hour costs no steps.
  VectorArrivals src({At(1, 20, 10, "early"), At(3601, 20, 10, "late")});
  SimulationOptions o;
  o.engines = {Small()};
  o.start_time = kT0;
  o.duration = 7200;
  o.sample_interval = 60;
  Log log;
  auto sim = Make(o, &src, Record(&log));
  SimulationSummary s = sim->Run();
  EXPECT_EQ(s.finished, 2);
  EXPECT_EQ(s.steps, 20);  // one prefill and nine decodes each
  ASSERT_EQ(log.samples.size(), 120u);
  EXPECT_DOUBLE_EQ(log.samples.front(), kT0 + 60);
  EXPECT_DOUBLE_EQ(log.samples.back(), kT0 + 7200);
  EXPECT_DOUBLE_EQ(s.end_time, kT0 + 7200);
  EXPECT_DOUBLE_EQ(log.finished[1].arrival_time, kT0 + 3601);
}

TEST(SimulationTest, RunUntilAdvancesPiecewise) {
  VectorArrivals src({At(0, 20, 100, "x")});
  SimulationOptions o;
  o.engines = {Small()};
  o.start_time = kT0;
  o.duration = 100;
  Log log;
  auto sim = Make(o, &src, Record(&log));
  sim->RunUntil(kT0 + 0.2);
  EXPECT_DOUBLE_EQ(sim->now(), kT0 + 0.2);
  for (const auto& [e, t] : log.steps) EXPECT_LE(t, kT0 + 0.2);
  EXPECT_EQ(sim->engine(0).CurrentSchedulerStats().num_running_reqs, 1);
  EXPECT_TRUE(log.finished.empty());
  sim->Run();
  EXPECT_EQ(log.finished.size(), 1u);
}

TEST(SimulationTest, DownWindowsDropRefuseAndRestart) {
  // "slow" is in flight when the server goes down at 1 s; "refused" arrives while it is down;
  // "after" is served by a fresh engine.
  VectorArrivals src(
      {At(0, 20, 10000, "slow"), At(1.5, 20, 5, "refused"), At(2.5, 20, 5, "after")});
  EngineConfig c = Small();
  c.max_model_len = 4096;
  c.num_gpu_blocks = 2000;
  SimulationOptions o;
  o.engines = {c};
  o.start_time = kT0;
  o.duration = 10;
  o.sample_interval = 0.5;
  o.drain = true;
  o.down_windows = {{1, 2}};
  Log log;
  std::vector<bool> up_at_sample;
  SimulationCallbacks cb = Record(&log);
  Simulation* sim_ptr = nullptr;
  cb.on_sample = [&](double t) { up_at_sample.push_back(sim_ptr->up()); };
  auto sim = Make(o, &src, cb);
  sim_ptr = sim.get();
  SimulationSummary s = sim->Run();
  ASSERT_EQ(s.down_windows.size(), 1u);
  EXPECT_DOUBLE_EQ(s.down_windows[0].start, kT0 + 1);
  EXPECT_DOUBLE_EQ(s.down_windows[0].end, kT0 + 2);
  ASSERT_EQ(log.availability.size(), 2u);
  EXPECT_EQ(log.availability[0], std::make_pair(kT0 + 1, false));
  EXPECT_EQ(log.availability[1], std::make_pair(kT0 + 2, true));
  ASSERT_EQ(log.refused.size(), 1u);
  EXPECT_EQ(log.refused[0].second, Code::kUnavailable);
  EXPECT_EQ(s.dropped, 1);
  EXPECT_EQ(s.refused, 1);
  EXPECT_EQ(s.finished, 1);
  ASSERT_EQ(log.finished.size(), 2u);
  EXPECT_EQ(log.finished[0].external_id, "slow");
  EXPECT_TRUE(log.finished[0].dropped);
  EXPECT_EQ(log.finished[0].stats.finish_reason, "error");
  EXPECT_DOUBLE_EQ(log.finished[0].finish_time, kT0 + 1);
  EXPECT_EQ(log.finished[1].external_id, "after");
  EXPECT_EQ(log.finished[1].id, 1u);  // a fresh engine numbers from 1 again
  for (const auto& [e, t] : log.steps) EXPECT_FALSE(t > kT0 + 1 && t < kT0 + 2) << t - kT0;
  // Samples at 0.5 and 1.0 (the edge runs first), 1.5, 2.0 (restarted), ...
  ASSERT_GE(up_at_sample.size(), 4u);
  EXPECT_TRUE(up_at_sample[0]);
  EXPECT_FALSE(up_at_sample[1]);
  EXPECT_FALSE(up_at_sample[2]);
  EXPECT_TRUE(up_at_sample[3]);
}

TEST(SimulationTest, RejectedRequestsAreReported) {
  VectorArrivals src({At(0, 2000, 5, "too-long"), At(0, 10, 5, "fine")});
  SimulationOptions o;
  o.engines = {Small()};
  o.duration = 1;
  o.drain = true;
  Log log;
  SimulationSummary s = Make(o, &src, Record(&log))->Run();
  EXPECT_EQ(s.refused, 1);
  EXPECT_EQ(s.finished, 1);
  ASSERT_EQ(log.refused.size(), 1u);
  EXPECT_EQ(log.refused[0].second, Code::kInvalidArgument);
}

TEST(SimulationTest, CreateValidates) {
  VectorArrivals src({});
  SimulationOptions o;
  EXPECT_FALSE(Simulation::Create(o, &src, {}).ok());  // no engines
  o.engines = {Small()};
  o.down_windows = {{5, 3}};
  EXPECT_EQ(Simulation::Create(o, &src, {}).status().code(), Code::kInvalidArgument);
  o.down_windows = {{1, 3}, {2, 4}};
  EXPECT_FALSE(Simulation::Create(o, &src, {}).ok());
  o.down_windows = {};
  o.engines[0].num_gpu_blocks = 1;
  Status st = Simulation::Create(o, &src, {}).status();
  EXPECT_NE(st.message().find("num_gpu_blocks"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace infermetry::emulator
