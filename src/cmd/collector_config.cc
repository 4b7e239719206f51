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

Result<LoadedCollector> LoadCollectorConfig(const std::string& path, const process::Host& host) {
  INFERMETRY_ASSIGN_OR_RETURN(config::Document doc, config::Document::LoadFile(path));
  return BuildCollector(std::make_unique<config::Document>(std::move(doc)), host);
}

Result<LoadedCollector> BuildCollector(std::unique_ptr<config::Document> doc,
                                       const process::Host& host) {
  LoadedCollector out;
  out.doc = std::move(doc);
  INFERMETRY_ASSIGN_OR_RETURN(config::CollectorConfig cfg, config::DecodeCollectorConfig(*out.doc));
  if (cfg.storage && host.metrics == nullptr && host.spans == nullptr && host.logs == nullptr) {
    return out.doc->ErrorAt(*cfg.storage,
                            "storage: only `infermetry serve` has an embedded store; run this "
                            "config with `infermetry serve --config`");
  }
  if (!cfg.telemetry.metrics_address.empty()) out.self_metrics_address = cfg.telemetry.metrics_address;
  process::ComponentTables tables = process::DefaultTables();
  tables.host = host;
  INFERMETRY_ASSIGN_OR_RETURN(out.service, process::Service::Build(*out.doc, tables));
  return out;
}

}  // namespace infermetry::cmd
