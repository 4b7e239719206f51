#pragma once
// Test helpers for the process module: batch builders, a recording consumer, and YAML-backed
// ComponentConfigs.

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml.h"
#include "process/factory.h"

namespace infermetry::process::testing {

namespace common_pb = opentelemetry::proto::common::v1;
namespace metrics_pb = opentelemetry::proto::metrics::v1;
namespace trace_pb = opentelemetry::proto::trace::v1;
namespace logs_pb = opentelemetry::proto::logs::v1;

// Records what it consumes; answers with `status` (OK by default).
class RecordingConsumer : public Consumer {
 public:
  Status ConsumeTraces(Traces&& b) override {
    std::lock_guard<std::mutex> l(mu);
    traces.push_back(std::move(b));
    return status;
  }
  Status ConsumeMetrics(Metrics&& b) override {
    std::lock_guard<std::mutex> l(mu);
    metrics.push_back(std::move(b));
    return status;
  }
  Status ConsumeLogs(Logs&& b) override {
    std::lock_guard<std::mutex> l(mu);
    logs.push_back(std::move(b));
    return status;
  }
  size_t Batches() {
    std::lock_guard<std::mutex> l(mu);
    return traces.size() + metrics.size() + logs.size();
  }
  std::vector<int64_t> TraceSizes() {
    std::lock_guard<std::mutex> l(mu);
    std::vector<int64_t> out;
    for (const auto& t : traces) out.push_back(CountItems(t));
    return out;
  }

  std::mutex mu;
  Status status;
  std::vector<Traces> traces;
  std::vector<Metrics> metrics;
  std::vector<Logs> logs;
};

inline void SetAttr(google::protobuf::RepeatedPtrField<common_pb::KeyValue>* attrs,
                    const std::string& k, const std::string& v) {
  auto* kv = attrs->Add();
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

inline const common_pb::AnyValue* FindAttr(
    const google::protobuf::RepeatedPtrField<common_pb::KeyValue>& attrs, const std::string& k) {
  for (const auto& kv : attrs) {
    if (kv.key() == k) return &kv.value();
  }
  return nullptr;
}

// `resources` resources of `scopes` scopes of `spans` spans each, named "s<r>.<s>.<i>".
inline Traces MakeTraces(int resources, int scopes, int spans) {
  Traces t;
  for (int r = 0; r < resources; ++r) {
    auto* rs = t.add_resource_spans();
    SetAttr(rs->mutable_resource()->mutable_attributes(), "service.name",
            "svc" + std::to_string(r));
    for (int s = 0; s < scopes; ++s) {
      auto* ss = rs->add_scope_spans();
      ss->mutable_scope()->set_name("scope" + std::to_string(s));
      for (int i = 0; i < spans; ++i) {
        auto* sp = ss->add_spans();
        sp->set_name("s" + std::to_string(r) + "." + std::to_string(s) + "." + std::to_string(i));
      }
    }
  }
  return t;
}

// The span names of a batch, in order.
inline std::vector<std::string> SpanNames(const Traces& t) {
  std::vector<std::string> out;
  for (const auto& rs : t.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& sp : ss.spans()) out.push_back(sp.name());
    }
  }
  return out;
}

inline Logs MakeLogs(int records) {
  Logs l;
  auto* sl = l.add_resource_logs()->add_scope_logs();
  for (int i = 0; i < records; ++i)
    sl->add_log_records()->mutable_body()->set_string_value("r" + std::to_string(i));
  return l;
}

// One resource, one scope, one metric per entry; each sum has `points` points.
inline Metrics MakeSums(const std::vector<std::string>& names, int points) {
  Metrics m;
  auto* sm = m.add_resource_metrics()->add_scope_metrics();
  for (const auto& name : names) {
    auto* metric = sm->add_metrics();
    metric->set_name(name);
    metric->set_unit("1");
    metric->mutable_sum()->set_is_monotonic(true);
    metric->mutable_sum()->set_aggregation_temporality(
        metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (int i = 0; i < points; ++i) {
      auto* p = metric->mutable_sum()->add_data_points();
      SetAttr(p->mutable_attributes(), "i", std::to_string(i));
      p->set_as_int(i);
    }
  }
  return m;
}

// A ComponentConfig over a parsed YAML snippet; keeps the Document alive.
struct YamlConfig {
  explicit YamlConfig(const std::string& yaml, std::string id = "test")
      : doc(*config::Document::LoadString(yaml, "test.yaml")) {
    cfg.doc = &doc;
    cfg.node = doc.root();
    cfg.id = id;
    cfg.where = "processors." + id;
  }
  config::Document doc;
  ComponentConfig cfg;
};

}  // namespace infermetry::process::testing
