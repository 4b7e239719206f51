#include "alerting/vllm_rules.h"

#include "alerting/rule_file.h"
#include "common/strconv.h"

namespace infermetry::alerting {
namespace {

constexpr char kKv[] = R"({__name__=~"vllm[:_](kv|gpu)_cache_usage_perc"})";
constexpr char kWaiting[] = R"({__name__=~"vllm[:_]num_requests_waiting"})";

struct Rule {
  const char* name;
  std::string expr;
  std::string for_;
  const char* severity;
  std::string summary;
  std::string description;
};

void Append(std::string* out, const Rule& r) {
  *out += "      - alert: " + std::string(r.name) + "\n";
  *out += "        expr: >-\n          " + r.expr + "\n";
  *out += "        for: " + r.for_ + "\n";
  *out += "        labels:\n          severity: " + std::string(r.severity) + "\n";
  *out += "        annotations:\n";
  *out += "          summary: '" + r.summary + "'\n";
  *out += "          description: '" + r.description + "'\n";
}

}  // namespace

std::string VllmRulePack(const VllmThresholds& t) {
  const std::string kv = std::string("avg by (model_name, instance, engine) (avg_over_time(") + kKv + "[5m]))";
  const std::string waiting =
      std::string("avg by (model_name, instance, engine) (avg_over_time(") + kWaiting + "[5m]))";
  auto quantile = [](const char* q, const char* metric) {
    return std::string("histogram_quantile(") + q +
           ", sum by (le, model_name, instance) (rate({__name__=~\"vllm[:_]" + metric +
           "_bucket\"}[5m])))";
  };
  auto prefix_rate = [](const char* w) {
    return std::string("sum by (model_name, instance) (rate({__name__=~\"vllm[:_](gpu_)?prefix_cache_hits_total\"}[") +
           w + "]))\n          / sum by (model_name, instance) (rate({__name__=~\"vllm[:_](gpu_)?prefix_cache_queries_total\"}[" +
           w + "]))";
  };
  const std::vector<Rule> rules = {
      {"VllmHighP99Latency", quantile("0.99", "e2e_request_latency_seconds") + " > " + FormatGoFloat(t.p99_latency_seconds),
       t.latency_for, "critical", "vLLM p99 end-to-end latency above " + FormatGoFloat(t.p99_latency_seconds) + "s",
       "p99 e2e latency of {{ $labels.model_name }} on {{ $labels.instance }} is {{ humanizeDuration $value }} over the last 5 minutes."},
      {"VllmHighTimeToFirstToken", quantile("0.95", "time_to_first_token_seconds") + " > " + FormatGoFloat(t.ttft_p95_seconds),
       t.latency_for, "critical", "vLLM p95 time to first token above " + FormatGoFloat(t.ttft_p95_seconds) + "s",
       "p95 TTFT of {{ $labels.model_name }} on {{ $labels.instance }} is {{ humanizeDuration $value }} over the last 5 minutes."},
      {"VllmKvCacheSaturated", kv + " > " + FormatGoFloat(t.kv_cache_usage), t.saturation_for, "warning",
       "vLLM KV cache above " + FormatGoFloat(t.kv_cache_usage * 100) + "%",
       "KV-cache usage of {{ $labels.model_name }} on {{ $labels.instance }} (engine {{ $labels.engine }}) averages {{ $value | humanizePercentage }} over 5 minutes."},
      {"VllmQueueDepthHigh", waiting + " > " + FormatGoFloat(t.queue_waiting), t.saturation_for, "warning",
       "vLLM queue above " + FormatGoFloat(t.queue_waiting) + " waiting requests",
       "{{ $value | humanize }} requests wait on average for {{ $labels.model_name }} on {{ $labels.instance }} (engine {{ $labels.engine }})."},
      {"VllmCapacityExhausted",
       kv + " > " + FormatGoFloat(t.kv_cache_usage) + "\n          and on (model_name, instance, engine) " + waiting + " > 0",
       t.saturation_for, "warning", "vLLM out of KV-cache capacity with requests waiting",
       "KV-cache usage of {{ $labels.model_name }} on {{ $labels.instance }} (engine {{ $labels.engine }}) is {{ $value | humanizePercentage }} while requests wait: add GPU memory or replicas."},
      {"VllmPreemptionsRising",
       "sum by (model_name, instance, engine) (rate({__name__=~\"vllm[:_]num_preemptions_total\"}[5m])) > " +
           FormatGoFloat(t.preemptions_per_second),
       t.saturation_for, "warning", "vLLM preempting requests",
       "{{ $labels.model_name }} on {{ $labels.instance }} preempts {{ $value | humanize }} requests/s: the KV cache is too small for the batch."},
      {"VllmPrefixCacheHitRateCollapsed",
       "(" + prefix_rate("5m") + ")\n          < " + FormatGoFloat(1 - t.prefix_hit_rate_drop) + " * (" + prefix_rate("1h") +
           ")\n          and (" + prefix_rate("1h") + ") >= 0.2",
       t.saturation_for, "warning", "vLLM prefix-cache hit rate collapsed",
       "Prefix-cache hit rate of {{ $labels.model_name }} on {{ $labels.instance }} fell to {{ $value | humanizePercentage }}."},
      {"VllmTargetDown", "up{job=~\".*vllm.*\"} == 0", t.target_down_for, "critical", "vLLM target down",
       "{{ $labels.job }} target {{ $labels.instance }} has not answered its scrapes."},
  };
  std::string out = "# infermetry's built-in vLLM alerts (Prometheus rule format).\ngroups:\n  - name: vllm\n    interval: " +
                    t.interval + "\n    rules:\n";
  for (const Rule& r : rules) Append(&out, r);
  return out;
}

Result<std::vector<GroupSpec>> VllmRuleGroups(const VllmThresholds& t) {
  return ParseRuleFile(VllmRulePack(t), "<vllm-rules>");
}

}  // namespace infermetry::alerting
