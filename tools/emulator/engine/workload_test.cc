#include "emulator/engine/workload.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "emulator/engine/scenario.h"

namespace infermetry::emulator {
namespace {

EngineConfig Llama() { return *Preset("llama-3-8b-a100"); }

std::vector<Arrival> Take(WorkloadGenerator& g, int n) {
  std::vector<Arrival> out(n);
  for (Arrival& a : out) EXPECT_TRUE(g.Next(&a));
  return out;
}

TEST(ScenarioTest, NamesAndLookup) {
  const std::vector<std::string_view> names = ScenarioNames();
  EXPECT_EQ(names, (std::vector<std::string_view>{"healthy", "kv-cache-pressure", "queue-buildup",
                                                  "long-prefill", "decode-bound", "burst",
                                                  "instance-down"}));
  for (std::string_view n : names) {
    Result<Scenario> s = FindScenario(n);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->name, n);
    EXPECT_FALSE(s->description.empty());
    for (const char* preset : {"opt-125m-t4", "llama-3-8b-a100", "gpt-oss-20b-a100"}) {
      Result<EngineConfig> c = ScenarioEngineConfig(*s, *Preset(preset));
      EXPECT_TRUE(c.ok()) << n << " on " << preset << ": " << c.status().ToString();
    }
  }
  Result<Scenario> bad = FindScenario("meltdown");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kNotFound);
  EXPECT_NE(bad.status().message().find("meltdown"), std::string::npos);
  EXPECT_NE(bad.status().message().find("kv-cache-pressure"), std::string::npos);
}

TEST(ScenarioTest, KvCachePressureShrinksTheCache) {
  Scenario s = *FindScenario("kv-cache-pressure");
  EngineConfig base = Llama();
  EngineConfig c = *ScenarioEngineConfig(s, base);
  EXPECT_LT(c.num_gpu_blocks, base.num_gpu_blocks / 10);
  const MeanLengths m = EstimateMeanLengths(s.workload, c.max_model_len);
  const double requests = (c.num_gpu_blocks - 1) * c.block_size / (m.prompt + m.output);
  EXPECT_NEAR(requests, s.overrides.kv_cache_requests, 1.0);
  // The context is capped so that a small cache stays valid for long-context models.
  EngineConfig oss = *ScenarioEngineConfig(s, *Preset("gpt-oss-20b-a100"));
  EXPECT_EQ(oss.max_model_len, 8192);
  EXPECT_EQ(oss.num_gpu_blocks, c.num_gpu_blocks);
  // Never below one max_model_len request.
  s.overrides.kv_cache_requests = 0.01;
  c = *ScenarioEngineConfig(s, base);
  EXPECT_GE((c.num_gpu_blocks - 1) * c.block_size, c.max_model_len);
}

TEST(ScenarioTest, DownWindowsRepeatAndClip) {
  Scenario s = *FindScenario("instance-down");
  std::vector<DownWindow> w = DownWindowsWithin(s, 1380);
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(w[0].start, 150);
  EXPECT_EQ(w[0].end, 210);
  EXPECT_EQ(w[1].start, 420);
  EXPECT_EQ(w[2].start, 750);
  EXPECT_EQ(w[3].end, 1050);
  EXPECT_EQ(w[4].start, 1350);
  EXPECT_EQ(w[4].end, 1380);  // clipped to the run
  EXPECT_TRUE(DownWindowsWithin(*FindScenario("healthy"), 1000).empty());
}

TEST(RateProfileTest, BurstsAndRamps) {
  RateProfile r;
  r.load = 0.25;
  r.burst_start = 60;
  r.burst_period = 180;
  r.burst_duration = 20;
  r.burst_load = 3;
  EXPECT_EQ(r.LoadAt(0), 0.25);
  EXPECT_EQ(r.LoadAt(60), 3);
  EXPECT_EQ(r.LoadAt(79.9), 3);
  EXPECT_EQ(r.LoadAt(80), 0.25);
  EXPECT_EQ(r.LoadAt(245), 3);
  EXPECT_EQ(r.NextChange(0), 60);
  EXPECT_EQ(r.NextChange(60), 80);
  EXPECT_EQ(r.NextChange(80), 240);

  RateProfile ramp;
  ramp.load = 1;
  ramp.ramp_to_load = 2;
  ramp.ramp_duration = 100;
  EXPECT_EQ(ramp.LoadAt(5), 1);
  EXPECT_NEAR(ramp.LoadAt(55), 1.5, 1e-12);
  EXPECT_EQ(ramp.LoadAt(500), 2);
  EXPECT_EQ(ramp.NextChange(55), 60);
  EXPECT_TRUE(std::isinf(ramp.NextChange(100)));
}

