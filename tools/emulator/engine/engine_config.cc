#include "emulator/engine/engine_config.h"

#include <cstdint>
#include <string>

namespace infermetry::emulator {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// What the presets are computed from. Memory figures are GiB.
struct PresetSpec {
  std::string_view name;
  std::string_view model;
  std::string_view gpu;
  int max_model_len;
  // Model geometry for the KV bytes per token.
  int layers;
  int kv_heads;
  int head_dim;
  int kv_dtype_bytes;
  double weights_gib;
  double activation_gib;  // activation peak + CUDA graphs + non-torch memory
  double gpu_gib;
  double gpu_hourly_usd;
  // Step-time coefficients, seconds.
  double step_overhead;
  double prefill_per_token;
  double decode_per_seq;
  double attention_per_kv_token;
};

// opt-125m: 12 layers x 12 heads x 64 fp16 = 36 KiB/token; a T4's 320 GB/s makes attention
// reads ~1.1e-7 s per cached token, and the small model leaves the step dominated by
// scheduling and launch overhead (decode steps of 5-10 ms).
// Llama-3-8B: 32 layers x 8 KV heads x 128 bf16 = 128 KiB/token; reading 15 GiB of weights at
// ~2 TB/s sets an ~11 ms floor per step, prefill runs at ~14k tokens/s.
// gpt-oss-20b: 24 layers x 8 KV heads x 64 bf16 = 48 KiB/token; MoE with ~3.6B active
// parameters: a lighter decode than Llama-3-8B and ~25k prefill tokens/s.
constexpr PresetSpec kPresets[] = {
    {"opt-125m-t4", "facebook/opt-125m", "T4", 2048, 12, 12, 64, 2, 0.24, 1.3, 15.0, 0.35, 0.005,
     0.000012, 0.00002, 0.00000011},
    {"llama-3-8b-a100", "meta-llama/Meta-Llama-3-8B-Instruct", "A100-80GB", 8192, 32, 8, 128, 2,
     14.96, 4.5, 80.0, 3.0, 0.011, 0.00007, 0.00012, 0.000000065},
    {"gpt-oss-20b-a100", "openai/gpt-oss-20b", "A100-80GB", 131072, 24, 8, 64, 2, 13.0, 5.0, 80.0,
     3.0, 0.009, 0.00004, 0.0001, 0.000000025},
};

EngineConfig FromSpec(const PresetSpec& s) {
  EngineConfig c;
  c.model = std::string(s.model);
  c.gpu = std::string(s.gpu);
  c.max_model_len = s.max_model_len;
  c.block_size = 16;
  c.gpu_memory_utilization = 0.9;
  const double kv_bytes_per_token =
      static_cast<double>(s.layers) * s.kv_heads * s.head_dim * 2 * s.kv_dtype_bytes;
  const double cache_bytes =
      (s.gpu_gib * c.gpu_memory_utilization - s.weights_gib - s.activation_gib) * kGiB;
  c.num_gpu_blocks = static_cast<int>(cache_bytes / (kv_bytes_per_token * c.block_size));
  c.enable_prefix_caching = true;
  c.max_num_seqs = 256;
  c.max_num_batched_tokens = 2048;
  c.enable_chunked_prefill = true;
  c.step_overhead = s.step_overhead;
  c.prefill_per_token = s.prefill_per_token;
  c.decode_per_seq = s.decode_per_seq;
  c.attention_per_kv_token = s.attention_per_kv_token;
  c.step_time_jitter = 0.04;
  c.gpu_hourly_usd = s.gpu_hourly_usd;
  return c;
}

std::string KnownPresets() {
  std::string out;
  for (const PresetSpec& s : kPresets) {
    if (!out.empty()) out += ", ";
    out += s.name;
  }
  return out;
}

}  // namespace

std::vector<std::string_view> PresetNames() {
  std::vector<std::string_view> names;
  for (const PresetSpec& s : kPresets) names.push_back(s.name);
  return names;
}

Result<EngineConfig> Preset(std::string_view name) {
  for (const PresetSpec& s : kPresets) {
    if (s.name == name) return FromSpec(s);
  }
  return NotFound("unknown engine preset \"" + std::string(name) + "\" (known: " + KnownPresets() +
                  ")");
}

Status Validate(const EngineConfig& c) {
  auto bad = [](std::string field, const std::string& why) {
    return InvalidArgument("engine config: " + field + " " + why);
  };
  if (c.model.empty()) return bad("model", "is empty");
  if (c.max_model_len < 2) {
    return bad("max_model_len", "= " + std::to_string(c.max_model_len) + ", must be >= 2");
  }
  if (c.block_size < 1) {
    return bad("block_size", "= " + std::to_string(c.block_size) + ", must be >= 1");
  }
  if (c.num_gpu_blocks < 2) {
    return bad("num_gpu_blocks", "= " + std::to_string(c.num_gpu_blocks) + ", must be >= 2");
  }
  if (static_cast<int64_t>(c.num_gpu_blocks - 1) * c.block_size < c.max_model_len) {
    return bad("num_gpu_blocks",
               "= " + std::to_string(c.num_gpu_blocks) + " holds " +
                   std::to_string(static_cast<int64_t>(c.num_gpu_blocks - 1) * c.block_size) +
                   " tokens (one block is reserved), fewer than max_model_len = " +
                   std::to_string(c.max_model_len));
  }
  if (c.max_num_seqs < 1) {
    return bad("max_num_seqs", "= " + std::to_string(c.max_num_seqs) + ", must be >= 1");
  }
  if (c.max_num_batched_tokens < c.max_num_seqs) {
    return bad("max_num_batched_tokens",
               "= " + std::to_string(c.max_num_batched_tokens) +
                   ", must be >= max_num_seqs = " + std::to_string(c.max_num_seqs));
  }
  if (!c.enable_chunked_prefill && c.max_num_batched_tokens < c.max_model_len) {
    return bad("max_num_batched_tokens",
               "= " + std::to_string(c.max_num_batched_tokens) + ", must be >= max_model_len = " +
                   std::to_string(c.max_model_len) + " when chunked prefill is disabled");
  }
  if (!(c.step_overhead > 0)) return bad("step_overhead", "must be > 0");
  if (!(c.prefill_per_token >= 0)) return bad("prefill_per_token", "must be >= 0");
  if (!(c.decode_per_seq >= 0)) return bad("decode_per_seq", "must be >= 0");
  if (!(c.attention_per_kv_token >= 0)) return bad("attention_per_kv_token", "must be >= 0");
  if (!(c.step_time_jitter >= 0 && c.step_time_jitter < 0.5)) {
    return bad("step_time_jitter", "must be in [0, 0.5)");
  }
  if (!(c.gpu_memory_utilization > 0 && c.gpu_memory_utilization <= 1)) {
    return bad("gpu_memory_utilization", "must be in (0, 1]");
  }
  if (!(c.gpu_hourly_usd >= 0)) return bad("gpu_hourly_usd", "must be >= 0");
  return Status::Ok();
}

}  // namespace infermetry::emulator
