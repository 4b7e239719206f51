#pragma once
// The query side of the Prometheus HTTP API (as Prometheus 2.42 serves it), so that Grafana's
// Prometheus data source and `promtool query` work against infermetry:
//
//   GET|POST /api/v1/query?query=<expr>[&time=<t>][&timeout=<d>]
//   GET|POST /api/v1/query_range?query=<expr>&start=<t>&end=<t>&step=<d>[&timeout=<d>]
//   GET      /api/v1/status/buildinfo      {"version":"2.42.0",...,"application":"infermetry"}
//   GET      /api/v1/query_exemplars       [] (no exemplars are stored)
//
// POST takes the same parameters form-encoded (application/x-www-form-urlencoded); body values
// come before URL values. Times are Unix seconds (fractions allowed) or RFC 3339; `time`
// defaults to now. Durations are float seconds or Prometheus durations ("15s", "1m30s").
//
// Answers (prom_json.h for the JSON):
//   200 {"status":"success","data":{"resultType":...,"result":...}[,"warnings":[...]]}
//   400 bad_data: a bad parameter or a query that does not parse or type-check, e.g.
//       invalid parameter "query": 1:6: parse error: unexpected end of input
//       invalid parameter "step": zero or negative query resolution step widths are not accepted...
//       exceeded maximum resolution of 11,000 points per timeseries...
//   422 execution: an evaluation error (many-to-many matching, duplicate series, too many samples)
//   503 timeout / canceled: the query ran past its timeout or was cancelled
//   500 internal: a store error; 503 unavailable when no engine is configured
//
// /api/v1/query is shared with the SQL API (sql_api.h): a dispatcher sends JSON POSTs there
// and calls ServePromQuery for everything else.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "query/promql/engine.h"
#include "server/http/message.h"
#include "server/http/router.h"
#include "storage/querier.h"

namespace infermetry::api {

// What the query routes evaluate with. Implementations are thread-safe.
class PromQueryBackend {
 public:
  virtual ~PromQueryBackend() = default;
  // `timeout`: the request's timeout parameter, when it gave one.
  virtual Result<promql::QueryResult> Instant(std::string_view expr, int64_t t_ms,
                                              std::optional<std::chrono::milliseconds> timeout) const = 0;
  virtual Result<promql::QueryResult> Range(std::string_view expr, int64_t start_ms, int64_t end_ms,
                                            int64_t step_ms,
                                            std::optional<std::chrono::milliseconds> timeout) const = 0;
};

// The PromQL engine (promql::Engine with `opts`) over `db`, which must outlive the backend. A
// request's timeout replaces opts.timeout when it is shorter.
std::unique_ptr<PromQueryBackend> NewEngineBackend(storage::Queryable* db, promql::EngineOptions opts = {});

struct PromApi {
  const PromQueryBackend* backend = nullptr;  // not owned; null: the query routes answer 503
  std::function<int64_t()> now_ms;            // null: the system clock
};

// The handlers, for a dispatcher to call. Each answers any method; the routes take GET and POST.
void ServePromQuery(const PromApi& api, const http::Request& req, http::Response* resp);
void ServePromQueryRange(const PromApi& api, const http::Request& req, http::Response* resp);
void ServePromBuildInfo(const http::Request& req, http::Response* resp);

// Registers the routes above. /api/v1/query (GET and POST) only when `with_query` (leave it
// false when a dispatcher shared with the SQL API serves that path). `api` is copied; the
// backend must outlive the router.
void RegisterPromApi(http::Router* router, PromApi api, bool with_query = true);

// Prometheus's error type for an engine or parameter error: bad_data, execution, timeout,
// canceled, internal.
std::string_view PromErrorType(const Status& st);

}  // namespace infermetry::api
