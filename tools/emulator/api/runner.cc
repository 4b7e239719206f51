#include "emulator/api/runner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "common/log.h"

namespace infermetry::emulator {

using SteadyClock = std::chrono::steady_clock;

namespace runner_internal {

// What one request's stream has to tell its consumer; guarded by `mu`.
struct StreamShared {
  std::mutex mu;
  std::condition_variable cv;
  RequestStream::State state = RequestStream::State::kRunning;
  std::string error;
  // Not yet consumed by Next.
  bool has_pending = false;
  int pending_new = 0;
  int total = 0;
  double time = 0;
  bool finished = false;
  std::string finish_reason;
  FinishedRequestStats stats;

  // Ends the stream with `state` unless it already ended.
  void End(RequestStream::State s, std::string message = {}) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (state != RequestStream::State::kRunning) return;
      state = s;
      error = std::move(message);
    }
    cv.notify_all();
  }
};

struct PendingAdd {
  uint64_t ticket = 0;
  Submission submission;
  std::shared_ptr<StreamShared> shared;
};

// A request the engine holds; touched only by the lane's thread.
struct Live {
  uint64_t ticket = 0;
  std::shared_ptr<StreamShared> shared;
  std::function<void(const FinishedRequest&)> on_finished;
  RequestSpec spec;  // without the prompt
  double arrival_time = 0;
  double first_token_time = 0;
  bool cancelled = false;
};

// One engine and its thread.
struct Lane {
  int index = 0;
  std::atomic<int> inflight{0};

  std::mutex mu;
  std::condition_variable cv;
  std::vector<PendingAdd> adds;      // guarded by mu
  std::vector<uint64_t> aborts;      // guarded by mu; tickets
  std::optional<double> time_scale;  // guarded by mu
  bool stop = false;                 // guarded by mu

  // The lane's thread only (and Shutdown after joining it).
  std::unique_ptr<Engine> engine;
  std::unordered_map<uint64_t, RequestId> by_ticket;
  std::unordered_map<RequestId, Live> live;
  std::thread thread;
};

}  // namespace runner_internal

using runner_internal::Lane;
using runner_internal::Live;
using runner_internal::PendingAdd;
using runner_internal::StreamShared;
using State = RequestStream::State;

// ---------------------------------- RequestStream ----------------------------------

RequestStream::RequestStream(std::shared_ptr<StreamShared> shared, std::weak_ptr<Lane> lane,
                             int engine, uint64_t ticket)
    : shared_(std::move(shared)), lane_(std::move(lane)), engine_(engine), ticket_(ticket) {}

RequestStream::~RequestStream() { Cancel(); }

bool RequestStream::Next(StreamEvent* out) {
  std::unique_lock<std::mutex> l(shared_->mu);
  shared_->cv.wait(l, [this] {
    return shared_->state != State::kRunning || shared_->has_pending || shared_->finished;
  });
  if (shared_->state != State::kRunning) return false;
  *out = StreamEvent();
  out->new_tokens = shared_->pending_new;
  out->total_tokens = shared_->total;
  out->time = shared_->time;
  shared_->pending_new = 0;
  shared_->has_pending = false;
  if (shared_->finished) {
    out->finished = true;
    out->finish_reason = shared_->finish_reason;
    out->stats = shared_->stats;
    shared_->state = State::kFinished;
  }
  return true;
}

void RequestStream::Cancel() {
  {
    std::lock_guard<std::mutex> l(shared_->mu);
    if (shared_->state != State::kRunning) return;
    shared_->state = State::kCancelled;
  }
  shared_->cv.notify_all();
  if (std::shared_ptr<Lane> lane = lane_.lock()) {
    std::lock_guard<std::mutex> l(lane->mu);
    lane->aborts.push_back(ticket_);
    lane->cv.notify_all();
  }
}

RequestStream::State RequestStream::state() const {
  std::lock_guard<std::mutex> l(shared_->mu);
  return shared_->state;
}

const std::string& RequestStream::error() const {
  std::lock_guard<std::mutex> l(shared_->mu);
  return shared_->error;
}

// -------------------------------------- Runner --------------------------------------

struct Runner::Impl {
  RunnerOptions options;
  std::vector<std::shared_ptr<Lane>> lanes;
  std::atomic<uint64_t> next_ticket{1};
  std::once_flag shutdown_once;

  void Loop(Lane* lane);
  void AddPending(Lane* lane, std::vector<PendingAdd>* adds);
  void Deliver(Lane* lane, const std::vector<RequestOutput>& outputs, double time);
  // Sleeps until wall time `until`; false if the lane was stopped meanwhile.
  bool SleepUntil(Lane* lane, double until);
  void RefreshGauges(Lane* lane);
};

