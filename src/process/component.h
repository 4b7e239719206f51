#pragma once
// Pipeline components, shaped like the OpenTelemetry Collector's: receivers push into a chain of
// processors that ends in a fan-out to exporters. Every interface reports errors as values and
// never throws.
//
// Delivery contract of Consume*: OK means the consumer took responsibility for the batch. A
// non-OK Status means nothing of it was kept, and says whether to retry:
//   kResourceExhausted  over a memory or queue limit; retry later (HTTP 429, gRPC
//                       RESOURCE_EXHAUSTED)
//   kUnavailable        downstream temporarily unable; retry later (HTTP 503, gRPC UNAVAILABLE)
//   kInvalidArgument    the data itself is bad; do not retry (HTTP 400, gRPC INVALID_ARGUMENT)
// Consume* is called concurrently from many threads and must be thread-safe.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "process/batch_options.h"
#include "process/telemetry.h"

namespace infermetry::process {

class Consumer {
 public:
  virtual ~Consumer() = default;
  // Default implementations refuse the signal with kInvalidArgument ("does not accept ...").
  virtual Status ConsumeTraces(Traces&& batch);
  virtual Status ConsumeMetrics(Metrics&& batch);
  virtual Status ConsumeLogs(Logs&& batch);
};

class Component {
 public:
  virtual ~Component() = default;
  // Called once, in pipeline order from the exporters back to the receivers, before any data.
  virtual Status Start() { return Status::Ok(); }
  // Stops taking data and flushes what is held within `deadline`; called in the reverse order
  // (receivers first). What cannot be flushed in time is dropped and counted, or, for
  // persistent queues, left on disk for the next start.
  virtual Status Shutdown(std::chrono::milliseconds deadline) { return Status::Ok(); }
  // True once started and able to take data (the health_check extension reports it).
  virtual bool Ready() const { return true; }
};

class Receiver : public Component {};

class Processor : public Consumer, public Component {
 public:
  // The options of a processor that batches (the batch processor); nullptr for the others.
  virtual const BatchOptions* batching() const { return nullptr; }
  // Durability rule (batch_options.h): called before Start() on a batching processor of a
  // pipeline that has a durable exporter. From then on it holds nothing in memory and hands
  // every batch straight to the next consumer, returning that consumer's Status.
  virtual void SetPassThrough() {}
};

class Exporter : public Consumer, public Component {
 public:
  // True when the exporter's sending_queue is persistent: a batch it accepted survives a crash.
  virtual bool Durable() const { return false; }
  // Batching moved from the batch processor into this exporter's queue reader (see
  // batch_options.h). Called before Start().
  virtual void SetBatching(const BatchOptions& options) {}
};

class Extension : public Component {
 public:
  // Called before Start() with a function that says whether the whole service is ready: started,
  // not shutting down, and every pipeline component Ready(). The function stays callable until
  // the extension's Shutdown() returns. The health_check extension serves it.
  virtual void SetReadiness(std::function<bool()> ready) {}
};

}  // namespace infermetry::process
