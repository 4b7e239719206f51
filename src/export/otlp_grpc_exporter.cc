#include "export/otlp_grpc_exporter.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <cctype>
#include <chrono>

#include "export/client_options.h"
#include "export/queued_exporter.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace infermetry::exporter {
namespace {

namespace trace_svc = opentelemetry::proto::collector::trace::v1;
namespace metrics_svc = opentelemetry::proto::collector::metrics::v1;
namespace logs_svc = opentelemetry::proto::collector::logs::v1;

struct GrpcOptions {
  std::string target;  // endpoint without scheme
  bool plaintext = false;
  ClientOptions client;
};

// The server's google.rpc.RetryInfo delay, if it sent one in the status details.
std::optional<std::chrono::milliseconds> RetryDelay(const grpc::Status& s) {
  if (s.error_details().empty()) return std::nullopt;
  google::rpc::Status details;
  if (!details.ParseFromString(s.error_details())) return std::nullopt;
  for (const auto& any : details.details()) {
    google::rpc::RetryInfo info;
    if (any.Is<google::rpc::RetryInfo>() && any.UnpackTo(&info)) {
      const auto& d = info.retry_delay();
      return std::chrono::milliseconds(d.seconds() * 1000 + d.nanos() / 1000000);
    }
  }
  return std::nullopt;
}

Code ToCode(grpc::StatusCode c) {
  switch (c) {
    case grpc::StatusCode::UNAVAILABLE:
      return Code::kUnavailable;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Code::kDeadlineExceeded;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Code::kResourceExhausted;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Code::kInvalidArgument;
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return Code::kPermissionDenied;
    case grpc::StatusCode::NOT_FOUND:
      return Code::kNotFound;
    case grpc::StatusCode::CANCELLED:
      return Code::kUnavailable;
    default:
      return Code::kInternal;
  }
}

const char* GrpcCodeName(grpc::StatusCode c) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int i = static_cast<int>(c);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

SendResult FromGrpc(const grpc::Status& s, const std::string& target) {
  Status st(ToCode(s.error_code()), std::string("gRPC ") + GrpcCodeName(s.error_code()) + " from " +
                                        target + ": " + s.error_message());
  std::optional<std::chrono::milliseconds> delay = RetryDelay(s);
  switch (s.error_code()) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return SendResult::Retryable(std::move(st), delay.value_or(std::chrono::milliseconds(0)));
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      if (delay.has_value()) return SendResult::Retryable(std::move(st), *delay);
      return SendResult::Permanent(std::move(st));
    default:
      return SendResult::Permanent(std::move(st));
  }
}

class GrpcSender : public Sender {
 public:
  explicit GrpcSender(GrpcOptions options) : options_(std::move(options)) {
    for (const auto& [k, v] : options_.client.headers) {
      std::string key;
      for (char c : k)
        key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      metadata_.emplace_back(std::move(key), v);
    }
  }

  Status Start() override {
    grpc::ChannelArguments args;
    args.SetString(GRPC_ARG_PRIMARY_USER_AGENT_STRING, "infermetry/" INFERMETRY_VERSION);
    const ClientTls& tls = options_.client.tls;
    if (!tls.server_name_override.empty()) args.SetSslTargetNameOverride(tls.server_name_override);
    std::shared_ptr<grpc::ChannelCredentials> creds;
    if (options_.plaintext) {
      creds = grpc::InsecureChannelCredentials();
    } else if (tls.insecure_skip_verify) {
      grpc::experimental::TlsChannelCredentialsOptions o;
      o.set_verify_server_certs(false);
      o.set_check_call_host(false);
      o.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
      if (!tls.cert_pem.empty()) {
        std::vector<grpc::experimental::IdentityKeyCertPair> pairs{{tls.key_pem, tls.cert_pem}};
        o.set_certificate_provider(
            std::make_shared<grpc::experimental::StaticDataCertificateProvider>(tls.ca_pem, pairs));
        o.watch_identity_key_cert_pairs();
      }
      creds = grpc::experimental::TlsCredentials(o);
    } else {
      grpc::SslCredentialsOptions o;
      o.pem_root_certs = tls.ca_pem;
      o.pem_private_key = tls.key_pem;
      o.pem_cert_chain = tls.cert_pem;
      creds = grpc::SslCredentials(o);
    }
    if (creds == nullptr)
      return InvalidArgument("cannot set up TLS credentials for " + options_.target);
    channel_ = grpc::CreateCustomChannel(options_.target, creds, args);
    traces_ = trace_svc::TraceService::NewStub(channel_);
    metrics_ = metrics_svc::MetricsService::NewStub(channel_);
    logs_ = logs_svc::LogsService::NewStub(channel_);
    return Status::Ok();
  }

