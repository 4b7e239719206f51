#include "emulator/engine/scheduler.h"

#include <algorithm>
#include <span>

namespace infermetry::emulator {

void SchedulePlan::Clear() {
  scheduled.clear();
  num_preempted = 0;
  shape = StepShape{};
  prefix_cache_queries = 0;
  prefix_cache_hits = 0;
}

Scheduler::Scheduler(const EngineConfig& config)
    : config_(config),
      kv_(config.num_gpu_blocks, config.block_size, config.enable_prefix_caching) {}

void Scheduler::AddWaiting(RequestState* r) {
  r->running = false;
  waiting_.push_back(r);
}

void Scheduler::EnsureHashes(RequestState* r, int num_blocks) {
  const int bs = config_.block_size;
  while (static_cast<int>(r->block_hashes.size()) < num_blocks) {
    const size_t i = r->block_hashes.size();
    const BlockHash parent = i == 0 ? 0 : r->block_hashes.back();
    r->block_hashes.push_back(
        HashBlock(parent, std::span<const uint32_t>(r->tokens.data() + i * bs, bs)));
  }
}

bool Scheduler::AllocateSlots(RequestState* r, int num_new_tokens,
                              const std::vector<int>& hit_blocks) {
  const int bs = config_.block_size;
  const int hits = static_cast<int>(hit_blocks.size());
  const int total_tokens = r->num_computed_tokens + hits * bs + num_new_tokens;
  const int needed = (total_tokens + bs - 1) / bs;
  const int have = static_cast<int>(r->blocks.size()) + hits;
  const int to_allocate = std::max(0, needed - have);
  // Reusing a cached block that sits in the free list takes it out of the free list too.
  if (to_allocate > kv_.num_free_blocks() - kv_.CountEvictable(hit_blocks)) return false;
  kv_.Touch(hit_blocks);
  r->blocks.insert(r->blocks.end(), hit_blocks.begin(), hit_blocks.end());
  kv_.Allocate(to_allocate, &r->blocks);
  if (kv_.prefix_caching()) {
    // Blocks whose tokens are all known and scheduled become reusable by other requests.
    const int full = std::min(total_tokens, r->num_tokens()) / bs;
    if (full > r->num_registered_blocks) {
      EnsureHashes(r, full);
      for (int b = r->num_registered_blocks; b < full; ++b) {
        kv_.Register(r->blocks[b], r->block_hashes[b]);
      }
      r->num_registered_blocks = full;
    }
  }
  return true;
}

void Scheduler::Preempt(RequestState* r) {
  kv_.Free(r->blocks);
  r->blocks.clear();
  r->num_registered_blocks = 0;
  r->num_computed_tokens = 0;
  ++r->num_preemptions;
  r->running = false;
  waiting_.push_front(r);
}

void Scheduler::AddToPlan(RequestState* r, int n, SchedulePlan* plan) const {
  plan->scheduled.push_back({r, n});
  const bool decode =
      r->num_output_tokens > 0 && n == 1 && r->num_computed_tokens == r->num_tokens() - 1;
  if (decode) {
    ++plan->shape.decode_seqs;
  } else {
    plan->shape.prefill_tokens += n;
  }
  plan->shape.kv_tokens += r->num_computed_tokens + n;
}

void Scheduler::Schedule(double now, SchedulePlan* plan) {
  plan->Clear();
  int budget = config_.max_num_batched_tokens;

  // 1. Running requests, in admission order.
  size_t i = 0;
  while (i < running_.size() && budget > 0) {
    RequestState* r = running_[i];
    const int n = std::min(r->num_tokens() - r->num_computed_tokens, budget);
    if (n <= 0) {
      ++i;
      continue;
    }
    bool allocated = false;
    while (true) {
      if (AllocateSlots(r, n, {})) {
        allocated = true;
        break;
      }
      RequestState* victim = running_.back();
      running_.pop_back();
      Preempt(victim);
      ++plan->num_preempted;
      if (victim == r) break;
    }
    if (!allocated) break;
    AddToPlan(r, n, plan);
    budget -= n;
    ++i;
  }

  // 2. Waiting requests, FCFS, unless this step had to preempt.
  if (plan->num_preempted > 0) return;
  const int bs = config_.block_size;
  while (!waiting_.empty() && budget > 0) {
    if (static_cast<int>(running_.size()) >= config_.max_num_seqs) break;
    RequestState* r = waiting_.front();
    hit_scratch_.clear();
    int hit_tokens = 0;
    if (kv_.prefix_caching()) {
      // At least one token must be computed to produce logits.
      const int max_blocks = (r->num_tokens() - 1) / bs;
      EnsureHashes(r, max_blocks);
      const int found = kv_.FindCachedPrefix(
          std::span<const BlockHash>(r->block_hashes.data(), max_blocks), &hit_scratch_);
      hit_tokens = found * bs;
      if (r->num_preemptions == 0) {
        plan->prefix_cache_queries += r->num_tokens();
        plan->prefix_cache_hits += hit_tokens;
      }
    }
    int n = r->num_tokens() - hit_tokens;
    if (!config_.enable_chunked_prefill && n > budget) break;
    n = std::min(n, budget);
    if (!AllocateSlots(r, n, hit_scratch_)) break;
    waiting_.pop_front();
    r->running = true;
    running_.push_back(r);
    r->num_computed_tokens = hit_tokens;
    if (r->num_cached_tokens < 0) r->num_cached_tokens = hit_tokens;
    if (r->first_scheduled_time < 0) r->first_scheduled_time = now;
    AddToPlan(r, n, plan);
    budget -= n;
  }
}

void Scheduler::Finish(RequestState* r) {
  kv_.Free(r->blocks);
  r->blocks.clear();
  r->num_registered_blocks = 0;
  r->finished = true;
  if (!r->running) {
    auto it = std::find(waiting_.begin(), waiting_.end(), r);
    if (it != waiting_.end()) waiting_.erase(it);
  }
}

void Scheduler::DropFinished() {
  std::erase_if(running_, [](const RequestState* r) { return r->finished; });
}

}  // namespace infermetry::emulator
