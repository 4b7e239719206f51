#pragma once
// The parameters of one emulated vLLM engine: its cache, its scheduler limits and the step-time
// model that stands in for the GPU. Presets for a few GPU/model pairs; every field can be
// overridden from the emulator's YAML config or flags.
//
// Preset cache sizes follow vLLM's own arithmetic: the KV bytes of one token are
// layers x kv_heads x head_dim x 2 (K and V) x dtype bytes, and the cache gets what is left of
// gpu_memory_utilization x GPU memory after the weights and the activation peak, in blocks of
// block_size tokens. Scheduler limits are vLLM's OpenAI-server defaults for these GPUs
// (max_num_seqs 256, max_num_batched_tokens 2048, chunked prefill on).

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace infermetry::emulator {

struct EngineConfig {
  std::string model = "facebook/opt-125m";  // served model name (label model_name)
  int max_model_len = 2048;
  // KV cache.
  int block_size = 16;        // tokens per block
  int num_gpu_blocks = 7000;  // cache capacity in blocks; as in vLLM one is reserved (null block)
  bool enable_prefix_caching = true;
  double gpu_memory_utilization = 0.9;  // reported in cache_config_info only
  // Scheduler limits (vLLM flags of the same names).
  int max_num_seqs = 256;
  int max_num_batched_tokens = 2048;  // token budget of one step (prefill chunks + decodes)
  bool enable_chunked_prefill = true;
  // Step-time model, seconds: one step costs
  //   step_overhead + prefill_per_token * prefill tokens computed this step
  //   + decode_per_seq * decoding requests + attention_per_kv_token * tokens held in the cache
  // (prefill cost grows with prompt tokens, decode cost with batch size and context), times
  // (1 + u * step_time_jitter) with u in [-1, 1] drawn deterministically per step.
  double step_overhead = 0.004;
  double prefill_per_token = 0.00002;
  double decode_per_seq = 0.00015;
  double attention_per_kv_token = 0.0000002;
  double step_time_jitter = 0;
  // Hourly price of the GPU(s) this engine runs on, for cost estimates (USD).
  double gpu_hourly_usd = 0.35;
  std::string gpu = "T4";
};

// Names of the presets: "opt-125m-t4", "llama-3-8b-a100", "gpt-oss-20b-a100".
std::vector<std::string_view> PresetNames();
// The preset called `name`; kNotFound naming the known presets otherwise.
Result<EngineConfig> Preset(std::string_view name);
// kInvalidArgument naming the first field that is out of range: empty model, max_model_len < 2,
// block_size < 1, num_gpu_blocks < 2, (num_gpu_blocks - 1) * block_size < max_model_len (one
// request of max_model_len tokens must fit), max_num_seqs < 1, max_num_batched_tokens <
// max_num_seqs, max_num_batched_tokens < max_model_len without chunked prefill,
// step_overhead <= 0, a negative cost coefficient, step_time_jitter outside [0, 0.5),
// gpu_memory_utilization outside (0, 1], negative gpu_hourly_usd.
Status Validate(const EngineConfig& config);

}  // namespace infermetry::emulator
