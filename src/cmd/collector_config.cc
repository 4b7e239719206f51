#include "cmd/collector_config.h"

#include "config/collector_yaml.h"

namespace infermetry::cmd {

bool IsCollectorConfig(const config::Document& doc) {
  const YAML::Node& root = doc.root();
  if (!root.IsMap()) return false;
  for (const char* k : {"receivers", "exporters", "service"}) {
    if (root[k].IsDefined()) return true;
  }
  return false;
}

Result<LoadedCollector> LoadCollectorConfig(const std::string& path) {
  LoadedCollector out;
  INFERMETRY_ASSIGN_OR_RETURN(config::Document doc, config::Document::LoadFile(path));
  out.doc = std::make_unique<config::Document>(std::move(doc));
  INFERMETRY_ASSIGN_OR_RETURN(config::CollectorConfig cfg, config::DecodeCollectorConfig(*out.doc));
  if (!cfg.telemetry.metrics_address.empty()) out.self_metrics_address = cfg.telemetry.metrics_address;
  INFERMETRY_ASSIGN_OR_RETURN(out.service, process::Service::Build(*out.doc));
  return out;
}

}  // namespace infermetry::cmd
