#pragma once
// The read API of the embedded store, until the query languages arrive: series and their raw
// samples, traces by id, span and log search. JSON in the Prometheus HTTP API's envelope:
//   {"status":"success","data":...}
//   {"status":"error","errorType":"bad_data","error":"<what, where, why>"}   (HTTP 400)
//
//   GET /api/v1/series?match[]=<selector>[&start=&end=]      [{"__name__":"..",...}, ...]
//   GET /api/v1/labels[?match[]=..]                          ["__name__", "engine", ...]
//   GET /api/v1/label/<name>/values[?match[]=..]             ["0", "1", ...]
//   GET /api/v1/metadata[?metric=<family>]                   {"<family>":[{"type","help","unit"}]}
//   GET /api/v1/samples?match[]=<selector>[&start=&end=]     {"resultType":"matrix","result":
//                                                             [{"metric":{..},"values":[[t,"v"],..]}]}
//       (raw samples in [start, end]; staleness markers are left out, as Prometheus does)
//   GET /api/v1/traces/<32 hex digits>                       {"traceId":"..","spans":[span...]}
//   GET /api/v1/spans?service=&name=&status=&min_duration=&max_duration=&attr.<key>=<value>
//                     &start=&end=&limit=&order=             [span...] newest first; with
//                                                            order=duration the slowest first
//                                                            (of the newest 10,000 matches)
//   GET /api/v1/services                                     ["rag-app", "vllm", ...]
//   GET /api/v1/logs?service=&min_severity=&q=&start=&end=&limit=   [log...] newest first
// /series and /labels also take POST with the parameters form-encoded (body values first).
// Times (start, end) are Unix seconds (fractions allowed) or RFC 3339; durations are Prometheus
// durations ("250ms", "1.5s" is not one: use "1500ms") or seconds. A span is
//   {"traceId","spanId","parentSpanId","name","kind","startTimeUnixNano","endTimeUnixNano",
//    "durationNano","status":{"code","message"},"serviceName","attributes":{k: v},
//    "resource":{k: v},"scope":{"name","version"},"events":[..],"links":[..]}
// with attribute values as JSON numbers, booleans or strings (int64 as numbers).

#include <memory>

#include "server/http/router.h"
#include "storage/querier.h"
#include "storage/span_querier.h"

namespace infermetry::api {

struct StoreApi {
  storage::Queryable* metrics = nullptr;  // routes of a null member answer 503
  storage::SpanQuerier* spans = nullptr;
  storage::LogQuerier* logs = nullptr;
};

// Registers the routes above. The queriers must outlive the router.
void RegisterStoreApi(http::Router* router, StoreApi api);

}  // namespace infermetry::api
