#include "ingest/otlp/http_receiver.h"

#include <optional>
#include <string_view>
#include <utility>

#include "common/log.h"
#include "model/otlp/otlp_json.h"

namespace infermetry::otlp {
namespace {

constexpr std::string_view kProtobufType = "application/x-protobuf";
constexpr std::string_view kJsonType = "application/json";

enum class Encoding { kProtobuf, kJson };

std::optional<Encoding> EncodingOf(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  if (http::EqualsIgnoreCase(media, kProtobufType)) return Encoding::kProtobuf;
  if (http::EqualsIgnoreCase(media, kJsonType)) return Encoding::kJson;
  return std::nullopt;
}

template <typename M>
void WriteMessage(http::Response* resp, int status, Encoding enc, const M& msg) {
  resp->status = status;
  if (enc == Encoding::kProtobuf) {
    resp->body = msg.SerializeAsString();
    resp->SetContentType(kProtobufType);
  } else {
    resp->body = EncodeJson(msg);
    resp->SetContentType(kJsonType);
  }
}

void WriteError(http::Response* resp, Encoding enc, const Status& st,
                std::chrono::seconds retry_after) {
  google::rpc::Status body = RpcStatusFor(st, retry_after);
  int code = body.code();
  WriteMessage(resp, HttpStatusFor(code), enc, body);
  if (IsRetryable(code)) resp->SetHeader("Retry-After", std::to_string(retry_after.count()));
}

void SetPartialSuccess(ExportTraceServiceResponse* r, const ExportOutcome& out) {
  r->mutable_partial_success()->set_rejected_spans(out.rejected);
  r->mutable_partial_success()->set_error_message(out.message);
}
void SetPartialSuccess(ExportMetricsServiceResponse* r, const ExportOutcome& out) {
  r->mutable_partial_success()->set_rejected_data_points(out.rejected);
  r->mutable_partial_success()->set_error_message(out.message);
}
void SetPartialSuccess(ExportLogsServiceResponse* r, const ExportOutcome& out) {
  r->mutable_partial_success()->set_rejected_log_records(out.rejected);
  r->mutable_partial_success()->set_error_message(out.message);
}

template <typename Request, typename Response>
void Serve(const http::Request& req, http::Response* resp, ExportHandler& handler,
           std::chrono::seconds retry_after, bool include_metadata) {
  std::optional<Encoding> enc = EncodingOf(req.Header("Content-Type"));
  if (!enc) {
    resp->SetText(415, "415 unsupported media type, supported: [" + std::string(kJsonType) + ", " +
                           std::string(kProtobufType) + "]\n");
    return;
  }
  std::string_view content_encoding = req.Header("Content-Encoding");
  if (!content_encoding.empty() && !http::EqualsIgnoreCase(content_encoding, "identity")) {
    WriteError(resp, *enc,
               InvalidArgument("unsupported Content-Encoding \"" + std::string(content_encoding) +
                               "\" (supported: gzip)"),
               retry_after);
    return;
  }
  Request msg;
  Status st;
  if (*enc == Encoding::kProtobuf) {
    if (!msg.ParseFromArray(req.body.data(), static_cast<int>(req.body.size()))) {
      st = ParseError("cannot decode the request body as a protobuf " + msg.GetTypeName());
    }
  } else {
    st = DecodeJson(req.body, msg);
  }
  if (!st.ok()) {
    log::Debug("otlp: undecodable request",
               {{"path", req.path}, {"remote", req.remote_addr}, {"err", st.message()}});
    WriteError(resp, *enc, st, retry_after);
    return;
  }
  process::ClientInfo client;
  client.address = req.remote_addr;
  if (include_metadata) {
    for (const auto& [name, value] : req.headers) client.AddMetadata(name, value);
  }
  ExportOutcome out = handler.Export(std::move(msg), &client);
  if (!out.status.ok()) {
    WriteError(resp, *enc, out.status, retry_after);
    return;
  }
  Response response;
  if (out.rejected > 0) SetPartialSuccess(&response, out);
  WriteMessage(resp, 200, *enc, response);
}

// A path as the Collector sanitizes it: with a leading '/'.
std::string Sanitize(const std::string& path) {
  return !path.empty() && path[0] == '/' ? path : "/" + path;
}

}  // namespace

void RegisterOtlpHttpRoutes(const HttpRoutesOptions& options,
                            std::shared_ptr<ExportHandler> handler, http::Router* router) {
  std::chrono::seconds retry = options.retry_after;
  bool md = options.include_metadata;
  if (handler->Accepts(process::Signal::kTraces)) {
    router->Handle("POST", Sanitize(options.traces_url_path), "otlp_traces",
                   [handler, retry, md](const http::Request& req, http::Response* resp) {
                     Serve<process::Traces, ExportTraceServiceResponse>(req, resp, *handler, retry,
                                                                        md);
                   });
  }
  if (handler->Accepts(process::Signal::kMetrics)) {
    router->Handle("POST", Sanitize(options.metrics_url_path), "otlp_metrics",
                   [handler, retry, md](const http::Request& req, http::Response* resp) {
                     Serve<process::Metrics, ExportMetricsServiceResponse>(req, resp, *handler,
                                                                           retry, md);
                   });
  }
  if (handler->Accepts(process::Signal::kLogs)) {
    router->Handle("POST", Sanitize(options.logs_url_path), "otlp_logs",
                   [handler, retry, md](const http::Request& req, http::Response* resp) {
                     Serve<process::Logs, ExportLogsServiceResponse>(req, resp, *handler, retry,
                                                                     md);
                   });
  }
}

}  // namespace infermetry::otlp
