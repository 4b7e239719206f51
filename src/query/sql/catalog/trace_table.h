#pragma once
// Trace, log and event streams as SQL tables (docs/sql.md). The rows of the query's time range
// are read from the span store when the table is found, into columns.
//
//   traces: p_timestamp (= start_time), trace_id, span_id, parent_span_id, name, kind,
//           service_name, start_time, end_time, duration_ms, status_code, status_message,
//           then one column per span or resource attribute key (typed, attribute_columns.h)
//   logs:   p_timestamp, severity_number, severity_text, body, trace_id, span_id,
//           service_name, then one column per attribute key
//   events: the stream's registered fields (p_timestamp = the record's time)

#include <memory>
#include <string>

#include "common/result.h"
#include "query/sql/catalog/stream_registry.h"
#include "query/sql/table.h"
#include "storage/span_querier.h"

namespace infermetry::sql::catalog {

// `stream` "" is the default stream (every span); otherwise the spans whose resource (or
// span) attributes carry p_stream=<stream>.
Result<std::shared_ptr<Table>> MakeTraceTable(storage::SpanQuerier* spans,
                                              const std::string& stream, int64_t min_time_us,
                                              int64_t max_time_us);

// As MakeTraceTable, for log records.
Result<std::shared_ptr<Table>> MakeLogTable(storage::LogQuerier* logs, const std::string& stream,
                                            int64_t min_time_us, int64_t max_time_us);

// The log records of event stream `info.name` (attribute p_stream), as info.fields.
Result<std::shared_ptr<Table>> MakeEventTable(storage::LogQuerier* logs, const StreamInfo& info,
                                              int64_t min_time_us, int64_t max_time_us);

}  // namespace infermetry::sql::catalog
