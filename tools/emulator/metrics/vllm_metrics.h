#pragma once
// vLLM's /metrics, reproduced: the families, HELP texts, label names and order, histogram
// bucket boundaries, `_created` gauges, number formatting and family order of a vLLM API
// server's Prometheus exposition (prometheus_client's text format), updated from the engine's
// stats exactly as vLLM's PrometheusStatLogger updates them.
//
//   VllmMetrics m(options);                       // every per-engine series exists from here
//   m.Record(0, result.scheduler, &result.iteration);
//   m.RecordHttp("/v1/completions", "POST", 200, req_bytes, resp_bytes, seconds);
//   std::string body = m.Render(now);             // serve with m.content_type()
//
// Layouts:
// - kCurrent: vLLM V1 at the reference baseline, single API server: python/process collectors
//   first, then vllm:* in registration order, vllm:cache_config_info, then http_*; `_created`
//   gauge families after each counter, histogram and summary.
// - kLegacyV1Names: the same, plus the names vLLM renamed (gpu_cache_usage_perc,
//   gpu_prefix_cache_queries/hits, time_per_output_token_seconds) as they were exposed in
//   0.9-0.10: next to their successors, each old HELP ending in its DEPRECATED note.
// - kV0Multiprocess: the V0 engine's set (labels model_name only, the pre-2025-04 buckets) in
//   multiprocess mode. V0 created a series on its first update, so before the first Record()
//   only vllm:cache_config_info and http_request_duration_highr_seconds are present; series
//   of histograms appear with their first observation, request_success per finish reason seen.
// Multiprocess mode (kV0Multiprocess, or VllmMetricsOptions::multiprocess for V1 with several
// API servers): no python/process families, no `_created`, families grouped by the client's
// files (counters, histograms, summaries, gauges) in series creation order, families without
// series absent, histogram samples `_sum` of every series first, then buckets and `_count`.
//
// Series of families with extra labels are created value-major (request_success: stop of
// engine 0, stop of engine 1, length of engine 0, ...) as vLLM's loops create them; the
// spec-decode per-position counters engine-major.
//
// Updates (Record), as PrometheusStatLogger.record:
// - from SchedulerStats: num_requests_running, num_requests_waiting (num_waiting_reqs),
//   num_requests_waiting_by_reason, kv_cache_usage_perc, prefix_cache_queries/hits (+= the
//   step's increments);
// - from IterationStats: num_preemptions, prompt_tokens, prompt_tokens_by_source
//   (local_compute, local_cache_hit; external_kv_transfer stays 0), prompt_tokens_cached
//   (+= local_cache_hit), generation_tokens, iteration_tokens_total (one observation of
//   prompt + generation tokens per call), time_to_first_token_seconds and
//   inter_token_latency_seconds (one observation per list entry), and per finished request:
//   request_success{finished_reason}, request_prompt_tokens, request_generation_tokens,
//   request_max_num_generation_tokens (its generation tokens), request_params_n,
//   request_params_max_tokens (only when max_tokens_param > 0), e2e, queue, inference,
//   prefill, decode times, request_time_per_output_token_seconds and
//   request_prefill_kv_computed_tokens (prompt - cached tokens).
// - Families without an input here stay at their initial values: the MFU counters
//   (estimated_*_per_gpu_total), external_prefix_cache_*, mm_cache_*, the optional spec-decode,
//   corrupted_requests and kv_block_* families; engine_sleep_state stays awake=1.
// - vllm:lora_requests_info (max_loras > 0) is set to the step's iteration_timestamp on every
//   Record() with IterationStats, with label max_lora and empty adapter lists.
// A finish reason outside kFinishReasons and an engine index outside [0, engines.size()) are
// ignored (vLLM would fail on them).
//
// `_created` values: series created at construction get start_time (plus a microsecond per
// series, in creation order, as successive time.time() calls do); series created later (http_*
// on first request, lora, V0 series) get the latest time the object has seen (start_time, an
// iteration_timestamp, or a Render() time).
//
// Thread-safety: all methods may be called concurrently (one internal mutex).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/engine/engine_config.h"
#include "emulator/engine/stats.h"

namespace infermetry::emulator {

enum class MetricsLayout { kCurrent, kLegacyV1Names, kV0Multiprocess };

struct VllmMetricsOptions {
  std::vector<EngineConfig> engines;  // one per engine label "0", "1", ...; model from [0]
  MetricsLayout layout = MetricsLayout::kCurrent;
  // V1 behind several API servers (--api-server-count > 1, or data parallelism, which defaults
  // to one API server per rank): prometheus_client's multiprocess mode. Implied by
  // kV0Multiprocess.
  bool multiprocess = false;
  bool created_series = true;  // false = PROMETHEUS_DISABLE_CREATED_SERIES
  double start_time = 0;       // Unix seconds: `_created` values (and process_start_time_seconds
                               // when !read_proc_self); 0 = the wall clock at construction
  // prometheus_client >= 0.23 says version=1.0.0 in the content type; older say 0.0.4.
  bool content_type_v1 = false;
  // process_* from /proc/self (this process's real figures); false = modelled figures
  // derived from start_time and Render()'s `now` (deterministic output).
  bool read_proc_self = true;
  // Optional families (registered only when enabled; their values stay at zero).
  int num_speculative_tokens = 0;       // > 0: vllm:spec_decode_* (positions 0..n-1)
  bool compute_nans_in_logits = false;  // VLLM_COMPUTE_NANS_IN_LOGITS=1: corrupted_requests
  bool kv_cache_metrics = false;        // --kv-cache-metrics: vllm:kv_block_* histograms
  int max_loras = 0;                    // > 0 (--enable-lora): vllm:lora_requests_info
};

class VllmMetrics {
 public:
  // REQUIRES: !options.engines.empty().
  explicit VllmMetrics(VllmMetricsOptions options);
  ~VllmMetrics();
  VllmMetrics(const VllmMetrics&) = delete;
  VllmMetrics& operator=(const VllmMetrics&) = delete;

  // Applies one step's stats of engine `engine` (gauges from `scheduler`, counters and
  // histograms from `iteration`, which may be null for a gauge-only update). Allocation-free
  // once every series exists.
  void Record(int engine, const SchedulerStats& scheduler, const IterationStats* iteration);
  // One HTTP request handled by the API server (the instrumentator's http_* families).
  // `handler` is the matched route template ("/v1/chat/completions"), or "none" for a path no
  // route matched. Handlers containing one of vLLM's excluded patterns (/metrics, /health,
  // /load, /ping, /version, /server_info; matched anywhere, as re.search does) are ignored.
  // `status` is grouped ("2xx"); sizes are the Content-Length headers (0 when absent, as for
  // streamed responses).
  void RecordHttp(std::string_view handler, std::string_view method, int status,
                  int64_t request_bytes, int64_t response_bytes, double seconds);

  // The exposition text at wall time `now` (process_* values derive from it).
  std::string Render(double now) const;
  std::string_view content_type() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// prometheus_client's floatToGoString: "+Inf", "-Inf", "NaN", Python repr otherwise, with a
// Go-style exponent when the integer part has 7 or more digits (8128902.0 -> "8.128902e+06").
std::string GoFloat(double v);

}  // namespace infermetry::emulator
