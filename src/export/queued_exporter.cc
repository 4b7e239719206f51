#include "export/queued_exporter.h"

#include <random>
#include <utility>

#include "common/duration.h"
#include "common/log.h"

namespace infermetry::exporter {
namespace {

using process::Signal;
using Clock = std::chrono::steady_clock;

constexpr const char* kItemNames[3] = {"spans", "metric_points", "log_records"};

selfmon::Family<selfmon::Counter>& CounterFamily(std::string_view what, Signal s) {
  static const char* kHelp[3] = {
      "Items successfully sent to the destination, by exporter.",
      "Items an exporter failed to send and dropped (permanent error, retries exhausted, "
      "shutdown).",
      "Items an exporter refused because its sending queue was full or stopped.",
  };
  int i = what == "sent" ? 0 : what == "send_failed" ? 1 : 2;
  std::string name =
      "infermetry_exporter_" + std::string(what) + "_" + kItemNames[static_cast<int>(s)] + "_total";
  return selfmon::Default().AddCounter(name, kHelp[i], {"exporter"});
}

uint64_t Seed() {
  static std::atomic<uint64_t> n{0};
  return std::random_device{}() ^ (n.fetch_add(1) * 0x9e3779b97f4a7c15ull);
}

}  // namespace

QueuedExporter::QueuedExporter(std::string id, HelperOptions options,
                               std::unique_ptr<Sender> sender, Env* env)
    : id_(std::move(id)), options_(std::move(options)), sender_(std::move(sender)), env_(env) {
  for (Signal s : {Signal::kTraces, Signal::kMetrics, Signal::kLogs}) {
    SignalMetrics& m = MetricsFor(s);
    m.sent = &CounterFamily("sent", s).With({id_});
    m.failed = &CounterFamily("send_failed", s).With({id_});
    m.enqueue_failed = &CounterFamily("enqueue_failed", s).With({id_});
  }
  auto& reg = selfmon::Default();
  queue_size_ =
      &reg.AddGauge("infermetry_exporter_queue_size",
                    "Batches in an exporter's sending queue, in flight included.", {"exporter"})
           .With({id_});
  queue_capacity_ =
      &reg.AddGauge("infermetry_exporter_queue_capacity",
                    "Capacity of an exporter's sending queue, in batches.", {"exporter"})
           .With({id_});
}

QueuedExporter::~QueuedExporter() {
  if (started_.load() && !stopping_.exchange(true)) {
    StopThreads();
    sender_->Shutdown();
  }
}

void QueuedExporter::SetBatching(const process::BatchOptions& options) {
  if (!options_.queue.enabled) {
    log::Warn("exporter has no sending queue; batching requested by its pipeline is not done",
              {{"exporter", id_}});
    return;
  }
  batching_ = options.send_batch_size > 0;
  batch_options_ = options;
}

Status QueuedExporter::Start() {
  if (started_.load()) return Status::Ok();
  INFERMETRY_RETURN_IF_ERROR(sender_->Start());
  if (options_.queue.enabled) {
    QueueOptions qo;
    qo.max_entries = options_.queue.queue_size;
    qo.max_bytes = options_.queue.max_size_bytes;
    if (!options_.queue.directory.empty()) {
      qo.dir = options_.queue.directory;
      auto q = SendingQueue::OpenPersistent(qo, env_);
      if (!q.ok()) return q.status().WithContext("exporter " + id_);
      std::lock_guard<std::mutex> l(queue_mu_);
      queue_ = std::move(*q);
    } else {
      std::lock_guard<std::mutex> l(queue_mu_);
      queue_ = SendingQueue::OpenMemory(qo);
    }
    queue_capacity_->Set(static_cast<double>(options_.queue.queue_size));
    UpdateQueueGauge();
    {
      std::lock_guard<std::mutex> l(stop_mu_);
      active_ += static_cast<int>(options_.queue.num_consumers);
    }
    for (uint64_t i = 0; i < options_.queue.num_consumers; ++i)
      consumers_.emplace_back([this] { ConsumerLoop(); });
  }
  started_.store(true);
  return Status::Ok();
}

Status QueuedExporter::ConsumeTraces(process::Traces&& batch) {
  return Consume(Batch(std::move(batch)));
}
Status QueuedExporter::ConsumeMetrics(process::Metrics&& batch) {
  return Consume(Batch(std::move(batch)));
}
Status QueuedExporter::ConsumeLogs(process::Logs&& batch) {
  return Consume(Batch(std::move(batch)));
}

Status QueuedExporter::Consume(Batch&& batch) {
  const Signal signal = SignalOf(batch);
  const int64_t items = ItemsOf(batch);
  SignalMetrics& m = MetricsFor(signal);
  if (!started_.load() || stopping_.load()) {
    m.enqueue_failed->Inc(static_cast<double>(items));
    return Unavailable("exporter " + id_ + " is not running");
  }
  if (std::shared_ptr<SendingQueue> q = Queue()) {
    Status st = q->Push(std::move(batch));
    queue_size_->Set(static_cast<double>(q->Size()));
    if (!st.ok()) {
      m.enqueue_failed->Inc(static_cast<double>(items));
      log::Warn("exporter refused data",
                {{"exporter", id_}, {"items", items}, {"err", st.ToString()}});
      return st.WithContext("exporter " + id_);
    }
    return Status::Ok();
  }
  {
    std::lock_guard<std::mutex> l(stop_mu_);
    ++active_;
  }
  Status st = SendWithRetry(batch, signal, items);
  if (st.code() == Code::kCancelled) {
    m.failed->Inc(static_cast<double>(items));
    st = Unavailable("exporter " + id_ + " stopped while retrying");
  }
  {
    std::lock_guard<std::mutex> l(stop_mu_);
    --active_;
  }
  stop_cv_.notify_all();
  if (st.ok()) return st;
  // The caller decides about retrying from the code: keep retryable ones retryable.
  switch (st.code()) {
    case Code::kUnavailable:
    case Code::kResourceExhausted:
    case Code::kDeadlineExceeded:
    case Code::kInvalidArgument:
      return st.WithContext("exporter " + id_);
    default:
      return Status(Code::kInvalidArgument, "exporter " + id_ + ": " + st.ToString());
  }
}

void QueuedExporter::ConsumerLoop() {
  for (;;) {
    std::vector<QueueEntry> entries;
    {
      std::lock_guard<std::mutex> fill(fill_mu_);
      QueueEntry first;
      if (!queue_->Pop(SendingQueue::Forever(), std::nullopt, SendingQueue::kNoLimit, &first))
        break;
      int64_t items = first.items;
      Signal signal = first.signal;
      entries.push_back(std::move(first));
      if (batching_) {
        const int64_t target = static_cast<int64_t>(batch_options_.send_batch_size);
        const int64_t max = batch_options_.send_batch_max_size > 0
                                ? static_cast<int64_t>(batch_options_.send_batch_max_size)
                                : SendingQueue::kNoLimit;
        const Clock::time_point deadline = Clock::now() + batch_options_.timeout;
        while (items < target && items < max) {
          QueueEntry more;
          if (!queue_->Pop(deadline, signal, max - items, &more)) break;
          items += more.items;
          entries.push_back(std::move(more));
        }
      }
    }
    Deliver(&entries);
    UpdateQueueGauge();
  }
  {
    std::lock_guard<std::mutex> l(stop_mu_);
    --active_;
  }
  stop_cv_.notify_all();
}

void QueuedExporter::Deliver(std::vector<QueueEntry>* entries) {
  const Signal signal = entries->front().signal;
  SignalMetrics& m = MetricsFor(signal);
  std::optional<Batch> merged;
  for (QueueEntry& e : *entries) {
    if (!e.read_error.ok()) {
      m.failed->Inc(static_cast<double>(e.items));
      log::Error("exporter dropped a queued batch that could not be read back",
                 {{"exporter", id_}, {"items", e.items}, {"err", e.read_error.ToString()}});
      continue;
    }
    if (!merged.has_value()) {
      merged = std::move(e.batch);
    } else {
      MergeInto(&*merged, std::move(e.batch));
    }
  }
  bool cancelled = false;
  if (merged.has_value()) {
    std::vector<Batch> pieces;
    if (batching_ && batch_options_.send_batch_max_size > 0) {
      pieces = Split(std::move(*merged), static_cast<int64_t>(batch_options_.send_batch_max_size));
    } else {
      pieces.push_back(std::move(*merged));
    }
    for (size_t i = 0; i < pieces.size(); ++i) {
      int64_t items = ItemsOf(pieces[i]);
      if (!cancelled && SendWithRetry(pieces[i], signal, items).code() != Code::kCancelled)
        continue;
      cancelled = true;
      if (!queue_->persistent()) m.failed->Inc(static_cast<double>(items));
    }
  }
  if (cancelled && queue_->persistent()) {
    for (const QueueEntry& e : *entries) queue_->Abandon(e);
    return;
  }
  if (cancelled) {
    log::Warn("exporter stopped before delivering a batch; dropped", {{"exporter", id_}});
  }
  for (const QueueEntry& e : *entries) queue_->Ack(e);
}

Status QueuedExporter::SendWithRetry(const Batch& batch, Signal signal, int64_t items) {
  SignalMetrics& m = MetricsFor(signal);
  const Clock::time_point start = Clock::now();
  std::optional<Backoff> backoff;
  for (;;) {
    if (WaitHardStop(std::chrono::milliseconds(0)))
      return Status(Code::kCancelled, "exporter stopped");
    SendResult r = sender_->Send(batch, options_.timeout);
    if (r.status.ok()) {
      int64_t rejected = std::min(std::max<int64_t>(r.rejected, 0), items);
      m.sent->Inc(static_cast<double>(items - rejected));
      if (rejected > 0 || !r.rejected_message.empty()) {
        m.failed->Inc(static_cast<double>(rejected));
        log::Warn(
            "partial success: the destination rejected part of the data",
            {{"exporter", id_}, {"rejected_items", rejected}, {"message", r.rejected_message}});
      }
      return Status::Ok();
    }
    const char* why = nullptr;
    std::chrono::milliseconds wait{0};
    if (r.permanent) {
      why = "permanent error";
    } else if (!options_.retry.enabled) {
      why = "retries disabled";
    } else {
      if (!backoff.has_value()) backoff.emplace(options_.retry, Seed());
      wait = std::max(backoff->Next(), r.retry_after);
      auto max_elapsed = options_.retry.max_elapsed_time;
      if (max_elapsed.count() > 0 && Clock::now() + wait - start > max_elapsed)
        why = "no more retries left";
    }
    if (why != nullptr) {
      m.failed->Inc(static_cast<double>(items));
      log::Error("Exporting failed. Dropping data.", {{"exporter", id_},
                                                      {"reason", why},
                                                      {"err", r.status.ToString()},
                                                      {"dropped_items", items}});
      return r.status.ok() ? Internal("send failed") : r.status;
    }
    log::Info(
        "Exporting failed. Will retry the request after interval.",
        {{"exporter", id_}, {"err", r.status.ToString()}, {"interval", FormatDuration(wait)}});
    if (WaitHardStop(wait)) return Status(Code::kCancelled, "exporter stopped");
  }
}

bool QueuedExporter::WaitHardStop(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> l(stop_mu_);
  if (d.count() > 0) stop_cv_.wait_for(l, d, [this] { return hard_stop_; });
  return hard_stop_;
}

std::shared_ptr<SendingQueue> QueuedExporter::Queue() const {
  std::lock_guard<std::mutex> l(queue_mu_);
  return queue_;
}

void QueuedExporter::UpdateQueueGauge() {
  if (queue_ != nullptr) queue_size_->Set(static_cast<double>(queue_->Size()));
}

void QueuedExporter::StopThreads() {
  if (queue_ != nullptr) queue_->Close();
  {
    std::lock_guard<std::mutex> l(stop_mu_);
    hard_stop_ = true;
  }
  stop_cv_.notify_all();
  for (std::thread& t : consumers_) t.join();
  consumers_.clear();
  std::unique_lock<std::mutex> l(stop_mu_);
  stop_cv_.wait(l, [this] { return active_ == 0; });
}

Status QueuedExporter::Shutdown(std::chrono::milliseconds deadline) {
  if (!started_.load() || stopping_.exchange(true)) return Status::Ok();
  if (queue_ != nullptr) queue_->Close();
  {
    std::unique_lock<std::mutex> l(stop_mu_);
    stop_cv_.wait_for(l, deadline, [this] { return active_ == 0; });
  }
  StopThreads();
  if (queue_ != nullptr && !queue_->persistent()) {
    // Entries no consumer got to before the deadline.
    QueueEntry e;
    int64_t dropped = 0;
    while (queue_->Pop(Clock::now(), std::nullopt, SendingQueue::kNoLimit, &e)) {
      MetricsFor(e.signal).failed->Inc(static_cast<double>(e.items));
      dropped += e.items;
      queue_->Ack(e);
    }
    if (dropped > 0)
      log::Warn("exporter shut down with data still queued; dropped",
                {{"exporter", id_}, {"items", dropped}});
  } else if (queue_ != nullptr && queue_->Size() > 0) {
    log::Info("exporter shut down; queued data stays on disk for the next start",
              {{"exporter", id_}, {"batches", queue_->Size()}, {"dir", options_.queue.directory}});
  }
  UpdateQueueGauge();
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    queue_.reset();
  }
  sender_->Shutdown();
  return Status::Ok();
}

}  // namespace infermetry::exporter
