#pragma once
// The built-in vLLM rule pack (on by default in serve and demo): the guides' alerts as
// Prometheus alerting rules, with configurable thresholds. Selectors match vLLM's current
// names, their underscore spelling (after a colon-to-underscore proxy) and the pre-0.10 names
// (gpu_cache_usage_perc, gpu_prefix_cache_*), so the pack works on any of those layouts.
//
//   VllmHighP99Latency        p99 e2e latency over 5m above p99_latency_seconds (critical)
//   VllmHighTimeToFirstToken  p95 TTFT over 5m above ttft_p95_seconds (critical)
//   VllmKvCacheSaturated      KV-cache usage averaged over 5m above kv_cache_usage
//   VllmQueueDepthHigh        waiting requests averaged over 5m above queue_waiting
//   VllmCapacityExhausted     KV-cache usage above kv_cache_usage while requests wait
//   VllmPreemptionsRising     preemptions per second over 5m above preemptions_per_second
//   VllmPrefixCacheHitRateCollapsed  5m hit rate below (1 - prefix_hit_rate_drop) of the
//                                    1h hit rate, when the 1h rate was at least 20%
//   VllmTargetDown            a scrape target whose job names vLLM is down
//
// rules/vllm-alerts.yml in the repository is VllmRulePack({}) (a test keeps them equal), so
// `promtool check rules rules/vllm-alerts.yml` checks the shipped pack.

#include <string>
#include <vector>

#include "alerting/alert.h"
#include "common/result.h"

namespace infermetry::alerting {

struct VllmThresholds {
  double p99_latency_seconds = 10;
  double ttft_p95_seconds = 5;
  double kv_cache_usage = 0.9;
  double queue_waiting = 50;
  double preemptions_per_second = 0;
  double prefix_hit_rate_drop = 0.5;
  std::string latency_for = "2m";
  std::string saturation_for = "5m";
  std::string target_down_for = "1m";
  std::string interval = "15s";
};

// The pack as a rule file.
std::string VllmRulePack(const VllmThresholds& t);
// The same, parsed (file name "<vllm-rules>").
Result<std::vector<GroupSpec>> VllmRuleGroups(const VllmThresholds& t);

}  // namespace infermetry::alerting
