// Feeds VllmMetrics a fixed sequence of hand-built stats and checks that the rendered series
// add up to the inputs: counters are sums, histogram counts are observation counts, sums are
// sums, buckets are cumulative and hold exactly the observations <= their bound.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "emulator/metrics/vllm_families.h"
#include "emulator/metrics/vllm_metrics.h"
#include "emulator/metrics/vllm_metrics_test_util.h"

namespace infermetry::emulator {
namespace {

constexpr int kEngines = 2;
constexpr int kSteps = 400;

// Everything fed to one engine, kept as the observation lists each family should hold.
struct Fed {
  double prompt = 0, generation = 0, preemptions = 0, local_compute = 0, cache_hit = 0;
  double queries = 0, hits = 0;
  int steps_with_iteration = 0;
  std::map<std::string, int> reasons;
  std::map<std::string, std::vector<double>> obs;  // family name -> observations
  SchedulerStats last;
};

// A deterministic pseudo-random source (no dependence on the library's RNG).
struct Lcg {
  uint64_t s = 88172645463325252ull;
  uint32_t Next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(s >> 33);
  }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * (Next() % 1000000) / 1e6; }
};

class ConsistencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_ = std::make_unique<VllmMetrics>(testing::Options(MetricsLayout::kCurrent, kEngines, 4096));
    Lcg rng;
    for (int step = 0; step < kSteps; ++step) {
      int e = static_cast<int>(rng.Next() % kEngines);
      Fed& f = fed_[e];
      SchedulerStats s;
      s.num_running_reqs = static_cast<int>(rng.Next() % 64);
      s.num_waiting_for_capacity = static_cast<int>(rng.Next() % 5);
      s.num_waiting_reqs = s.num_waiting_for_capacity;
      s.kv_cache_usage = rng.Uniform(0, 1);
      s.prefix_cache_queries = rng.Next() % 3000;
      s.prefix_cache_hits = s.prefix_cache_queries / 3;
      f.queries += static_cast<double>(s.prefix_cache_queries);
      f.hits += static_cast<double>(s.prefix_cache_hits);
      f.last = s;
      if (step % 7 == 3) {  // a gauge-only update
        m_->Record(e, s, nullptr);
        continue;
      }
      IterationStats it;
      it.iteration_timestamp = 1795458890.0 + step;
      it.prompt_tokens_local_cache_hit = static_cast<int>(rng.Next() % 200);
      it.prompt_tokens_local_compute = static_cast<int>(rng.Next() % 3000);
      it.num_prompt_tokens = it.prompt_tokens_local_cache_hit + it.prompt_tokens_local_compute;
      it.num_generation_tokens = static_cast<int>(rng.Next() % 64);
      it.num_preempted_reqs = static_cast<int>(rng.Next() % 10 == 0);
      for (uint32_t i = rng.Next() % 3; i > 0; --i) {
        it.time_to_first_tokens_iter.push_back(rng.Uniform(0.001, 3000));
      }
      for (uint32_t i = rng.Next() % 8; i > 0; --i) {
        it.inter_token_latencies_iter.push_back(rng.Uniform(0.005, 100));
      }
      for (uint32_t i = rng.Next() % 3; i > 0; --i) {
        FinishedRequestStats r =
            testing::Finished(kFinishReasons[rng.Next() % 5], static_cast<int>(rng.Next() % 5000),
                              static_cast<int>(1 + rng.Next() % 3000), rng.Uniform(0.05, 9000));
        r.n = static_cast<int>(1 + rng.Next() % 25);
        r.max_tokens_param = rng.Next() % 2 ? static_cast<int>(rng.Next() % 4000) : 0;
        it.finished_requests.push_back(r);
      }
      f.prompt += it.num_prompt_tokens;
      f.generation += it.num_generation_tokens;
      f.preemptions += it.num_preempted_reqs;
      f.local_compute += it.prompt_tokens_local_compute;
      f.cache_hit += it.prompt_tokens_local_cache_hit;
      ++f.steps_with_iteration;
      f.obs["vllm:iteration_tokens_total"].push_back(it.num_prompt_tokens +
                                                     it.num_generation_tokens);
      for (double v : it.time_to_first_tokens_iter) {
        f.obs["vllm:time_to_first_token_seconds"].push_back(v);
      }
      for (double v : it.inter_token_latencies_iter) {
        f.obs["vllm:inter_token_latency_seconds"].push_back(v);
      }
      for (const FinishedRequestStats& r : it.finished_requests) {
        ++f.reasons[r.finish_reason];
        f.obs["vllm:e2e_request_latency_seconds"].push_back(r.e2e_latency);
        f.obs["vllm:request_queue_time_seconds"].push_back(r.queued_time);
        f.obs["vllm:request_prefill_time_seconds"].push_back(r.prefill_time);
        f.obs["vllm:request_inference_time_seconds"].push_back(r.inference_time);
        f.obs["vllm:request_decode_time_seconds"].push_back(r.decode_time);
        f.obs["vllm:request_time_per_output_token_seconds"].push_back(r.mean_time_per_output_token);
        f.obs["vllm:request_prompt_tokens"].push_back(r.num_prompt_tokens);
        f.obs["vllm:request_generation_tokens"].push_back(r.num_generation_tokens);
        f.obs["vllm:request_max_num_generation_tokens"].push_back(r.num_generation_tokens);
        f.obs["vllm:request_params_n"].push_back(r.n);
        if (r.max_tokens_param > 0) {
          f.obs["vllm:request_params_max_tokens"].push_back(r.max_tokens_param);
        }
        f.obs["vllm:request_prefill_kv_computed_tokens"].push_back(r.num_prompt_tokens -
                                                                   r.num_cached_tokens);
      }
      m_->Record(e, s, &it);
    }
    m_->Record(kEngines, SchedulerStats{}, nullptr);  // out of range: ignored
    parsed_ = testing::ParseExposition(m_->Render(1795459999.0));
    ASSERT_TRUE(parsed_.errors.empty()) << testing::Join(parsed_.errors);
  }

  double At(const std::string& series) const {
    auto it = parsed_.series.find(series);
    if (it == parsed_.series.end()) {
      ADD_FAILURE() << "no series " << series;
      return NAN;
    }
    return it->second;
  }
  static std::string L(int e, const std::string& extra = "") {
    return "{engine=\"" + std::to_string(e) + "\"" + extra + ",model_name=\"Qwen/Qwen3-0.6B\"}";
  }

  std::unique_ptr<VllmMetrics> m_;
  Fed fed_[kEngines];
  testing::ParsedExposition parsed_;
};

