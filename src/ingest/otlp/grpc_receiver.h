#pragma once
// OTLP/gRPC (the Collector's otlp receiver, `protocols.grpc`): TraceService, MetricsService and
// LogsService Export, served by grpc++ on one listening address.
//
// Each Export's request message is parsed here (not by gRPC), so that the answers are:
//   OK                  the response message; partial_success when some items were invalid
//   INVALID_ARGUMENT    undecodable request, or the pipeline refused the data as invalid
//   RESOURCE_EXHAUSTED  the pipeline is over a limit          } with a google.rpc.RetryInfo
//   UNAVAILABLE         the pipeline is temporarily unable    } detail (grpc-status-details-bin)
//   DEADLINE_EXCEEDED   the pipeline timed out                }
//   INTERNAL            any other pipeline error
//   UNIMPLEMENTED       a service whose signal no pipeline takes, or any other method
// (see GrpcCodeFor in export_handler.h). Requests larger than max_recv_msg_size_mib are refused
// by gRPC with RESOURCE_EXHAUSTED before they reach the handler.
//
// The handler sees the client information (process/client_info.h): the peer address, and with
// include_metadata the call's metadata (keys lower-case as gRPC sends them; repeated keys kept
// in order).
//
// Threading: `threads` threads poll one completion queue and run the handlers; a handler that
// blocks in the pipeline holds one of them. gRPC's own headers stay inside grpc_receiver.cc.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "ingest/otlp/export_handler.h"

namespace infermetry::otlp {

struct GrpcReceiverOptions {
  // "host:port" or "[v6addr]:port"; ":port" listens on every interface. Port 0 picks a free
  // port (see GrpcReceiver::port()).
  std::string endpoint = "0.0.0.0:4317";
  uint64_t max_recv_msg_size_mib = 4;
  int threads = 4;  // minimum 1
  std::chrono::seconds retry_after{1};
  // `include_metadata`: the call's metadata becomes the client metadata of the data.
  bool include_metadata = false;
  // `tls`: PEM files of the server certificate (chain) and its private key; both empty: plain
  // text. Read at Start (a missing or unreadable file fails Start, naming it).
  std::string tls_cert_file;
  std::string tls_key_file;
};

// Thread-safety: port() may be called from any thread; Shutdown from any thread but a handler.
class GrpcReceiver {
 public:
  // Binds and starts serving. A bind failure is kUnavailable naming the endpoint.
  static Result<std::unique_ptr<GrpcReceiver>> Start(const GrpcReceiverOptions& options,
                                                     std::shared_ptr<ExportHandler> handler);
  // Same as Shutdown(5 s).
  ~GrpcReceiver();
  GrpcReceiver(const GrpcReceiver&) = delete;
  GrpcReceiver& operator=(const GrpcReceiver&) = delete;

  uint16_t port() const;

  // Stops accepting calls, lets calls in progress finish until `deadline`, then cancels the
  // rest; returns once every handler has returned. Idempotent.
  void Shutdown(std::chrono::milliseconds deadline);

 private:
  struct Impl;
  explicit GrpcReceiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace infermetry::otlp
