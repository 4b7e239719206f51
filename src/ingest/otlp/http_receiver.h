#pragma once
// OTLP/HTTP (the Collector's otlp receiver, `protocols.http`): POST handlers on an http::Router.
//
// For each signal the ExportHandler accepts, POST <path> takes an Export*ServiceRequest as
//   Content-Type: application/x-protobuf   binary protobuf
//   Content-Type: application/json         OTLP/JSON (model/otlp/otlp_json.h)
// (media type parameters such as charset are ignored; gzip bodies arrive already gunzipped by
// the server) and answers in the request's encoding and content type:
//   200  Export*ServiceResponse; partial_success with the rejected count and why, when some
//        items were invalid (ingest/otlp/validate.h)
//   400  undecodable body, unsupported Content-Encoding, or the pipeline refused the data as
//        invalid; body: google.rpc.Status {code: 3 (INVALID_ARGUMENT), message}
//   415  any other content type (text/plain body naming the supported ones)
//   429  the pipeline is over a limit (kResourceExhausted): google.rpc.Status {code: 8} with a
//        RetryInfo detail (in protobuf) and a Retry-After header
//   503  the pipeline is temporarily unable (kUnavailable, kDeadlineExceeded): likewise, code 14/4
//   500  any other pipeline error (google.rpc.Status {code: 13})
// The handler sees the client information (process/client_info.h): the peer address, and with
// include_metadata every request header (names lower-cased, repeated headers kept in order).
// Other methods on these paths get 405 from the router; paths of signals no pipeline takes are
// not registered, so they get 404 (as in the Collector). 413 for bodies over the server's
// max_body_bytes comes from the server itself.

#include <chrono>
#include <memory>
#include <string>

#include "ingest/otlp/export_handler.h"
#include "server/http/router.h"

namespace infermetry::otlp {

struct HttpRoutesOptions {
  std::string traces_url_path = "/v1/traces";
  std::string metrics_url_path = "/v1/metrics";
  std::string logs_url_path = "/v1/logs";
  // Sent as Retry-After (and RetryInfo) with 429 and 503.
  std::chrono::seconds retry_after{1};
  // `include_metadata`: request headers become the client metadata of the data.
  bool include_metadata = false;
};

// Registers the routes (named "otlp_traces", "otlp_metrics", "otlp_logs") on `router`. The
// handlers share ownership of `handler`.
void RegisterOtlpHttpRoutes(const HttpRoutesOptions& options,
                            std::shared_ptr<ExportHandler> handler, http::Router* router);

}  // namespace infermetry::otlp
