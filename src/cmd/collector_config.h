#pragma once
// Loading a Collector configuration for `collect` and `validate`: the pipelines, built but not
// started, and where to serve infermetry's own metrics.

#include <memory>
#include <string>

#include "common/result.h"
#include "config/yaml.h"
#include "process/factory.h"
#include "process/service.h"

namespace infermetry::cmd {

struct LoadedCollector {
  std::unique_ptr<config::Document> doc;  // the service's components refer into it
  std::unique_ptr<process::Service> service;
  std::string self_metrics_address = "127.0.0.1:8888";  // service.telemetry.metrics.address
};

// Every error names file:line:column. A `storage:` section is refused (only `infermetry serve`
// has a store), unless `host` lends stores.
Result<LoadedCollector> LoadCollectorConfig(const std::string& path, const process::Host& host = {});
// The same for a document already loaded.
Result<LoadedCollector> BuildCollector(std::unique_ptr<config::Document> doc,
                                       const process::Host& host = {});

// True when the YAML at `path` looks like a Collector config (has receivers, exporters or
// service) rather than a Prometheus one.
bool IsCollectorConfig(const config::Document& doc);

}  // namespace infermetry::cmd
