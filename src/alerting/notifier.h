#pragma once
// Notifier: delivers alert notifications to Alertmanager (API v2) and to webhooks, from a bounded
// in-memory queue drained by one sender thread.
//
//   NotifierOptions opts;
//   opts.alertmanagers = {"http://127.0.0.1:9093"};
//   Result<std::unique_ptr<Notifier>> n = Notifier::Start(std::move(opts));
//   if (!n.ok()) return n.status();       // e.g. a URL that is not http(s)
//   (*n)->Send(std::move(notifications)); // never blocks
//   ...
//   Status s = (*n)->Stop(std::chrono::seconds(5));  // deliver what is queued, then stop
//
// Delivery: the sender takes up to max_batch notifications off the queue and POSTs the batch to
// every target, each independently:
//   - an Alertmanager base URL B receives a JSON array of postableAlert at B + "/api/v2/alerts";
//   - a webhook URL receives the message Alertmanager itself sends to webhook receivers
//     (version "4", one group with no group labels: groupKey "{}:{}", receiver "infermetry").
// A 2xx answer is success. Any other 4xx than 429 is a permanent failure: not retried. A 5xx, a
// 429 or a transport error (refused, reset, timeout) is retried after a jittered exponential
// backoff, up to max_attempts attempts in all; then the batch is given up for that target.
// Targets that failed are retried together after one wait; a target that succeeded is not sent
// the batch again.
//
// Queue: Send appends; beyond queue_capacity the OLDEST notifications are dropped (counted).
//
// Self-metrics (in options.metrics), labelled with the URL POSTed to (credentials removed):
//   infermetry_notifications_sent_total{target}        notifications delivered (2xx)
//   infermetry_notifications_errors_total{target}      failed attempts (non-2xx or transport error)
//   infermetry_notifications_latency_seconds{target}   duration of successful POSTs
//   infermetry_notifications_dropped_total{reason}     notifications dropped:
//       "queue_full"     pushed out of the full queue by newer ones,
//       "target_failed"  given up for a target (counted once per notification and target),
//       "shutdown"       still queued, or awaiting a retry, when Stop's deadline passed (once
//                        per notification and target for retries), or sent after Stop
//   infermetry_notifications_queue_length              notifications waiting in the queue
//
// Thread-safety: Send and Stop may be called from any thread, concurrently.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerting/alert.h"
#include "common/result.h"
#include "common/self_metrics.h"
#include "common/status.h"

namespace infermetry::alerting {

struct NotifierOptions {
  // Alertmanager base URLs ("http://127.0.0.1:9093", or with a path prefix
  // "https://am.example/prefix"); no query string or fragment.
  std::vector<std::string> alertmanagers;
  // Full webhook URLs.
  std::vector<std::string> webhooks;

  size_t queue_capacity = 10000;             // >= 1
  size_t max_batch = 64;                     // notifications per POST, >= 1
  std::chrono::milliseconds timeout{10000};  // per request, > 0

  // Retries: at most max_attempts POSTs of one batch to one target (>= 1). The k-th wait is
  // drawn uniformly from [w*(1-backoff_jitter), w*(1+backoff_jitter)] with
  // w = min(initial_backoff * backoff_multiplier^k, max_backoff), and capped at max_backoff.
  int max_attempts = 4;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{10000};
  double backoff_multiplier = 2.0;  // >= 1
  double backoff_jitter = 0.5;      // in [0, 1]

  // The webhook message's externalURL (where the alerts can be seen).
  std::string external_url;
  // Where the self-metrics go; null: selfmon::Default(). Must outlive the Notifier.
  selfmon::Registry* metrics = nullptr;
  // The current time in ms since the epoch; decides whether a notification is firing
  // (ends_at_ms 0 or in the future) or resolved. Null: the wall clock. Called on the sender
  // thread.
  std::function<int64_t()> now_ms;
};

class Notifier {
 public:
  // Checks the options (every URL must be http:// or https:// with a host; the error names the
  // offending URL and its place in the list) and starts the sender thread. No target at all is
  // allowed: notifications are then taken off the queue and discarded.
  static Result<std::unique_ptr<Notifier>> Start(NotifierOptions options);

  // Stop(0): an attempt already in flight completes, nothing further is sent.
  ~Notifier();

  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Queues `notifications` for delivery; never blocks on the network. After Stop they are
  // dropped (reason "shutdown").
  void Send(std::vector<Notification> notifications);

  // Keeps delivering until the queue is empty or `deadline` has passed, then stops the sender.
  // No attempt or retry starts after the deadline and requests started after Stop get at most
  // the time left as their timeout, so Stop returns by the deadline, except that an attempt
  // already in flight when Stop is called runs to its end (at most `timeout`). A negative
  // deadline is 0. OK when the queue was emptied;
  // kDeadlineExceeded naming how many notifications were left (they count as dropped,
  // "shutdown"). Failures of individual targets are not reported here (see the metrics).
  // Idempotent: later calls return OK at once.
  Status Stop(std::chrono::milliseconds deadline);

  // Notifications currently waiting in the queue.
  size_t QueueLength() const;

 private:
  struct Target;
  explicit Notifier(NotifierOptions options);

  void Run();
  // POSTs `batch` to every target, with retries; returns when each target succeeded, failed
  // permanently, ran out of attempts, or Stop's deadline passed.
  void Deliver(const std::vector<Notification>& batch);
  // Sleeps `wait`, or less if Stop's deadline comes first. False when the deadline has passed.
  bool WaitForRetry(std::chrono::milliseconds wait);
  // Remaining time before Stop's deadline, or `cap` when not stopping; <= 0 means none left.
  std::chrono::milliseconds TimeLeft(std::chrono::milliseconds cap) const;
  int64_t NowMs() const;

  NotifierOptions options_;
  std::vector<std::unique_ptr<Target>> targets_;

  selfmon::Counter* dropped_queue_full_ = nullptr;
  selfmon::Counter* dropped_target_failed_ = nullptr;
  selfmon::Counter* dropped_shutdown_ = nullptr;
  selfmon::Gauge* queue_length_ = nullptr;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Notification> queue_;                         // guarded by mu_
  bool stopping_ = false;                                  // guarded by mu_
  std::chrono::steady_clock::time_point stop_deadline_{};  // guarded by mu_; set with stopping_
  bool stopped_ = false;                                   // guarded by stop_mu_
  std::mutex stop_mu_;                                     // serializes Stop
  uint64_t seed_ = 0;
  std::thread sender_;
};

}  // namespace infermetry::alerting
