#pragma once
// One registry table per kind of component, as the Collector's `type` names them in YAML:
//   receivers:  otlp, prometheus            (ingest/receivers.cc)
//   processors: batch, resource, attributes, memory_limiter, filter, cumulativetodelta
//                                           (process/processors.cc)
//   exporters:  otlp, otlphttp, debug, store (export/exporters.cc)
//   extensions: health_check                (process/extensions.cc)
// A factory decodes its component's YAML section itself (errors name file:line:column) and
// builds the component. The pipeline graph (process/graph.h) calls the factories, only for
// components that some pipeline (or service.extensions) lists, as the Collector does.
//
// `signals` says which pipeline types a receiver, processor or exporter can be part of; listing
// it in a pipeline of another signal is a config error that names the pipeline entry. It
// defaults to all three, so `{"otlp", &CreateOtlp}` still initializes a table entry.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/yaml.h"
#include "process/component.h"
#include "storage/appender.h"
#include "storage/span_appender.h"

namespace infermetry::process {

// What the running program lends to components beyond their YAML: the embedded stores under
// `infermetry serve`. A null member means the program has none (the `store` exporter then
// refuses to build, saying so). The pointees outlive the pipelines.
struct Host {
  storage::Appendable* metrics = nullptr;
  storage::SpanAppender* spans = nullptr;
  storage::LogAppender* logs = nullptr;
};

// What a factory is given.
struct ComponentConfig {
  const config::Document* doc;  // for error positions
  YAML::Node node;              // the component's section (may be null: all defaults)
  std::string id;               // "otlp/dash0": type, optionally '/' and a name
  std::string where;            // "exporters.otlp/dash0", for messages
  const Host* host = nullptr;   // never null when built by the graph
};

// Where a receiver delivers each signal; null for signals no pipeline takes from it.
struct ReceiverOutputs {
  Consumer* traces = nullptr;
  Consumer* metrics = nullptr;
  Consumer* logs = nullptr;
};

struct ReceiverFactory {
  std::string_view type;
  Result<std::unique_ptr<Receiver>> (*create)(const ComponentConfig& cfg, const ReceiverOutputs& out);
  SignalSet signals = kAllSignals;  // e.g. SignalBit(Signal::kMetrics) for prometheus
};

struct ProcessorFactory {
  std::string_view type;
  // One instance per pipeline; `next` is the rest of that pipeline.
  Result<std::unique_ptr<Processor>> (*create)(const ComponentConfig& cfg, Signal signal, Consumer* next);
  SignalSet signals = kAllSignals;
};

struct ExporterFactory {
  std::string_view type;
  // One instance per exporter id, shared by every pipeline that lists it.
  Result<std::unique_ptr<Exporter>> (*create)(const ComponentConfig& cfg);
  SignalSet signals = kAllSignals;
};

struct ExtensionFactory {
  std::string_view type;
  Result<std::unique_ptr<Extension>> (*create)(const ComponentConfig& cfg);
};

// The tables (each defined in its module's registry file).
std::span<const ReceiverFactory> Receivers();
std::span<const ProcessorFactory> Processors();
std::span<const ExporterFactory> Exporters();
std::span<const ExtensionFactory> Extensions();

// The type part of an id: "otlp/dash0" -> "otlp" (defined in process/factory.cc).
std::string_view ComponentType(std::string_view id);

}  // namespace infermetry::process
