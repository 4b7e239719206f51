#pragma once
// Loading a Collector configuration for `collect` and `validate`: the pipelines, built but not
// started, and where to serve infermetry's own metrics.

#include <memory>
#include <string>

#include "common/result.h"
#include "config/yaml.h"
#include "process/service.h"

namespace infermetry::cmd {

struct LoadedCollector {
  std::unique_ptr<config::Document> doc;  // the service's components refer into it
  std::unique_ptr<process::Service> service;
  std::string self_metrics_address = "127.0.0.1:8888";  // service.telemetry.metrics.address
};

// Every error names file:line:column.
Result<LoadedCollector> LoadCollectorConfig(const std::string& path);

// True when the YAML at `path` looks like a Collector config (has receivers, exporters or
// service) rather than a Prometheus one.
bool IsCollectorConfig(const config::Document& doc);

}  // namespace infermetry::cmd
