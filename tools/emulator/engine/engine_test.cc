#include "emulator/engine/engine.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <vector>

namespace infermetry::emulator {
namespace {

// A small engine with a deterministic, jitter-free step model.
EngineConfig SmallConfig() {
  EngineConfig c;
  c.model = "test-model";
  c.max_model_len = 1024;
  c.block_size = 16;
  c.num_gpu_blocks = 2000;
  c.max_num_seqs = 32;
  c.max_num_batched_tokens = 256;
  c.step_overhead = 0.01;
  c.prefill_per_token = 0.0001;
  c.decode_per_seq = 0.001;
  c.attention_per_kv_token = 0.000001;
  c.step_time_jitter = 0;
  return c;
}

std::vector<uint32_t> Tokens(int n, uint32_t first) {
  std::vector<uint32_t> t(n);
  std::iota(t.begin(), t.end(), first);
  return t;
}

RequestSpec Spec(int prompt_len, int target, int max_tokens = 0, uint32_t first_token = 1000) {
  RequestSpec s;
  s.prompt = Tokens(prompt_len, first_token);
  s.target_output_tokens = target;
  s.max_tokens = max_tokens;
  return s;
}

// Steps `e` until idle, starting at `now`; returns the end time. Checks invariants every step.
struct Trace {
  double end = 0;
  std::vector<StepResult> steps;
  std::map<RequestId, RequestOutput> finished;
  std::map<RequestId, int> tokens;
};

// Requests added while the engine runs, at their arrival times (sorted).
using Arrivals = std::vector<std::pair<double, RequestSpec>>;

// `before_step(e, i)`, when set, runs before step i.
Trace Drive(Engine& e, double now, Arrivals arrivals = {},
            const std::function<void(Engine&, size_t)>& before_step = {}) {
  Trace run;
  const EngineConfig& c = e.config();
  size_t next = 0;
  while (!e.Idle() || next < arrivals.size()) {
    if (e.Idle() && now < arrivals[next].first) now = arrivals[next].first;
    while (next < arrivals.size() && arrivals[next].first <= now) {
      EXPECT_TRUE(e.Add(std::move(arrivals[next].second), arrivals[next].first).ok());
      ++next;
    }
    if (before_step) before_step(e, run.steps.size());
    StepResult r = e.Step(now);
    EXPECT_GT(r.duration, 0);
    now += r.duration;
    EXPECT_LE(r.scheduler.kv_cache_usage, 1.0);
    EXPECT_GE(r.scheduler.kv_cache_usage, 0.0);
    EXPECT_LE(r.scheduler.num_running_reqs, c.max_num_seqs);
    EXPECT_LE(r.num_scheduled_tokens, c.max_num_batched_tokens);
    EXPECT_DOUBLE_EQ(r.iteration.iteration_timestamp, now);
    for (const RequestOutput& o : r.outputs) {
      EXPECT_EQ(run.finished.count(o.id), 0u) << "output after finish for " << o.id;
      run.tokens[o.id] += o.new_tokens;
      EXPECT_EQ(run.tokens[o.id], o.total_tokens);
      if (o.finished) run.finished[o.id] = o;
    }
    run.steps.push_back(std::move(r));
    if (run.steps.size() > 1000000) {
      ADD_FAILURE() << "engine does not drain";
      break;
    }
  }
  run.end = now;
  return run;
}

TEST(EngineTest, AddRejectsEmptyAndOverlongPrompts) {
  Engine e(SmallConfig(), 0);
  Result<RequestId> empty = e.Add(Spec(0, 4), 0);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), Code::kInvalidArgument);
  Result<RequestId> longp = e.Add(Spec(1024, 4), 0);
  ASSERT_FALSE(longp.ok());
  EXPECT_EQ(longp.status().code(), Code::kInvalidArgument);
  EXPECT_NE(longp.status().message().find("1024 tokens"), std::string::npos)
      << longp.status().message();
  EXPECT_NE(longp.status().message().find("max_model_len is 1024"), std::string::npos);
  EXPECT_TRUE(e.Idle());
  EXPECT_TRUE(e.Add(Spec(1023, 4), 0).ok());
}

