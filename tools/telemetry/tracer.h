#pragma once
// A small tracing SDK for infermetry's own telemetry producers (the emulator's llm_request
// spans, the RAG demo app): W3C trace context, spans, and a batching exporter that sends OTLP
// through infermetry's own `otlp` (gRPC) or `otlphttp` exporter components.
//
// Configuration follows the OpenTelemetry SDK environment variables (TracerOptions::FromEnv):
//   OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT,
//   OTEL_EXPORTER_OTLP_TRACES_PROTOCOL / OTEL_EXPORTER_OTLP_PROTOCOL (grpc | http/protobuf |
//   http/json), OTEL_EXPORTER_OTLP_TRACES_INSECURE / OTEL_EXPORTER_OTLP_INSECURE,
//   OTEL_EXPORTER_OTLP_TRACES_HEADERS / OTEL_EXPORTER_OTLP_HEADERS,
//   OTEL_EXPORTER_OTLP_TRACES_TIMEOUT / OTEL_EXPORTER_OTLP_TIMEOUT (milliseconds),
//   OTEL_EXPORTER_OTLP_TRACES_COMPRESSION / OTEL_EXPORTER_OTLP_COMPRESSION (gzip | none),
//   OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE / OTEL_EXPORTER_OTLP_CERTIFICATE (CA file),
//   OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE / ..._CLIENT_KEY (mutual TLS),
//   OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
//   OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none (both disable tracing).
//
//   Result<std::unique_ptr<Tracer>> t = Tracer::Create(options);
//   model::Span s = (*t)->StartSpan("rag.query", parent_or_null, now_ns, kSpanKindServer);
//   SetIntAttr(&s, "gen_ai.usage.prompt_tokens", 42);
//   std::string header = FormatTraceparent((*t)->ContextOf(s));   // for an outgoing request
//   (*t)->End(std::move(s), end_ns);     // queued; exported in the background
//
// Sampling is parent-based always-on (the OpenTelemetry SDK default): a root span is sampled;
// a child inherits its parent's sampled flag, and spans that are not sampled are discarded at
// End() (not counted as dropped).
//
// Thread-safety: Tracer methods may be called concurrently. Queue overflow drops spans and
// counts them (dropped_spans()).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "model/span.h"

namespace infermetry::telemetry {

// OTLP SpanKind numbers.
inline constexpr int32_t kSpanKindInternal = 1;
inline constexpr int32_t kSpanKindServer = 2;
inline constexpr int32_t kSpanKindClient = 3;
inline constexpr int32_t kSpanKindProducer = 4;
inline constexpr int32_t kSpanKindConsumer = 5;

// OTLP StatusCode numbers (model::Span::status_code).
inline constexpr int32_t kStatusUnset = 0;
inline constexpr int32_t kStatusOk = 1;
inline constexpr int32_t kStatusError = 2;

struct TraceContext {
  model::TraceId trace_id{};
  model::SpanId span_id{};
  uint8_t flags = 1;       // bit 0: sampled
  std::string tracestate;  // the tracestate header, passed through unchanged

  bool sampled() const { return (flags & 1) != 0; }
};

// Parses a W3C traceparent header value: "00-<32 hex>-<16 hex>-<2 hex>", lower-case hex only.
// nullopt for anything the W3C Trace Context spec says to ignore: a wrong length or layout,
// upper-case or non-hex digits, an all-zero trace id or parent id, version "ff". Versions above
// 00 are parsed as 00 when the value is at least 55 characters and, if longer, continues with
// '-' (the spec's forward-compatibility rule); version 00 must be exactly 55 characters.
// Surrounding spaces and tabs (HTTP optional whitespace) are ignored. `tracestate` of the
// result is left empty: it travels in its own header.
std::optional<TraceContext> ParseTraceparent(std::string_view header);
// "00-<trace id>-<span id>-<flags>" in lower-case hex.
std::string FormatTraceparent(const TraceContext& ctx);

// Looks up an environment variable; returns null when unset. Lets tests supply their own.
using EnvLookup = std::function<const char*(const char* name)>;

struct TracerOptions {
  std::string service_name = "unknown_service";
  // Extra resource attributes (string values), after service.name and telemetry.sdk.*.
  std::vector<std::pair<std::string, std::string>> resource_attributes;
  std::string scope_name;  // instrumentation scope, e.g. "vllm.tracing.otel"
  std::string scope_version;
  // Where spans go; empty = tracing disabled (spans are discarded, not counted).
  //   grpc:          "host:port", "grpc://host:port" (TLS per `insecure`), "http://host:port"
  //                  (plaintext) or "https://host:port" (TLS).
  //   http/protobuf, http/json: the full URL spans are POSTed to, e.g.
  //                  "http://collector:4318/v1/traces" (used as is).
  std::string endpoint;
  std::string protocol = "grpc";  // grpc | http/protobuf | http/json
  bool insecure = true;           // grpc without an http(s):// scheme: plaintext when true
  std::vector<std::pair<std::string, std::string>> headers;  // gRPC metadata / HTTP headers
  std::string compression = "none";                          // gzip | none
  std::string ca_file;           // PEM CA bundle to verify the collector with (TLS)
  std::string client_cert_file;  // PEM client certificate and key for mutual TLS
  std::string client_key_file;
  std::chrono::milliseconds export_timeout{10000};  // one export attempt
  size_t max_queue_spans = 2048;
  std::chrono::milliseconds export_interval{1000};  // the longest a span waits in the queue
  size_t max_export_batch = 512;
  // How long ~Tracer waits for queued spans to be exported before giving up on them.
  std::chrono::milliseconds shutdown_timeout{5000};

