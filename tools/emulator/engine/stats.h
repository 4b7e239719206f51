#pragma once
// What one emulated engine reports after each step, shaped like vLLM's own stats objects
// (vllm/v1/metrics/stats.py: SchedulerStats, IterationStats, FinishedRequestStats) so that the
// metrics side (vllm_metrics.h) can update every family exactly as vLLM's PrometheusStatLogger
// does. Plain values; no I/O.
//
// Times are seconds. "Wall" times are on the engine's clock (Unix seconds in real time, the
// simulated clock otherwise); phase durations are differences of those.

#include <cstdint>
#include <string>
#include <vector>

namespace infermetry::emulator {

// The five finish reasons vLLM pre-creates series for, in its order.
inline constexpr const char* kFinishReasons[] = {"stop", "length", "abort", "error", "repetition"};

struct SchedulerStats {
  int num_running_reqs = 0;
  int num_waiting_reqs = 0;          // = waiting_capacity + waiting_deferred
  int num_waiting_for_capacity = 0;  // vllm:num_requests_waiting_by_reason{reason="capacity"}
  int num_waiting_deferred = 0;      // {reason="deferred"}; always 0 in the emulator
  double kv_cache_usage = 0;         // used blocks / total blocks, 0..1
  // Prefix-cache lookups made during this step, in tokens (increments, not totals).
  int64_t prefix_cache_queries = 0;
  int64_t prefix_cache_hits = 0;
};

// One finished request (vLLM: FinishedRequestStats).
struct FinishedRequestStats {
  std::string finish_reason;  // one of kFinishReasons
  double e2e_latency = 0;     // finish time - arrival time
  int num_prompt_tokens = 0;
  int num_generation_tokens = 0;
  int max_tokens_param = 0;  // 0 when the request did not set max_tokens
  int n = 1;
  double queued_time = 0;                 // first scheduled - queued
  double prefill_time = 0;                // first token - first scheduled
  double inference_time = 0;              // last token - first scheduled
  double decode_time = 0;                 // last token - first token
  double mean_time_per_output_token = 0;  // decode_time / (generation tokens - 1), 0 if <= 1
  int num_cached_tokens = 0;              // prompt tokens served from the prefix cache
  int num_preemptions = 0;
};

// Everything that happened in one engine step (vLLM: IterationStats).
struct IterationStats {
  double iteration_timestamp = 0;  // wall time at the end of the step
  int num_prompt_tokens = 0;       // prompt tokens of requests whose first output came this step
                                   // (their whole prompt, cached tokens included, as vLLM counts)
  int num_generation_tokens = 0;   // tokens generated this step
  int num_preempted_reqs = 0;
  // Split of num_prompt_tokens by source (vllm:prompt_tokens_by_source).
  int prompt_tokens_local_compute = 0;
  int prompt_tokens_local_cache_hit = 0;
  std::vector<double> time_to_first_tokens_iter;   // one per request with its first token now
  std::vector<double> inter_token_latencies_iter;  // one per request with a later token now
  std::vector<FinishedRequestStats> finished_requests;
};

}  // namespace infermetry::emulator
