#include "ingest/otlp/export_handler.h"

#include <utility>

#include "google/rpc/error_details.pb.h"
#include "ingest/otlp/validate.h"

namespace infermetry::otlp {
namespace {

selfmon::Counter* CounterFor(std::string name, std::string help, const std::string& receiver,
                             const std::string& transport) {
  return &selfmon::Default()
              .AddCounter(std::move(name), std::move(help), {"receiver", "transport"})
              .With({receiver, transport});
}

Status Consume(process::Consumer* c, process::Traces&& b) { return c->ConsumeTraces(std::move(b)); }
Status Consume(process::Consumer* c, process::Metrics&& b) {
  return c->ConsumeMetrics(std::move(b));
}
Status Consume(process::Consumer* c, process::Logs&& b) { return c->ConsumeLogs(std::move(b)); }

}  // namespace

ExportHandler::ExportHandler(std::string receiver_id, std::string transport,
                             process::ReceiverOutputs outputs)
    : outputs_(outputs) {
  spans_ = {CounterFor("infermetry_receiver_accepted_spans_total",
                       "Spans the receiver pushed into the pipeline.", receiver_id, transport),
            CounterFor("infermetry_receiver_refused_spans_total",
                       "Spans the receiver rejected as invalid or the pipeline refused.",
                       receiver_id, transport)};
  points_ = {
      CounterFor("infermetry_receiver_accepted_metric_points_total",
                 "Metric data points the receiver pushed into the pipeline.", receiver_id,
                 transport),
      CounterFor("infermetry_receiver_refused_metric_points_total",
                 "Metric data points the receiver rejected as invalid or the pipeline refused.",
                 receiver_id, transport)};
  records_ = {
      CounterFor("infermetry_receiver_accepted_log_records_total",
                 "Log records the receiver pushed into the pipeline.", receiver_id, transport),
      CounterFor("infermetry_receiver_refused_log_records_total",
                 "Log records the receiver rejected as invalid or the pipeline refused.",
                 receiver_id, transport)};
}

bool ExportHandler::Accepts(process::Signal signal) const {
  switch (signal) {
    case process::Signal::kTraces:
      return outputs_.traces != nullptr;
    case process::Signal::kMetrics:
      return outputs_.metrics != nullptr;
    case process::Signal::kLogs:
      return outputs_.logs != nullptr;
  }
  return false;
}

template <typename Batch>
ExportOutcome ExportHandler::Deliver(Batch&& batch, process::Consumer* consumer,
                                     const Counters& counters, const process::ClientInfo* client) {
  ExportOutcome out;
  Rejections rejected = RemoveInvalid(&batch);
  out.rejected = rejected.count;
  out.message = std::move(rejected.message);
  if (out.rejected > 0) counters.refused->Inc(static_cast<double>(out.rejected));
  int64_t items = process::CountItems(batch);
  // Nothing left of a batch that had items: there is nothing to deliver.
  if (items == 0 && out.rejected > 0) return out;
  {
    process::ClientInfoScope scope(client);
    out.status = Consume(consumer, std::move(batch));
  }
  if (out.status.ok()) {
    counters.accepted->Inc(static_cast<double>(items));
  } else {
    counters.refused->Inc(static_cast<double>(items));
  }
  return out;
}

ExportOutcome ExportHandler::Export(process::Traces&& batch, const process::ClientInfo* client) {
  return Deliver(std::move(batch), outputs_.traces, spans_, client);
}
ExportOutcome ExportHandler::Export(process::Metrics&& batch, const process::ClientInfo* client) {
  return Deliver(std::move(batch), outputs_.metrics, points_, client);
}
ExportOutcome ExportHandler::Export(process::Logs&& batch, const process::ClientInfo* client) {
  return Deliver(std::move(batch), outputs_.logs, records_, client);
}

int GrpcCodeFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return 0;
    case Code::kResourceExhausted:
      return 8;
    case Code::kUnavailable:
      return 14;
    case Code::kDeadlineExceeded:
      return 4;
    case Code::kInvalidArgument:
    case Code::kParseError:
      return 3;
    default:
      return 13;
  }
}

int HttpStatusFor(int grpc_code) {
  switch (grpc_code) {
    case 0:
      return 200;
    case 8:
      return 429;
    case 14:
    case 4:
      return 503;
    case 3:
      return 400;
    default:
      return 500;
  }
}

bool IsRetryable(int grpc_code) { return grpc_code == 8 || grpc_code == 14 || grpc_code == 4; }

google::rpc::Status RpcStatusFor(const Status& status, std::chrono::seconds retry_after) {
  google::rpc::Status out;
  out.set_code(GrpcCodeFor(status));
  out.set_message(status.message());
  if (IsRetryable(out.code())) {
    google::rpc::RetryInfo info;
    info.mutable_retry_delay()->set_seconds(retry_after.count());
    out.add_details()->PackFrom(info);
  }
  return out;
}

}  // namespace infermetry::otlp
