#include "cmd/alerting_config.h"

#include <filesystem>

#include "alerting/rule_file.h"
#include "common/duration.h"

namespace infermetry::cmd {
namespace {

Status DecodeVllm(const config::Document& doc, const YAML::Node& node, AlertingOptions* out) {
  if (node.IsScalar()) {
    const std::string v = node.Scalar();
    if (v == "true" || v == "false") {
      out->vllm_rules = v == "true";
      return Status::Ok();
    }
    return doc.ErrorAt(node, "alerting.vllm_rules: want true, false or a mapping of thresholds");
  }
  config::MapReader r(doc, node, "alerting.vllm_rules");
  INFERMETRY_RETURN_IF_ERROR(r.status());
  alerting::VllmThresholds& t = out->vllm;
  INFERMETRY_RETURN_IF_ERROR(r.Bool("enabled", &out->vllm_rules));
  struct {
    const char* key;
    double* dest;
  } numbers[] = {{"p99_latency_seconds", &t.p99_latency_seconds},
                 {"ttft_p95_seconds", &t.ttft_p95_seconds},
                 {"kv_cache_usage", &t.kv_cache_usage},
                 {"queue_waiting", &t.queue_waiting},
                 {"preemptions_per_second", &t.preemptions_per_second},
                 {"prefix_hit_rate_drop", &t.prefix_hit_rate_drop}};
  for (auto& n : numbers) INFERMETRY_RETURN_IF_ERROR(r.Double(n.key, n.dest));
  struct {
    const char* key;
    std::string* dest;
  } durations[] = {{"latency_for", &t.latency_for},
                   {"saturation_for", &t.saturation_for},
                   {"target_down_for", &t.target_down_for},
                   {"interval", &t.interval}};
  for (auto& d : durations) {
    INFERMETRY_RETURN_IF_ERROR(r.String(d.key, d.dest));
    auto parsed = ParseDuration(*d.dest);
    if (!parsed.ok()) {
      return doc.ErrorAt(r.Child(d.key), std::string("alerting.vllm_rules.") + d.key + ": " +
                                             parsed.status().message());
    }
  }
  return r.Finish();
}

}  // namespace

Result<AlertingOptions> DecodeAlertingOptions(const config::Document& doc, const YAML::Node* node) {
  AlertingOptions out;
  if (node == nullptr) return out;
  config::MapReader r(doc, *node, "alerting");
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(r.Duration("evaluation_interval", &out.evaluation_interval));
  INFERMETRY_RETURN_IF_ERROR(r.Duration("resend_delay", &out.resend_delay));
  INFERMETRY_RETURN_IF_ERROR(r.StringList("rule_files", &out.rule_files));
  INFERMETRY_RETURN_IF_ERROR(r.StringList("alertmanagers", &out.alertmanagers));
  INFERMETRY_RETURN_IF_ERROR(r.StringList("webhooks", &out.webhooks));
  INFERMETRY_RETURN_IF_ERROR(r.String("external_url", &out.external_url));
  INFERMETRY_RETURN_IF_ERROR(r.StringMap("external_labels", &out.external_labels));
  if (r.Has("vllm_rules")) {
    YAML::Node v = r.Child("vllm_rules");
    INFERMETRY_RETURN_IF_ERROR(DecodeVllm(doc, v, &out));
  }
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  if (out.evaluation_interval.count() <= 0) {
    return doc.ErrorAt(r.Child("evaluation_interval"), "alerting.evaluation_interval: must be positive");
  }
  if (out.resend_delay.count() <= 0) {
    return doc.ErrorAt(r.Child("resend_delay"), "alerting.resend_delay: must be positive");
  }
  const std::filesystem::path base = std::filesystem::path(doc.name()).parent_path();
  for (std::string& f : out.rule_files) {
    if (!f.empty() && f[0] != '/') f = (base / f).lexically_normal().string();
  }
  return out;
}

Result<std::vector<alerting::GroupSpec>> LoadAlertingGroups(const AlertingOptions& o) {
  std::vector<alerting::GroupSpec> groups;
  if (o.vllm_rules) {
    INFERMETRY_ASSIGN_OR_RETURN(groups, alerting::VllmRuleGroups(o.vllm));
  }
  for (const std::string& f : o.rule_files) {
    INFERMETRY_ASSIGN_OR_RETURN(auto more, alerting::LoadRuleFile(f));
    for (auto& g : more) groups.push_back(std::move(g));
  }
  return groups;
}

}  // namespace infermetry::cmd
