#pragma once
// OTLP/HTTP on the API port, as Parseable accepts it (docs/sql-api.md):
//
//   POST /v1/metrics, /v1/traces, /v1/logs    protobuf or JSON, optionally gzip
//   X-P-Stream: <stream>                       optional: the stream the data goes into
//   X-P-Log-Source: <source>                   optional: recorded with a new stream
//
// Requests are decoded, validated and answered by the project's OTLP/HTTP receiver front end
// (ingest/otlp/http_receiver.h: 200 with partial success, 400, 415, 429, 503 with google.rpc
// status bodies) and written into the store through the `store` exporter (durable before the
// 200). With X-P-Stream: S, StreamRegistry learns S with the signal's kind, and the data is
// tagged: every metric data point gets the attribute (so the label) p_stream="S"; spans and
// log records the resource attribute p_stream="S". An invalid stream name is 400. When S
// already exists as a stream of another kind, the data is still stored with the tag (visible
// in the signal's default stream, column p_stream) rather than refused. Without X-P-Stream the
// data goes into the default streams, untagged.

#include <memory>

#include "common/result.h"
#include "process/factory.h"
#include "query/sql/catalog/stream_registry.h"
#include "server/http/message.h"

namespace infermetry::api {

class OtlpStreamRoutes {
 public:
  // `streams` and the stores of `host` must outlive the routes. A null store leaves its signal
  // unrouted (404).
  static Result<std::shared_ptr<OtlpStreamRoutes>> Create(sql::StreamRegistry* streams, const process::Host& host);
  ~OtlpStreamRoutes();

  // Serves a request for one of the three paths (authentication is the caller's business).
  void Serve(const http::Request& req, http::Response* resp) const;

 private:
  struct Impl;
  explicit OtlpStreamRoutes(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace infermetry::api
