#pragma once
// Service: a Collector configuration running. Build decodes the config (config/collector_yaml.h),
// applies service.telemetry.logs (level and encoding, process-wide), and builds the pipeline
// graph (process/graph.h); Start and Shutdown drive the components' lifecycle.
//
//   auto doc = config::Document::LoadFile(path);
//   auto svc = process::Service::Build(*doc);
//   if (!svc.ok()) return svc.status();          // "file:line:col: ..." for config errors
//   INFERMETRY_RETURN_IF_ERROR((*svc)->Start());
//   ...
//   (*svc)->Shutdown(std::chrono::seconds(10));
//
// Start order: extensions first (so health_check answers 503 until the pipelines are up), then
// exporters, processors (each pipeline back to front) and receivers. A component that fails to
// start stops the ones already started (in reverse) and its error, prefixed with its name, is
// returned. Shutdown first marks the service not ready, then stops in reverse order: receivers,
// processors (front to back), exporters, extensions last. `deadline` bounds the whole shutdown;
// each component gets what is left of it. Every component is stopped even if some fail; the first
// error is returned. Shutdown is idempotent, and the destructor calls it (5 s) if needed.
//
// Thread-safety: Start and Shutdown are called from one controlling thread; Ready may be called
// from any thread (the health_check extension calls it from its HTTP workers).

#include <atomic>
#include <chrono>
#include <memory>

#include "common/result.h"
#include "config/yaml.h"
#include "process/graph.h"

namespace infermetry::process {

class Service {
 public:
  static Result<std::unique_ptr<Service>> Build(const config::Document& doc,
                                                const ComponentTables& tables);
  // With DefaultTables() (defined in default_tables.cc).
  static Result<std::unique_ptr<Service>> Build(const config::Document& doc);

  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  Status Start();
  Status Shutdown(std::chrono::milliseconds deadline);
  // Started, not shutting down, and every receiver, processor and exporter Ready().
  bool Ready() const;

  const Graph& graph() const { return *graph_; }

 private:
  explicit Service(std::unique_ptr<Graph> graph);

  std::unique_ptr<Graph> graph_;
  std::vector<Graph::Named> started_;  // in start order
  // Receivers, processors and exporters: what Ready() asks (extensions do not gate readiness;
  // the health check is one of them).
  std::vector<const Component*> pipeline_components_;
  std::atomic<bool> running_{false};
  bool shut_down_ = false;
};

}  // namespace infermetry::process
