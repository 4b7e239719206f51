#include "ingest/otlp/otlp_receiver.h"

#include <climits>
#include <thread>
#include <utility>

#include "common/log.h"
#include "server/http/server.h"

namespace infermetry::otlp {
namespace {

// "host:port", "[v6]:port" or ":port" with a numeric port.
bool ValidEndpoint(std::string_view endpoint) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view host = endpoint.substr(0, colon), port = endpoint.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  uint32_t p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (p > 65535) return false;
  if (!host.empty() && host.front() == '[') return host.back() == ']';
  return host.find(':') == std::string_view::npos;
}

Status ReadEndpoint(config::MapReader* r, std::string* endpoint) {
  INFERMETRY_RETURN_IF_ERROR(r->String("endpoint", endpoint));
  if (!ValidEndpoint(*endpoint)) {
    return r->doc().ErrorAt(r->Child("endpoint"), r->where() + ".endpoint: invalid endpoint \"" +
                                                      *endpoint + "\": expected host:port");
  }
  return Status::Ok();
}

Status DecodeGrpc(const config::Document& doc, const YAML::Node& node, const std::string& where,
                  GrpcReceiverOptions* out) {
  config::MapReader r(doc, node, where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(ReadEndpoint(&r, &out->endpoint));
  INFERMETRY_RETURN_IF_ERROR(r.Bool("include_metadata", &out->include_metadata));
  if (YAML::Node tls = r.Child("tls"); tls.IsDefined() && !tls.IsNull()) {
    config::MapReader t(doc, tls, where + ".tls");
    INFERMETRY_RETURN_IF_ERROR(t.status());
    INFERMETRY_RETURN_IF_ERROR(t.String("cert_file", &out->tls_cert_file));
    INFERMETRY_RETURN_IF_ERROR(t.String("key_file", &out->tls_key_file));
    INFERMETRY_RETURN_IF_ERROR(t.Finish());
    if (out->tls_cert_file.empty() || out->tls_key_file.empty()) {
      return doc.ErrorAt(tls, where + ".tls: cert_file and key_file are both required");
    }
  }
  uint64_t mib = out->max_recv_msg_size_mib;
  INFERMETRY_RETURN_IF_ERROR(r.Uint("max_recv_msg_size_mib", &mib));
  if (mib > 2047) {
    return doc.ErrorAt(
        r.Child("max_recv_msg_size_mib"),
        where + ".max_recv_msg_size_mib: must be at most 2047, got " + std::to_string(mib));
  }
  out->max_recv_msg_size_mib = mib == 0 ? GrpcReceiverOptions().max_recv_msg_size_mib : mib;
  return r.Finish();
}

Status DecodeHttp(const config::Document& doc, const YAML::Node& node, const std::string& where,
                  OtlpHttpOptions* out) {
  config::MapReader r(doc, node, where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(ReadEndpoint(&r, &out->endpoint));
  INFERMETRY_RETURN_IF_ERROR(r.Bool("include_metadata", &out->routes.include_metadata));
  INFERMETRY_RETURN_IF_ERROR(r.String("traces_url_path", &out->routes.traces_url_path));
  INFERMETRY_RETURN_IF_ERROR(r.String("metrics_url_path", &out->routes.metrics_url_path));
  INFERMETRY_RETURN_IF_ERROR(r.String("logs_url_path", &out->routes.logs_url_path));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("max_request_body_size", &out->max_request_body_size));
  if (out->max_request_body_size == 0)
    out->max_request_body_size = OtlpHttpOptions().max_request_body_size;
  if (out->max_request_body_size > uint64_t{INT_MAX}) {
    return doc.ErrorAt(r.Child("max_request_body_size"),
                       where + ".max_request_body_size: must be below 2 GiB, got " +
                           std::to_string(out->max_request_body_size));
  }
  for (std::string* p :
       {&out->routes.traces_url_path, &out->routes.metrics_url_path, &out->routes.logs_url_path}) {
    if (p->empty() || (*p)[0] != '/') p->insert(0, "/");
  }
  return r.Finish();
}

}  // namespace

Result<OtlpReceiverConfig> DecodeOtlpReceiverConfig(const process::ComponentConfig& cfg) {
  const config::Document& doc = *cfg.doc;
  config::MapReader r(doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  YAML::Node protocols = r.Child("protocols");
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  OtlpReceiverConfig out;
  if (protocols.IsDefined() && !protocols.IsNull()) {
    std::string where = cfg.where + ".protocols";
    config::MapReader p(doc, protocols, where);
    INFERMETRY_RETURN_IF_ERROR(p.status());
    // A protocol key with no value ("grpc:") enables it with defaults.
    if (YAML::Node n = p.Child("grpc"); n.IsDefined()) {
      out.grpc.emplace();
      INFERMETRY_RETURN_IF_ERROR(DecodeGrpc(doc, n, where + ".grpc", &*out.grpc));
    }
    if (YAML::Node n = p.Child("http"); n.IsDefined()) {
      out.http.emplace();
      INFERMETRY_RETURN_IF_ERROR(DecodeHttp(doc, n, where + ".http", &*out.http));
    }
    INFERMETRY_RETURN_IF_ERROR(p.Finish());
  }
  if (!out.grpc && !out.http) {
    const YAML::Node& at = protocols.IsDefined() ? protocols : cfg.node;
    return doc.ErrorAt(at, cfg.where +
                               ": must specify at least one protocol (grpc or http) when "
                               "using the OTLP receiver");
  }
  return out;
}

OtlpReceiver::OtlpReceiver(std::string id, OtlpReceiverConfig config,
                           const process::ReceiverOutputs& outputs)
    : id_(std::move(id)), config_(std::move(config)), outputs_(outputs) {}

OtlpReceiver::~OtlpReceiver() { (void)Shutdown(http::Server::kDefaultShutdownDeadline); }

Status OtlpReceiver::Start() {
  if (started_) return Status::Ok();
  std::unique_ptr<GrpcReceiver> grpc;
  std::unique_ptr<http::Server> server;
  if (config_.grpc) {
    auto handler = std::make_shared<ExportHandler>(id_, "grpc", outputs_);
    Result<std::unique_ptr<GrpcReceiver>> g = GrpcReceiver::Start(*config_.grpc, handler);
    if (!g.ok()) return g.status().WithContext("receiver " + id_);
    grpc = std::move(*g);
    log::Info("otlp grpc receiver listening",
              {{"receiver", id_}, {"endpoint", config_.grpc->endpoint}, {"port", grpc->port()}});
  }
  if (config_.http) {
    auto handler = std::make_shared<ExportHandler>(id_, "http", outputs_);
    auto router = std::make_shared<http::Router>();
    RegisterOtlpHttpRoutes(config_.http->routes, handler, router.get());
    http::ServerOptions options;
    options.listen = config_.http->endpoint;
    options.max_body_bytes = config_.http->max_request_body_size;
    options.threads = config_.http->threads;
    Result<std::unique_ptr<http::Server>> s = http::Server::Start(options, router);
    if (!s.ok()) return s.status().WithContext("receiver " + id_ + ": otlp http");  // grpc stops
    server = std::move(*s);
  }
  grpc_ = std::move(grpc);
  http_ = std::move(server);
  started_ = true;
  return Status::Ok();
}

Status OtlpReceiver::Shutdown(std::chrono::milliseconds deadline) {
  std::thread grpc_stop;
  if (grpc_ != nullptr) grpc_stop = std::thread([this, deadline] { grpc_->Shutdown(deadline); });
  if (http_ != nullptr) http_->Shutdown(deadline);
  if (grpc_stop.joinable()) grpc_stop.join();
  started_ = false;
  return Status::Ok();
}

bool OtlpReceiver::Ready() const { return started_; }

uint16_t OtlpReceiver::grpc_port() const { return grpc_ != nullptr ? grpc_->port() : 0; }
uint16_t OtlpReceiver::http_port() const { return http_ != nullptr ? http_->port() : 0; }

Result<std::unique_ptr<process::Receiver>> CreateOtlpReceiver(
    const process::ComponentConfig& cfg, const process::ReceiverOutputs& outputs) {
  INFERMETRY_ASSIGN_OR_RETURN(OtlpReceiverConfig config, DecodeOtlpReceiverConfig(cfg));
  return std::unique_ptr<process::Receiver>(
      std::make_unique<OtlpReceiver>(cfg.id, std::move(config), outputs));
}

}  // namespace infermetry::otlp
