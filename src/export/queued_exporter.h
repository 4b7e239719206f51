#pragma once
// QueuedExporter: the Collector's exporterhelper. Wraps a Sender (one attempt at delivering one
// request over some protocol) with a timeout per attempt, retries with backoff, a bounded
// sending queue (in memory or persistent) drained by consumer threads, batching in the queue
// reader, and the exporter self-metrics.
//
// Consume*:
//   queue enabled   the batch is queued: OK once it is in the queue (persistent: written and
//                   fsync'd); kResourceExhausted when the queue is full; kUnavailable before
//                   Start or after Shutdown.
//   queue disabled  the batch is sent on the caller's thread, retries included; OK once the
//                   server accepted it, else the last error (retryable codes stay retryable).
//
// Failures of a send:
//   permanent (SendResult::permanent, e.g. HTTP 400, gRPC INVALID_ARGUMENT), retries disabled,
//   or max_elapsed_time exhausted: the batch is dropped, counted in send_failed and logged.
//   Otherwise it is retried after a jittered exponential backoff, waiting at least the
//   server's retry_after when one was given.
//   A partial success is delivered: the rejected items are counted as failed and logged; the
//   request is not retried.
//
// Batching (SetBatching, queue enabled only): one consumer at a time fills a request, taking
// the oldest entry and then further entries of the same signal until send_batch_size items or
// `timeout` since the first entry; an entry that would push it past send_batch_max_size is
// left for the next request, and an entry bigger than send_batch_max_size on its own is split.
// Entries are acknowledged (and, if persistent, deleted) only after every piece of the request
// built from them was delivered or dropped.
//
// Shutdown(deadline): Consume* fails from then on; consumers keep sending what is queued until
// the queue is empty or the deadline passes. Then retries are abandoned; a send in progress
// still runs to its own timeout. In memory mode what remains is dropped and counted in
// send_failed; in persistent mode it stays on disk for the next start. Destroying a started
// exporter without Shutdown abandons everything at once (as a crash would).
//
// Self-metrics (selfmon::Default(), label exporter=<id>):
//   infermetry_exporter_sent_{spans,metric_points,log_records}_total
//   infermetry_exporter_send_failed_{spans,metric_points,log_records}_total
//   infermetry_exporter_enqueue_failed_{spans,metric_points,log_records}_total
//   infermetry_exporter_queue_size, infermetry_exporter_queue_capacity (batches)

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/self_metrics.h"
#include "export/batch.h"
#include "common/env.h"
#include "export/helper_options.h"
#include "export/sending_queue.h"
#include "process/component.h"

namespace infermetry::exporter {

struct SendResult {
  Status status;                             // OK: delivered (see rejected)
  bool permanent = false;                    // retrying cannot help
  std::chrono::milliseconds retry_after{0};  // server's minimum wait before the next attempt
  int64_t rejected = 0;                      // partial success: items the server did not accept
  std::string rejected_message;

  static SendResult Ok() { return SendResult{}; }
  static SendResult Retryable(Status s,
                              std::chrono::milliseconds after = std::chrono::milliseconds(0)) {
    SendResult r;
    r.status = std::move(s);
    r.retry_after = after;
    return r;
  }
  static SendResult Permanent(Status s) {
    SendResult r;
    r.status = std::move(s);
    r.permanent = true;
    return r;
  }
};

// One protocol's way of delivering a request. Send is called concurrently from the consumer
// threads (or the callers of Consume*) and must be thread-safe.
class Sender {
 public:
  virtual ~Sender() = default;
  virtual Status Start() { return Status::Ok(); }
  virtual SendResult Send(const Batch& batch, std::chrono::milliseconds timeout) = 0;
  virtual void Shutdown() {}
};

class QueuedExporter : public process::Exporter {
 public:
  // `env` (null: the default) is used by a persistent queue.
  QueuedExporter(std::string id, HelperOptions options, std::unique_ptr<Sender> sender,
                 Env* env = nullptr);
  ~QueuedExporter() override;

  Status ConsumeTraces(process::Traces&& batch) override;
  Status ConsumeMetrics(process::Metrics&& batch) override;
  Status ConsumeLogs(process::Logs&& batch) override;

  Status Start() override;
  Status Shutdown(std::chrono::milliseconds deadline) override;
  bool Ready() const override { return started_.load() && !stopping_.load(); }
  bool Durable() const override {
    return options_.queue.enabled && !options_.queue.directory.empty();
  }
  void SetBatching(const process::BatchOptions& options) override;

  const std::string& id() const { return id_; }

 private:
  struct SignalMetrics {
    selfmon::Counter* sent;
    selfmon::Counter* failed;
    selfmon::Counter* enqueue_failed;
  };

  Status Consume(Batch&& batch);
  void ConsumerLoop();
  void Deliver(std::vector<QueueEntry>* entries);
  // OK when delivered; the final error when dropped (already counted and logged); kCancelled
  // when a hard stop came first (nothing counted).
  Status SendWithRetry(const Batch& batch, process::Signal signal, int64_t items);
  bool WaitHardStop(std::chrono::milliseconds d);  // true when stopped
  void UpdateQueueGauge();
  std::shared_ptr<SendingQueue> Queue() const;
  void StopThreads();
  SignalMetrics& MetricsFor(process::Signal s) { return metrics_[static_cast<int>(s)]; }

  const std::string id_;
  const HelperOptions options_;
  std::unique_ptr<Sender> sender_;
  Env* env_;
  bool batching_ = false;
  process::BatchOptions batch_options_;

  // Released by Shutdown (closing a persistent queue's files and lock); Consume* takes a
  // reference under queue_mu_, consumer threads use it directly (they end before it is reset).
  mutable std::mutex queue_mu_;
  std::shared_ptr<SendingQueue> queue_;
  std::vector<std::thread> consumers_;
  std::mutex fill_mu_;  // one consumer at a time collects a request

  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool hard_stop_ = false;
  int active_ = 0;  // running consumer threads plus synchronous Consume calls

  SignalMetrics metrics_[3];
  selfmon::Gauge* queue_size_;
  selfmon::Gauge* queue_capacity_;
};

}  // namespace infermetry::exporter
