#include "process/service.h"

#include "common/log.h"
#include "config/collector_yaml.h"

namespace infermetry::process {
namespace {

constexpr std::chrono::milliseconds kDestructorDeadline{5000};

void ApplyTelemetry(const config::TelemetrySection& t) {
  if (!t.log_level.empty()) {
    log::Level level;
    if (log::ParseLevel(t.log_level, &level)) log::SetLevel(level);
  }
  if (t.log_json) log::SetFormat(log::Format::kJson);
}

}  // namespace

Service::Service(std::unique_ptr<Graph> graph) : graph_(std::move(graph)) {}

Service::~Service() {
  if (!started_.empty() && !shut_down_) (void)Shutdown(kDestructorDeadline);
}

Result<std::unique_ptr<Service>> Service::Build(const config::Document& doc,
                                                const ComponentTables& tables) {
  INFERMETRY_ASSIGN_OR_RETURN(config::CollectorConfig cfg, config::DecodeCollectorConfig(doc));
  ApplyTelemetry(cfg.telemetry);
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<Graph> graph, Graph::Build(doc, cfg, tables));
  std::unique_ptr<Service> svc(new Service(std::move(graph)));
  Service* self = svc.get();
  for (const Graph::Named& e : self->graph_->extensions()) {
    static_cast<Extension*>(e.component)->SetReadiness([self] { return self->Ready(); });
  }
  return svc;
}

Status Service::Start() {
  if (!started_.empty() || shut_down_) return InvalidArgument("service already started");
  std::vector<Graph::Named> order;
  for (auto kind :
       {graph_->extensions(), graph_->exporters(), graph_->processors(), graph_->receivers()}) {
    order.insert(order.end(), kind.begin(), kind.end());
  }
  for (const Graph::Named& c : order) {
    Status st = c.component->Start();
    if (!st.ok()) {
      log::Error("component failed to start; stopping the others",
                 {{"component", c.what}, {"err", st.message()}});
      (void)Shutdown(kDestructorDeadline);
      return st.WithContext("starting " + c.what);
    }
    started_.push_back(c);
  }
  for (auto kind : {graph_->exporters(), graph_->processors(), graph_->receivers()}) {
    for (const Graph::Named& c : kind) pipeline_components_.push_back(c.component);
  }
  running_.store(true);
  log::Info("service started", {{"pipelines", graph_->pipelines().size()}});
  return Status::Ok();
}

Status Service::Shutdown(std::chrono::milliseconds deadline) {
  running_.store(false);
  if (shut_down_) return Status::Ok();
  shut_down_ = true;
  const auto end = std::chrono::steady_clock::now() + deadline;
  Status first;
  for (auto it = started_.rbegin(); it != started_.rend(); ++it) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    Status st = it->component->Shutdown(left);
    if (!st.ok()) {
      log::Warn("component shutdown failed", {{"component", it->what}, {"err", st.message()}});
      if (first.ok()) first = st.WithContext("stopping " + it->what);
    }
  }
  return first;
}

bool Service::Ready() const {
  // pipeline_components_ is complete before running_ becomes true and never changes afterwards.
  if (!running_.load()) return false;
  for (const Component* c : pipeline_components_) {
    if (!c->Ready()) return false;
  }
  return true;
}

}  // namespace infermetry::process
