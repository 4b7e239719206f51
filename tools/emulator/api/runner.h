#pragma once
// Runs emulated engines in real time: one thread per engine (data-parallel rank) steps its
// Engine on the wall clock, sleeps for each step's modeled duration, then hands the step's
// outputs to the requests' streams and its stats to VllmMetrics.
//
//   auto runner = Runner::Start({.engines = {config}, .metrics = &metrics});
//   std::shared_ptr<RequestStream> s = (*runner)->Submit(std::move(submission));
//   StreamEvent e;
//   while (s->Next(&e)) { ... e.new_tokens, e.finished ... }
//
// Dispatch: a new request goes to the engine with the fewest unfinished requests (running plus
// waiting, counted from submission to finish), lowest index first on ties, as vLLM's DP
// coordinator balances by running+waiting.
//
// Timing: an engine thread takes now = Unix seconds from the system clock (never earlier than
// the end of its previous step), adds the requests submitted meanwhile with their arrival
// times, runs Engine::Step(now), sleeps until now + duration, and then delivers: every output
// of the step carries time = the step's end. While an engine is idle its gauges are refreshed
// every `idle_refresh` (VllmMetrics::Record with no iteration stats).
//
// Thread-safety: Runner and RequestStream methods may be called from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "emulator/engine/engine.h"
#include "emulator/engine/engine_config.h"
#include "emulator/metrics/vllm_metrics.h"

namespace infermetry::emulator {

// What a request's consumer learns from one RequestStream::Next call: everything that happened
// since the previous call, merged.
struct StreamEvent {
  int new_tokens = 0;    // tokens generated since the previous event
  int total_tokens = 0;  // generated so far
  bool finished = false;
  std::string finish_reason;   // when finished: "stop", "length", "abort", "error", ...
  FinishedRequestStats stats;  // when finished
  double time = 0;             // wall time (Unix seconds) of the latest step included
};

// A finished request as a span needs it (see RequestSpan in request_span.h).
struct FinishedRequest {
  std::string external_id;
  double arrival_time = 0;      // Unix seconds
  double first_token_time = 0;  // end of the step that produced the first token; 0 if none
  double finish_time = 0;       // end of the step that finished it
  std::string finish_reason;
  FinishedRequestStats stats;
  RequestSpec spec;  // as submitted (prompt moved out)
};

struct Submission {
  RequestSpec spec;
  double arrival_time = 0;  // Unix seconds; 0 = now
  // Called on the engine's thread when the request finishes through the engine (not when it
  // was cancelled by its consumer or the runner shut down). Must not block.
  std::function<void(const FinishedRequest&)> on_finished;
};

namespace runner_internal {
struct StreamShared;
struct Lane;
}  // namespace runner_internal

class RequestStream {
 public:
  enum class State {
    kRunning,    // more events may come
    kFinished,   // the finished event has been returned
    kCancelled,  // Cancel() was called before the finish was consumed
    kRejected,   // the engine refused the request (error() says why)
    kShutdown,   // the runner stopped before the request finished
  };

  // Aborts the request in the engine unless it finished (see Cancel).
  ~RequestStream();
  RequestStream(const RequestStream&) = delete;
  RequestStream& operator=(const RequestStream&) = delete;

  // Blocks until something happened since the previous call, then returns it merged into one
  // event (true). Returns false, without blocking, once the finished event has been returned or
  // the stream ended otherwise (state() says how).
  bool Next(StreamEvent* out);
  // Stops the request: it is aborted in the engine at its next step (its KV blocks are freed,
  // vllm:request_success{finished_reason="abort"} counts it as the engine reports it), no span
  // is emitted, and a Next blocked in another thread returns false. Idempotent; no effect once
  // the request finished.
  void Cancel();

  State state() const;
  const std::string& error() const;  // kRejected: the engine's message
  int engine_index() const { return engine_; }

 private:
  friend class Runner;
  RequestStream(std::shared_ptr<runner_internal::StreamShared> shared,
                std::weak_ptr<runner_internal::Lane> lane, int engine, uint64_t ticket);

  std::shared_ptr<runner_internal::StreamShared> shared_;
  std::weak_ptr<runner_internal::Lane> lane_;
  int engine_;
  uint64_t ticket_;
};

struct RunnerOptions {
  std::vector<EngineConfig> engines;  // one per data-parallel rank; at least one
  VllmMetrics* metrics = nullptr;     // not owned; must outlive the Runner; may be null
  std::chrono::milliseconds idle_refresh{1000};
};

class Runner {
 public:
  // Validates the engine configs (emulator::Validate) and starts one thread per engine.
  static Result<std::unique_ptr<Runner>> Start(RunnerOptions options);
  ~Runner();  // Shutdown()
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Queues a request on the least-loaded engine. After Shutdown the stream ends at once with
  // kShutdown.
  std::shared_ptr<RequestStream> Submit(Submission submission);

  // Stops the engine threads; unfinished streams end with kShutdown. Idempotent.
  void Shutdown();

  int num_engines() const;
  // Unfinished requests (submitted, not yet finished or cancelled-and-reaped) on `engine`.
  int InFlight(int engine) const;
  int TotalInFlight() const;
  // Engine::SetStepTimeScale on every engine, from its next step.
  void SetStepTimeScale(double factor);

  // Unix seconds from the system clock.
  static double WallNow();

 private:
  struct Impl;
  explicit Runner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace infermetry::emulator