double Runner::WallNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<std::unique_ptr<Runner>> Runner::Start(RunnerOptions options) {
  if (options.engines.empty()) return InvalidArgument("emulator runner: no engines configured");
  for (size_t i = 0; i < options.engines.size(); ++i) {
    Status s = Validate(options.engines[i]);
    if (!s.ok()) return s.WithContext("engine " + std::to_string(i));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  for (size_t i = 0; i < impl->options.engines.size(); ++i) {
    auto lane = std::make_shared<Lane>();
    lane->index = static_cast<int>(i);
    lane->engine = std::make_unique<Engine>(impl->options.engines[i], static_cast<int>(i));
    impl->lanes.push_back(std::move(lane));
  }
  Impl* raw = impl.get();
  for (auto& lane : impl->lanes) {
    Lane* l = lane.get();
    lane->thread = std::thread([raw, l] { raw->Loop(l); });
  }
  return std::unique_ptr<Runner>(new Runner(std::move(impl)));
}

Runner::Runner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Runner::~Runner() { Shutdown(); }

std::shared_ptr<RequestStream> Runner::Submit(Submission submission) {
  Lane* best = impl_->lanes.front().get();
  for (auto& lane : impl_->lanes) {
    if (lane->inflight.load() < best->inflight.load()) best = lane.get();
  }
  const uint64_t ticket = impl_->next_ticket.fetch_add(1);
  auto shared = std::make_shared<StreamShared>();
  std::shared_ptr<Lane> lane = impl_->lanes[best->index];
  if (submission.arrival_time <= 0) submission.arrival_time = WallNow();
  auto stream =
      std::shared_ptr<RequestStream>(new RequestStream(shared, lane, best->index, ticket));
  {
    std::lock_guard<std::mutex> l(lane->mu);
    if (lane->stop) {
      shared->End(State::kShutdown);
      return stream;
    }
    lane->inflight.fetch_add(1);
    lane->adds.push_back(PendingAdd{ticket, std::move(submission), std::move(shared)});
  }
  lane->cv.notify_all();
  return stream;
}

void Runner::Shutdown() {
  std::call_once(impl_->shutdown_once, [this] {
    for (auto& lane : impl_->lanes) {
      std::lock_guard<std::mutex> l(lane->mu);
      lane->stop = true;
      lane->cv.notify_all();
    }
    for (auto& lane : impl_->lanes) {
      if (lane->thread.joinable()) lane->thread.join();
      // The thread is gone: end whatever it still held.
      for (auto& [id, live] : lane->live) live.shared->End(State::kShutdown);
      lane->live.clear();
      lane->by_ticket.clear();
      std::lock_guard<std::mutex> l(lane->mu);
      for (PendingAdd& add : lane->adds) add.shared->End(State::kShutdown);
      lane->adds.clear();
      lane->inflight.store(0);
    }
  });
}

int Runner::num_engines() const { return static_cast<int>(impl_->lanes.size()); }

int Runner::InFlight(int engine) const {
  if (engine < 0 || engine >= num_engines()) return 0;
  return impl_->lanes[engine]->inflight.load();
}

int Runner::TotalInFlight() const {
  int total = 0;
  for (const auto& lane : impl_->lanes) total += lane->inflight.load();
  return total;
}

void Runner::SetStepTimeScale(double factor) {
  for (auto& lane : impl_->lanes) {
    std::lock_guard<std::mutex> l(lane->mu);
    lane->time_scale = factor;
    lane->cv.notify_all();
  }
}

void Runner::Impl::Loop(Lane* lane) {
  Engine& engine = *lane->engine;
  double clock = 0;  // end of the previous step
  SteadyClock::time_point next_refresh = SteadyClock::now();
  for (;;) {
    std::vector<PendingAdd> adds;
    std::vector<uint64_t> aborts;
    std::optional<double> scale;
    {
      std::unique_lock<std::mutex> l(lane->mu);
      if (lane->stop) return;
      if (engine.Idle() && lane->adds.empty() && lane->aborts.empty()) {
        if (SteadyClock::now() >= next_refresh) {
          l.unlock();
          RefreshGauges(lane);
          next_refresh = SteadyClock::now() + options.idle_refresh;
          continue;
        }
        lane->cv.wait_until(l, next_refresh, [lane] {
          return lane->stop || !lane->adds.empty() || !lane->aborts.empty();
        });
        continue;
      }
      adds.swap(lane->adds);
      aborts.swap(lane->aborts);
      scale.swap(lane->time_scale);
    }
    if (scale) engine.SetStepTimeScale(*scale);
    AddPending(lane, &adds);
    for (uint64_t ticket : aborts) {
      auto it = lane->by_ticket.find(ticket);
      if (it == lane->by_ticket.end()) continue;  // finished already, or never added
      auto live = lane->live.find(it->second);
      if (live != lane->live.end()) live->second.cancelled = true;
      engine.Abort(it->second);
    }
    if (engine.Idle()) continue;

    const double now = std::max(WallNow(), clock);
    StepResult step = engine.Step(now);
    const double end = now + std::max(0.0, step.duration);
    clock = end;
    // A step with nothing to compute must not spin the thread.
    if (!SleepUntil(lane, step.duration > 0 ? end : now + 0.001)) return;
    // Stats first, as vLLM's output handler records before the responses go out: a client
    // that has its answer finds it counted on /metrics.
    if (options.metrics != nullptr) {
      options.metrics->Record(lane->index, step.scheduler, &step.iteration);
    }
    Deliver(lane, step.outputs, end);
    next_refresh = SteadyClock::now() + options.idle_refresh;
  }
}

void Runner::Impl::AddPending(Lane* lane, std::vector<PendingAdd>* adds) {
  for (PendingAdd& add : *adds) {
    {
      std::lock_guard<std::mutex> l(add.shared->mu);
      if (add.shared->state != State::kRunning) {  // cancelled before it reached the engine
        lane->inflight.fetch_sub(1);
        continue;
      }
    }
    Live live;
    live.ticket = add.ticket;
    live.shared = add.shared;
    live.on_finished = std::move(add.submission.on_finished);
    live.arrival_time = add.submission.arrival_time;
    std::vector<uint32_t> prompt = std::move(add.submission.spec.prompt);
    live.spec = add.submission.spec;  // everything but the prompt, for the span
    add.submission.spec.prompt = std::move(prompt);
    Result<RequestId> id =
        lane->engine->Add(std::move(add.submission.spec), add.submission.arrival_time);
    if (!id.ok()) {
      lane->inflight.fetch_sub(1);
      add.shared->End(State::kRejected, id.status().message());
      continue;
    }
    lane->by_ticket[add.ticket] = *id;
    lane->live.emplace(*id, std::move(live));
  }
  adds->clear();
}

void Runner::Impl::Deliver(Lane* lane, const std::vector<RequestOutput>& outputs, double time) {
  for (const RequestOutput& o : outputs) {
    auto it = lane->live.find(o.id);
    if (it == lane->live.end()) continue;
    Live& live = it->second;
    if (o.new_tokens > 0 && live.first_token_time == 0) live.first_token_time = time;
    // The span goes out before the consumer hears of the finish, as vLLM's output processor
    // traces a request before its response is written.
    if (o.finished && !live.cancelled && live.on_finished) {
      FinishedRequest f;
      f.external_id = live.spec.external_id;
      f.arrival_time = live.arrival_time;
      f.first_token_time = live.first_token_time;
      f.finish_time = time;
      f.finish_reason = o.finish_reason;
      f.stats = o.stats;
      f.spec = live.spec;
      live.on_finished(f);
    }
    std::shared_ptr<StreamShared> shared = live.shared;
    if (o.finished) {  // the engine is done with it: it no longer counts for dispatch
      lane->by_ticket.erase(live.ticket);
      lane->live.erase(it);
      lane->inflight.fetch_sub(1);
    }
    if (o.new_tokens > 0 || o.finished) {
      StreamShared& s = *shared;
      bool notify = false;
      {
        std::lock_guard<std::mutex> l(s.mu);
        if (s.state == State::kRunning) {
          s.has_pending = true;
          s.pending_new += o.new_tokens;
          s.total = o.total_tokens;
          s.time = time;
          if (o.finished) {
            s.finished = true;
            s.finish_reason = o.finish_reason;
            s.stats = o.stats;
          }
          notify = true;
        }
      }
      if (notify) s.cv.notify_all();
    }
  }
}

bool Runner::Impl::SleepUntil(Lane* lane, double until) {
  const double left = until - WallNow();
  const auto deadline =
      SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                               std::chrono::duration<double>(std::max(0.0, left)));
  std::unique_lock<std::mutex> l(lane->mu);
  lane->cv.wait_until(l, deadline, [lane] { return lane->stop; });
  return !lane->stop;
}

void Runner::Impl::RefreshGauges(Lane* lane) {
  if (options.metrics == nullptr) return;
  options.metrics->Record(lane->index, lane->engine->CurrentSchedulerStats(), nullptr);
}

}  // namespace infermetry::emulator
