#pragma once
// The continuous-batching scheduler of one engine (vLLM V1's Scheduler.schedule()), planning
// what one step computes. Internal to the engine.
//
// Each Schedule() call:
// 1. Walks the running set in order while token budget remains. Each request gets the tokens it
//    still lacks (one decode token, or its next prefill chunk), capped by the budget. If its
//    blocks cannot be allocated, the running request at the back of the set (the most recently
//    admitted) is preempted (blocks freed, computed tokens reset, pushed to the FRONT of the
//    waiting queue) and allocation is retried; when the request itself is the victim, the walk
//    stops.
// 2. Only if nothing was preempted, admits waiting requests in FCFS order while budget remains,
//    fewer than max_num_seqs run and their blocks can be allocated; the first that cannot be
//    admitted stops admission (no skipping). An admitted request first reuses its longest cached
//    prefix of full blocks, never all its tokens (at least one is computed). Each lookup is
//    counted in the step's prefix-cache queries/hits (in tokens) unless the request was
//    preempted before, as vLLM's PrefixCacheStats does: a request blocked at the head of the
//    queue is looked up, and counted, again at every step.
//
// Full blocks are registered in the prefix cache as soon as their tokens are scheduled.
// Thread-safety: none.

#include <cstdint>
#include <deque>
#include <vector>

#include "emulator/engine/engine_config.h"
#include "emulator/engine/kv_cache.h"
#include "emulator/engine/request_state.h"
#include "emulator/engine/step_model.h"

namespace infermetry::emulator {

struct ScheduledRequest {
  RequestState* request = nullptr;
  int num_new_tokens = 0;
};

struct SchedulePlan {
  std::vector<ScheduledRequest> scheduled;  // in scheduling order
  int num_preempted = 0;
  StepShape shape;
  int64_t prefix_cache_queries = 0;
  int64_t prefix_cache_hits = 0;

  void Clear();
};

class Scheduler {
 public:
  explicit Scheduler(const EngineConfig& config);

  // Appends to the waiting queue. `r` must outlive its stay in the scheduler.
  void AddWaiting(RequestState* r);
  // Plans one step starting at `now`: fills `plan` and updates the requests' computed tokens
  // only through allocation (num_computed_tokens is advanced by the caller once the step ran).
  void Schedule(double now, SchedulePlan* plan);
  // Frees the blocks of `r` and marks it finished; it leaves the running set at the next
  // DropFinished() (or the waiting queue at once).
  void Finish(RequestState* r);
  // Removes finished requests from the running set, keeping the order of the others.
  void DropFinished();

  bool Idle() const { return running_.empty() && waiting_.empty(); }
  int num_running() const { return static_cast<int>(running_.size()); }
  int num_waiting() const { return static_cast<int>(waiting_.size()); }
  const KvCache& kv_cache() const { return kv_; }

 private:
  bool AllocateSlots(RequestState* r, int num_new_tokens, const std::vector<int>& hit_blocks);
  void Preempt(RequestState* r);
  void EnsureHashes(RequestState* r, int num_blocks);
  void AddToPlan(RequestState* r, int num_new_tokens, SchedulePlan* plan) const;

  EngineConfig config_;
  KvCache kv_;
  std::vector<RequestState*> running_;  // admission order
  std::deque<RequestState*> waiting_;
  std::vector<int> hit_scratch_;
};

}  // namespace infermetry::emulator
