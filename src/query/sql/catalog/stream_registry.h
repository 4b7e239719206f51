#pragma once
// The streams the SQL catalog shows as tables, and the inferred schema of JSON event streams.
// Persisted as one JSON file (`<storage.path>/streams.json`, rewritten atomically on change)
// so streams and schemas survive restarts.
//
// Kinds of stream:
//   kMetrics  rows from the TSDB: the default stream "metrics" holds every series; a stream
//             created by OTLP/HTTP with X-P-Stream: S holds the series carrying the label
//             p_stream="S" (the ingest path adds that label)
//   kTraces   spans from the span store: the default "traces" holds every span; stream S the
//             spans whose resource carries p_stream="S"
//   kLogs     OTLP log records likewise (default "logs")
//   kEvents   JSON events POSTed to /api/v1/ingest with X-P-Stream: S, stored as log records
//             whose attributes are the event's fields plus p_stream="S"; columns and types come
//             from the inferred schema below
//
// Schema evolution never rejects a batch: a new field is added; a field seen as bigint and then
// as a fractional number becomes double precision; any other conflict makes the field text
// (values kept as their JSON text). Thread-safe.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "query/sql/table.h"

namespace infermetry::sql {

enum class StreamKind { kMetrics, kTraces, kLogs, kEvents };
std::string_view StreamKindName(StreamKind k);  // "metrics", "traces", "logs", "events"

struct StreamInfo {
  std::string name;
  StreamKind kind = StreamKind::kMetrics;
  std::vector<ColumnSchema> fields;  // kEvents: the inferred fields (p_timestamp first)
  std::string log_source;            // X-P-Log-Source when one was given ("" otherwise)
};

class StreamRegistry {
 public:
  // Loads `path` when it exists ("" keeps the registry in memory only). The default streams
  // "metrics", "traces" and "logs" always exist.
  static Result<std::unique_ptr<StreamRegistry>> Open(std::string path);

  // Creates the stream when it does not exist. kInvalidArgument when `name` is not a valid
  // stream name (1-255 of [A-Za-z0-9_-], not starting with "p_") or exists with another kind.
  Status Ensure(std::string_view name, StreamKind kind, std::string_view log_source = {});

  // kEvents: merges the fields of one batch into the stream's schema (creating the stream),
  // per the evolution rules above, and persists the result. Returns the merged schema.
  Result<std::vector<ColumnSchema>> MergeEventFields(std::string_view name,
                                                     const std::vector<ColumnSchema>& fields);

  // The stream, matched exactly first, then case-insensitively.
  std::optional<StreamInfo> Find(std::string_view name) const;
  std::vector<StreamInfo> List() const;  // sorted by name

 private:
  explicit StreamRegistry(std::string path) : path_(std::move(path)) {}
  Status PersistLocked() const;

  std::string path_;
  mutable std::mutex mu_;
  std::map<std::string, StreamInfo> streams_;
};

}  // namespace infermetry::sql
