#pragma once
// `infermetry query --promql 'expr'`: PromQL against a running server's Prometheus HTTP API
// (GET /api/v1/query at --time or now; /api/v1/query_range with --start, --end and --step).
//
// Output formats:
//   table  instant vector: one row per series (SERIES, VALUE), sorted by series, then
//          "(N series at <RFC 3339 time>)"; range: each series on its own line followed by its
//          points as "  <RFC 3339 time>  <value>", then "(N series, M points)"; a scalar or a
//          string as "<value> @ <time>"
//   json   the API's response body as it came
// Errors of the API ("bad_data: invalid parameter ...") are returned as they came.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace infermetry::cmd {

struct PromQlQuery {
  std::string server = "http://127.0.0.1:9400";
  std::string expr;
  // Times: Unix seconds, RFC 3339, "now", or a duration meaning that long before now ("1h").
  std::string time;                 // instant query; empty: now
  std::string start, end, step;     // range query when start or end is given
  std::string timeout;              // passed on as the timeout parameter when set
  bool json = false;
  int64_t now_ms = 0;  // 0: the system clock
};

// The request target, e.g. "/api/v1/query_range?query=up&start=..&end=..&step=..". A range
// needs start and end; step defaults to (end - start) / 250 rounded up to whole seconds, as
// promtool does, when both are Unix seconds, and to 15s otherwise.
Result<std::string> PromQlTarget(const PromQlQuery& q);

// Formats the API's JSON response (a success envelope) as the table above.
Result<std::string> FormatPromQlResponse(std::string_view body);

// Runs the query against q.server and returns the text to print.
Result<std::string> RunPromQlQuery(const PromQlQuery& q);

}  // namespace infermetry::cmd
