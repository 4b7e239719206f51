#pragma once
// The `otlp` exporter: OTLP over gRPC (TraceService, MetricsService, LogsService Export).
//
//   exporters:
//     otlp/dash0:
//       endpoint: ingress.eu-west-1.aws.dash0.com:4317   # host:port; http:// = plaintext,
//                                                       # https:// = TLS, otherwise per tls
//       headers: {Authorization: "Bearer ...", Dash0-Dataset: default}   # sent as metadata,
//                                                                        # names lowercased
//       compression: gzip      # or none
//       tls: {insecure: false, ca_file: ..., cert_file: ..., key_file: ...,
//             insecure_skip_verify: false, server_name_override: ...}
//       timeout: 5s
//       retry_on_failure: {...}
//       sending_queue: {...}   # see helper_options.h
//
// TLS is on unless tls.insecure is true or the endpoint starts with http:// (as in the
// Collector). Status codes, per the OTLP specification: CANCELLED, DEADLINE_EXCEEDED, ABORTED,
// OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are retried; RESOURCE_EXHAUSTED is retried only when
// the server attached a google.rpc.RetryInfo (whose retry_delay is then the minimum wait);
// every other code drops the batch. A partial_success in the response is logged and counted as
// failed, and not retried.

#include <memory>

#include "common/result.h"
#include "process/factory.h"

namespace infermetry::exporter {

Result<std::unique_ptr<process::Exporter>> CreateOtlpGrpcExporter(
    const process::ComponentConfig& cfg);

}  // namespace infermetry::exporter
