#pragma once
// Decodes the OpenTelemetry Collector's configuration layout:
//
//   receivers:  {<id>: <settings>, ...}      ids are "type" or "type/name"
//   processors: {...}
//   exporters:  {...}
//   extensions: {...}
//   service:
//     extensions: [<id>, ...]
//     pipelines:  {traces|metrics|logs[/name]: {receivers: [...], processors: [...], exporters:
//     [...]}} telemetry:  {logs: {level, encoding, ...}, metrics: {...}, traces: {...}, resource:
//     {...}}
//
// Besides the Collector's keys, a top-level `storage:` section configures the embedded store of
// `infermetry serve` (cmd/serve_config.h); it is kept as a node here.
//
// This layer checks everything that needs no knowledge of component types: the top-level keys
// (`connectors` is refused as not supported), id syntax, duplicate ids, pipeline names, that a
// pipeline has receivers and exporters, that every id a pipeline or service.extensions lists is
// defined, and the telemetry log level. Component settings are left as YAML nodes for the
// component factories (process/graph.h), which also check types and signals. Every error names
// file:line:column.
//
// Of service.telemetry, logs.level and logs.encoding ("console" or "json") are applied by
// process::Service, and metrics.address is decoded for whoever serves the self-metrics; the
// Collector's other telemetry keys are accepted and ignored.

#include <optional>
#include <string>
#include <vector>

#include "config/yaml.h"

namespace infermetry::config {

// The YAML::Node members below refer into the Document, which must outlive them. yaml-cpp nodes
// are references: assigning one node to another rewrites the tree, so these structs are only
// ever copy-constructed (push_back), never assigned, sorted or erased from.

// One entry of receivers/processors/exporters/extensions.
struct ComponentSection {
  std::string id;    // "otlp/dash0"
  YAML::Node key;    // the id's node, for positions
  YAML::Node value;  // the settings; null when written as "debug:"
};

// An id as listed by a pipeline or by service.extensions.
struct ComponentRef {
  std::string id;
  YAML::Node node;  // the list entry, for positions
};

struct PipelineSection {
  std::string name;    // "metrics/vllm"
  std::string signal;  // the name's type part: "traces", "metrics" or "logs"
  YAML::Node key;      // the name's node
  std::vector<ComponentRef> receivers;
  std::vector<ComponentRef> processors;  // in pipeline order
  std::vector<ComponentRef> exporters;
};

struct TelemetrySection {
  std::string log_level;        // "debug", "info", "warn" or "error"; empty when not set
  bool log_json = false;        // logs.encoding: json
  std::string metrics_address;  // metrics.address ("host:port"); empty when not set
};

struct CollectorConfig {
  // In the order the file lists them.
  std::vector<ComponentSection> receivers;
  std::vector<ComponentSection> processors;
  std::vector<ComponentSection> exporters;
  std::vector<ComponentSection> extensions;
  std::vector<ComponentRef> service_extensions;
  std::vector<PipelineSection> pipelines;
  TelemetrySection telemetry;
  // infermetry's own top-level `storage:` section (the embedded store of `infermetry serve`);
  // empty when absent. Decoded by the serve command.
  std::optional<YAML::Node> storage;
  // Likewise `auth:` and `query:` (the serve command's HTTP API; cmd/serve_config.h).
  std::optional<YAML::Node> auth;
  std::optional<YAML::Node> query;
  // And `alerting:` (rules, Alertmanagers, webhooks; cmd/serve_config.h).
  std::optional<YAML::Node> alerting;
  // And `ui:` (the web UI's settings; cmd/serve_config.h).
  std::optional<YAML::Node> ui;
};

// The sections by kind, for lookups: FindComponent(cfg.exporters, "otlp/dash0").
const ComponentSection* FindComponent(const std::vector<ComponentSection>& sections,
                                      std::string_view id);

Result<CollectorConfig> DecodeCollectorConfig(const Document& doc);

}  // namespace infermetry::config
