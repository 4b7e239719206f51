#pragma once
// The metrics proxy: serves an upstream /metrics (vLLM's) re-exposed with metric names
// normalized by a NamePolicy, plus /health and infermetry's own metrics.
//
// Upstream failures are HTTP errors, never a 200 with an error comment: 502 when the upstream
// is unreachable or answers non-200, 504 when it times out; the body is one line saying why.
// The exposition is parsed and written again, so the output is always well-formed; the format
// (text 0.0.4 or OpenMetrics) follows what the upstream returned for the client's Accept header.
// Malformed upstream lines are dropped, logged and counted
// (infermetry_proxy_parse_errors_total).

#include <chrono>
#include <string>

#include "server/api/name_policy.h"
#include "server/http/router.h"

namespace infermetry::api {

struct ProxyOptions {
  std::string target_url;  // e.g. http://127.0.0.1:8000/metrics
  NamePolicy policy = NamePolicy::kUnderscores;
  std::chrono::milliseconds timeout{10000};
  std::string metrics_path = "/metrics";
  std::string self_metrics_path = "/-/metrics";
};

// Registers metrics_path, /health and self_metrics_path on `router`.
void RegisterMetricsProxy(const ProxyOptions& options, http::Router* router);

// Re-writes an exposition body with names normalized. Lines that fail to parse are dropped;
// their count is added to *dropped_lines. Returns the body in the same format.
std::string NormalizeExposition(std::string_view body, std::string_view content_type,
                                NamePolicy policy, size_t* dropped_lines);

// Serves selfmon::Default() in text format 0.0.4.
void ServeSelfMetrics(const http::Request& req, http::Response* resp);

}  // namespace infermetry::api
