#include "emulator/engine/simulation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <utility>

namespace infermetry::emulator {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct InFlight {
  std::string external_id;
  double arrival_time = 0;
  int prompt_tokens = 0;
  RequestSpec spec;  // kept only when someone listens for finished requests
};

struct Slot {
  std::unique_ptr<Engine> engine;
  bool stepping = false;
  double step_end = 0;
  StepResult pending;
  std::unordered_map<RequestId, InFlight> in_flight;
};

}  // namespace

struct Simulation::Impl {
  SimulationOptions opt;
  ArrivalSource* source = nullptr;
  SimulationCallbacks cb;
  std::vector<Slot> slots;
  double now = 0;
  bool up = true;
  size_t next_edge = 0;  // edge 2w is window w's start, 2w+1 its end
  Arrival arrival;
  bool have_arrival = false;
  bool arrivals_done = false;
  int64_t next_sample = 1;
  SimulationSummary summary;

  void StartEngines() {
    for (size_t i = 0; i < slots.size(); ++i) {
      slots[i].engine = std::make_unique<Engine>(opt.engines[i], static_cast<int>(i));
    }
  }

  double NextArrivalTime() {
    if (!have_arrival && !arrivals_done) {
      if (source != nullptr && source->Next(&arrival) && arrival.offset < opt.duration) {
        have_arrival = true;
      } else {
        arrivals_done = true;
      }
    }
    return have_arrival ? opt.start_time + arrival.offset : kInf;
  }
  double NextEdgeTime() const {
    if (next_edge >= 2 * opt.down_windows.size()) return kInf;
    const DownWindow& w = opt.down_windows[next_edge / 2];
    return opt.start_time + (next_edge % 2 == 0 ? w.start : w.end);
  }
  double NextSampleTime() const {
    return opt.sample_interval > 0 ? opt.start_time + next_sample * opt.sample_interval : kInf;
  }
  double NextStepEnd() const {
    double t = kInf;
    for (const Slot& s : slots) {
      if (s.stepping) t = std::min(t, s.step_end);
    }
    return t;
  }
  bool Quiet() const {
    for (const Slot& s : slots) {
      if (s.stepping || (s.engine && !s.engine->Idle())) return false;
    }
    return true;
  }

  void StartSteps();
  void Deliver(int i, StepResult r);
  void Edge(double t);
  void Dispatch(double t);
  void Advance(double limit, bool stop_when_quiet);
};

void Simulation::Impl::StartSteps() {
  if (!up) return;
  for (size_t i = 0; i < slots.size(); ++i) {
    Slot& s = slots[i];
    if (s.stepping || s.engine->Idle()) continue;
    StepResult r = s.engine->Step(now);
    if (r.duration <= 0) {
      Deliver(static_cast<int>(i), std::move(r));
      continue;
    }
    s.stepping = true;
    s.step_end = now + r.duration;
    s.pending = std::move(r);
  }
}

void Simulation::Impl::Deliver(int i, StepResult r) {
  Slot& s = slots[i];
  ++summary.steps;
  summary.generation_tokens += r.iteration.num_generation_tokens;
  if (cb.on_step) cb.on_step(i, r);
  for (RequestOutput& o : r.outputs) {
    if (!o.finished) continue;
    auto it = s.in_flight.find(o.id);
    if (it == s.in_flight.end()) continue;
    ++summary.finished;
    if (cb.on_finished) {
      FinishedRecord rec;
      rec.engine = i;
      rec.id = o.id;
      rec.external_id = std::move(it->second.external_id);
      rec.arrival_time = it->second.arrival_time;
      rec.finish_time = r.iteration.iteration_timestamp;
      rec.spec = std::move(it->second.spec);
      rec.stats = std::move(o.stats);
      cb.on_finished(rec);
    }
    s.in_flight.erase(it);
  }
}

void Simulation::Impl::Edge(double t) {
  const bool down = next_edge % 2 == 0;
  ++next_edge;
  if (!down) {
    up = true;
    StartEngines();
    if (cb.on_availability) cb.on_availability(t, true);
    return;
  }
  up = false;
  for (size_t i = 0; i < slots.size(); ++i) {
    Slot& s = slots[i];
    s.stepping = false;
    s.pending = StepResult{};
    std::vector<RequestId> ids;
    for (const auto& [id, f] : s.in_flight) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (RequestId id : ids) {
      InFlight& f = s.in_flight[id];
      ++summary.dropped;
      if (!cb.on_finished) continue;
      FinishedRecord rec;
      rec.engine = static_cast<int>(i);
      rec.id = id;
      rec.external_id = std::move(f.external_id);
      rec.arrival_time = f.arrival_time;
      rec.finish_time = t;
      rec.spec = std::move(f.spec);
      rec.stats.finish_reason = "error";
      rec.stats.e2e_latency = t - f.arrival_time;
      rec.stats.num_prompt_tokens = f.prompt_tokens;
      rec.dropped = true;
      cb.on_finished(rec);
    }
    s.in_flight.clear();
    s.engine.reset();
  }
  if (cb.on_availability) cb.on_availability(t, false);
}

