#pragma once
// A simulated vLLM continuous-batching engine: the scheduler, the paged KV cache and a
// step-time model in place of the GPU. Pure and deterministic: the caller supplies the clock,
// so the same Engine runs in real time (runner.h) or on a simulated clock (simulation.h).
//
//   Engine e(config, /*engine_index=*/0);
//   Result<RequestId> id = e.Add(spec, now);
//   while (!e.Idle()) {
//     StepResult r = e.Step(now);     // plans one step starting at `now`
//     now += r.duration;              // its outputs belong to time `now` (the step's end)
//     for (const RequestOutput& o : r.outputs) deliver(o);
//     stat_logger.Record(r.scheduler, r.iteration);
//   }
//
// What it models, as vLLM's V1 scheduler does:
// - waiting queue (FCFS) and running set; at most max_num_seqs running; a token budget of
//   max_num_batched_tokens per step shared by decodes (1 token each, served first) and prefill
//   chunks (chunked prefill: a prompt may take several steps);
// - paged KV cache of num_gpu_blocks blocks of block_size tokens, allocated as a request's
//   context grows; when a running request cannot get a block, the running request admitted
//   most recently (the back of the running set) is preempted by recompute (its blocks freed, it
//   returns to the front of the waiting queue and later recomputes its prompt and the tokens
//   generated so far);
// - prefix caching: full blocks are identified by a hash of all tokens up to their end; a new
//   request reuses the cached blocks of its longest cached prefix (hits counted in tokens),
//   freed blocks stay cached until evicted (LRU) for new allocations;
// - a request finishes with "length" when it reaches max_tokens (or max_model_len), else with
//   "stop" when it reaches its target output length; Abort finishes it with "abort".
// The scheduler's rules in detail are in scheduler.h, the cache's in kv_cache.h.
//
// Stats, as vLLM computes them (times in seconds on the caller's clock):
// - a step's outputs, first-token and last-token times and iteration_timestamp are the step's
//   END (now + duration); the first-scheduled time is the START of the step that first
//   scheduled the request, kept across preemptions;
// - TTFT = first-token time - arrival, once per request; inter-token latency = time since the
//   request's previous output, once per later output (a request resumed after a preemption
//   observes the whole gap);
// - num_prompt_tokens counts a request's whole prompt (cached tokens included) in the step of
//   its first token, split into local_compute = prompt - cached and local_cache_hit = cached,
//   where cached is the prefix-cache hit at the request's first scheduling;
// - prefix-cache queries/hits and preemptions are counted in the step that made them.
// - Aborted requests come back as outputs (finished, "abort", with their stats) but are not
//   added to IterationStats::finished_requests: vLLM's frontend drops client aborts before its
//   stat loggers see them. Times a request never reached count as the abort time.
// - RequestSpec::n is carried into the stats only: one Add is one sequence.
//
// Thread-safety: none; one thread drives an Engine.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "emulator/engine/engine_config.h"
#include "emulator/engine/stats.h"

namespace infermetry::emulator {

using RequestId = uint64_t;

struct RequestSpec {
  std::string external_id;        // e.g. "chatcmpl-9f0c..." (for spans and logs)
  std::vector<uint32_t> prompt;   // token ids; equal prefixes share cached blocks
  int max_tokens = 0;             // 0 = unset (limited by max_model_len only)
  int target_output_tokens = 16;  // where the text "stops" on its own
  int n = 1;
  double temperature = 1.0;
  double top_p = 1.0;
};

// Tokens produced for one request by one step.
struct RequestOutput {
  RequestId id = 0;
  int new_tokens = 0;    // 0 or 1 (one decode token per step)
  int total_tokens = 0;  // generated so far, including these
  bool finished = false;
  std::string finish_reason;  // set when finished
  // Set when finished: the complete record (also in IterationStats::finished_requests unless
  // aborted), plus the wall times a span needs.
  FinishedRequestStats stats;
  double arrival_time = 0;
};

struct StepResult {
  double duration = 0;           // 0 when there was nothing to run (Idle())
  int num_scheduled_reqs = 0;    // requests that computed tokens this step (the batch)
  int num_scheduled_tokens = 0;  // tokens computed: prefill chunks + decodes, <= the budget
  std::vector<RequestOutput> outputs;
  SchedulerStats scheduler;  // state after the step
  IterationStats iteration;  // what the step did (iteration_timestamp = its end)
};

class Engine {
 public:
  Engine(EngineConfig config, int engine_index);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues a request that arrived at wall time `now`. kInvalidArgument (nothing queued) when
  // the prompt is empty or longer than max_model_len - 1, naming both lengths. A
  // target_output_tokens below 1 counts as 1 (every request generates at least one token).
  // REQUIRES: the config passed Validate().
  Result<RequestId> Add(RequestSpec spec, double now);
  // Finishes a queued or running request with "abort" at the next Step. Unknown ids are ignored.
  void Abort(RequestId id);
  // Runs one step beginning at `now` (>= the previous step's end).
  StepResult Step(double now);
  bool Idle() const;  // nothing waiting or running, no abort pending
  // Requests queued or running (finished ones excluded).
  int num_unfinished() const;

  // Gauges as of now, without stepping (for a scrape between steps).
  SchedulerStats CurrentSchedulerStats() const;
  const EngineConfig& config() const;
  int engine_index() const;

  // Runtime changes, for scenarios: they take effect at the next step.
  void SetStepTimeScale(double factor);  // multiplies the step-time model (1 = as configured)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace infermetry::emulator
