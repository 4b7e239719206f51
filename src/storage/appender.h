#pragma once
// The ingestion side of the storage seam. Ingestion code (scrape, OTLP, remote write) only ever
// sees these interfaces; the TSDB, a printer, or an exporter implements them.

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "model/labels.h"
#include "model/metric_type.h"

namespace infermetry::storage {

// What the exposition said about the family a series belongs to.
struct Metadata {
  std::string family;  // e.g. "vllm:e2e_request_latency_seconds" for its _bucket series
  model::MetricType type = model::MetricType::kUnknown;
  std::string help;
  std::string unit;
};

// A batch of appends that becomes visible, and is acknowledged, on Commit().
// Not thread-safe: one Appender is used by one thread at a time.
class Appender {
 public:
  virtual ~Appender() = default;
  // `labels` must include __name__. Expected outcomes are named codes: kOutOfOrder,
  // kDuplicate, kTooOld; the caller counts them and continues with the next sample.
  virtual Status Append(const model::Labels& labels, int64_t t_ms, double v) = 0;
  // Metadata of the family the series belongs to; may be ignored by implementations. Called
  // before the series' first Append, and again whenever the metadata changes.
  virtual Status UpdateMetadata(const model::Labels& labels, const Metadata& md) {
    return Status::Ok();
  }
  // Makes every append since the last Commit/Rollback durable and visible.
  virtual Status Commit() = 0;
  // Discards every append since the last Commit/Rollback.
  virtual void Rollback() = 0;
};

// Hands out appenders. Thread-safe.
class Appendable {
 public:
  virtual ~Appendable() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
};

}  // namespace infermetry::storage