TEST(WorkloadGeneratorTest, SameSeedSameStream) {
  const Scenario s = *FindScenario("healthy");
  WorkloadGenerator a(s.workload, Llama(), 1, 7), b(s.workload, Llama(), 1, 7),
      c(s.workload, Llama(), 1, 8);
  std::vector<Arrival> xa = Take(a, 300), xb = Take(b, 300), xc = Take(c, 300);
  bool differs = false;
  for (size_t i = 0; i < xa.size(); ++i) {
    EXPECT_EQ(xa[i].offset, xb[i].offset);
    EXPECT_EQ(xa[i].spec.prompt, xb[i].spec.prompt);
    EXPECT_EQ(xa[i].spec.external_id, xb[i].spec.external_id);
    EXPECT_EQ(xa[i].spec.target_output_tokens, xb[i].spec.target_output_tokens);
    differs = differs || xa[i].offset != xc[i].offset;
    if (i > 0) {
      EXPECT_GE(xa[i].offset, xa[i - 1].offset);
    }
    EXPECT_EQ(xa[i].spec.external_id.size(), 37u);
    EXPECT_EQ(xa[i].spec.external_id.rfind("cmpl-", 0), 0u);
  }
  EXPECT_TRUE(differs);
}

TEST(WorkloadGeneratorTest, ArrivalRateFollowsLoadAndCapacity) {
  const Scenario s = *FindScenario("healthy");
  WorkloadGenerator one(s.workload, Llama(), 1, 3);
  WorkloadGenerator two(s.workload, Llama(), 2, 3);
  WorkloadGenerator doubled(s.workload, Llama(), 1, 3, 2.0);
  EXPECT_NEAR(two.capacity(), 2 * one.capacity(), 1e-9);
  EXPECT_NEAR(doubled.capacity(), 2 * one.capacity(), 1e-9);
  EXPECT_NEAR(one.RateAt(10), 0.4 * one.capacity(), 1e-9);
  // Over 2000 s the count of a Poisson stream is within a few percent of rate x time.
  Arrival a;
  int n = 0;
  while (one.Next(&a) && a.offset < 2000) ++n;
  const double expected = one.RateAt(0) * 2000;
  EXPECT_NEAR(n, expected, 0.05 * expected);
}

TEST(WorkloadGeneratorTest, BurstsConcentrateArrivals) {
  const Scenario s = *FindScenario("burst");
  WorkloadGenerator g(s.workload, Llama(), 1, 5);
  Arrival a;
  int in_burst = 0, outside = 0;
  while (g.Next(&a) && a.offset < 1800) {
    (s.workload.rate.LoadAt(a.offset) > 1 ? in_burst : outside)++;
  }
  // Bursts are 20 s of every 180 s at 12x the base load.
  const double burst_time = 10 * 20, base_time = 1800 - burst_time;
  EXPECT_GT(in_burst / burst_time, 8 * outside / base_time);
}

TEST(WorkloadGeneratorTest, PrefixGroupsShareLeadingTokens) {
  Scenario s = *FindScenario("healthy");
  WorkloadGenerator g(s.workload, Llama(), 1, 11);
  std::map<std::vector<uint32_t>, int> prefixes;
  const int n = 2000;
  for (const Arrival& a : Take(g, n)) {
    if (a.spec.prompt.size() <= 192u) continue;  // too short to be in a group
    prefixes[std::vector<uint32_t>(a.spec.prompt.begin(), a.spec.prompt.begin() + 192)]++;
  }
  int shared = 0, groups = 0;
  for (const auto& [p, count] : prefixes) {
    if (count > 1) {
      shared += count;
      ++groups;
    }
  }
  EXPECT_EQ(groups, s.workload.num_prefix_groups);
  EXPECT_NEAR(shared, s.workload.prefix_share * n, 0.05 * n);
}

TEST(WorkloadGeneratorTest, LengthsFitTheModel) {
  const Scenario s = *FindScenario("long-prefill");
  EngineConfig opt = *Preset("opt-125m-t4");
  WorkloadGenerator g(s.workload, opt, 1, 2);
  for (const Arrival& a : Take(g, 500)) {
    const int p = static_cast<int>(a.spec.prompt.size());
    EXPECT_GE(p, 1);
    EXPECT_LE(p, opt.max_model_len - 16);
    EXPECT_GE(a.spec.target_output_tokens, 1);
    EXPECT_LE(p + a.spec.target_output_tokens, opt.max_model_len);
    EXPECT_GT(a.spec.max_tokens, 0);
    EXPECT_LE(p + a.spec.max_tokens, opt.max_model_len);
  }
}

TEST(WorkloadGeneratorTest, LengthDistributions) {
  std::mt19937_64 rng(1);
  EXPECT_EQ(SampleLength(LengthDist::Fixed(42), rng), 42);
  std::set<int> seen;
  for (int i = 0; i < 2000; ++i) {
    const int v = SampleLength(LengthDist::Uniform(3, 7), rng);
    EXPECT_GE(v, 3);
    EXPECT_LE(v, 7);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 5u);
  std::vector<int> xs;
  for (int i = 0; i < 4001; ++i)
    xs.push_back(SampleLength(LengthDist::Lognormal(300, 0.5, 1, 100000), rng));
  std::nth_element(xs.begin(), xs.begin() + 2000, xs.end());
  EXPECT_NEAR(xs[2000], 300, 20);  // the median
}

}  // namespace
}  // namespace infermetry::emulator
