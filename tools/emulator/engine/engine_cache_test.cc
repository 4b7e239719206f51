// The engine's KV-cache behaviour: preemption under a small cache, prefix-cache hits.
#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <vector>

#include "emulator/engine/engine.h"

namespace infermetry::emulator {
namespace {

EngineConfig CacheConfig(int blocks) {
  EngineConfig c;
  c.model = "test-model";
  c.max_model_len = 512;
  c.block_size = 16;
  c.num_gpu_blocks = blocks;
  c.max_num_seqs = 32;
  c.max_num_batched_tokens = 256;
  c.step_overhead = 0.01;
  c.prefill_per_token = 0.0001;
  c.decode_per_seq = 0.001;
  c.attention_per_kv_token = 0;
  c.step_time_jitter = 0;
  return c;
}

std::vector<uint32_t> Range(int n, uint32_t first) {
  std::vector<uint32_t> t(n);
  std::iota(t.begin(), t.end(), first);
  return t;
}

RequestSpec Spec(std::vector<uint32_t> prompt, int target) {
  RequestSpec s;
  s.prompt = std::move(prompt);
  s.target_output_tokens = target;
  return s;
}

std::vector<uint32_t> Concat(std::vector<uint32_t> a, const std::vector<uint32_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Totals {
  double now = 0;
  int64_t queries = 0, hits = 0;
  int preemptions = 0;
  int prompt_cache_hit = 0, prompt_compute = 0;
  int64_t scheduled_tokens = 0;
  double max_usage = 0;
  std::vector<double> itls;
  std::map<RequestId, RequestOutput> finished;
};

Totals Drive(Engine& e, double now) {
  Totals t;
  while (!e.Idle()) {
    StepResult r = e.Step(now);
    now += r.duration;
    t.queries += r.scheduler.prefix_cache_queries;
    t.hits += r.scheduler.prefix_cache_hits;
    t.preemptions += r.iteration.num_preempted_reqs;
    t.prompt_cache_hit += r.iteration.prompt_tokens_local_cache_hit;
    t.prompt_compute += r.iteration.prompt_tokens_local_compute;
    t.scheduled_tokens += r.num_scheduled_tokens;
    t.max_usage = std::max(t.max_usage, r.scheduler.kv_cache_usage);
    EXPECT_LE(r.scheduler.kv_cache_usage, 1.0);
    for (double x : r.iteration.inter_token_latencies_iter) t.itls.push_back(x);
    for (const RequestOutput& o : r.outputs) {
      if (o.finished) {
        EXPECT_EQ(t.finished.count(o.id), 0u);
        t.finished[o.id] = o;
      }
    }
  }
  t.now = now;
  return t;
}

TEST(EngineCacheTest, SmallCachePreemptsAndRecomputes) {
  // 39 usable blocks (624 tokens); four requests that each grow to 263 tokens (17 blocks).
  Engine e(CacheConfig(40), 0);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(e.Add(Spec(Range(64, 1000 * (i + 1)), 200), 0).ok());
  Totals t = Drive(e, 0);
  EXPECT_GT(t.preemptions, 0);
  EXPECT_GT(t.max_usage, 0.9);
  ASSERT_EQ(t.finished.size(), 4u);
  int counted = 0;
  double typical_itl = 0;
  for (const auto& [id, o] : t.finished) {
    EXPECT_EQ(o.finish_reason, "stop");
    EXPECT_EQ(o.total_tokens, 200);
    EXPECT_EQ(o.stats.num_generation_tokens, 200);
    EXPECT_EQ(o.stats.num_prompt_tokens, 64);
    // All four were first scheduled by the first step: preemption does not reset it.
    EXPECT_DOUBLE_EQ(o.stats.queued_time, 0);
    EXPECT_NEAR(o.stats.e2e_latency,
                o.stats.queued_time + o.stats.prefill_time + o.stats.decode_time, 1e-9);
    counted += o.stats.num_preemptions;
    typical_itl = std::max(typical_itl, o.stats.mean_time_per_output_token);
  }
  EXPECT_EQ(counted, t.preemptions);
  // The preempted requests recomputed their prompt and generated tokens.
  EXPECT_GT(t.scheduled_tokens, 4 * (64 + 200));
  // A resumed request's next inter-token latency spans the time it spent preempted.
  EXPECT_GT(*std::max_element(t.itls.begin(), t.itls.end()), 3 * typical_itl);
  EXPECT_EQ(t.prompt_compute + t.prompt_cache_hit, 4 * 64);
}

TEST(EngineCacheTest, SharedPrefixHitsAndDisjointPromptsMiss) {
  Engine e(CacheConfig(400), 0);
  const std::vector<uint32_t> system = Range(64, 7);
  RequestId a = *e.Add(Spec(Concat(system, Range(20, 500)), 5), 0);
  Totals first = Drive(e, 0);
  EXPECT_EQ(first.queries, 84);
  EXPECT_EQ(first.hits, 0);
  EXPECT_EQ(first.finished.at(a).stats.num_cached_tokens, 0);

  // Same 64-token prefix, different suffix: four full blocks hit.
  RequestId b = *e.Add(Spec(Concat(system, Range(20, 900)), 5), first.now);
  Totals second = Drive(e, first.now);
  EXPECT_EQ(second.queries, 84);
  EXPECT_EQ(second.hits, 64);
  EXPECT_EQ(second.prompt_cache_hit, 64);
  EXPECT_EQ(second.prompt_compute, 20);
  EXPECT_EQ(second.finished.at(b).stats.num_cached_tokens, 64);

  // Disjoint prompt: no hit.
  e.Add(Spec(Range(84, 30000), 5), second.now).value();
  Totals third = Drive(e, second.now);
  EXPECT_EQ(third.queries, 84);
  EXPECT_EQ(third.hits, 0);

  // The exact prompt of `a` again: 5 full blocks (80 tokens) hit, the rest is computed.
  e.Add(Spec(Concat(system, Range(20, 500)), 5), third.now).value();
  Totals fourth = Drive(e, third.now);
  EXPECT_EQ(fourth.hits, 80);

  // A prompt that is exactly the 64 cached tokens: the last block is recomputed.
  e.Add(Spec(system, 5), fourth.now).value();
  Totals fifth = Drive(e, fourth.now);
  EXPECT_EQ(fifth.hits, 48);
}

TEST(EngineCacheTest, EvictedPrefixNoLongerHits) {
  EngineConfig c = CacheConfig(34);  // 33 usable blocks
  c.max_model_len = 528;
  Engine e(c, 0);
  const std::vector<uint32_t> system = Range(64, 7);
  e.Add(Spec(Concat(system, Range(20, 500)), 5), 0).value();
  Totals t = Drive(e, 0);
  EXPECT_EQ(e.CurrentSchedulerStats().kv_cache_usage, 0.0);
  // A request growing to 527 computed tokens needs all 33 blocks: the cached prefix is evicted.
  e.Add(Spec(Range(520, 60000), 100), t.now).value();
  t = Drive(e, t.now);
  e.Add(Spec(Concat(system, Range(20, 900)), 5), t.now).value();
  t = Drive(e, t.now);
  EXPECT_EQ(t.hits, 0);
  EXPECT_EQ(t.queries, 84);
}

TEST(EngineCacheTest, DisabledPrefixCachingMakesNoLookups) {
  EngineConfig c = CacheConfig(400);
  c.enable_prefix_caching = false;
  Engine e(c, 0);
  const std::vector<uint32_t> system = Range(64, 7);
  e.Add(Spec(Concat(system, Range(20, 500)), 5), 0).value();
  Totals t = Drive(e, 0);
  e.Add(Spec(Concat(system, Range(20, 900)), 5), t.now).value();
  t = Drive(e, t.now);
  EXPECT_EQ(t.queries, 0);
  EXPECT_EQ(t.hits, 0);
  EXPECT_EQ(t.prompt_compute, 84);
}

TEST(EngineCacheTest, RequestsAdmittedTogetherShareBlocksOfTheFirst) {
  Engine e(CacheConfig(400), 0);
  const std::vector<uint32_t> system = Range(128, 7);
  for (int i = 0; i < 3; ++i) e.Add(Spec(Concat(system, Range(10, 1000 * (i + 1))), 3), 0).value();
  StepResult r = e.Step(0);
  // Blocks are registered when scheduled, so the 2nd and 3rd find the 1st's 8 blocks.
  EXPECT_EQ(r.scheduler.prefix_cache_queries, 3 * 138);
  EXPECT_EQ(r.scheduler.prefix_cache_hits, 2 * 128);
  EXPECT_EQ(r.num_scheduled_tokens, 138 + 10 + 10);
}

}  // namespace
}  // namespace infermetry::emulator
