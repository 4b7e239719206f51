// otlp_sink: a recording OTLP backend for end-to-end tests. Accepts OTLP over gRPC and
// OTLP/HTTP (protobuf or JSON is not decoded for HTTP/JSON: only protobuf bodies are counted)
// and prints one JSON line per request to stdout:
//   {"transport":"grpc","path":"/opentelemetry.proto.collector.trace.v1.TraceService/Export",
//    "headers":{"authorization":"Bearer x",...},"spans":3,"points":0,"logs":0,"bytes":123}
// Metrics requests also get "groups": {"<service.name>@<time ms>": points, ...}, so a test can
// check that each scrape of a target arrived whole, and "colon_names": the number of metrics
// whose name contains ':'.
// With --fail-first N it answers the first N requests with UNAVAILABLE / 503.
//
// With --tls-cert/--tls-key (PEM files) the gRPC port speaks TLS.
//
// usage: otlp_sink --grpc-port P --http-port Q [--fail-first N] [--tls-cert F --tls-key F]

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>

#include "common/strconv.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "process/telemetry.h"
#include "server/http/server.h"

namespace {

namespace ct = opentelemetry::proto::collector::trace::v1;
namespace cm = opentelemetry::proto::collector::metrics::v1;
namespace cl = opentelemetry::proto::collector::logs::v1;
using infermetry::process::CountItems;

std::mutex g_out_mu;
std::atomic<int> g_fail_left{0};

void Emit(const std::string& transport, const std::string& path,
          const std::vector<std::pair<std::string, std::string>>& headers, int64_t spans, int64_t points,
          int64_t logs, size_t bytes, int status, const std::string& groups = "") {
  std::string line = "{\"transport\":";
  infermetry::AppendJsonString(&line, transport);
  line += ",\"path\":";
  infermetry::AppendJsonString(&line, path);
  line += ",\"headers\":{";
  bool first = true;
  for (const auto& [k, v] : headers) {
    if (!first) line += ",";
    first = false;
    std::string lower = k;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    infermetry::AppendJsonString(&line, lower);
    line += ":";
    infermetry::AppendJsonString(&line, v);
  }
  line += "},\"spans\":" + std::to_string(spans) + ",\"points\":" + std::to_string(points) +
          ",\"logs\":" + std::to_string(logs) + ",\"bytes\":" + std::to_string(bytes) +
          ",\"status\":" + std::to_string(status);
  if (!groups.empty()) line += "," + groups;
  line += "}\n";
  std::lock_guard<std::mutex> l(g_out_mu);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ShouldFail() {
  int left = g_fail_left.load();
  while (left > 0) {
    if (g_fail_left.compare_exchange_weak(left, left - 1)) return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> Metadata(grpc::ServerContext* ctx) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : ctx->client_metadata()) out.emplace_back(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  return out;
}

// `"colon_names":N,"groups":{"<service.name>@<ms>": points, ...}` for a metrics request.
std::string Groups(const cm::ExportMetricsServiceRequest& req) {
  std::map<std::string, int64_t> groups;
  for (const auto& rm : req.resource_metrics()) {
    std::string service;
    for (const auto& kv : rm.resource().attributes()) {
      if (kv.key() == "service.name") service = kv.value().string_value();
    }
    auto add = [&](uint64_t t_ns) { ++groups[service + "@" + std::to_string(t_ns / 1000000)]; };
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& m : sm.metrics()) {
        for (const auto& dp : m.gauge().data_points()) add(dp.time_unix_nano());
        for (const auto& dp : m.sum().data_points()) add(dp.time_unix_nano());
        for (const auto& dp : m.histogram().data_points()) add(dp.time_unix_nano());
        for (const auto& dp : m.summary().data_points()) add(dp.time_unix_nano());
        for (const auto& dp : m.exponential_histogram().data_points()) add(dp.time_unix_nano());
      }
    }
  }
  int64_t colon_names = 0;
  for (const auto& rm : req.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& m : sm.metrics()) colon_names += m.name().find(':') != std::string::npos;
    }
  }
  std::string out = "\"colon_names\":" + std::to_string(colon_names) + ",\"groups\":{";
  bool first = true;
  for (const auto& [k, n] : groups) {
    if (!first) out += ",";
    first = false;
    infermetry::AppendJsonString(&out, k);
    out += ":" + std::to_string(n);
  }
  return out + "}";
}
template <typename Req>
std::string GroupsOf(const Req&) { return ""; }
template <>
std::string GroupsOf(const cm::ExportMetricsServiceRequest& req) { return Groups(req); }