TEST(EngineTest, EveryRequestFinishesOnceWithItsTokenCount) {
  Engine e(SmallConfig(), 0);
  std::mt19937_64 rng(7);
  struct Want {
    int tokens;
    std::string reason;
  };
  std::map<RequestId, Want> want;
  for (int i = 0; i < 200; ++i) {
    const int prompt = 1 + static_cast<int>(rng() % 900);
    const int target = 1 + static_cast<int>(rng() % 300);
    const int max_tokens = (i % 3 == 0) ? 1 + static_cast<int>(rng() % 200) : 0;
    Result<RequestId> id = e.Add(Spec(prompt, target, max_tokens, 100 + i * 7), i * 0.01);
    ASSERT_TRUE(id.ok());
    const int room = 1024 - prompt;  // generation stops at max_model_len
    int n = target;
    std::string reason = "stop";
    if (max_tokens > 0 && max_tokens <= n) {
      n = max_tokens;
      reason = "length";
    }
    if (room <= n) {
      n = room;
      reason = "length";
    }
    want[*id] = {n, reason};
  }
  Trace run = Drive(e, 0);
  ASSERT_EQ(run.finished.size(), want.size());
  int64_t gen_finished = 0, gen_iter = 0;
  for (const auto& [id, w] : want) {
    const RequestOutput& o = run.finished.at(id);
    EXPECT_EQ(o.total_tokens, w.tokens) << id;
    EXPECT_EQ(o.finish_reason, w.reason) << id;
    EXPECT_EQ(o.stats.num_generation_tokens, w.tokens);
    gen_finished += o.stats.num_generation_tokens;
  }
  size_t ttft = 0, itl = 0, fin = 0;
  for (const StepResult& s : run.steps) {
    gen_iter += s.iteration.num_generation_tokens;
    ttft += s.iteration.time_to_first_tokens_iter.size();
    itl += s.iteration.inter_token_latencies_iter.size();
    fin += s.iteration.finished_requests.size();
  }
  EXPECT_EQ(gen_iter, gen_finished);
  EXPECT_EQ(ttft, want.size());
  EXPECT_EQ(static_cast<int64_t>(itl), gen_finished - static_cast<int64_t>(want.size()));
  EXPECT_EQ(fin, want.size());
  EXPECT_EQ(run.steps.back().scheduler.kv_cache_usage, 0.0);
}

