#include "emulator/metrics/vllm_families.h"

#include <cstdio>
#include <string>

#include "emulator/metrics/exposition.h"

namespace infermetry::emulator {
namespace {

using enum FamilyId;
using enum FamilyType;
using enum FamilySource;
using enum LabelScheme;
using enum BucketKey;
using enum Condition;

constexpr std::string_view kWaitingByReasonHelp =
    "Number of waiting requests by reason. Reason labels: 'capacity' = waiting for scheduling "
    "capacity; 'deferred' = deferred by transient constraints (LoRA budget, KV transfer, blocked "
    "status). Sum of all reasons equals vllm:num_requests_waiting.";
constexpr std::string_view kSleepStateHelp =
    "Engine sleep state; awake = 0 means engine is sleeping; awake = 1 means engine is awake; "
    "weights_offloaded = 1 means sleep level 1; discard_all = 1 means sleep level 2.";

// The HELP texts below are vLLM's and the instrumentator's, byte for byte.
// clang-format off
constexpr FamilySpec kFamilies[] = {
    // prometheus_client's default-registry collectors (GCCollector, PlatformCollector,
    // ProcessCollector), in the order the registry collects them.
    {kPythonGcCollected, "python_gc_objects_collected", kCounter, kCollector,
     "Objects collected during gc", kOwn, {"generation"}, kNone, kInV1, kAlways},
    {kPythonGcUncollectable, "python_gc_objects_uncollectable", kCounter, kCollector,
     "Uncollectable objects found during GC", kOwn, {"generation"}, kNone, kInV1, kAlways},
    {kPythonGcCollections, "python_gc_collections", kCounter, kCollector,
     "Number of times this generation was collected", kOwn, {"generation"}, kNone, kInV1,
     kAlways},
    {kPythonInfo, "python_info", kGauge, kCollector, "Python platform information", kOwn,
     {"implementation", "major", "minor", "patchlevel", "version"}, kNone, kInV1, kAlways},
    {kProcessVirtualMemory, "process_virtual_memory_bytes", kGauge, kCollector,
     "Virtual memory size in bytes.", kOwn, {}, kNone, kInV1, kAlways},
    {kProcessResidentMemory, "process_resident_memory_bytes", kGauge, kCollector,
     "Resident memory size in bytes.", kOwn, {}, kNone, kInV1, kAlways},
    {kProcessStartTime, "process_start_time_seconds", kGauge, kCollector,
     "Start time of the process since unix epoch in seconds.", kOwn, {}, kNone, kInV1, kAlways},
    {kProcessCpuSeconds, "process_cpu_seconds", kCounter, kCollector,
     "Total user and system CPU time spent in seconds.", kOwn, {}, kNone, kInV1, kAlways},
    {kProcessOpenFds, "process_open_fds", kGauge, kCollector, "Number of open file descriptors.",
     kOwn, {}, kNone, kInV1, kAlways},
    {kProcessMaxFds, "process_max_fds", kGauge, kCollector,
     "Maximum number of open file descriptors.", kOwn, {}, kNone, kInV1, kAlways},

    // V1: PrometheusStatLogger.__init__ (vllm/v1/metrics/loggers.py), spec decode first.
    {kSpecNumDrafts, "vllm:spec_decode_num_drafts", kCounter, kVllm,
     "Number of spec decoding drafts.", kEngine, {}, kNone, kInV1, kSpecDecode},
    {kSpecNumDraftTokens, "vllm:spec_decode_num_draft_tokens", kCounter, kVllm,
     "Number of draft tokens.", kEngine, {}, kNone, kInV1, kSpecDecode},
    {kSpecNumAcceptedTokens, "vllm:spec_decode_num_accepted_tokens", kCounter, kVllm,
     "Number of accepted tokens.", kEngine, {}, kNone, kInV1, kSpecDecode},
    {kSpecAcceptedPerPos, "vllm:spec_decode_num_accepted_tokens_per_pos", kCounter, kVllm,
     "Accepted tokens per draft position.", kEngine, {"position"}, kNone, kInV1, kSpecDecode},
    {kEstimatedFlops, "vllm:estimated_flops_per_gpu", kCounter, kVllm,
     "Estimated number of floating point operations per GPU (for Model Flops Utilization "
     "calculations).",
     kEngine, {}, kNone, kInV1, kAlways},
    {kEstimatedReadBytes, "vllm:estimated_read_bytes_per_gpu", kCounter, kVllm,
     "Estimated number of bytes read from memory per GPU (for Model Flops Utilization "
     "calculations).",
     kEngine, {}, kNone, kInV1, kAlways},
    {kEstimatedWriteBytes, "vllm:estimated_write_bytes_per_gpu", kCounter, kVllm,
     "Estimated number of bytes written to memory per GPU (for Model Flops Utilization "
     "calculations).",
     kEngine, {}, kNone, kInV1, kAlways},
    {kNumRequestsRunning, "vllm:num_requests_running", kGauge, kVllm,
     "Number of requests in model execution batches.", kEngine, {}, kNone, kInV1, kAlways},
    {kNumRequestsWaiting, "vllm:num_requests_waiting", kGauge, kVllm,
     "Number of requests waiting to be processed.", kEngine, {}, kNone, kInV1, kAlways},
    {kNumRequestsWaitingByReason, "vllm:num_requests_waiting_by_reason", kGauge, kVllm,
     kWaitingByReasonHelp, kEngine, {"reason"}, kNone, kInV1, kAlways},
    {kEngineSleepState, "vllm:engine_sleep_state", kGauge, kVllm, kSleepStateHelp, kEngine,
     {"sleep_state"}, kNone, kInV1, kAlways},
    // The names renamed in 0.9.2, registered just before their successors while they lived.
    {kGpuCacheUsage, "vllm:gpu_cache_usage_perc", kGauge, kVllm,
     "GPU KV-cache usage. 1 means 100 percent usage.DEPRECATED: Use vllm:kv_cache_usage_perc "
     "instead.",
     kEngine, {}, kNone, kInLegacy, kAlways},
    {kGpuPrefixCacheQueries, "vllm:gpu_prefix_cache_queries", kCounter, kVllm,
     "GPU prefix cache queries, in terms of number of queriedtokens. DEPRECATED: Use "
     "vllm:prefix_cache_queries instead.",
     kEngine, {}, kNone, kInLegacy, kAlways},
    {kGpuPrefixCacheHits, "vllm:gpu_prefix_cache_hits", kCounter, kVllm,
     "GPU prefix cache hits, in terms of number of cached tokens. DEPRECATED: Use "
     "vllm:prefix_cache_hits instead.",
     kEngine, {}, kNone, kInLegacy, kAlways},
    {kKvCacheUsage, "vllm:kv_cache_usage_perc", kGauge, kVllm,
     "KV-cache usage. 1 means 100 percent usage.", kEngine, {}, kNone, kInV1, kAlways},
    {kCorruptedRequests, "vllm:corrupted_requests", kCounter, kVllm,
     "Corrupted requests, in terms of total number of requests with NaNs in logits.", kEngine, {},
     kNone, kInV1, kNansInLogits},
    {kPrefixCacheQueries, "vllm:prefix_cache_queries", kCounter, kVllm,
     "Prefix cache queries, in terms of number of queried tokens.", kEngine, {}, kNone, kInV1,
     kAlways},
    {kPrefixCacheHits, "vllm:prefix_cache_hits", kCounter, kVllm,
     "Prefix cache hits, in terms of number of cached tokens.", kEngine, {}, kNone, kInV1,
     kAlways},
    {kExternalPrefixCacheQueries, "vllm:external_prefix_cache_queries", kCounter, kVllm,
     "External prefix cache queries from KV connector cross-instance cache sharing, in terms of "
     "number of queried tokens.",
     kEngine, {}, kNone, kInV1, kAlways},
    {kExternalPrefixCacheHits, "vllm:external_prefix_cache_hits", kCounter, kVllm,
     "External prefix cache hits from KV connector cross-instance cache sharing, in terms of "
     "number of cached tokens.",
     kEngine, {}, kNone, kInV1, kAlways},
    {kMmCacheQueries, "vllm:mm_cache_queries", kCounter, kVllm,
     "Multi-modal cache queries, in terms of number of queried items.", kEngine, {}, kNone, kInV1,
     kAlways},
    {kMmCacheHits, "vllm:mm_cache_hits", kCounter, kVllm,
     "Multi-modal cache hits, in terms of number of cached items.", kEngine, {}, kNone, kInV1,
     kAlways},
    {kNumPreemptions, "vllm:num_preemptions", kCounter, kVllm,
     "Cumulative number of preemption from the engine.", kEngine, {}, kNone, kInV1, kAlways},
    {kPromptTokens, "vllm:prompt_tokens", kCounter, kVllm, "Number of prefill tokens processed.",
     kEngine, {}, kNone, kInV1, kAlways},
    {kPromptTokensBySource, "vllm:prompt_tokens_by_source", kCounter, kVllm,
     "Number of prompt tokens by source.", kEngine, {"source"}, kNone, kInV1, kAlways},
    {kPromptTokensCached, "vllm:prompt_tokens_cached", kCounter, kVllm,
     "Number of cached prompt tokens (local + external).", kEngine, {}, kNone, kInV1, kAlways},
    {kGenerationTokens, "vllm:generation_tokens", kCounter, kVllm,
     "Number of generation tokens processed.", kEngine, {}, kNone, kInV1, kAlways},
    {kRequestSuccess, "vllm:request_success", kCounter, kVllm,
     "Count of successfully processed requests.", kEngine, {"finished_reason"}, kNone, kInV1,
     kAlways},
    {kRequestPromptTokens, "vllm:request_prompt_tokens", kHistogram, kVllm,
     "Number of prefill tokens processed.", kEngine, {}, kTokens125, kInV1, kAlways},
    {kRequestGenerationTokens, "vllm:request_generation_tokens", kHistogram, kVllm,
     "Number of generation tokens processed.", kEngine, {}, kTokens125, kInV1, kAlways},
    {kIterationTokens, "vllm:iteration_tokens_total", kHistogram, kVllm,
     "Histogram of number of tokens per engine_step.", kEngine, {}, kIterTokens, kInV1,
     kAlways},
    {kRequestMaxNumGenerationTokens, "vllm:request_max_num_generation_tokens", kHistogram, kVllm,
     "Histogram of maximum number of requested generation tokens.", kEngine, {}, kTokens125,
     kInV1, kAlways},
    {kRequestParamsN, "vllm:request_params_n", kHistogram, kVllm,
     "Histogram of the n request parameter.", kEngine, {}, kParamsN, kInV1, kAlways},
    {kRequestParamsMaxTokens, "vllm:request_params_max_tokens", kHistogram, kVllm,
     "Histogram of the max_tokens request parameter.", kEngine, {}, kTokens125, kInV1, kAlways},
    {kTimeToFirstToken, "vllm:time_to_first_token_seconds", kHistogram, kVllm,
     "Histogram of time to first token in seconds.", kEngine, {}, kTtft, kInV1, kAlways},
    {kTimePerOutputToken, "vllm:time_per_output_token_seconds", kHistogram, kVllm,
     "Histogram of time per output token in seconds.DEPRECATED: Use "
     "vllm:inter_token_latency_seconds instead.",
     kEngine, {}, kItl, kInLegacy, kAlways},
    {kInterTokenLatency, "vllm:inter_token_latency_seconds", kHistogram, kVllm,
     "Histogram of inter-token latency in seconds.", kEngine, {}, kItl, kInV1, kAlways},
    {kRequestTimePerOutputToken, "vllm:request_time_per_output_token_seconds", kHistogram, kVllm,
     "Histogram of time_per_output_token_seconds per request.", kEngine, {}, kItl, kInV1,
     kAlways},
    {kE2eRequestLatency, "vllm:e2e_request_latency_seconds", kHistogram, kVllm,
     "Histogram of e2e request latency in seconds.", kEngine, {}, kRequestLatency, kInV1,
     kAlways},
    {kRequestQueueTime, "vllm:request_queue_time_seconds", kHistogram, kVllm,
     "Histogram of time spent in WAITING phase for request.", kEngine, {}, kRequestLatency,
     kInV1, kAlways},
    {kRequestInferenceTime, "vllm:request_inference_time_seconds", kHistogram, kVllm,
     "Histogram of time spent in RUNNING phase for request.", kEngine, {}, kRequestLatency,
     kInV1, kAlways},
    {kRequestPrefillTime, "vllm:request_prefill_time_seconds", kHistogram, kVllm,
     "Histogram of time spent in PREFILL phase for request.", kEngine, {}, kRequestLatency,
     kInV1, kAlways},
    {kRequestDecodeTime, "vllm:request_decode_time_seconds", kHistogram, kVllm,
     "Histogram of time spent in DECODE phase for request.", kEngine, {}, kRequestLatency,
     kInV1, kAlways},
    {kRequestPrefillKvComputedTokens, "vllm:request_prefill_kv_computed_tokens", kHistogram,
     kVllm, "Histogram of new KV tokens computed during prefill (excluding cached tokens).",
     kEngine, {}, kTokens125, kInV1, kAlways},
    {kKvBlockLifetime, "vllm:kv_block_lifetime_seconds", kHistogram, kVllm,
     "Histogram of KV cache block lifetime from allocation to eviction. Sampled metrics "
     "(controlled by --kv-cache-metrics-sample).",
     kEngine, {}, kKvResidency, kInV1, kKvCacheMetrics},
    {kKvBlockIdleBeforeEvict, "vllm:kv_block_idle_before_evict_seconds", kHistogram, kVllm,
     "Histogram of idle time before KV cache block eviction. Sampled metrics (controlled by "
     "--kv-cache-metrics-sample).",
     kEngine, {}, kKvResidency, kInV1, kKvCacheMetrics},
    {kKvBlockReuseGap, "vllm:kv_block_reuse_gap_seconds", kHistogram, kVllm,
     "Histogram of time gaps between consecutive KV cache block accesses. Only the most recent "
     "accesses are recorded (ring buffer). Sampled metrics (controlled by "
     "--kv-cache-metrics-sample).",
     kEngine, {}, kKvResidency, kInV1, kKvCacheMetrics},
    {kLoraRequestsInfo, "vllm:lora_requests_info", kGauge, kVllm,
     "Running stats on lora requests.", kOwn,
     {"max_lora", "waiting_lora_adapters", "running_lora_adapters"}, kNone, kInV1, kLora},
    {kCacheConfigInfo, "vllm:cache_config_info", kGauge, kVllm,
     "Information of the LLMEngine CacheConfig", kCacheConfig, {}, kNone, kInV1, kAlways},

    // V0: vllm/engine/metrics.py (Metrics.__init__ order), labels model_name only.
    {kNumRequestsRunning, "vllm:num_requests_running", kGauge, kVllm,
     "Number of requests currently running on GPU.", kEngine, {}, kNone, kInV0, kAlways},
    {kNumRequestsWaiting, "vllm:num_requests_waiting", kGauge, kVllm,
     "Number of requests waiting to be processed.", kEngine, {}, kNone, kInV0, kAlways},
    {kLoraRequestsInfo, "vllm:lora_requests_info", kGauge, kVllm,
     "Running stats on lora requests.", kOwn,
     {"running_lora_adapters", "max_lora", "waiting_lora_adapters"}, kNone, kInV0, kAlways},
    {kNumRequestsSwappedV0, "vllm:num_requests_swapped", kGauge, kVllm,
     "Number of requests swapped to CPU.", kEngine, {}, kNone, kInV0, kAlways},
    {kGpuCacheUsage, "vllm:gpu_cache_usage_perc", kGauge, kVllm,
     "GPU KV-cache usage. 1 means 100 percent usage.", kEngine, {}, kNone, kInV0, kAlways},
    {kCpuCacheUsageV0, "vllm:cpu_cache_usage_perc", kGauge, kVllm,
     "CPU KV-cache usage. 1 means 100 percent usage.", kEngine, {}, kNone, kInV0, kAlways},
    {kCpuPrefixCacheHitRateV0, "vllm:cpu_prefix_cache_hit_rate", kGauge, kVllm,
     "CPU prefix cache block hit rate.", kEngine, {}, kNone, kInV0, kAlways},
    {kGpuPrefixCacheHitRateV0, "vllm:gpu_prefix_cache_hit_rate", kGauge, kVllm,
     "GPU prefix cache block hit rate.", kEngine, {}, kNone, kInV0, kAlways},
    {kNumPreemptions, "vllm:num_preemptions", kCounter, kVllm,
     "Cumulative number of preemption from the engine.", kEngine, {}, kNone, kInV0, kAlways},
    {kPromptTokens, "vllm:prompt_tokens", kCounter, kVllm, "Number of prefill tokens processed.",
     kEngine, {}, kNone, kInV0, kAlways},
    {kGenerationTokens, "vllm:generation_tokens", kCounter, kVllm,
     "Number of generation tokens processed.", kEngine, {}, kNone, kInV0, kAlways},
    {kTokensTotalV0, "vllm:tokens", kCounter, kVllm,
     "Number of prefill plus generation tokens processed.", kEngine, {}, kNone, kInV0, kNever},
    {kIterationTokens, "vllm:iteration_tokens_total", kHistogram, kVllm,
     "Histogram of number of tokens per engine_step.", kEngine, {}, kIterTokensV0, kInV0,
     kAlways},
    {kTimeToFirstToken, "vllm:time_to_first_token_seconds", kHistogram, kVllm,
     "Histogram of time to first token in seconds.", kEngine, {}, kTtftV0, kInV0, kAlways},
    {kTimePerOutputToken, "vllm:time_per_output_token_seconds", kHistogram, kVllm,
     "Histogram of time per output token in seconds.", kEngine, {}, kTpotV0, kInV0, kAlways},
    {kE2eRequestLatency, "vllm:e2e_request_latency_seconds", kHistogram, kVllm,
     "Histogram of end to end request latency in seconds.", kEngine, {}, kRequestLatencyV0,
     kInV0, kAlways},
    {kRequestQueueTime, "vllm:request_queue_time_seconds", kHistogram, kVllm,
     "Histogram of time spent in WAITING phase for request.", kEngine, {}, kRequestLatencyV0,
     kInV0, kAlways},
    {kRequestInferenceTime, "vllm:request_inference_time_seconds", kHistogram, kVllm,
     "Histogram of time spent in RUNNING phase for request.", kEngine, {}, kRequestLatencyV0,
     kInV0, kAlways},
    {kRequestPrefillTime, "vllm:request_prefill_time_seconds", kHistogram, kVllm,
     "Histogram of time spent in PREFILL phase for request.", kEngine, {}, kRequestLatencyV0,
     kInV0, kAlways},
    {kRequestDecodeTime, "vllm:request_decode_time_seconds", kHistogram, kVllm,
     "Histogram of time spent in DECODE phase for request.", kEngine, {}, kRequestLatencyV0,
     kInV0, kAlways},
    {kTimeInQueueRequestsV0, "vllm:time_in_queue_requests", kHistogram, kVllm,
     "Histogram of time the request spent in the queue in seconds.", kEngine, {},
     kRequestLatencyV0, kInV0, kAlways},
    {kModelForwardTimeV0, "vllm:model_forward_time_milliseconds", kHistogram, kVllm,
     "Histogram of time spent in the model forward pass in ms.", kEngine, {}, kModelTimeV0, kInV0,
     kNever},
    {kModelExecuteTimeV0, "vllm:model_execute_time_milliseconds", kHistogram, kVllm,
     "Histogram of time spent in the model execute function in ms.", kEngine, {}, kModelTimeV0,
     kInV0, kNever},
    {kRequestPromptTokens, "vllm:request_prompt_tokens", kHistogram, kVllm,
     "Number of prefill tokens processed.", kEngine, {}, kTokens125, kInV0, kAlways},
    {kRequestGenerationTokens, "vllm:request_generation_tokens", kHistogram, kVllm,
     "Number of generation tokens processed.", kEngine, {}, kTokens125, kInV0, kAlways},
    {kRequestMaxNumGenerationTokens, "vllm:request_max_num_generation_tokens", kHistogram, kVllm,
     "Histogram of maximum number of requested generation tokens.", kEngine, {}, kTokens125,
     kInV0, kAlways},
    {kRequestParamsN, "vllm:request_params_n", kHistogram, kVllm,
     "Histogram of the n request parameter.", kEngine, {}, kParamsN, kInV0, kAlways},
    {kRequestParamsMaxTokens, "vllm:request_params_max_tokens", kHistogram, kVllm,
     "Histogram of the max_tokens request parameter.", kEngine, {}, kTokens125, kInV0, kAlways},
    {kRequestSuccess, "vllm:request_success", kCounter, kVllm,
     "Count of successfully processed requests.", kEngine, {"finished_reason"}, kNone, kInV0,
     kAlways},
    {kSpecAcceptanceRateV0, "vllm:spec_decode_draft_acceptance_rate", kGauge, kVllm,
     "Speulative token acceptance rate.", kEngine, {}, kNone, kInV0, kSpecDecode},
    {kSpecEfficiencyV0, "vllm:spec_decode_efficiency", kGauge, kVllm,
     "Speculative decoding system efficiency.", kEngine, {}, kNone, kInV0, kSpecDecode},
    {kSpecNumAcceptedTokens, "vllm:spec_decode_num_accepted_tokens", kCounter, kVllm,
     "Number of accepted tokens.", kEngine, {}, kNone, kInV0, kSpecDecode},
    {kSpecNumDraftTokens, "vllm:spec_decode_num_draft_tokens", kCounter, kVllm,
     "Number of draft tokens.", kEngine, {}, kNone, kInV0, kSpecDecode},
    {kSpecNumEmittedTokensV0, "vllm:spec_decode_num_emitted_tokens", kCounter, kVllm,
     "Number of emitted tokens.", kEngine, {}, kNone, kInV0, kSpecDecode},
    {kCacheConfigInfo, "vllm:cache_config_info", kGauge, kVllm,
     "Information of the LLMEngine CacheConfig", kCacheConfig, {}, kNone, kInV0, kAlways},

    // prometheus-fastapi-instrumentator 7.1.0 metrics.default(), registered by build_app().
    {kHttpRequests, "http_requests", kCounter, kHttp,
     "Total number of requests by method, status and handler.", kOwn,
     {"method", "status", "handler"}, kNone, kInAll, kAlways},
    {kHttpRequestSize, "http_request_size_bytes", kSummary, kHttp,
     "Content length of incoming requests by handler. Only value of header is respected. "
     "Otherwise ignored. No percentile calculated. ",
     kOwn, {"handler"}, kNone, kInAll, kAlways},
    {kHttpResponseSize, "http_response_size_bytes", kSummary, kHttp,
     "Content length of outgoing responses by handler. Only value of header is respected. "
     "Otherwise ignored. No percentile calculated. ",
     kOwn, {"handler"}, kNone, kInAll, kAlways},
    {kHttpDurationHighr, "http_request_duration_highr_seconds", kHistogram, kHttp,
     "Latency with many buckets but no API specific labels. Made for more accurate percentile "
     "calculations. ",
     kOwn, {}, kHttpHighr, kInAll, kAlways},
    {kHttpDuration, "http_request_duration_seconds", kHistogram, kHttp,
     "Latency with only few buckets by handler. Made to be only used if aggregation by handler "
     "is important. ",
     kOwn, {"method", "handler"}, kHttpLowr, kInAll, kAlways},
};
// clang-format on

void AppendBuckets(std::vector<double>* out, std::initializer_list<int> mantissas,
                   double max_value) {
  for (double scale = 1;; scale *= 10) {
    for (int m : mantissas) {
      double v = m * scale;
      if (v > max_value) return;
      out->push_back(v);
    }
  }
}

}  // namespace

std::span<const FamilySpec> AllFamilies() { return kFamilies; }

std::vector<double> BucketBounds(BucketKey key, int max_model_len) {
  switch (key) {
    case kNone:
      return {};
    case kTtft:
      return {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,  0.25,  0.5,   0.75,
              1.0,   2.5,   5.0,  7.5,  10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    case kItl:
      return {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2,  0.3,  0.4, 0.5,
              0.75, 1.0,   2.5,  5.0,   7.5, 10.0, 20.0, 40.0, 80.0};
    case kRequestLatency:
      return {0.3,  0.5,  0.8,  1.0,  1.5,   2.0,   2.5,   5.0,   10.0,   15.0,  20.0,
              30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
    case kIterTokens:
      return {1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
    case kParamsN:
      return {1, 2, 5, 10, 20};
    case kTokens125: {
      std::vector<double> out;
      AppendBuckets(&out, {1, 2, 5}, max_model_len);
      return out;
    }
    case kKvResidency:
      return {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,  1,   2,
              5,     10,    20,    30,   60,   120,  300, 600, 1200, 1800};
    case kTtftV0:
      return {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,
              0.25,  0.5,   0.75, 1.0,  2.5,  5.0,  7.5,  10.0};
    case kTpotV0:
      return {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5};
    case kRequestLatencyV0:
      return {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0};
    case kIterTokensV0:
      return {1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8096};
    case kModelTimeV0: {
      std::vector<double> out;
      AppendBuckets(&out, {1, 2, 3, 5, 8}, 3000);
      return out;
    }
    case kHttpHighr:
      return {0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1,  1.5, 2,
              2.5,  3,     3.5,  4,     4.5, 5,    7.5, 10,   30, 60};
    case kHttpLowr:
      return {0.1, 0.5, 1};
  }
  return {};
}

std::string_view FamilyTypeName(FamilyType t) {
  switch (t) {
    case kCounter:
      return "counter";
    case kGauge:
      return "gauge";
    case kHistogram:
      return "histogram";
    case kSummary:
      return "summary";
  }
  return "untyped";
}

std::string ExposedName(const FamilySpec& spec) {
  std::string name(spec.name);
  if (spec.type == kCounter) name += "_total";
  return name;
}

std::vector<std::pair<std::string, std::string>> CacheConfigLabels(const EngineConfig& config,
                                                                   int engine, bool v0) {
  auto py_bool = [](bool b) { return std::string(b ? "True" : "False"); };
  std::string util;  // str(float), e.g. "0.9"
  AppendPythonFloatRepr(&util, config.gpu_memory_utilization);
  std::string block = std::to_string(config.block_size);
  std::string gpu_blocks = std::to_string(config.num_gpu_blocks);
  if (v0) {
    // CacheConfig of the V0 engine (early 2025): num_cpu_blocks is the 4 GiB default swap
    // space divided by the block size in bytes.
    constexpr long long kV0KvBytesPerToken = 36864;  // a 125M-parameter model in fp16
    return {{"block_size", block},
            {"gpu_memory_utilization", util},
            {"swap_space_bytes", "4294967296"},
            {"num_gpu_blocks_override", "None"},
            {"cache_dtype", "auto"},
            {"is_attention_free", "False"},
            {"sliding_window", "None"},
            {"enable_prefix_caching", py_bool(config.enable_prefix_caching)},
            {"cpu_offload_gb", "0"},
            {"calculate_kv_scales", "False"},
            {"num_gpu_blocks", gpu_blocks},
            {"num_cpu_blocks",
             std::to_string(4294967296LL / (config.block_size * kV0KvBytesPerToken))}};
  }
  // CacheConfig.__dict__ at the reference baseline, str() of each attribute.
  return {{"block_size", block},
          {"user_specified_block_size", "False"},
          {"user_specified_mamba_block_size", "False"},
          {"hash_block_size", block},
          {"gpu_memory_utilization", util},
          {"cache_dtype", "auto"},
          {"is_attention_free", "False"},
          {"num_gpu_blocks_override", "None"},
          {"sliding_window", "None"},
          {"enable_prefix_caching", py_bool(config.enable_prefix_caching)},
          {"prefix_caching_hash_algo", "sha256"},
          {"calculate_kv_scales", "False"},
          {"kv_cache_dtype_skip_layers", "[]"},
          {"mamba_page_size_padded", "None"},
          {"mamba_block_size", "None"},
          {"mamba_cache_dtype", "auto"},
          {"mamba_ssm_cache_dtype", "auto"},
          {"mamba_cache_mode", "none"},
          {"num_gpu_blocks", gpu_blocks},
          {"num_cpu_blocks", "None"},
          {"kv_sharing_fast_prefill", "False"},
          {"kv_cache_memory_bytes", "None"},
          {"kv_offloading_size", "None"},
          {"kv_offloading_backend", "None"},
          {"_block_size_resolved", "True"},
          {"engine", std::to_string(engine)}};
}

}  // namespace infermetry::emulator
