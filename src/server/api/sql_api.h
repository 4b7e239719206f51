#pragma once
// SQL over HTTP as Parseable serves it (docs/sql-api.md): POST /api/v1/query.
//
//   POST /api/v1/query          {"query": "SELECT ...", "startTime": "10m", "endTime": "now"}
//   200 application/json        [{"minute":"2024-05-01T10:00:00.000","p95_latency_seconds":0.87}, ...]
//   with ?fields=true           {"fields":["minute","p95_latency_seconds"],"records":[...]}
//
// startTime/endTime: "now", a duration before now ("10m", "1h", "2d", "1h30m", "1.5h", "90s";
// units ms, s, m, h, d, w and their long spellings), or an RFC 3339 time
// ("2024-05-01T10:00:00Z", "2024-05-01T12:00:00.5+02:00"). Both bound every table's rows
// (inclusive); an absent one leaves that side open. now() in the query is the request's now.
//
// Records: one JSON object per row, members in column order; NULL is null; booleans and
// bigints as JSON literals; double precision as the shortest decimal that reads back exactly
// (integral values keep ".0"), NaN and infinities as the strings "NaN", "Infinity",
// "-Infinity"; timestamps as Parseable prints them, ISO 8601 without a zone, in milliseconds
// ("2024-05-01T10:00:00.000"); intervals as PostgreSQL prints them ("01:00:00"); text as JSON
// strings.
//
// Errors: 400 with a text/plain body holding the engine's message (position and hint) for bad
// SQL, unknown tables or columns, bad time ranges, a query over its memory limit or past its
// timeout; 413 when the request body is over max_request_bytes; 503 without a catalog; 500 for
// store errors.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>

#include "common/result.h"
#include "query/sql/engine.h"
#include "server/http/message.h"

namespace infermetry::api {

using SqlExecutor = std::function<Result<sql::QueryResult>(std::string_view sql, sql::Catalog* catalog,
                                                           const sql::QueryOptions& opts)>;

struct SqlApiOptions {
  sql::Catalog* catalog = nullptr;  // not owned; must outlive the routes
  std::chrono::milliseconds timeout{30000};
  size_t memory_limit_bytes = size_t{1} << 30;
  size_t max_request_bytes = size_t{1} << 20;
  std::function<int64_t()> now_us;  // null: the system clock
  SqlExecutor execute;              // null: sql::ExecuteSql
};

// A startTime/endTime value as microseconds since the Unix epoch (forms above).
// kInvalidArgument naming the value and the accepted forms.
Result<int64_t> ParseApiTime(std::string_view text, int64_t now_us);

struct QueryRequest {
  std::string query;
  int64_t min_time_us = std::numeric_limits<int64_t>::min();
  int64_t max_time_us = std::numeric_limits<int64_t>::max();
};

// Decodes the JSON body of POST /api/v1/query. Errors name the field (or the byte offset of
// malformed JSON).
Result<QueryRequest> ParseQueryRequest(std::string_view body, int64_t now_us);

// "2024-05-01T10:00:00.000" (rounded down to the millisecond).
std::string FormatRecordTimestamp(int64_t micros);
// One value as a JSON literal, per the rules above.
void AppendValueJson(const sql::Column& column, size_t row, std::string* out);
// The whole result: an array of records, or {"fields":[...],"records":[...]}.
void AppendRecordsJson(const sql::QueryResult& result, bool with_fields, std::string* out);

// The HTTP status for an error of ExecuteSql (400, 500).
int HttpStatusForSqlError(const Status& st);

// True for an SQL request on the shared /api/v1/query path: a POST whose Content-Type is
// application/json or whose body starts with '{' (PromQL requests are GETs or form-encoded).
bool IsSqlQueryRequest(const http::Request& req);

// Answers one SQL query request (authentication is the caller's business).
void ServeSqlQuery(const SqlApiOptions& options, const http::Request& req, http::Response* resp);

}  // namespace infermetry::api