TEST_F(ConsistencyTest, CountersAreSumsOfTheInputs) {
  for (int e = 0; e < kEngines; ++e) {
    SCOPED_TRACE(e);
    const Fed& f = fed_[e];
    ASSERT_GT(f.steps_with_iteration, 50);
    EXPECT_EQ(At("vllm:generation_tokens_total" + L(e)), f.generation);
    EXPECT_EQ(At("vllm:prompt_tokens_total" + L(e)), f.prompt);
    EXPECT_EQ(At("vllm:num_preemptions_total" + L(e)), f.preemptions);
    EXPECT_EQ(At("vllm:prefix_cache_queries_total" + L(e)), f.queries);
    EXPECT_EQ(At("vllm:prefix_cache_hits_total" + L(e)), f.hits);
    EXPECT_EQ(At("vllm:prompt_tokens_cached_total" + L(e)), f.cache_hit);
    EXPECT_EQ(At("vllm:prompt_tokens_by_source_total{engine=\"" + std::to_string(e) +
                 "\",model_name=\"Qwen/Qwen3-0.6B\",source=\"local_compute\"}"),
              f.local_compute);
    EXPECT_EQ(At("vllm:prompt_tokens_by_source_total{engine=\"" + std::to_string(e) +
                 "\",model_name=\"Qwen/Qwen3-0.6B\",source=\"local_cache_hit\"}"),
              f.cache_hit);
    EXPECT_EQ(At("vllm:prompt_tokens_by_source_total{engine=\"" + std::to_string(e) +
                 "\",model_name=\"Qwen/Qwen3-0.6B\",source=\"external_kv_transfer\"}"),
              0);
    int finished = 0;
    for (const char* reason : kFinishReasons) {
      auto it = f.reasons.find(reason);
      int n = it == f.reasons.end() ? 0 : it->second;
      finished += n;
      EXPECT_EQ(At("vllm:request_success_total" +
                   L(e, std::string(",finished_reason=\"") + reason + "\"")),
                n)
          << reason;
    }
    EXPECT_EQ(At("vllm:e2e_request_latency_seconds_count" + L(e)), finished);
    EXPECT_EQ(At("vllm:estimated_flops_per_gpu_total" + L(e)), 0);
  }
}

TEST_F(ConsistencyTest, GaugesHoldTheLastSchedulerStats) {
  for (int e = 0; e < kEngines; ++e) {
    const SchedulerStats& s = fed_[e].last;
    EXPECT_EQ(At("vllm:num_requests_running" + L(e)), s.num_running_reqs);
    EXPECT_EQ(At("vllm:num_requests_waiting" + L(e)), s.num_waiting_reqs);
    EXPECT_EQ(At("vllm:num_requests_waiting_by_reason{engine=\"" + std::to_string(e) +
                 "\",model_name=\"Qwen/Qwen3-0.6B\",reason=\"capacity\"}"),
              s.num_waiting_for_capacity);
    EXPECT_EQ(At("vllm:kv_cache_usage_perc" + L(e)), s.kv_cache_usage);
    EXPECT_EQ(At("vllm:engine_sleep_state{engine=\"" + std::to_string(e) +
                 "\",model_name=\"Qwen/Qwen3-0.6B\",sleep_state=\"awake\"}"),
              1);
  }
}

