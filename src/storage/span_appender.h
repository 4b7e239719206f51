#pragma once
// The ingestion side of the storage seam for spans and logs (the span store implements it).

#include <vector>

#include "common/status.h"
#include "model/span.h"

namespace infermetry::storage {

class SpanAppender {
 public:
  virtual ~SpanAppender() = default;
  // OK: every span is durable (under the store's WAL policy) and visible to queries. Not OK:
  // none of them was acknowledged; kUnavailable/kIoError say the store cannot take data now.
  // Thread-safe.
  virtual Status AppendSpans(std::vector<model::Span> spans) = 0;
};

class LogAppender {
 public:
  virtual ~LogAppender() = default;
  // As SpanAppender::AppendSpans, for log records. Thread-safe.
  virtual Status AppendLogs(std::vector<model::LogRecord> logs) = 0;
};

}  // namespace infermetry::storage
