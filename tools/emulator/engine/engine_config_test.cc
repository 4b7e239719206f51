#include "emulator/engine/engine_config.h"

#include <gtest/gtest.h>

#include "emulator/engine/step_model.h"

namespace infermetry::emulator {
namespace {

TEST(EngineConfigTest, PresetsAreValidAndPlausible) {
  ASSERT_EQ(PresetNames().size(), 3u);
  for (std::string_view name : PresetNames()) {
    Result<EngineConfig> c = Preset(name);
    ASSERT_TRUE(c.ok()) << name;
    EXPECT_TRUE(Validate(*c).ok()) << name << ": " << Validate(*c).ToString();
  }
  EngineConfig opt = *Preset("opt-125m-t4");
  EXPECT_EQ(opt.model, "facebook/opt-125m");
  EXPECT_EQ(opt.max_model_len, 2048);
  EXPECT_GT(opt.num_gpu_blocks, 15000);  // ~350k tokens of 36 KiB in ~12 GiB
  EXPECT_NEAR(opt.gpu_hourly_usd, 0.35, 1e-9);

  EngineConfig llama = *Preset("llama-3-8b-a100");
  EXPECT_EQ(llama.model, "meta-llama/Meta-Llama-3-8B-Instruct");
  EXPECT_EQ(llama.max_model_len, 8192);
  // ~52 GiB of 128 KiB tokens: between 300k and 600k tokens.
  EXPECT_GT(llama.num_gpu_blocks * llama.block_size, 300000);
  EXPECT_LT(llama.num_gpu_blocks * llama.block_size, 600000);
  EXPECT_NEAR(llama.gpu_hourly_usd, 3.0, 1e-9);

  EngineConfig oss = *Preset("gpt-oss-20b-a100");
  EXPECT_EQ(oss.model, "openai/gpt-oss-20b");
  EXPECT_EQ(oss.max_model_len, 131072);
}

TEST(EngineConfigTest, StepTimesAreRealistic) {
  EngineConfig opt = *Preset("opt-125m-t4");
  StepShape decode32{0, 32, 32 * 500};
  EXPECT_GT(StepSeconds(opt, decode32), 0.005);
  EXPECT_LT(StepSeconds(opt, decode32), 0.010);

  EngineConfig llama = *Preset("llama-3-8b-a100");
  StepShape decode64{0, 64, 64 * 700};
  EXPECT_GT(StepSeconds(llama, decode64), 0.015);
  EXPECT_LT(StepSeconds(llama, decode64), 0.030);
  // Prefill throughput: thousands to tens of thousands of tokens per second.
  StepShape prefill{2048, 0, 2048};
  const double llama_tps = 2048 / StepSeconds(llama, prefill);
  EXPECT_GT(llama_tps, 5000);
  EXPECT_LT(llama_tps, 30000);
  const double opt_tps = 2048 / StepSeconds(opt, prefill);
  EXPECT_GT(opt_tps, 20000);
}

TEST(EngineConfigTest, UnknownPresetNamesTheKnownOnes) {
  Result<EngineConfig> c = Preset("nope");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kNotFound);
  EXPECT_NE(c.status().message().find("llama-3-8b-a100"), std::string::npos);
}

TEST(EngineConfigTest, ValidateNamesTheBadField) {
  EngineConfig c;
  c.num_gpu_blocks = 10;
  Status s = Validate(c);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("num_gpu_blocks"), std::string::npos) << s.message();

  c = EngineConfig{};
  c.max_num_batched_tokens = 100;
  c.max_num_seqs = 256;
  EXPECT_NE(Validate(c).message().find("max_num_batched_tokens"), std::string::npos);

  c = EngineConfig{};
  c.enable_chunked_prefill = false;
  c.max_num_batched_tokens = 1024;
  EXPECT_NE(Validate(c).message().find("chunked prefill"), std::string::npos);
  c.max_num_batched_tokens = c.max_model_len;
  EXPECT_TRUE(Validate(c).ok());

  c = EngineConfig{};
  c.step_overhead = 0;
  EXPECT_NE(Validate(c).message().find("step_overhead"), std::string::npos);
}

TEST(EngineConfigTest, CapacityFallsWithLongerRequestsAndSmallerCaches) {
  EngineConfig llama = *Preset("llama-3-8b-a100");
  const double short_reqs = EstimateCapacity(llama, 200, 100);
  const double long_reqs = EstimateCapacity(llama, 2000, 500);
  EXPECT_GT(short_reqs, long_reqs);
  EngineConfig small = llama;
  small.num_gpu_blocks = 1000;
  EXPECT_LT(EstimateCapacity(small, 2000, 500), long_reqs);
  EXPECT_LT(EstimateDecodeBatch(small, 2000, 500), small.max_num_seqs);
  EXPECT_EQ(EstimateDecodeBatch(llama, 200, 100), llama.max_num_seqs);
}

}  // namespace
}  // namespace infermetry::emulator
