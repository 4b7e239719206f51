#pragma once
// The transport-independent half of the OTLP receiver: takes a decoded Export request, removes
// what validate.h rejects, hands the rest to the pipeline's Consumer and counts the outcome.
// The gRPC and HTTP front ends turn an ExportOutcome into their own responses.
//
// Self-metrics on selfmon::Default(), in the Collector's vocabulary, labelled
// {receiver="<component id>", transport="grpc"|"http"}:
//   infermetry_receiver_accepted_spans_total / _refused_spans_total
//   infermetry_receiver_accepted_metric_points_total / _refused_metric_points_total
//   infermetry_receiver_accepted_log_records_total / _refused_log_records_total
// "Accepted" items were taken by the consumer; "refused" ones were rejected as invalid or
// refused by the consumer. Requests that cannot be decoded are not counted (their items are
// unknown).
//
// Client information: Export shows `client` (may be null) to the pipeline through a
// process::ClientInfoScope for the duration of the Consume call, so processors that run on the
// calling thread read it (attr_action.h's from_context); see process/client_info.h for what does
// not carry it.
//
// Thread-safety: Export may be called concurrently (the consumers are thread-safe).

#include <chrono>
#include <cstdint>
#include <string>

#include "common/self_metrics.h"
#include "common/status.h"
#include "google/rpc/status.pb.h"
#include "process/client_info.h"
#include "process/component.h"
#include "process/factory.h"
#include "process/telemetry.h"

namespace infermetry::otlp {

struct ExportOutcome {
  // OK, or the consumer's error (then nothing of the batch was kept).
  Status status;
  // With an OK status: items removed as invalid, and why (partial success when > 0).
  int64_t rejected = 0;
  std::string message;
};

class ExportHandler {
 public:
  // `outputs` are not owned and must outlive the handler; a null consumer means the signal is
  // not taken by any pipeline.
  ExportHandler(std::string receiver_id, std::string transport, process::ReceiverOutputs outputs);

  bool Accepts(process::Signal signal) const;

  // REQUIRES: Accepts(the batch's signal). `client`, when not null, must stay valid and
  // unchanged during the call.
  ExportOutcome Export(process::Traces&& batch, const process::ClientInfo* client = nullptr);
  ExportOutcome Export(process::Metrics&& batch, const process::ClientInfo* client = nullptr);
  ExportOutcome Export(process::Logs&& batch, const process::ClientInfo* client = nullptr);

 private:
  struct Counters {
    selfmon::Counter* accepted;
    selfmon::Counter* refused;
  };
  template <typename Batch>
  ExportOutcome Deliver(Batch&& batch, process::Consumer* consumer, const Counters& counters,
                        const process::ClientInfo* client);

  process::ReceiverOutputs outputs_;
  Counters spans_, points_, records_;
};

// How a failed Export is answered, on both transports:
//   kResourceExhausted                 RESOURCE_EXHAUSTED (8)  HTTP 429, retryable
//   kUnavailable                       UNAVAILABLE (14)        HTTP 503, retryable
//   kDeadlineExceeded                  DEADLINE_EXCEEDED (4)   HTTP 503, retryable
//   kInvalidArgument, kParseError      INVALID_ARGUMENT (3)    HTTP 400
//   anything else                      INTERNAL (13)           HTTP 500
int GrpcCodeFor(const Status& status);
int HttpStatusFor(int grpc_code);
bool IsRetryable(int grpc_code);

// The google.rpc.Status for a failed Export: code and message, plus a google.rpc.RetryInfo
// detail carrying `retry_after` when the code is retryable.
google::rpc::Status RpcStatusFor(const Status& status, std::chrono::seconds retry_after);

}  // namespace infermetry::otlp
