#pragma once
// Test helpers for the exporter tests: small OTLP batches, temporary directories, configs from
// YAML text, and self-metric lookups.

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/temp_dir.h"
#include "common/self_metrics.h"
#include "config/yaml.h"
#include "process/factory.h"
#include "process/telemetry.h"

namespace infermetry::exporter::testing {

// `n` spans named span0.., under one resource (service.name=svc) and one scope.
inline process::Traces MakeTraces(int n, const std::string& service = "svc") {
  process::Traces t;
  auto* rs = t.add_resource_spans();
  auto* kv = rs->mutable_resource()->add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value(service);
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("test-scope");
  for (int i = 0; i < n; ++i) {
    auto* sp = ss->add_spans();
    sp->set_name("span" + std::to_string(i));
    sp->set_trace_id(std::string(16, static_cast<char>(i + 1)));
    sp->set_span_id(std::string(8, static_cast<char>(i + 1)));
    sp->set_start_time_unix_nano(1700000000000000000ull + i);
    sp->set_end_time_unix_nano(1700000000000000000ull + i + 1000);
    auto* a = sp->add_attributes();
    a->set_key("http.method");
    a->mutable_value()->set_string_value("GET");
  }
  return t;
}

// One gauge `name` with `n` data points (values 0..n-1).
inline process::Metrics MakeMetrics(int n, const std::string& name = "vllm:num_requests_running") {
  process::Metrics m;
  auto* metric = m.add_resource_metrics()->add_scope_metrics()->add_metrics();
  metric->set_name(name);
  for (int i = 0; i < n; ++i) {
    auto* p = metric->mutable_gauge()->add_data_points();
    p->set_as_double(i);
    p->set_time_unix_nano(1700000000000000000ull);
  }
  return m;
}

inline process::Logs MakeLogs(int n) {
  process::Logs l;
  auto* sl = l.add_resource_logs()->add_scope_logs();
  for (int i = 0; i < n; ++i) {
    auto* r = sl->add_log_records();
    r->set_severity_text("INFO");
    r->mutable_body()->set_string_value("log line " + std::to_string(i));
  }
  return l;
}

using ::infermetry::TempDir;

// A parsed document plus the ComponentConfig of exporters.<id> in it.
struct ExporterConfig {
  std::unique_ptr<config::Document> doc;
  process::ComponentConfig cfg;
};

inline ExporterConfig ConfigFor(const std::string& yaml, const std::string& id) {
  ExporterConfig ec;
  auto doc = config::Document::LoadString(yaml, "test.yaml");
  if (!doc.ok()) std::abort();
  ec.doc = std::make_unique<config::Document>(std::move(*doc));
  ec.cfg.doc = ec.doc.get();
  ec.cfg.node = ec.doc->root()["exporters"][id];
  ec.cfg.id = id;
  ec.cfg.where = "exporters." + id;
  return ec;
}

// `base` made unique within the process ("otlp/x" -> "otlp/x-3"), so that self-metrics start
// from zero even when a test is repeated.
inline std::string UniqueId(const std::string& base) {
  static std::atomic<int> n{0};
  return base + "-" + std::to_string(++n);
}

inline double CounterValue(const std::string& name, const std::string& exporter) {
  return selfmon::Default().AddCounter(name, "", {"exporter"}).With({exporter}).Value();
}

inline double GaugeValue(const std::string& name, const std::string& exporter) {
  return selfmon::Default().AddGauge(name, "", {"exporter"}).With({exporter}).Value();
}

}  // namespace infermetry::exporter::testing