  // Fills the fields from the OTEL_* variables above; an empty variable counts as unset, and
  // variables override the fields of `defaults`, except:
  //  - a non-empty `defaults.endpoint` (the caller's explicit one, e.g. --otlp-traces-endpoint)
  //    wins over both endpoint variables and is used as is;
  //  - OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is; OTEL_EXPORTER_OTLP_ENDPOINT is a base:
  //    for the http protocols "v1/traces" is appended after a '/', for grpc it is used as is;
  //  - service.name comes from OTEL_SERVICE_NAME, else from OTEL_RESOURCE_ATTRIBUTES, else
  //    `defaults.service_name`;
  //  - OTEL_RESOURCE_ATTRIBUTES ("k=v,k2=v2", keys and values trimmed, values percent-decoded)
  //    adds the keys that `defaults.resource_attributes` does not already have; a malformed
  //    value is discarded as a whole (and logged), as the spec asks;
  //  - OTEL_EXPORTER_OTLP_*_HEADERS (same syntax) replace same-named default headers.
  // The signal-specific (TRACES_) variable of each setting wins over the generic one.
  // kInvalidArgument for an unknown protocol or compression, naming the variable and value.
  static Result<TracerOptions> FromEnv(TracerOptions defaults);
  static Result<TracerOptions> FromEnv(TracerOptions defaults, const EnvLookup& getenv);
};

class Tracer {
 public:
  // Builds the exporter (kInvalidArgument when the options cannot make one, e.g. an http
  // endpoint without http:// or https://, a missing CA file, an unknown protocol) and starts the
  // background export thread. No connection is made until the first export.
  static Result<std::unique_ptr<Tracer>> Create(TracerOptions options);
  ~Tracer();  // flushes for up to options.shutdown_timeout, then stops the exporter

  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  bool enabled() const;
  const TracerOptions& options() const;

  // A new span: child of `parent` when given (same trace id, parent_span_id = parent's span,
  // parent's tracestate, parent's sampled flag), else the root of a new trace. Ids come from a
  // per-tracer random generator and are never all zero. `kind` is the OTLP SpanKind number.
  // The span's service_name is the tracer's; resource and scope are added at export.
  model::Span StartSpan(std::string name, const TraceContext* parent, int64_t start_unix_nano,
                        int32_t kind = kSpanKindInternal);
  // The context to propagate for `span` (its trace id, its own span id, its flags).
  TraceContext ContextOf(const model::Span& span) const;
  // Sets the end time and queues the span for export. A full queue drops the span and counts
  // it; a disabled tracer or an unsampled span discards it silently.
  void End(model::Span span, int64_t end_unix_nano);
  // Exports every span End() queued before this call. OK once they were all handed to the
  // exporter and accepted; the exporter's last error when some were not (they are not
  // retried by Flush); kDeadlineExceeded when `deadline` passed first. Safe to call
  // concurrently with End(); spans queued after the call may or may not be included.
  Status Flush(std::chrono::milliseconds deadline);

  uint64_t dropped_spans() const;   // queue overflow
  uint64_t exported_spans() const;  // accepted by the exporter
  uint64_t failed_spans() const;    // handed to the exporter, which failed to deliver them

 private:
  struct Impl;
  explicit Tracer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Wall clock now, Unix epoch nanoseconds.
int64_t NowUnixNano();

// Attribute setters: replace the first attribute called `key`, or append one.
void SetStringAttr(model::Span* span, std::string_view key, std::string_view value);
void SetIntAttr(model::Span* span, std::string_view key, int64_t value);
void SetDoubleAttr(model::Span* span, std::string_view key, double value);
void SetBoolAttr(model::Span* span, std::string_view key, bool value);
// Sets the span status to error with `message` (OTLP STATUS_CODE_ERROR).
void SetError(model::Span* span, std::string_view message);

}  // namespace infermetry::telemetry
