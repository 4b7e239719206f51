#include "emulator/engine/step_model.h"

#include <algorithm>

namespace infermetry::emulator {
namespace {

uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

double StepSeconds(const EngineConfig& c, const StepShape& s) {
  return c.step_overhead + c.prefill_per_token * static_cast<double>(s.prefill_tokens) +
         c.decode_per_seq * s.decode_seqs +
         c.attention_per_kv_token * static_cast<double>(s.kv_tokens);
}

double StepJitter(const EngineConfig& c, int engine_index, uint64_t step_number) {
  if (c.step_time_jitter <= 0) return 1.0;
  const uint64_t h = Mix64(Mix64(static_cast<uint64_t>(engine_index) + 1) ^ step_number);
  const double u = static_cast<double>(h >> 11) * 0x1.0p-53 * 2.0 - 1.0;  // [-1, 1)
  return 1.0 + c.step_time_jitter * u;
}

double EstimateDecodeBatch(const EngineConfig& c, double mean_prompt, double mean_output) {
  // A request holds, on average over its life, its prompt and half of its output; blocks are
  // whole, so add half a block.
  const double mean_context = std::max(1.0, mean_prompt + mean_output / 2 + c.block_size / 2.0);
  const double usable_tokens = static_cast<double>(c.num_gpu_blocks - 1) * c.block_size;
  const double kv_batch = usable_tokens / mean_context;
  return std::max(1.0, std::min<double>(c.max_num_seqs, kv_batch));
}

double EstimateCapacity(const EngineConfig& c, double mean_prompt, double mean_output) {
  mean_prompt = std::max(1.0, mean_prompt);
  mean_output = std::max(1.0, mean_output);
  const double batch = EstimateDecodeBatch(c, mean_prompt, mean_output);
  StepShape shape;
  shape.decode_seqs = static_cast<int>(batch);
  shape.kv_tokens = static_cast<int64_t>(batch * (mean_prompt + mean_output / 2));
  const double decode_step = StepSeconds(c, shape);
  // Seconds of engine time one request costs: its prefill tokens, plus its share of the decode
  // steps that produce its outputs (the first output comes with the prefill).
  const double prefill = c.prefill_per_token * mean_prompt;
  const double decode = std::max(0.0, mean_output - 1) * decode_step / batch;
  return 1.0 / std::max(1e-9, prefill + decode);
}

}  // namespace infermetry::emulator
