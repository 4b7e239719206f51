#pragma once
// Every metric family the emulated vLLM API server can expose, listed once: name, type,
// HELP text (verbatim, including vLLM's typos and trailing spaces), label names, bucket
// boundaries, the layouts it belongs to and the condition under which it is registered.
// The table is in registration order, which is the family order of single-process output:
// python/process collectors, then vllm:* as PrometheusStatLogger.__init__ registers them
// (vllm:cache_config_info last), then the instrumentator's http_* families. V0 rows (the
// engine of vllm/engine/metrics.py before its removal) follow their own registration order.
//
// Thread-safety: immutable data; safe from any thread.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/engine/engine_config.h"

namespace infermetry::emulator {

enum class FamilyType : uint8_t { kCounter, kGauge, kHistogram, kSummary };

// Who registers the family: prometheus_client's own collectors (no `_created`, absent in
// multiprocess mode), vLLM's stat logger, or prometheus-fastapi-instrumentator.
enum class FamilySource : uint8_t { kCollector, kVllm, kHttp };

// How a family's label names are made up.
enum class LabelScheme : uint8_t {
  kOwn,          // exactly `labels` (collectors, http_*, lora_requests_info)
  kEngine,       // V1: engine, model_name (+ labels[0] if set); V0: model_name (+ labels[0])
  kCacheConfig,  // the CacheConfig attributes (+ engine in V1); see CacheConfigLabels()
};

enum class BucketKey : uint8_t {
  kNone,
  kTtft,              // time_to_first_token_seconds
  kItl,               // inter_token_latency_seconds, request_time_per_output_token_seconds
  kRequestLatency,    // e2e, queue, inference, prefill, decode
  kIterTokens,        // iteration_tokens_total
  kParamsN,           // request_params_n
  kTokens125,         // build_1_2_5_buckets(max_model_len)
  kKvResidency,       // kv_block_*
  kTtftV0,            // V0 (before vLLM #15202): TTFT up to 10.0
  kTpotV0,            //                          TPOT up to 2.5
  kRequestLatencyV0,  //                          request latency up to 60.0
  kIterTokensV0,      // V0: 1, 8, ..., 4096, 8096
  kModelTimeV0,       // V0: build_1_2_3_5_8_buckets(3000)
  kHttpHighr,         // http_request_duration_highr_seconds
  kHttpLowr,          // http_request_duration_seconds
};

// Layout membership bits.
inline constexpr uint8_t kInCurrent = 1;  // MetricsLayout::kCurrent
inline constexpr uint8_t kInLegacy = 2;   // MetricsLayout::kLegacyV1Names
inline constexpr uint8_t kInV0 = 4;       // MetricsLayout::kV0Multiprocess
inline constexpr uint8_t kInV1 = kInCurrent | kInLegacy;
inline constexpr uint8_t kInAll = kInV1 | kInV0;

// When a family is registered (and, for V0, whether the emulator ever gives it a series).
enum class Condition : uint8_t {
  kAlways,
  kSpecDecode,      // speculative decoding configured (num_speculative_tokens > 0)
  kNansInLogits,    // VLLM_COMPUTE_NANS_IN_LOGITS=1
  kKvCacheMetrics,  // --kv-cache-metrics
  kLora,            // --enable-lora
  kNever,           // registered but never given a series by the emulated engine (V0's
                    // tokens_total, which vLLM never incremented, and the forward/execute
                    // times that need --collect-detailed-traces)
};

// Semantic identity of a family, shared by the V1 and V0 rows that the same engine statistic
// updates (at most one row per id in any layout).
// clang-format off
enum class FamilyId : uint8_t {
  kPythonGcCollected, kPythonGcUncollectable, kPythonGcCollections, kPythonInfo,
  kProcessVirtualMemory, kProcessResidentMemory, kProcessStartTime, kProcessCpuSeconds,
  kProcessOpenFds, kProcessMaxFds,
  kSpecNumDrafts, kSpecNumDraftTokens, kSpecNumAcceptedTokens, kSpecAcceptedPerPos,
  kSpecAcceptanceRateV0, kSpecEfficiencyV0, kSpecNumEmittedTokensV0,
  kEstimatedFlops, kEstimatedReadBytes, kEstimatedWriteBytes,
  kNumRequestsRunning, kNumRequestsWaiting, kNumRequestsWaitingByReason, kEngineSleepState,
  kNumRequestsSwappedV0, kCpuCacheUsageV0, kCpuPrefixCacheHitRateV0, kGpuPrefixCacheHitRateV0,
  kGpuCacheUsage, kGpuPrefixCacheQueries, kGpuPrefixCacheHits,
  kKvCacheUsage, kCorruptedRequests, kPrefixCacheQueries, kPrefixCacheHits,
  kExternalPrefixCacheQueries, kExternalPrefixCacheHits, kMmCacheQueries, kMmCacheHits,
  kNumPreemptions, kPromptTokens, kPromptTokensBySource, kPromptTokensCached,
  kGenerationTokens, kTokensTotalV0, kRequestSuccess,
  kRequestPromptTokens, kRequestGenerationTokens, kIterationTokens,
  kRequestMaxNumGenerationTokens, kRequestParamsN, kRequestParamsMaxTokens,
  kTimeToFirstToken, kTimePerOutputToken, kInterTokenLatency, kRequestTimePerOutputToken,
  kE2eRequestLatency, kRequestQueueTime, kRequestInferenceTime, kRequestPrefillTime,
  kRequestDecodeTime, kTimeInQueueRequestsV0, kModelForwardTimeV0, kModelExecuteTimeV0,
  kRequestPrefillKvComputedTokens,
  kKvBlockLifetime, kKvBlockIdleBeforeEvict, kKvBlockReuseGap,
  kLoraRequestsInfo, kCacheConfigInfo,
  kHttpRequests, kHttpRequestSize, kHttpResponseSize, kHttpDurationHighr, kHttpDuration,
  kCount  // number of ids
};
// clang-format on

struct FamilySpec {
  FamilyId id;
  // As registered with prometheus_client; counters without their "_total" (the exposition
  // adds it back: vllm:prompt_tokens -> vllm:prompt_tokens_total / vllm:prompt_tokens_created).
  std::string_view name;
  FamilyType type;
  FamilySource source;
  std::string_view help;
  LabelScheme scheme;
  std::array<std::string_view, 5> labels;  // kOwn: all names; kEngine: the one extra name
  BucketKey buckets;
  uint8_t layouts;
  Condition condition;
};

// All rows, in registration order (V1 and legacy rows first, then V0 rows, then http_*;
// collectors at the start).
std::span<const FamilySpec> AllFamilies();

// The finite bucket bounds of `key` (prometheus_client appends +Inf). kTokens125 depends on
// `max_model_len`: mantissas 1, 2, 5 times powers of ten while <= max_model_len.
std::vector<double> BucketBounds(BucketKey key, int max_model_len);

// "counter", "gauge", "histogram", "summary".
std::string_view FamilyTypeName(FamilyType t);

// The name that appears on the family's "# TYPE" line: counters end in "_total".
std::string ExposedName(const FamilySpec& spec);

// vllm:cache_config_info's labels for one engine, as str() of each CacheConfig attribute:
// V1 (baseline vLLM) attributes plus engine="<index>", or V0's attributes (no engine label).
std::vector<std::pair<std::string, std::string>> CacheConfigLabels(const EngineConfig& config,
                                                                   int engine, bool v0);

}  // namespace infermetry::emulator
