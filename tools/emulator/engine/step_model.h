#pragma once
// The step-time model (what one GPU forward pass costs) and the capacity estimate derived from
// it, which scenarios use to express arrival rates as a fraction of what an engine can serve.

#include <cstdint>

#include "emulator/engine/engine_config.h"

namespace infermetry::emulator {

// What one engine step computes.
struct StepShape {
  int64_t prefill_tokens = 0;  // prompt (or recomputed) tokens computed this step
  int decode_seqs = 0;         // requests computing one decode token this step
  int64_t kv_tokens = 0;       // context attended: sum over scheduled requests of their length
};

// Seconds one step of `shape` takes under `config`, before jitter and runtime scaling:
//   step_overhead + prefill_per_token * prefill_tokens + decode_per_seq * decode_seqs
//   + attention_per_kv_token * kv_tokens.
double StepSeconds(const EngineConfig& config, const StepShape& shape);

// Jitter factor in [1 - step_time_jitter, 1 + step_time_jitter], a pure function of
// (engine index, step number).
double StepJitter(const EngineConfig& config, int engine_index, uint64_t step_number);

// Requests per second one engine sustains for requests of `mean_prompt_tokens` prompt tokens
// and `mean_output_tokens` generated tokens, in the steady state where as many requests decode
// together as max_num_seqs and the KV cache allow: each request costs its prefill plus its
// share of mean_output_tokens decode steps. An estimate (no queueing, no preemption), > 0.
double EstimateCapacity(const EngineConfig& config, double mean_prompt_tokens,
                        double mean_output_tokens);

// The decode batch that steady state reaches: min(max_num_seqs, requests whose mean context
// fits in the usable cache), at least 1.
double EstimateDecodeBatch(const EngineConfig& config, double mean_prompt_tokens,
                           double mean_output_tokens);

}  // namespace infermetry::emulator