TEST_F(ConsistencyTest, HistogramsHoldExactlyTheObservations) {
  const std::vector<double> tokens = BucketBounds(BucketKey::kTokens125, 4096);
  for (int e = 0; e < kEngines; ++e) {
    for (const auto& [family, values] : fed_[e].obs) {
      SCOPED_TRACE(family + " engine " + std::to_string(e));
      const testing::FamilyView* view = parsed_.Find(family);
      ASSERT_NE(view, nullptr);
      ASSERT_FALSE(view->buckets.empty());
      EXPECT_EQ(At(family + "_count" + L(e)), values.size());
      double sum = 0;
      for (double v : values) sum += v;
      EXPECT_NEAR(At(family + "_sum" + L(e)), sum, 1e-9 * std::max(1.0, std::fabs(sum)));
      double previous = 0;
      for (const std::string& le : view->buckets) {
        double bound = le == "+Inf" ? INFINITY : std::stod(le);
        double want = 0;
        for (double v : values) want += v <= bound ? 1 : 0;
        double got = At(family + "_bucket{engine=\"" + std::to_string(e) + "\",le=\"" + le +
                        "\",model_name=\"Qwen/Qwen3-0.6B\"}");
        EXPECT_EQ(got, want) << "le=" << le;
        EXPECT_GE(got, previous) << "le=" << le;
        previous = got;
      }
      EXPECT_EQ(previous, values.size());  // +Inf == _count
    }
  }
  // 1-2-5 buckets from max_model_len 4096 end at 2000.
  EXPECT_EQ(parsed_.Find("vllm:request_prompt_tokens")->buckets.size(), tokens.size() + 1);
}

TEST(ConsistencyHttpTest, HttpCountsAndSizes) {
  VllmMetrics m(testing::Options(MetricsLayout::kCurrent, 1, 2048));
  double seconds = 0;
  int ok = 0, err = 0;
  double in_bytes = 0;
  for (int i = 0; i < 100; ++i) {
    int status = i % 10 == 0 ? 500 : 200;
    (status == 200 ? ok : err) += 1;
    double s = 0.01 * (i % 37);
    seconds += s;
    in_bytes += 100 + i;
    m.RecordHttp("/v1/chat/completions", "POST", status, 100 + i, 0, s);
    m.RecordHttp("/ping", "POST", 200, 1, 1, 0.001);
  }
  testing::ParsedExposition p = testing::ParseExposition(m.Render(1795459999.0));
  const std::string h = "handler=\"/v1/chat/completions\"";
  EXPECT_EQ(p.series.at("http_requests_total{" + h + ",method=\"POST\",status=\"2xx\"}"), ok);
  EXPECT_EQ(p.series.at("http_requests_total{" + h + ",method=\"POST\",status=\"5xx\"}"), err);
  EXPECT_EQ(p.series.at("http_request_size_bytes_count{" + h + "}"), 100);
  EXPECT_EQ(p.series.at("http_request_size_bytes_sum{" + h + "}"), in_bytes);
  EXPECT_EQ(p.series.at("http_response_size_bytes_sum{" + h + "}"), 0);
  EXPECT_EQ(p.series.at("http_request_duration_highr_seconds_count"), 100);
  EXPECT_NEAR(p.series.at("http_request_duration_highr_seconds_sum"), seconds, 1e-9);
  EXPECT_EQ(p.series.at("http_request_duration_seconds_count{" + h + ",method=\"POST\"}"), 100);
}

TEST(ConsistencyThreadTest, ConcurrentUpdatesAndScrapesLoseNothing) {
  VllmMetrics m(testing::Options(MetricsLayout::kCurrent, 2, 2048));
  constexpr int kThreads = 4, kSteps = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      IterationStats it;
      it.num_generation_tokens = 3;
      for (int i = 0; i < kSteps; ++i) {
        m.Record(t % 2, SchedulerStats{}, &it);
        if (i % 100 == 0) m.RecordHttp("/v1/completions", "POST", 200, 10, 0, 0.01);
      }
    });
  }
  threads.emplace_back([&m] {
    for (int i = 0; i < 50; ++i) EXPECT_FALSE(m.Render(1795459999.0).empty());
  });
  for (std::thread& t : threads) t.join();
  testing::ParsedExposition p = testing::ParseExposition(m.Render(1795459999.0));
  for (int e = 0; e < 2; ++e) {
    EXPECT_EQ(p.series.at("vllm:generation_tokens_total{engine=\"" + std::to_string(e) +
                          "\",model_name=\"Qwen/Qwen3-0.6B\"}"),
              3.0 * kSteps * kThreads / 2);
  }
  EXPECT_EQ(p.series.at("http_requests_total{handler=\"/v1/completions\",method=\"POST\","
                        "status=\"2xx\"}"),
            kThreads * kSteps / 100);
}

}  // namespace
}  // namespace infermetry::emulator
