#pragma once
// The `alerting:` section of a serve configuration (docs/alerting.md):
//
//   alerting:
//     evaluation_interval: 15s        # groups without their own interval
//     resend_delay: 1m                # firing alerts are re-sent this often
//     vllm_rules: true                # the built-in vLLM pack; or a mapping of thresholds:
//     #  vllm_rules: {enabled: true, p99_latency_seconds: 10, ttft_p95_seconds: 5,
//     #               kv_cache_usage: 0.9, queue_waiting: 50, preemptions_per_second: 0,
//     #               prefix_hit_rate_drop: 0.5, latency_for: 2m, saturation_for: 5m,
//     #               target_down_for: 1m, interval: 15s}
//     rule_files: [rules/my-rules.yml]   # Prometheus rule files (relative to the config file)
//     alertmanagers: [http://127.0.0.1:9093]
//     webhooks: [http://127.0.0.1:8080/hook]
//     external_url: http://infermetry.example:9400
//     external_labels: {cluster: prod}
//
// Absent: the vLLM pack on, nothing delivered (alerts are still listed by the API, written as
// ALERTS series and kept in the `alerts` stream).

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "alerting/alert.h"
#include "alerting/vllm_rules.h"
#include "common/result.h"
#include "config/yaml.h"

namespace infermetry::cmd {

struct AlertingOptions {
  bool vllm_rules = true;
  alerting::VllmThresholds vllm;
  std::vector<std::string> rule_files;  // as resolved against the config file's directory
  std::chrono::milliseconds evaluation_interval{15000};
  std::chrono::milliseconds resend_delay{60000};
  std::vector<std::string> alertmanagers;
  std::vector<std::string> webhooks;
  std::string external_url;
  std::map<std::string, std::string> external_labels;
};

// `node` may be null (defaults). Errors name file:line:column.
Result<AlertingOptions> DecodeAlertingOptions(const config::Document& doc, const YAML::Node* node);

// The vLLM pack (when on) followed by the groups of every rule file.
Result<std::vector<alerting::GroupSpec>> LoadAlertingGroups(const AlertingOptions& o);

}  // namespace infermetry::cmd
