// The engine-stats update rules: V1's PrometheusStatLogger.record() and V0's
// PrometheusStatLogger._log_prometheus(), one statistic at a time.

#include <algorithm>
#include <string>

#include "emulator/metrics/vllm_metrics_impl.h"

namespace infermetry::emulator {
namespace {

using enum FamilyId;

int FinishReasonIndex(std::string_view reason) {
  for (int i = 0; i < static_cast<int>(std::size(kFinishReasons)); ++i) {
    if (reason == kFinishReasons[i]) return i;
  }
  return -1;
}

}  // namespace

void VllmMetrics::Impl::RecordV1(int e, const SchedulerStats& s, const IterationStats* it) {
  auto set = [&](FamilyId id, int value, double v) {
    if (MetricFamily* f = F(id)) f->Set(Slot(*f, e, value), v);
  };
  auto inc = [&](FamilyId id, int value, double v) {
    if (MetricFamily* f = F(id)) f->Inc(Slot(*f, e, value), v);
  };
  auto observe = [&](FamilyId id, double v) {
    if (MetricFamily* f = F(id)) f->Observe(Slot(*f, e, 0), v);
  };

  set(kNumRequestsRunning, 0, s.num_running_reqs);
  set(kNumRequestsWaiting, 0, s.num_waiting_reqs);
  set(kNumRequestsWaitingByReason, 0, s.num_waiting_for_capacity);
  set(kNumRequestsWaitingByReason, 1, s.num_waiting_deferred);
  set(kGpuCacheUsage, 0, s.kv_cache_usage);  // legacy name, same value
  set(kKvCacheUsage, 0, s.kv_cache_usage);
  inc(kGpuPrefixCacheQueries, 0, static_cast<double>(s.prefix_cache_queries));
  inc(kGpuPrefixCacheHits, 0, static_cast<double>(s.prefix_cache_hits));
  inc(kPrefixCacheQueries, 0, static_cast<double>(s.prefix_cache_queries));
  inc(kPrefixCacheHits, 0, static_cast<double>(s.prefix_cache_hits));
  if (it == nullptr) return;

  inc(kNumPreemptions, 0, it->num_preempted_reqs);
  inc(kPromptTokens, 0, it->num_prompt_tokens);
  inc(kPromptTokensBySource, 0, it->prompt_tokens_local_compute);
  inc(kPromptTokensBySource, 1, it->prompt_tokens_local_cache_hit);
  inc(kPromptTokensCached, 0, it->prompt_tokens_local_cache_hit);
  inc(kGenerationTokens, 0, it->num_generation_tokens);
  observe(kIterationTokens, it->num_prompt_tokens + it->num_generation_tokens);
  // max_num_generation_tokens_iter and n_params_iter: one entry per finished parent request.
  for (const FinishedRequestStats& r : it->finished_requests) {
    observe(kRequestMaxNumGenerationTokens, r.num_generation_tokens);
    observe(kRequestParamsN, r.n);
  }
  for (double ttft : it->time_to_first_tokens_iter) observe(kTimeToFirstToken, ttft);
  for (double itl : it->inter_token_latencies_iter) {
    observe(kInterTokenLatency, itl);
    observe(kTimePerOutputToken, itl);  // legacy name, same observations
  }
  for (const FinishedRequestStats& r : it->finished_requests) {
    int reason = FinishReasonIndex(r.finish_reason);
    if (reason >= 0) inc(kRequestSuccess, reason, 1);
    observe(kE2eRequestLatency, r.e2e_latency);
    observe(kRequestQueueTime, r.queued_time);
    observe(kRequestPrefillTime, r.prefill_time);
    observe(kRequestInferenceTime, r.inference_time);
    observe(kRequestDecodeTime, r.decode_time);
    observe(kRequestTimePerOutputToken, r.mean_time_per_output_token);
    observe(kRequestPromptTokens, r.num_prompt_tokens);
    observe(kRequestGenerationTokens, r.num_generation_tokens);
    observe(kRequestPrefillKvComputedTokens,
            r.num_prompt_tokens - std::max(r.num_cached_tokens, 0));
    if (r.max_tokens_param > 0) observe(kRequestParamsMaxTokens, r.max_tokens_param);
  }
  if (MetricFamily* f = F(kLoraRequestsInfo)) {
    // set_to_current_time() on the series of the current adapter lists (none are emulated).
    int c = f->Find("");
    if (c < 0) {
      c = AddChild(*f, "",
                   {{"max_lora", std::to_string(options.max_loras)},
                    {"waiting_lora_adapters", ""},
                    {"running_lora_adapters", ""}});
    }
    f->Set(c, it->iteration_timestamp);
  }
}

void VllmMetrics::Impl::RecordV0(const SchedulerStats& s, const IterationStats* it) {
  // V0 logged every statistic of every step, creating each series on its first update;
  // histograms get a series only once something is observed.
  auto set = [&](FamilyId id, double v) {
    if (MetricFamily* f = F(id)) f->Set(V0Child(*f, ""), v);
  };
  auto inc = [&](FamilyId id, double v) {
    if (MetricFamily* f = F(id)) f->Inc(V0Child(*f, ""), v);
  };
  auto observe = [&](FamilyId id, double v) {
    if (MetricFamily* f = F(id)) f->Observe(V0Child(*f, ""), v);
  };

  v0_prefix_queries += static_cast<double>(s.prefix_cache_queries);
  v0_prefix_hits += static_cast<double>(s.prefix_cache_hits);
  const bool caching = options.engines[0].enable_prefix_caching;
  double gpu_hit_rate = !caching                ? -1
                        : v0_prefix_queries > 0 ? v0_prefix_hits / v0_prefix_queries
                                                : 0;
  set(kNumRequestsRunning, s.num_running_reqs);
  set(kNumRequestsSwappedV0, 0);
  set(kNumRequestsWaiting, s.num_waiting_reqs);
  set(kGpuCacheUsage, s.kv_cache_usage);
  set(kCpuCacheUsageV0, 0);
  set(kCpuPrefixCacheHitRateV0, caching ? 0 : -1);
  set(kGpuPrefixCacheHitRateV0, gpu_hit_rate);
  if (MetricFamily* f = F(kLoraRequestsInfo)) {
    int c = f->Find("");
    if (c < 0) {
      c = AddChild(*f, "",
                   {{"running_lora_adapters", ""},
                    {"max_lora", std::to_string(options.max_loras)},
                    {"waiting_lora_adapters", ""}});
    }
    f->Set(c, clock);
  }
  inc(kNumPreemptions, it != nullptr ? it->num_preempted_reqs : 0);
  inc(kPromptTokens, it != nullptr ? it->num_prompt_tokens : 0);
  inc(kGenerationTokens, it != nullptr ? it->num_generation_tokens : 0);
  if (it != nullptr) {
    observe(kIterationTokens, it->num_prompt_tokens + it->num_generation_tokens);
    for (double ttft : it->time_to_first_tokens_iter) observe(kTimeToFirstToken, ttft);
    for (double itl : it->inter_token_latencies_iter) observe(kTimePerOutputToken, itl);
    for (const FinishedRequestStats& r : it->finished_requests) {
      observe(kE2eRequestLatency, r.e2e_latency);
      observe(kRequestQueueTime, r.queued_time);
      observe(kRequestInferenceTime, r.inference_time);
      observe(kRequestPrefillTime, r.prefill_time);
      observe(kRequestDecodeTime, r.decode_time);
    }
    for (const FinishedRequestStats& r : it->finished_requests) {
      observe(kTimeInQueueRequestsV0, r.queued_time);
    }
    for (const FinishedRequestStats& r : it->finished_requests) {
      if (MetricFamily* f = F(kRequestSuccess)) f->Inc(V0Child(*f, r.finish_reason), 1);
    }
    for (const FinishedRequestStats& r : it->finished_requests) {
      observe(kRequestPromptTokens, r.num_prompt_tokens);
    }
    for (const FinishedRequestStats& r : it->finished_requests) {
      observe(kRequestGenerationTokens, r.num_generation_tokens);
    }
    for (const FinishedRequestStats& r : it->finished_requests) observe(kRequestParamsN, r.n);
    for (const FinishedRequestStats& r : it->finished_requests) {
      observe(kRequestMaxNumGenerationTokens, r.num_generation_tokens);
    }
    for (const FinishedRequestStats& r : it->finished_requests) {
      if (r.max_tokens_param > 0) observe(kRequestParamsMaxTokens, r.max_tokens_param);
    }
  }
  if (options.num_speculative_tokens > 0) {
    set(kSpecAcceptanceRateV0, 0);
    set(kSpecEfficiencyV0, 0);
    inc(kSpecNumAcceptedTokens, 0);
    inc(kSpecNumDraftTokens, 0);
    inc(kSpecNumEmittedTokensV0, 0);
  }
}

}  // namespace infermetry::emulator
