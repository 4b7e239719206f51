#pragma once
// The pipeline graph: components built from a decoded Collector config, wired the Collector's way.
//
//   exporters   one instance per id, shared by every pipeline that lists it
//   processors  one instance per pipeline (the same id in two pipelines makes two instances),
//               chained back to front; the last one's next consumer is the pipeline's exporter
//               fan-out (or the exporter itself when there is only one)
//   receivers   one instance per id; its output for a signal is a fan-out to the entry of every
//               pipeline of that signal that lists it (or that entry itself when there is one)
//   extensions  one instance per id listed in service.extensions
//
// Only components that a pipeline (or service.extensions) lists are built; the others must
// still have a known type, but their settings are not decoded.
//
// Durability rule (batch_options.h): when an exporter of a pipeline is Durable(), every batching
// processor of that pipeline is switched to pass-through and every exporter of the pipeline
// gets SetBatching with the (first) batching processor's options.
//
// Validation errors (file:line:column): unknown component type (listing the known types of
// that kind), a receiver, processor or exporter listed in a pipeline whose signal its factory
// does not support, plus every error collector_yaml.h reports and the factories' own errors.
//
// The graph owns every component and knows nothing of their lifecycle; Service starts and
// stops them. Not thread-safe to build; the built graph is read-only.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/collector_yaml.h"
#include "process/factory.h"
#include "process/fanout.h"

namespace infermetry::process {

// The factory tables a graph is built from (normally those of factory.h; tests pass fakes).
struct ComponentTables {
  std::span<const ReceiverFactory> receivers;
  std::span<const ProcessorFactory> processors;
  std::span<const ExporterFactory> exporters;
  std::span<const ExtensionFactory> extensions;
  Host host;  // handed to every factory
};

// Receivers(), Processors(), Exporters(), Extensions() (defined in default_tables.cc, so that
// code not calling it need not link the receiver and exporter modules).
ComponentTables DefaultTables();

// A built pipeline. Pointers are owned by the graph.
struct Pipeline {
  std::string name;  // "metrics/vllm"
  Signal signal = Signal::kMetrics;
  std::vector<std::string> receiver_ids;
  std::vector<std::string> processor_ids;  // in pipeline order
  std::vector<std::string> exporter_ids;
  std::vector<Processor*> processors;  // in pipeline order
  std::vector<Exporter*> exporters;
  Consumer* entry = nullptr;  // what receivers deliver to: the first processor or the exporters
  bool durable = false;       // an exporter is Durable(): batching moved into the exporters
};

class Graph {
 public:
  static Result<std::unique_ptr<Graph>> Build(const config::Document& doc,
                                              const config::CollectorConfig& cfg,
                                              const ComponentTables& tables);
  ~Graph();

  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  const std::vector<Pipeline>& pipelines() const { return pipelines_; }
  // nullptr when there is no such pipeline / built component.
  const Pipeline* pipeline(std::string_view name) const;
  Receiver* receiver(std::string_view id) const;
  const ReceiverOutputs* receiver_outputs(std::string_view id) const;
  Exporter* exporter(std::string_view id) const;
  Extension* extension(std::string_view id) const;

  // A component with a name for messages: "exporters.otlp/dash0",
  // "processors.batch (pipeline traces)".
  struct Named {
    std::string what;
    Component* component;
  };
  // In start order within each kind.
  std::vector<Named> exporters() const;
  std::vector<Named> processors() const;  // each pipeline's processors back to front
  std::vector<Named> receivers() const;
  std::vector<Named> extensions() const;

 private:
  Graph() = default;
  template <typename T>
  struct Owned {
    std::string id;
    std::unique_ptr<T> component;
  };
  struct OwnedReceiver {
    std::string id;
    std::unique_ptr<Receiver> component;
    ReceiverOutputs outputs;
  };

  Status Assemble(const config::Document& doc, const config::CollectorConfig& cfg,
                  const ComponentTables& tables);
  Status BuildPipeline(const config::Document& doc, const config::CollectorConfig& cfg,
                       const ComponentTables& tables, const config::PipelineSection& section);
  Status BuildReceivers(const config::Document& doc, const config::CollectorConfig& cfg,
                        const ComponentTables& tables);
  void ApplyDurability();

  // Declared in dependency order, so that destruction tears receivers down first.
  std::vector<Owned<Exporter>> exporters_;
  std::vector<std::unique_ptr<FanoutConsumer>> fanouts_;
  std::vector<std::unique_ptr<Processor>> processors_;  // all pipelines'
  std::vector<Pipeline> pipelines_;
  std::vector<OwnedReceiver> receivers_;
  std::vector<Owned<Extension>> extensions_;
};

}  // namespace infermetry::process