void Simulation::Impl::Dispatch(double t) {
  have_arrival = false;
  ++summary.arrivals;
  RequestSpec& spec = arrival.spec;
  if (!up) {
    ++summary.refused;
    if (cb.on_refused) cb.on_refused(t, spec, Unavailable("instance is down"));
    return;
  }
  size_t best = 0;
  for (size_t i = 1; i < slots.size(); ++i) {
    if (slots[i].engine->num_unfinished() < slots[best].engine->num_unfinished()) best = i;
  }
  InFlight f;
  f.external_id = spec.external_id;
  f.arrival_time = t;
  f.prompt_tokens = static_cast<int>(spec.prompt.size());
  const bool keep_spec = cb.on_finished || cb.on_refused;
  if (keep_spec) f.spec = spec;
  Result<RequestId> id = slots[best].engine->Add(std::move(spec), t);
  if (!id.ok()) {
    ++summary.refused;
    if (cb.on_refused) cb.on_refused(t, f.spec, id.status());
    return;
  }
  ++summary.queued;
  if (!cb.on_finished) f.spec = RequestSpec{};
  slots[best].in_flight.emplace(*id, std::move(f));
}

void Simulation::Impl::Advance(double limit, bool stop_when_quiet) {
  while (true) {
    StartSteps();
    if (stop_when_quiet && Quiet() && NextArrivalTime() == kInf) break;
    const double t = std::min({NextStepEnd(), NextEdgeTime(), NextArrivalTime(), NextSampleTime()});
    if (t > limit || std::isinf(t)) break;
    now = std::max(now, t);
    for (size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].stepping && slots[i].step_end <= t) {
        slots[i].stepping = false;
        Deliver(static_cast<int>(i), std::move(slots[i].pending));
        slots[i].pending = StepResult{};
      }
    }
    while (NextEdgeTime() <= t) Edge(NextEdgeTime());
    while (NextArrivalTime() <= t) Dispatch(t);
    if (NextSampleTime() <= t) {
      ++next_sample;
      if (cb.on_sample) cb.on_sample(t);
    }
  }
  if (!stop_when_quiet && std::isfinite(limit)) now = std::max(now, limit);
}

Result<std::unique_ptr<Simulation>> Simulation::Create(SimulationOptions options,
                                                       ArrivalSource* arrivals,
                                                       SimulationCallbacks callbacks) {
  if (options.engines.empty()) return InvalidArgument("simulation: no engines");
  for (size_t i = 0; i < options.engines.size(); ++i) {
    Status st = Validate(options.engines[i]);
    if (!st.ok()) return st.WithContext("simulation engine " + std::to_string(i));
  }
  if (!(options.duration >= 0)) return InvalidArgument("simulation: duration must be >= 0");
  if (!(options.sample_interval >= 0)) {
    return InvalidArgument("simulation: sample_interval must be >= 0");
  }
  double prev_end = 0;
  for (const DownWindow& w : options.down_windows) {
    if (!(w.start >= prev_end && w.end > w.start)) {
      return InvalidArgument(
          "simulation: down windows must be sorted, disjoint, non-empty and "
          "start at >= 0");
    }
    prev_end = w.end;
  }
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  impl->source = arrivals;
  impl->cb = std::move(callbacks);
  impl->now = impl->opt.start_time;
  impl->slots.resize(impl->opt.engines.size());
  impl->StartEngines();
  for (const DownWindow& w : impl->opt.down_windows) {
    impl->summary.down_windows.push_back(
        {impl->opt.start_time + w.start, impl->opt.start_time + w.end});
  }
  return std::unique_ptr<Simulation>(new Simulation(std::move(impl)));
}

Simulation::Simulation(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulation::~Simulation() = default;

void Simulation::RunUntil(double t) { impl_->Advance(t, false); }

SimulationSummary Simulation::Run() {
  impl_->Advance(impl_->opt.start_time + impl_->opt.duration, false);
  if (impl_->opt.drain) impl_->Advance(kInf, true);
  impl_->summary.end_time = impl_->now;
  return impl_->summary;
}

double Simulation::now() const { return impl_->now; }
bool Simulation::up() const { return impl_->up; }
int Simulation::num_engines() const { return static_cast<int>(impl_->slots.size()); }
const Engine& Simulation::engine(int i) const { return *impl_->slots[i].engine; }
const SimulationSummary& Simulation::summary() const { return impl_->summary; }

}  // namespace infermetry::emulator
