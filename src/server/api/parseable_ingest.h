#pragma once
// JSON event ingestion and stream management, as Parseable serves them (docs/sql-api.md):
//
//   POST /api/v1/ingest                X-P-Stream: <stream>   body: {event} or [{event}, ...]
//   PUT  /api/v1/logstream/<stream>    creates an (empty) event stream
//   GET  /api/v1/logstream             [{"name":"logs"},{"name":"metrics"},...]
//   GET  /api/v1/logstream/<stream>/schema
//                                      {"name":"..","fields":[{"name":"p_timestamp",
//                                       "data_type":"timestamp"},...]}  (SQL type names)
//
// Ingestion: each event's nested objects are flattened, names joined with '_'
// ({"a":{"b":1}} -> a_b); each field is typed from its JSON value (integers bigint, other
// numbers double precision, true/false boolean, strings and arrays text; null fields are
// left out); the batch's fields are merged into the stream's schema by StreamRegistry's
// evolution rules (never refusing a batch), and values are stored as the merged type (text
// fields keep the JSON text of numbers and booleans). An RFC 3339 string in p_timestamp,
// timestamp or time (first found, in that order) is the event's time; otherwise the arrival
// time. Each event becomes one log record: body = the event's JSON text as sent, attributes =
// the typed fields plus p_stream=<stream>. 200 only once the log store acknowledged the batch
// (durable under its WAL policy); malformed JSON is 400 naming the byte offset, and then
// nothing of the batch is stored.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/span.h"
#include "query/sql/catalog/stream_registry.h"
#include "query/sql/table.h"
#include "server/http/message.h"
#include "storage/span_appender.h"

namespace infermetry::api {

struct EventField {
  std::string name;
  sql::Type type = sql::Type::kText;
  model::AttrValue value;
  std::string json_text;  // the value's JSON text as sent (numbers, booleans, arrays)
};

struct FlatEvent {
  std::vector<EventField> fields;  // in first-seen order, unique names
  std::optional<int64_t> time_ns;  // from p_timestamp/timestamp/time
  std::string json;                // the event's JSON text as sent
};

// Parses and flattens a request body (one object or an array of objects).
Result<std::vector<FlatEvent>> FlattenEvents(std::string_view body);

// The fields of a batch with their types merged across events (bigint + double precision ->
// double precision; any other disagreement -> text), p_timestamp first.
std::vector<sql::ColumnSchema> BatchSchema(const std::vector<FlatEvent>& events);

// The log records of a batch for `stream`, values converted to the types of `schema`.
std::vector<model::LogRecord> EventRecords(std::vector<FlatEvent> events, std::string_view stream,
                                           const std::vector<sql::ColumnSchema>& schema, int64_t arrival_ns);

struct IngestOptions {
  sql::StreamRegistry* streams = nullptr;  // required
  storage::LogAppender* logs = nullptr;    // required for ingest
  sql::Catalog* catalog = nullptr;         // optional: schemas of metric, trace and log streams
  std::function<int64_t()> now_ns;         // null: the system clock
};

// Ingests a JSON body (one event or an array) into event stream `stream`, as POST
// /api/v1/ingest does: kInvalidArgument for a bad body or stream name, kUnavailable when the
// log store is absent or refuses the batch.
Status IngestEvents(const IngestOptions& o, std::string_view stream, std::string_view log_source,
                    std::string_view body);
void ServeIngest(const IngestOptions& o, const http::Request& req, http::Response* resp);
void ServeStreamList(const IngestOptions& o, const http::Request& req, http::Response* resp);
// PUT /api/v1/logstream/<name> and GET /api/v1/logstream/<name>/schema.
void ServeStream(const IngestOptions& o, const http::Request& req, http::Response* resp);

}  // namespace infermetry::api
