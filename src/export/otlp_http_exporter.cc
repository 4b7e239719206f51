#include "export/otlp_http_exporter.h"


#include <cctype>

#include "common/gzip.h"
#include "common/http_client.h"
#include "export/client_options.h"
#include "export/queued_exporter.h"
#include "model/otlp/otlp_json.h"

namespace infermetry::exporter {
namespace {

using process::Signal;

struct HttpOptions {
  std::string urls[3];  // by signal; "" = not configured
  ClientOptions client;
  bool json = false;
};

bool Retryable(int status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

// A readable reason from an error response: the google.rpc.Status message when the body is
// one, else the start of the body.
std::string ErrorDetail(const http::ClientResponse& resp) {
  std::string_view ct = resp.Header("Content-Type");
  otlp::RpcStatus st;
  if (ct.find("protobuf") != std::string_view::npos && st.ParseFromString(resp.body) &&
      !st.message().empty()) {
    return st.message();
  }
  if (ct.find("json") != std::string_view::npos && otlp::DecodeJson(resp.body, st).ok() &&
      !st.message().empty()) {
    return st.message();
  }
  std::string text = resp.body.substr(0, 256);
  for (char& c : text) {
    if (!std::isprint(static_cast<unsigned char>(c))) c = ' ';
  }
  return text;
}

template <typename Resp>
bool DecodeResponse(const http::ClientResponse& resp, Resp* out) {
  if (resp.body.empty()) return false;
  if (resp.Header("Content-Type").find("json") != std::string_view::npos)
    return otlp::DecodeJson(resp.body, *out).ok();
  return out->ParseFromString(resp.body);
}

class HttpSender : public Sender {
 public:
  explicit HttpSender(HttpOptions options) : options_(std::move(options)) {
    for (const auto& [k, v] : options_.client.headers) headers_.emplace_back(k, v);
    headers_.emplace_back("Content-Type",
                          options_.json ? "application/json" : "application/x-protobuf");
    if (options_.client.gzip) headers_.emplace_back("Content-Encoding", "gzip");
    headers_.emplace_back("User-Agent", "infermetry/" INFERMETRY_VERSION);
    const ClientTls& tls = options_.client.tls;
    tls_.ca_file = tls.ca_file;
    tls_.cert_file = tls.cert_file;
    tls_.key_file = tls.key_file;
    tls_.server_name = tls.server_name_override;
    tls_.insecure_skip_verify = tls.insecure_skip_verify;
  }

  SendResult Send(const Batch& batch, std::chrono::milliseconds timeout) override {
    const Signal signal = SignalOf(batch);
    http::ClientRequest req;
    req.method = "POST";
    req.url = options_.urls[static_cast<int>(signal)];
    if (req.url.empty()) {
      return SendResult::Permanent(InvalidArgument(std::string("no endpoint configured for ") +
                                                   std::string(process::SignalName(signal))));
    }
    req.headers = headers_;
    req.timeout = timeout;
    req.connect_timeout = std::min(timeout, std::chrono::milliseconds(5000));
    req.max_response_bytes = 4 << 20;
    req.tls = tls_;
    req.body = options_.json ? std::visit([](const auto& m) { return otlp::EncodeJson(m); }, batch)
                             : Serialize(batch);
    if (options_.client.gzip) {
      Result<std::string> z = http::GzipCompress(req.body);
      if (!z.ok()) return SendResult::Retryable(z.status());
      req.body = std::move(*z);
    }
    Result<http::ClientResponse> resp = http::Fetch(req);
    if (!resp.ok()) {
      if (resp.status().code() == Code::kInvalidArgument)
        return SendResult::Permanent(resp.status());
      return SendResult::Retryable(resp.status());
    }
    if (resp->status >= 200 && resp->status < 300) return Partial(signal, *resp);
    Code code = resp->status == 429                          ? Code::kResourceExhausted
                : Retryable(resp->status)                    ? Code::kUnavailable
                : resp->status == 401 || resp->status == 403 ? Code::kPermissionDenied
                : resp->status == 404                        ? Code::kNotFound
                                                             : Code::kInvalidArgument;
    Status st(code, "HTTP " + std::to_string(resp->status) + " from " + req.url + ": " +
                        ErrorDetail(*resp));
    if (!Retryable(resp->status)) return SendResult::Permanent(std::move(st));
    std::chrono::milliseconds after{0};
    if (auto ra = ParseRetryAfter(resp->Header("Retry-After"), std::chrono::system_clock::now()))
      after = *ra;
    return SendResult::Retryable(std::move(st), after);
  }

 private:
  static SendResult Partial(Signal signal, const http::ClientResponse& resp) {
    SendResult r;
    if (signal == Signal::kTraces) {
      otlp::ExportTraceServiceResponse m;
      if (DecodeResponse(resp, &m)) {
        r.rejected = m.partial_success().rejected_spans();
        r.rejected_message = m.partial_success().error_message();
      }
    } else if (signal == Signal::kMetrics) {
      otlp::ExportMetricsServiceResponse m;
      if (DecodeResponse(resp, &m)) {
        r.rejected = m.partial_success().rejected_data_points();
        r.rejected_message = m.partial_success().error_message();
      }
    } else {
      otlp::ExportLogsServiceResponse m;
      if (DecodeResponse(resp, &m)) {
        r.rejected = m.partial_success().rejected_log_records();
        r.rejected_message = m.partial_success().error_message();
      }
    }
    return r;
  }

  HttpOptions options_;
  std::vector<std::pair<std::string, std::string>> headers_;
  http::TlsOptions tls_;
};

Status CheckUrl(config::MapReader* r, std::string_view key, const std::string& url) {
  if (url.empty() || url.starts_with("http://") || url.starts_with("https://")) return Status::Ok();
  return r->doc().ErrorAt(r->Child(key), r->where() + "." + std::string(key) + ": \"" + url +
                                             "\" is not an http:// or https:// URL");
}

}  // namespace

Result<std::unique_ptr<process::Exporter>> CreateOtlpHttpExporter(
    const process::ComponentConfig& cfg) {
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  HttpOptions o;
  HelperOptions helper;
  helper.timeout = std::chrono::seconds(30);  // the Collector's otlphttp default
  std::string endpoint, encoding = "proto";
  static constexpr std::string_view kKeys[3] = {"traces_endpoint", "metrics_endpoint",
                                                "logs_endpoint"};
  static constexpr std::string_view kPaths[3] = {"v1/traces", "v1/metrics", "v1/logs"};
  INFERMETRY_RETURN_IF_ERROR(r.String("endpoint", &endpoint));
  INFERMETRY_RETURN_IF_ERROR(CheckUrl(&r, "endpoint", endpoint));
  for (int i = 0; i < 3; ++i) {
    INFERMETRY_RETURN_IF_ERROR(r.String(kKeys[i], &o.urls[i]));
    INFERMETRY_RETURN_IF_ERROR(CheckUrl(&r, kKeys[i], o.urls[i]));
    if (o.urls[i].empty() && !endpoint.empty()) {
      o.urls[i] = endpoint + (endpoint.ends_with("/") ? "" : "/") + std::string(kPaths[i]);
    }
  }
  INFERMETRY_RETURN_IF_ERROR(r.String("encoding", &encoding));
  INFERMETRY_RETURN_IF_ERROR(DecodeClientOptions(&r, &o.client));
  INFERMETRY_RETURN_IF_ERROR(DecodeHelperOptions(cfg, &r, &helper));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  if (encoding == "json") {
    o.json = true;
  } else if (encoding != "proto") {
    return cfg.doc->ErrorAt(
        r.Child("encoding"),
        cfg.where + ": encoding must be proto or json, got \"" + encoding + "\"");
  }
  if (o.urls[0].empty() && o.urls[1].empty() && o.urls[2].empty()) {
    return cfg.doc->ErrorAt(
        cfg.node,
        cfg.where + ": endpoint (or traces_endpoint, metrics_endpoint, logs_endpoint) is required");
  }
  return std::unique_ptr<process::Exporter>(
      new QueuedExporter(cfg.id, std::move(helper), std::make_unique<HttpSender>(std::move(o))));
}

}  // namespace infermetry::exporter
