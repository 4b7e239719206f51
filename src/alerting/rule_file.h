#pragma once
// Rule files in Prometheus's format (what `promtool check rules` accepts), plus `sql:` rules:
//
//   groups:
//     - name: vllm
//       interval: 15s                 # optional; the manager's default otherwise
//       limit: 0                      # optional: max alerts / series per rule
//       rules:
//         - alert: VllmKvCacheSaturated
//           expr: avg by (model_name, instance) (vllm:kv_cache_usage_perc) > 0.9
//           for: 5m
//           keep_firing_for: 0s
//           labels: {severity: warning}
//           annotations: {summary: "KV cache at {{ $value | humanizePercentage }}"}
//         - record: job:vllm_generation_tokens:rate5m
//           expr: sum by (job) (rate(vllm:generation_tokens_total[5m]))
//         - alert: HighP99Latency
//           sql: SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY value) FROM vLLMmetrics ...
//
// Checked when loaded: unknown keys, exactly one of alert/record, exactly one of expr/sql, a
// PromQL expression that parses, SQL that parses, valid record and label names, no `for` or
// annotations on recording rules, durations, unique group names per file, templates that parse.
// Errors are "file:line:col: what" (kInvalidArgument).

#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert.h"
#include "common/result.h"

namespace infermetry::alerting {

Result<std::vector<GroupSpec>> ParseRuleFile(std::string_view yaml, const std::string& name);
Result<std::vector<GroupSpec>> LoadRuleFile(const std::string& path);

}  // namespace infermetry::alerting
