#pragma once
// Runs M data-parallel engines on a simulated clock, hours of traffic in seconds: the clock
// jumps from event to event (an arrival, the end of an engine's step, a sample, a down-window
// edge) and skips idle time.
//
//   WorkloadGenerator gen(scenario.workload, config, 2, /*seed=*/1);
//   SimulationOptions o;
//   o.engines = {config, config};
//   o.start_time = 1.7e9; o.duration = 3600; o.sample_interval = 15;
//   o.down_windows = DownWindowsWithin(scenario, o.duration);
//   SimulationCallbacks cb;
//   cb.on_step = [&](int engine, const StepResult& r) { metrics.Record(engine, ...); };
//   cb.on_sample = [&](double t) { store(metrics.Render(t)); };
//   Result<std::unique_ptr<Simulation>> sim = Simulation::Create(o, &gen, cb);
//   SimulationSummary s = (*sim)->Run();
//
// Semantics:
// - An arrival at offset x is at wall time start_time + x; arrivals are accepted while
//   x < duration. It goes to the engine with the fewest unfinished (running + waiting)
//   requests, ties to the lowest index.
// - A free engine with work starts a step at once; the step's StepResult is delivered to
//   on_step at the step's END, when its outputs exist. So at any time t the callbacks have seen
//   exactly the steps that ended at or before t. Events at the same instant run in this order:
//   step ends (by engine index), down-window edges, arrivals, samples, then step starts.
// - on_sample(t) is called at start_time + k * sample_interval for k = 1, 2, ... while t is
//   within the run (including while draining), also during down windows (see up()).
// - on_finished gets one record per request that leaves an engine: finished (stop/length), or
//   dropped because its instance went down.
// - Down windows (relative to start_time): at a window's start every engine dies: the step in
//   flight is discarded, requests in flight are reported dropped, on_availability(t, false) is
//   called. Arrivals inside the window are refused (on_refused with kUnavailable). At the
//   window's end fresh engines start (all state and counters lost, as after a restart) and
//   on_availability(t, true) is called.
// - With drain, the run continues past the end until every engine is idle (no more arrivals).
// Deterministic: the same options and arrivals give the same callbacks in the same order.
// Thread-safety: none; callbacks run on the calling thread and must not call back into the
// Simulation except for its const accessors.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "emulator/engine/arrival.h"
#include "emulator/engine/engine.h"
#include "emulator/engine/scenario.h"

namespace infermetry::emulator {

struct FinishedRecord {
  int engine = 0;
  RequestId id = 0;  // the engine's id (unique per engine and incarnation)
  std::string external_id;
  double arrival_time = 0;     // wall time
  double finish_time = 0;      // wall time (end of the last step, or the moment it was dropped)
  RequestSpec spec;            // as submitted
  FinishedRequestStats stats;  // for a dropped request: finish_reason "error", e2e only
  bool dropped = false;
};

struct SimulationCallbacks {
  std::function<void(int engine, const StepResult& result)> on_step;
  std::function<void(double t)> on_sample;
  std::function<void(const FinishedRecord& record)> on_finished;
  std::function<void(double t, bool up)> on_availability;
  // An arrival that was not queued: kUnavailable inside a down window, or Engine::Add's error.
  std::function<void(double t, const RequestSpec& spec, const Status& why)> on_refused;
};

struct SimulationOptions {
  std::vector<EngineConfig> engines;  // one per data-parallel engine (at least one)
  double start_time = 0;              // wall time of offset 0 (Unix seconds)
  double duration = 600;              // seconds of arrivals
  double sample_interval = 0;         // seconds between on_sample calls; 0 = none
  bool drain = false;
  std::vector<DownWindow> down_windows;  // relative to start_time, sorted, disjoint
};

struct SimulationSummary {
  int64_t arrivals = 0;  // offered (offset < duration)
  int64_t queued = 0;    // accepted by an engine
  int64_t refused = 0;   // down or rejected by Add
  int64_t finished = 0;  // stop/length
  int64_t dropped = 0;   // lost to a down window
  int64_t steps = 0;
  int64_t generation_tokens = 0;
  double end_time = 0;                   // wall time the run stopped at
  std::vector<DownWindow> down_windows;  // wall times, as applied
};

class Simulation {
 public:
  // kInvalidArgument for no engines, an invalid engine config, duration < 0, a negative
  // sample_interval or unsorted/overlapping down windows. `arrivals` must outlive the Simulation.
  static Result<std::unique_ptr<Simulation>> Create(SimulationOptions options,
                                                    ArrivalSource* arrivals,
                                                    SimulationCallbacks callbacks);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Processes every event at or before wall time `t` and leaves the clock at `t` (or later, if
  // already past it). Usable to advance a run piecewise.
  void RunUntil(double t);
  // Runs to start_time + duration (and, with drain, until idle); returns the summary.
  SimulationSummary Run();

  double now() const;
  bool up() const;  // false inside a down window
  int num_engines() const;
  // REQUIRES: up(). Valid until the next call that advances the clock.
  const Engine& engine(int i) const;
  const SimulationSummary& summary() const;

 private:
  struct Impl;
  explicit Simulation(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace infermetry::emulator
