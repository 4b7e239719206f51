#include "export/otlp_grpc_exporter.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <deque>

#include "export/export_test_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace infermetry::exporter {
namespace {

using namespace std::chrono_literals;
using testing::ConfigFor;
using testing::CounterValue;
namespace trace_svc = opentelemetry::proto::collector::trace::v1;
namespace metrics_svc = opentelemetry::proto::collector::metrics::v1;
namespace logs_svc = opentelemetry::proto::collector::logs::v1;

// What the test server saw of one call.
struct Call {
  std::multimap<std::string, std::string> metadata;
  int64_t items;
  std::chrono::steady_clock::time_point at;
};

struct Shared {
  std::mutex mu;
  std::deque<grpc::Status> script;  // then OK
  std::vector<Call> calls;
  int64_t reject = 0;  // partial_success.rejected_* in OK answers

  grpc::Status Record(grpc::ServerContext* ctx, int64_t items) {
    std::lock_guard<std::mutex> l(mu);
    Call c{{}, items, std::chrono::steady_clock::now()};
    for (const auto& [k, v] : ctx->client_metadata())
      c.metadata.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    calls.push_back(std::move(c));
    if (script.empty()) return grpc::Status::OK;
    grpc::Status s = script.front();
    script.pop_front();
    return s;
  }
};

class TraceImpl : public trace_svc::TraceService::Service {
 public:
  explicit TraceImpl(Shared* s) : s_(s) {}
  grpc::Status Export(grpc::ServerContext* ctx, const trace_svc::ExportTraceServiceRequest* req,
                      trace_svc::ExportTraceServiceResponse* resp) override {
    grpc::Status st = s_->Record(ctx, process::CountItems(*req));
    if (st.ok() && s_->reject > 0) {
      resp->mutable_partial_success()->set_rejected_spans(s_->reject);
      resp->mutable_partial_success()->set_error_message("too old");
    }
    return st;
  }

 private:
  Shared* s_;
};

class MetricsImpl : public metrics_svc::MetricsService::Service {
 public:
  explicit MetricsImpl(Shared* s) : s_(s) {}
  grpc::Status Export(grpc::ServerContext* ctx, const metrics_svc::ExportMetricsServiceRequest* req,
                      metrics_svc::ExportMetricsServiceResponse*) override {
    return s_->Record(ctx, process::CountItems(*req));
  }

 private:
  Shared* s_;
};

class LogsImpl : public logs_svc::LogsService::Service {
 public:
  explicit LogsImpl(Shared* s) : s_(s) {}
  grpc::Status Export(grpc::ServerContext* ctx, const logs_svc::ExportLogsServiceRequest* req,
                      logs_svc::ExportLogsServiceResponse*) override {
    return s_->Record(ctx, process::CountItems(*req));
  }

 private:
  Shared* s_;
};

class FakeCollector {
 public:
  FakeCollector() : traces_(&shared), metrics_(&shared), logs_(&shared) {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    b.RegisterService(&traces_);
    b.RegisterService(&metrics_);
    b.RegisterService(&logs_);
    server_ = b.BuildAndStart();
  }
  ~FakeCollector() { server_->Shutdown(std::chrono::system_clock::now() + 1s); }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<Call> calls() {
    std::lock_guard<std::mutex> l(shared.mu);
    return shared.calls;
  }

  Shared shared;

 private:
  TraceImpl traces_;
  MetricsImpl metrics_;
  LogsImpl logs_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

std::unique_ptr<process::Exporter> Make(const std::string& id, const std::string& settings) {
  auto ec = ConfigFor("exporters:\n  " + id + ":\n" + settings, id);
  auto e = CreateOtlpGrpcExporter(ec.cfg);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  if (!e.ok()) return nullptr;
  EXPECT_TRUE((*e)->Start().ok());
  return std::move(*e);
}

// The seed config's shape (Dash0), plaintext, sending synchronously.
std::string Dash0Settings(const std::string& endpoint, const std::string& extra = "") {
  return "    endpoint: " + endpoint +
         "\n"
         "    headers:\n"
         "      Authorization: Bearer auth_token_123\n"
         "      Dash0-Dataset: vllm-prod\n"
         "    tls: {insecure: true}\n"
         "    sending_queue: {enabled: false}\n"
         "    retry_on_failure: {initial_interval: 10ms, max_interval: 20ms}\n" +
         extra;
}

std::string Meta(const Call& c, const std::string& key) {
  auto it = c.metadata.find(key);
  return it == c.metadata.end() ? "<absent>" : it->second;
}

TEST(OtlpGrpcExporterTest, ExportsEverySignalWithMetadata) {
  const std::string id = testing::UniqueId("otlp/dash0");
  FakeCollector col;
  auto e = Make(id, Dash0Settings(col.endpoint()));
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(3)).ok());
  ASSERT_TRUE(e->ConsumeMetrics(testing::MakeMetrics(4)).ok());
  ASSERT_TRUE(e->ConsumeLogs(testing::MakeLogs(5)).ok());
  auto calls = col.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].items, 3);
  EXPECT_EQ(calls[1].items, 4);
  EXPECT_EQ(calls[2].items, 5);
  EXPECT_EQ(Meta(calls[0], "authorization"), "Bearer auth_token_123");
  EXPECT_EQ(Meta(calls[0], "dash0-dataset"), "vllm-prod");
  EXPECT_NE(Meta(calls[0], "user-agent").find("infermetry/"), std::string::npos)
      << Meta(calls[0], "user-agent");
  e->Shutdown(1s).ok();
  EXPECT_EQ(CounterValue("infermetry_exporter_sent_spans_total", id), 3);
  EXPECT_EQ(CounterValue("infermetry_exporter_sent_log_records_total", id), 5);
}