TEST(EngineTest, PhaseTimesAreConsistent) {
  Engine e(SmallConfig(), 0);
  // Requests arrive every 50 ms while the engine runs.
  Arrivals arrivals;
  for (int i = 0; i < 60; ++i)
    arrivals.emplace_back(i * 0.05, Spec(50 + i * 10, 20 + i, 0, i * 1000));
  Trace run = Drive(e, 0, std::move(arrivals));
  ASSERT_EQ(run.finished.size(), 60u);
  for (const auto& [id, o] : run.finished) {
    const FinishedRequestStats& s = o.stats;
    EXPECT_GE(s.queued_time, 0);
    EXPECT_GT(s.prefill_time, 0);
    EXPECT_NEAR(s.e2e_latency, s.queued_time + s.prefill_time + s.decode_time, 1e-9);
    EXPECT_NEAR(s.inference_time, s.prefill_time + s.decode_time, 1e-9);
    EXPECT_NEAR(s.mean_time_per_output_token, s.decode_time / (s.num_generation_tokens - 1), 1e-12);
    EXPECT_EQ(s.max_tokens_param, 0);
    EXPECT_EQ(s.n, 1);
  }
  // TTFT = first token - arrival = queued + prefill.
  std::vector<double> ttfts;
  for (const StepResult& s : run.steps) {
    for (double t : s.iteration.time_to_first_tokens_iter) ttfts.push_back(t);
  }
  std::vector<double> want;
  for (const auto& [id, o] : run.finished)
    want.push_back(o.stats.queued_time + o.stats.prefill_time);
  std::sort(ttfts.begin(), ttfts.end());
  std::sort(want.begin(), want.end());
  ASSERT_EQ(ttfts.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(ttfts[i], want[i], 1e-9);
}

TEST(EngineTest, LongPromptTakesSeveralChunksWithinTheBudget) {
  EngineConfig c = SmallConfig();
  c.decode_per_seq = 0;
  c.attention_per_kv_token = 0;
  Engine e(c, 0);
  ASSERT_TRUE(e.Add(Spec(700, 3), 0).ok());
  Trace run = Drive(e, 0);
  // 700 tokens with a budget of 256: 256 + 256 + 188, the first token with the last chunk.
  ASSERT_EQ(run.steps.size(), 5u);
  EXPECT_EQ(run.steps[0].num_scheduled_tokens, 256);
  EXPECT_EQ(run.steps[1].num_scheduled_tokens, 256);
  EXPECT_EQ(run.steps[2].num_scheduled_tokens, 188);
  EXPECT_TRUE(run.steps[0].outputs.empty());
  EXPECT_TRUE(run.steps[1].outputs.empty());
  ASSERT_EQ(run.steps[2].outputs.size(), 1u);
  EXPECT_EQ(run.steps[2].iteration.num_prompt_tokens, 700);
  EXPECT_EQ(run.steps[3].num_scheduled_tokens, 1);
  EXPECT_NEAR(run.steps[0].duration, 0.01 + 256 * 0.0001, 1e-12);
  EXPECT_NEAR(run.steps[3].duration, 0.01, 1e-12);  // a decode, no decode cost configured
  const FinishedRequestStats& s = run.finished.begin()->second.stats;
  EXPECT_NEAR(s.prefill_time, run.steps[0].duration + run.steps[1].duration + run.steps[2].duration,
              1e-12);
  EXPECT_DOUBLE_EQ(s.queued_time, 0);
}

TEST(EngineTest, BudgetIsSharedByDecodesFirstThenPrefills) {
  Engine e(SmallConfig(), 0);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(e.Add(Spec(20, 50, 0, i * 100), 0).ok());
  StepResult first = e.Step(0);
  EXPECT_EQ(first.num_scheduled_reqs, 10);
  EXPECT_EQ(first.num_scheduled_tokens, 200);
  ASSERT_TRUE(e.Add(Spec(600, 5, 0, 50000), first.duration).ok());
  StepResult second = e.Step(first.duration);
  // Ten decode tokens, then a 246-token chunk of the new prompt.
  EXPECT_EQ(second.num_scheduled_reqs, 11);
  EXPECT_EQ(second.num_scheduled_tokens, 256);
  EXPECT_EQ(second.iteration.num_generation_tokens, 10);
}

TEST(EngineTest, MaxNumSeqsLimitsTheRunningSet) {
  EngineConfig c = SmallConfig();
  c.max_num_seqs = 4;
  Engine e(c, 0);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(e.Add(Spec(10, 30, 0, i * 100), 0).ok());
  Trace run = Drive(e, 0);
  const SchedulerStats& first = run.steps[0].scheduler;
  EXPECT_EQ(first.num_running_reqs, 4);
  EXPECT_EQ(first.num_waiting_reqs, 6);
  EXPECT_EQ(first.num_waiting_for_capacity, 6);
  EXPECT_EQ(first.num_waiting_deferred, 0);
  EXPECT_EQ(run.finished.size(), 10u);
}

TEST(EngineTest, StepTimeGrowsWithPrefillTokensAndBatchSize) {
  auto first_step = [](int prompt, int requests) {
    Engine e(SmallConfig(), 0);
    for (int i = 0; i < requests; ++i) EXPECT_TRUE(e.Add(Spec(prompt, 10, 0, i * 1000), 0).ok());
    return e.Step(0).duration;
  };
  EXPECT_LT(first_step(10, 1), first_step(200, 1));
  auto decode_step = [](int requests) {
    Engine e(SmallConfig(), 0);
    for (int i = 0; i < requests; ++i) EXPECT_TRUE(e.Add(Spec(8, 10, 0, i * 1000), 0).ok());
    double now = 0;
    now += e.Step(now).duration;  // the prefills
    StepResult d = e.Step(now);
    EXPECT_EQ(d.num_scheduled_tokens, requests);
    return d.duration;
  };
  EXPECT_LT(decode_step(1), decode_step(8));
  EXPECT_LT(decode_step(8), decode_step(30));
}

TEST(EngineTest, StepTimeScaleMultipliesDurations) {
  Engine a(SmallConfig(), 0), b(SmallConfig(), 0);
  ASSERT_TRUE(a.Add(Spec(100, 5), 0).ok());
  ASSERT_TRUE(b.Add(Spec(100, 5), 0).ok());
  b.SetStepTimeScale(3);
  EXPECT_NEAR(b.Step(0).duration, 3 * a.Step(0).duration, 1e-12);
}

TEST(EngineTest, AbortFinishesQueuedAndRunningRequests) {
  EngineConfig c = SmallConfig();
  c.max_num_seqs = 1;
  Engine e(c, 0);
  RequestId running = *e.Add(Spec(10, 100), 0);
  RequestId queued = *e.Add(Spec(10, 100, 0, 5000), 0);
  double now = e.Step(0).duration;
  now += e.Step(now).duration;
  e.Abort(running);
  e.Abort(queued);
  e.Abort(12345);  // unknown: ignored
  StepResult r = e.Step(now);
  ASSERT_EQ(r.outputs.size(), 2u);
  for (const RequestOutput& o : r.outputs) {
    EXPECT_TRUE(o.finished);
    EXPECT_EQ(o.finish_reason, "abort");
    EXPECT_EQ(o.stats.finish_reason, "abort");
  }
  EXPECT_EQ(r.outputs[0].total_tokens, 2);
  EXPECT_EQ(r.outputs[1].total_tokens, 0);
  EXPECT_NEAR(r.outputs[1].stats.queued_time, now, 1e-12);
  EXPECT_TRUE(r.iteration.finished_requests.empty());
  EXPECT_TRUE(e.Idle());
  EXPECT_EQ(e.CurrentSchedulerStats().kv_cache_usage, 0.0);
}

TEST(EngineTest, AbortingOneRunningRequestLeavesTheOthersRunning) {
  Engine e(SmallConfig(), 0);
  std::vector<RequestId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(*e.Add(Spec(30, 20, 0, i * 100), 0));
  Trace run = Drive(e, 0, {}, [&](Engine& engine, size_t step) {
    if (step != 1) return;
    engine.Abort(ids[2]);
    engine.Abort(ids[2]);  // twice: one abort
  });
  ASSERT_EQ(run.finished.size(), 5u);
  for (RequestId id : ids) {
    EXPECT_EQ(run.finished.at(id).finish_reason, id == ids[2] ? "abort" : "stop");
  }
  EXPECT_EQ(run.finished.at(ids[0]).total_tokens, 20);
  EXPECT_EQ(run.steps.back().scheduler.kv_cache_usage, 0.0);
}

TEST(EngineTest, SameInputsGiveTheSameSteps) {
  auto run = [] {
    EngineConfig c = SmallConfig();
    c.step_time_jitter = 0.05;
    c.num_gpu_blocks = 100;
    Engine e(c, 3);
    std::mt19937_64 rng(11);
    for (int i = 0; i < 80; ++i) {
      EXPECT_TRUE(e.Add(Spec(1 + rng() % 500, 1 + rng() % 200, 0, rng() % 40000), i * 0.02).ok());
    }
    return Drive(e, 0);
  };
  Trace a = run(), b = run();
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (size_t i = 0; i < a.steps.size(); ++i) {
    EXPECT_EQ(a.steps[i].duration, b.steps[i].duration);
    EXPECT_EQ(a.steps[i].outputs.size(), b.steps[i].outputs.size());
    EXPECT_EQ(a.steps[i].iteration.num_preempted_reqs, b.steps[i].iteration.num_preempted_reqs);
  }
  EXPECT_EQ(a.end, b.end);
}

}  // namespace
}  // namespace infermetry::emulator
