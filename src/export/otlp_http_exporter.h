#pragma once
// The `otlphttp` exporter: OTLP over HTTP (POST of an export request per batch).
//
//   exporters:
//     otlphttp/parseablemetrics:
//       endpoint: http://parseable:8000      # base URL: /v1/traces, /v1/metrics, /v1/logs are
//                                            # appended
//       traces_endpoint: ""                  # full URLs that replace endpoint for one signal
//       metrics_endpoint: ""
//       logs_endpoint: ""
//       headers: {Authorization: "Basic ...", X-P-Stream: vLLMmetrics}
//       compression: gzip                    # or none
//       encoding: proto                      # or json (OTLP/JSON)
//       tls: {insecure: true, ca_file: ..., cert_file: ..., key_file: ...,
//             insecure_skip_verify: false, server_name_override: ...}
//       timeout: 30s                         # per request (the Collector's otlphttp default)
//       retry_on_failure: {...}
//       sending_queue: {...}                 # see helper_options.h
//
// The URL's scheme decides between plain HTTP and TLS; tls.insecure is accepted for
// compatibility with Collector configs and has no effect here (as in the Collector).
// Requests carry Content-Type application/x-protobuf or application/json, Content-Encoding:
// gzip when compressed, and User-Agent infermetry/<version>; proxies from the environment are
// not used.
//
// Responses: 2xx is success (a partial_success in the body is logged and counted as failed);
// 429, 502, 503 and 504 are retried, waiting at least the Retry-After header's delay; every
// other status drops the batch (the google.rpc.Status message of the body, if any, is logged).
// Connection failures and timeouts are retried.

#include <memory>

#include "common/result.h"
#include "process/factory.h"

namespace infermetry::exporter {

Result<std::unique_ptr<process::Exporter>> CreateOtlpHttpExporter(
    const process::ComponentConfig& cfg);

}  // namespace infermetry::exporter