TEST(OtlpGrpcExporterTest, RetriesUnavailable) {
  FakeCollector col;
  col.shared.script = {grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting"),
                       grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting")};
  auto e = Make("otlp/unavailable", Dash0Settings("http://" + col.endpoint()));
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(1)).ok());
  EXPECT_EQ(col.calls().size(), 3u);
  e->Shutdown(1s).ok();
}

TEST(OtlpGrpcExporterTest, InvalidArgumentIsDropped) {
  const std::string id = testing::UniqueId("otlp/invalid");
  FakeCollector col;
  col.shared.script = {grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad span")};
  auto e = Make(id, Dash0Settings(col.endpoint()));
  Status st = e->ConsumeTraces(testing::MakeTraces(2));
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("INVALID_ARGUMENT"), std::string::npos) << st.ToString();
  EXPECT_EQ(col.calls().size(), 1u);
  EXPECT_EQ(CounterValue("infermetry_exporter_send_failed_spans_total", id), 2);
  e->Shutdown(1s).ok();
}

grpc::Status ResourceExhaustedWithRetryInfo(std::chrono::milliseconds delay) {
  google::rpc::RetryInfo info;
  info.mutable_retry_delay()->set_seconds(delay.count() / 1000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(delay.count() % 1000) * 1000000);
  google::rpc::Status details;
  details.set_code(static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  details.set_message("slow down");
  details.add_details()->PackFrom(info);
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down",
                      details.SerializeAsString());
}

TEST(OtlpGrpcExporterTest, ResourceExhaustedRetriedOnlyWithRetryInfo) {
  FakeCollector col;
  col.shared.script = {ResourceExhaustedWithRetryInfo(300ms)};
  auto e = Make("otlp/throttled", Dash0Settings(col.endpoint()));
  ASSERT_TRUE(e->ConsumeMetrics(testing::MakeMetrics(1)).ok());
  auto calls = col.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_GE(calls[1].at - calls[0].at, 290ms);

  {
    std::lock_guard<std::mutex> l(col.shared.mu);
    col.shared.script = {grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "quota")};
  }
  EXPECT_FALSE(e->ConsumeMetrics(testing::MakeMetrics(1)).ok());
  EXPECT_EQ(col.calls().size(), 3u);
  e->Shutdown(1s).ok();
}

TEST(OtlpGrpcExporterTest, PartialSuccessCounted) {
  const std::string id = testing::UniqueId("otlp/partial");
  FakeCollector col;
  col.shared.reject = 2;
  auto e = Make(id, Dash0Settings(col.endpoint()));
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(5)).ok());
  EXPECT_EQ(col.calls().size(), 1u);
  EXPECT_EQ(CounterValue("infermetry_exporter_sent_spans_total", id), 3);
  EXPECT_EQ(CounterValue("infermetry_exporter_send_failed_spans_total", id), 2);
  e->Shutdown(1s).ok();
}

TEST(OtlpGrpcExporterTest, QueuedWithoutCompression) {
  FakeCollector col;
  auto e = Make("otlp/queued", "    endpoint: " + col.endpoint() +
                                   "\n    tls: {insecure: true}\n    compression: none\n");
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(e->ConsumeLogs(testing::MakeLogs(1)).ok());
  ASSERT_TRUE(e->Shutdown(5s).ok());
  EXPECT_EQ(col.calls().size(), 4u);
}

TEST(OtlpGrpcExporterTest, DefaultsToTls) {
  // A plaintext server: a TLS client cannot complete the handshake, which is retried as
  // UNAVAILABLE until max_elapsed_time.
  FakeCollector col;
  auto e = Make("otlp/tls", "    endpoint: " + col.endpoint() +
                                "\n    timeout: 200ms\n    sending_queue: {enabled: false}\n"
                                "    retry_on_failure: {initial_interval: 10ms, max_interval: "
                                "20ms, max_elapsed_time: 100ms}\n");
  EXPECT_FALSE(e->ConsumeTraces(testing::MakeTraces(1)).ok());
  EXPECT_TRUE(col.calls().empty());
  e->Shutdown(1s).ok();
}

TEST(OtlpGrpcExporterTest, ConfigErrors) {
  auto empty = ConfigFor("exporters:\n  otlp:\n    endpoint: \":\"\n", "otlp");
  auto r = CreateOtlpGrpcExporter(empty.cfg);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("host:port"), std::string::npos) << r.status().ToString();
  auto badhdr =
      ConfigFor("exporters:\n  otlp:\n    endpoint: a:1\n    headers: {\"bad key\": x}\n", "otlp");
  EXPECT_FALSE(CreateOtlpGrpcExporter(badhdr.cfg).ok());
  auto badca = ConfigFor(
      "exporters:\n  otlp:\n    endpoint: a:1\n    tls: {ca_file: /nonexistent/ca.pem}\n", "otlp");
  EXPECT_FALSE(CreateOtlpGrpcExporter(badca.cfg).ok());
}

}  // namespace
}  // namespace infermetry::exporter
