#pragma once
// Fake receivers and exporters for graph and service tests: they record what they get and log
// their lifecycle; the tables put them next to the real processors and extensions.

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "process/graph.h"
#include "process/process_test_util.h"
#include "process/service.h"

namespace infermetry::process::testing {

// Lifecycle events of the fake components, in order.
inline std::vector<std::string>& Events() {
  static std::vector<std::string> events;
  return events;
}

class FakeExporter : public Exporter, public RecordingConsumer {
 public:
  explicit FakeExporter(std::string id) : id(std::move(id)) {}
  Status ConsumeTraces(Traces&& b) override {
    return RecordingConsumer::ConsumeTraces(std::move(b));
  }
  Status ConsumeMetrics(Metrics&& b) override {
    return RecordingConsumer::ConsumeMetrics(std::move(b));
  }
  Status ConsumeLogs(Logs&& b) override { return RecordingConsumer::ConsumeLogs(std::move(b)); }
  Status Start() override {
    Events().push_back("start exporters." + id);
    return fail_start ? Unavailable("cannot connect") : Status::Ok();
  }
  Status Shutdown(std::chrono::milliseconds) override {
    Events().push_back("stop exporters." + id);
    return Status::Ok();
  }
  bool Ready() const override { return ready; }
  bool Durable() const override { return durable; }
  void SetBatching(const BatchOptions& o) override {
    batching = o;
    ++batching_calls;
  }

  std::string id;
  std::string endpoint;
  std::map<std::string, std::string> headers;
  bool durable = false;
  bool fail_start = false;
  std::atomic<bool> ready{true};
  BatchOptions batching;
  int batching_calls = 0;
};

inline Result<std::unique_ptr<Exporter>> CreateFakeExporter(const ComponentConfig& cfg) {
  auto e = std::make_unique<FakeExporter>(cfg.id);
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.String("endpoint", &e->endpoint));
  INFERMETRY_RETURN_IF_ERROR(r.StringMap("headers", &e->headers));
  INFERMETRY_RETURN_IF_ERROR(r.Bool("durable", &e->durable));
  INFERMETRY_RETURN_IF_ERROR(r.Bool("fail_start", &e->fail_start));
  return std::unique_ptr<Exporter>(std::move(e));
}

class FakeReceiver : public Receiver {
 public:
  FakeReceiver(std::string id, ReceiverOutputs out) : id(std::move(id)), out(out) {}
  Status Start() override {
    Events().push_back("start receivers." + id);
    return Status::Ok();
  }
  Status Shutdown(std::chrono::milliseconds) override {
    Events().push_back("stop receivers." + id);
    return Status::Ok();
  }
  std::string id;
  ReceiverOutputs out;
};

inline Result<std::unique_ptr<Receiver>> CreateFakeReceiver(const ComponentConfig& cfg,
                                                            const ReceiverOutputs& out) {
  return std::unique_ptr<Receiver>(new FakeReceiver(cfg.id, out));
}

inline const ReceiverFactory kFakeReceivers[] = {
    {"otlp", &CreateFakeReceiver},
    {"prometheus", &CreateFakeReceiver, SignalBit(Signal::kMetrics)},
};
inline const ExporterFactory kFakeExporters[] = {
    {"debug", &CreateFakeExporter},
    {"otlp", &CreateFakeExporter},
    {"otlphttp", &CreateFakeExporter},
    {"fakequeue", &CreateFakeExporter},
};

inline ComponentTables Tables() {
  return ComponentTables{kFakeReceivers, Processors(), kFakeExporters, Extensions(), Host{}};
}

inline std::filesystem::path TestData() {
  if (const char* d = std::getenv("INFERMETRY_TESTDATA"); d != nullptr && *d != '\0') return d;
  return std::filesystem::path(INFERMETRY_SOURCE_DIR) / "test" / "data";
}

inline Result<std::unique_ptr<Service>> BuildString(const std::string& yaml) {
  auto doc = config::Document::LoadString(yaml, "g.yaml");
  if (!doc.ok()) return doc.status();
  return Service::Build(*doc, Tables());
}

inline std::string ErrorOf(const std::string& yaml) {
  auto s = BuildString(yaml);
  return s.ok() ? "OK" : s.status().message();
}

inline FakeExporter* Fake(const Graph& g, std::string_view id) {
  return dynamic_cast<FakeExporter*>(g.exporter(id));
}
inline FakeReceiver* FakeRecv(const Graph& g, std::string_view id) {
  return dynamic_cast<FakeReceiver*>(g.receiver(id));
}

}  // namespace infermetry::process::testing
