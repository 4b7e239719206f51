#pragma once
// The query side of the storage seam for spans and logs. The UI, the SQL engine and the HTTP
// API only ever see these interfaces; the span store implements them.
//
// Visibility: whatever was acknowledged (SpanAppender/ingest returned OK) before a call starts
// is visible to it. All methods are thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "model/span.h"

namespace infermetry::storage {

struct AttributeEquals {
  std::string key;
  std::string value;  // compared with AttrValue::AsString() of the span's attribute
};

struct SpanQuery {
  int64_t start_ns = 0;  // spans that start in [start_ns, end_ns]
  int64_t end_ns = INT64_MAX;
  std::string service;  // "" any
  std::string name;     // "" any
  std::optional<int32_t> status_code;
  std::optional<int64_t> min_duration_ns;
  std::optional<int64_t> max_duration_ns;
  std::vector<AttributeEquals> attributes;  // all must hold (span or resource attributes)
  size_t limit = 100;
};

struct LogQuery {
  int64_t start_ns = 0;
  int64_t end_ns = INT64_MAX;
  int32_t min_severity = 0;  // severity_number >= this
  std::string service;       // "" any
  std::string body_contains;  // substring of the body's text, case-sensitive; "" any
  size_t limit = 100;
};

class SpanQuerier {
 public:
  virtual ~SpanQuerier() = default;
  // Every stored span of the trace, ordered by start time; empty when unknown.
  virtual Result<std::vector<model::Span>> FindTrace(const model::TraceId& id) = 0;
  // Spans matching every condition, newest start first, at most `limit`.
  virtual Result<std::vector<model::Span>> SearchSpans(const SpanQuery& q) = 0;
  // Distinct service names, sorted; and span names of one service (all when "").
  virtual Result<std::vector<std::string>> Services() = 0;
  virtual Result<std::vector<std::string>> SpanNames(const std::string& service) = 0;
};

class LogQuerier {
 public:
  virtual ~LogQuerier() = default;
  // Records matching every condition, newest first, at most `limit`.
  virtual Result<std::vector<model::LogRecord>> SearchLogs(const LogQuery& q) = 0;
};

}  // namespace infermetry::storage
