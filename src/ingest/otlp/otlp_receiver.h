#pragma once
// The `otlp` receiver: the OpenTelemetry Collector's OTLP receiver, over gRPC and HTTP.
//
//   receivers:
//     otlp:
//       protocols:
//         grpc:
//           endpoint: 0.0.0.0:4317        # default
//           max_recv_msg_size_mib: 4      # default
//           include_metadata: false       # default; see below
//           tls:                          # absent: plain text
//             cert_file: server.crt       # PEM certificate (chain) and private key, read at
//             key_file: server.key        # Start
//         http:
//           endpoint: 0.0.0.0:4318        # default
//           include_metadata: false       # default; see below
//           traces_url_path: /v1/traces   # defaults; a missing leading '/' is added
//           metrics_url_path: /v1/metrics
//           logs_url_path: /v1/logs
//           max_request_body_size: 67108864   # bytes after gunzip; default 64 MiB
//
// `include_metadata: true` (as in the Collector's confighttp/configgrpc) makes the request's
// HTTP headers or gRPC metadata (keys lower-cased) the client metadata of its data, visible to
// the processors that run synchronously on the receiver's thread (process/client_info.h), e.g.
// `from_context: metadata.authorization` in the attributes and resource processors
// (process/attr_action.h). The peer address is always part of the client information.
//
// TLS is served on gRPC only (the HTTP protocol has no `tls` yet).
//
// Only the protocols listed are started (`grpc:` with no value means all defaults); at least
// one is required. Unknown keys are errors naming file:line:column. See grpc_receiver.h and
// http_receiver.h for what each transport answers, export_handler.h for self-metrics and
// validate.h for what is rejected with partial success.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "ingest/otlp/grpc_receiver.h"
#include "ingest/otlp/http_receiver.h"
#include "process/component.h"
#include "process/factory.h"

namespace infermetry::http {
class Server;
}

namespace infermetry::otlp {

struct OtlpHttpOptions {
  std::string endpoint = "0.0.0.0:4318";
  HttpRoutesOptions routes;
  uint64_t max_request_body_size = uint64_t{64} << 20;
  int threads = 4;
};

struct OtlpReceiverConfig {
  std::optional<GrpcReceiverOptions> grpc;  // absent: not started
  std::optional<OtlpHttpOptions> http;      // absent: not started
};

// Decodes the receiver's YAML section.
Result<OtlpReceiverConfig> DecodeOtlpReceiverConfig(const process::ComponentConfig& cfg);

// Thread-safety: Start and Shutdown are called by the pipeline, one at a time; the port
// accessors may be called from any thread once Start has returned.
class OtlpReceiver : public process::Receiver {
 public:
  // `id` ("otlp", "otlp/vllm") labels the self-metrics. The outputs must outlive the receiver.
  OtlpReceiver(std::string id, OtlpReceiverConfig config, const process::ReceiverOutputs& outputs);
  ~OtlpReceiver() override;

  // Binds every configured protocol; on failure nothing stays bound.
  Status Start() override;
  // Stops both transports concurrently, each letting requests in progress finish until
  // `deadline`.
  Status Shutdown(std::chrono::milliseconds deadline) override;
  bool Ready() const override;

  // The bound ports (useful with port 0); 0 when the protocol is not configured or not started.
  uint16_t grpc_port() const;
  uint16_t http_port() const;

 private:
  std::string id_;
  OtlpReceiverConfig config_;
  process::ReceiverOutputs outputs_;
  std::unique_ptr<GrpcReceiver> grpc_;
  std::unique_ptr<http::Server> http_;
  std::atomic<bool> started_{false};
};

// The registry entry's factory: decodes the config and builds an (unstarted) OtlpReceiver.
Result<std::unique_ptr<process::Receiver>> CreateOtlpReceiver(
    const process::ComponentConfig& cfg, const process::ReceiverOutputs& outputs);

}  // namespace infermetry::otlp