template <typename Req>
grpc::Status Record(grpc::ServerContext* ctx, const Req& req, const char* path, int kind) {
  bool fail = ShouldFail();
  int64_t n = CountItems(req);
  Emit("grpc", path, Metadata(ctx), kind == 0 ? n : 0, kind == 1 ? n : 0, kind == 2 ? n : 0, req.ByteSizeLong(),
       fail ? 14 : 0, GroupsOf(req));
  return fail ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "sink told to fail") : grpc::Status::OK;
}

class TraceSvc final : public ct::TraceService::Service {
  grpc::Status Export(grpc::ServerContext* ctx, const ct::ExportTraceServiceRequest* req,
                      ct::ExportTraceServiceResponse*) override {
    return Record(ctx, *req, "/opentelemetry.proto.collector.trace.v1.TraceService/Export", 0);
  }
};
class MetricsSvc final : public cm::MetricsService::Service {
  grpc::Status Export(grpc::ServerContext* ctx, const cm::ExportMetricsServiceRequest* req,
                      cm::ExportMetricsServiceResponse*) override {
    return Record(ctx, *req, "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", 1);
  }
};
class LogsSvc final : public cl::LogsService::Service {
  grpc::Status Export(grpc::ServerContext* ctx, const cl::ExportLogsServiceRequest* req,
                      cl::ExportLogsServiceResponse*) override {
    return Record(ctx, *req, "/opentelemetry.proto.collector.logs.v1.LogsService/Export", 2);
  }
};

template <typename Req>
void HttpRecord(const infermetry::http::Request& req, infermetry::http::Response* resp, int kind) {
  bool fail = ShouldFail();
  Req msg;
  int64_t n = -1;  // -1: a body this sink does not decode (JSON)
  std::string groups;
  if (req.Header("Content-Type").find("protobuf") != std::string_view::npos && msg.ParseFromString(req.body)) {
    n = CountItems(msg);
    groups = GroupsOf(msg);
  }
  Emit("http", req.path, req.headers, kind == 0 ? n : 0, kind == 1 ? n : 0, kind == 2 ? n : 0, req.body.size(),
       fail ? 503 : 200, groups);
  if (fail) {
    resp->SetHeader("Retry-After", "1");
    resp->SetText(503, "sink told to fail\n");
    return;
  }
  resp->SetContentType(req.Header("Content-Type"));
  resp->body = req.Header("Content-Type").find("json") != std::string_view::npos ? "{}" : "";
}

}  // namespace

int main(int argc, char** argv) {
  int grpc_port = 0, http_port = 0;
  std::string cert, key;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--tls-cert") == 0) cert = ReadFile(argv[i + 1]);
    if (std::strcmp(argv[i], "--tls-key") == 0) key = ReadFile(argv[i + 1]);
    if (std::strcmp(argv[i], "--grpc-port") == 0) grpc_port = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--http-port") == 0) http_port = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--fail-first") == 0) g_fail_left = std::atoi(argv[i + 1]);
  }
  TraceSvc traces;
  MetricsSvc metrics;
  LogsSvc logs;
  grpc::ServerBuilder b;
  int bound = 0;
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!cert.empty()) {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({key, cert});
    creds = grpc::SslServerCredentials(ssl);
  }
  b.AddListeningPort("127.0.0.1:" + std::to_string(grpc_port), creds, &bound);
  b.RegisterService(&traces);
  b.RegisterService(&metrics);
  b.RegisterService(&logs);
  auto grpc_server = b.BuildAndStart();
  if (!grpc_server || bound == 0) {
    std::fprintf(stderr, "otlp_sink: cannot listen on gRPC port %d\n", grpc_port);
    return 1;
  }
  auto router = std::make_shared<infermetry::http::Router>();
  router->Handle("POST", "/v1/traces", "traces", [](const auto& q, auto* r) { HttpRecord<ct::ExportTraceServiceRequest>(q, r, 0); });
  router->Handle("POST", "/v1/metrics", "metrics", [](const auto& q, auto* r) { HttpRecord<cm::ExportMetricsServiceRequest>(q, r, 1); });
  router->Handle("POST", "/v1/logs", "logs", [](const auto& q, auto* r) { HttpRecord<cl::ExportLogsServiceRequest>(q, r, 2); });
  infermetry::http::ServerOptions opt;
  opt.listen = "127.0.0.1:" + std::to_string(http_port);
  auto http_server = infermetry::http::Server::Start(opt, router);
  if (!http_server.ok()) {
    std::fprintf(stderr, "otlp_sink: %s\n", http_server.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "otlp_sink: grpc 127.0.0.1:%d http %s\n", bound, (*http_server)->address().c_str());
  grpc_server->Wait();
  return 0;
}