  SendResult Send(const Batch& batch, std::chrono::milliseconds timeout) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    if (options_.client.gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    for (const auto& [k, v] : metadata_) ctx.AddMetadata(k, v);
    if (const auto* t = std::get_if<process::Traces>(&batch)) {
      trace_svc::ExportTraceServiceResponse resp;
      grpc::Status s = traces_->Export(&ctx, *t, &resp);
      if (!s.ok()) return FromGrpc(s, options_.target);
      return Partial(resp.partial_success().rejected_spans(),
                     resp.partial_success().error_message());
    }
    if (const auto* m = std::get_if<process::Metrics>(&batch)) {
      metrics_svc::ExportMetricsServiceResponse resp;
      grpc::Status s = metrics_->Export(&ctx, *m, &resp);
      if (!s.ok()) return FromGrpc(s, options_.target);
      return Partial(resp.partial_success().rejected_data_points(),
                     resp.partial_success().error_message());
    }
    logs_svc::ExportLogsServiceResponse resp;
    grpc::Status s = logs_->Export(&ctx, std::get<process::Logs>(batch), &resp);
    if (!s.ok()) return FromGrpc(s, options_.target);
    return Partial(resp.partial_success().rejected_log_records(),
                   resp.partial_success().error_message());
  }

 private:
  static SendResult Partial(int64_t rejected, const std::string& message) {
    SendResult r;
    r.rejected = rejected;
    r.rejected_message = message;
    return r;
  }

  GrpcOptions options_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<trace_svc::TraceService::Stub> traces_;
  std::unique_ptr<metrics_svc::MetricsService::Stub> metrics_;
  std::unique_ptr<logs_svc::LogsService::Stub> logs_;
};

// gRPC rejects (and in debug builds aborts on) metadata it cannot send; check at config time.
Status CheckMetadata(config::MapReader* r, const std::map<std::string, std::string>& headers) {
  for (const auto& [k, v] : headers) {
    bool ok = !k.empty();
    for (char c : k) {
      unsigned char u = static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(c)));
      ok = ok &&
           ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '_' || u == '.');
    }
    if (!ok)
      return r->doc().ErrorAt(r->Child("headers"), r->where() + ".headers: \"" + k +
                                                       "\" is not a valid gRPC metadata name");
    if (k.size() > 4 && k.ends_with("-bin")) continue;
    for (char c : v) {
      if (c < 0x20 || c > 0x7e) {
        return r->doc().ErrorAt(
            r->Child("headers"),
            r->where() + ".headers." + k + ": value has a character gRPC metadata cannot carry");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<process::Exporter>> CreateOtlpGrpcExporter(
    const process::ComponentConfig& cfg) {
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  GrpcOptions o;
  HelperOptions helper;
  std::string endpoint;
  INFERMETRY_RETURN_IF_ERROR(r.String("endpoint", &endpoint));
  INFERMETRY_RETURN_IF_ERROR(DecodeClientOptions(&r, &o.client));
  INFERMETRY_RETURN_IF_ERROR(DecodeHelperOptions(cfg, &r, &helper));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  INFERMETRY_RETURN_IF_ERROR(CheckMetadata(&r, o.client.headers));
  o.plaintext = o.client.tls.insecure;
  if (endpoint.starts_with("http://")) {
    endpoint.erase(0, 7);
    o.plaintext = true;
  } else if (endpoint.starts_with("https://")) {
    endpoint.erase(0, 8);
    o.plaintext = false;
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (endpoint.empty() || endpoint.front() == ':') {
    YAML::Node at = r.Has("endpoint") ? r.Child("endpoint") : cfg.node;
    return cfg.doc->ErrorAt(at,
                            cfg.where + ": endpoint must be host:port, got \"" + endpoint + "\"");
  }
  o.target = endpoint;
  return std::unique_ptr<process::Exporter>(
      new QueuedExporter(cfg.id, std::move(helper), std::make_unique<GrpcSender>(std::move(o))));
}

}  // namespace infermetry::exporter
