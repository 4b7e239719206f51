#include "export/sending_queue.h"

#include <utility>

#include "common/log.h"

namespace infermetry::exporter {

using process::Signal;

std::unique_ptr<SendingQueue> SendingQueue::OpenMemory(const QueueOptions& options) {
  return std::unique_ptr<SendingQueue>(new SendingQueue(options));
}

Result<std::unique_ptr<SendingQueue>> SendingQueue::OpenPersistent(const QueueOptions& options,
                                                                   Env* env) {
  std::unique_ptr<SendingQueue> q(new SendingQueue(options));
  std::vector<SegmentLog::RecordRef> replay;
  SegmentLog::Options lo;
  lo.dir = options.dir;
  lo.segment_bytes = options.segment_bytes;
  lo.env = env;
  INFERMETRY_ASSIGN_OR_RETURN(q->log_, SegmentLog::Open(lo, &replay));
  uint64_t items = 0;
  for (const SegmentLog::RecordRef& r : replay) {
    q->Insert(r.signal, Pending{r.seq, r.items, r.payload_bytes, std::nullopt, r});
    ++q->count_;
    q->bytes_ += r.payload_bytes;
    items += r.items;
  }
  if (!replay.empty()) {
    log::Info("sending queue: replaying batches not acknowledged before the last stop",
              {{"dir", options.dir}, {"batches", replay.size()}, {"items", items}});
  }
  return q;
}

SendingQueue::~SendingQueue() = default;

void SendingQueue::Insert(Signal signal, Pending p) {
  std::deque<Pending>& d = pending_[static_cast<int>(signal)];
  // Pushes complete in nearly, but not exactly, id order: find the place from the back.
  auto it = d.end();
  while (it != d.begin() && std::prev(it)->id > p.id) --it;
  d.insert(it, std::move(p));
}

Status SendingQueue::Push(Batch&& batch) {
  const Signal signal = SignalOf(batch);
  const int64_t items = ItemsOf(batch);
  std::string encoded;
  uint64_t size = 0;
  if (log_ != nullptr) {
    encoded = Serialize(batch);
    size = encoded.size();
  } else if (options_.max_bytes > 0) {
    size = std::visit([](const auto& m) { return static_cast<uint64_t>(m.ByteSizeLong()); }, batch);
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_) return Unavailable("sending queue is shutting down");
    if (count_ >= options_.max_entries) {
      return ResourceExhausted("sending queue is full (" + std::to_string(options_.max_entries) +
                               " batches)");
    }
    if (options_.max_bytes > 0 && bytes_ + size > options_.max_bytes) {
      return ResourceExhausted("sending queue is full (" + std::to_string(bytes_) + " of " +
                               std::to_string(options_.max_bytes) + " bytes used, batch of " +
                               std::to_string(size) + " bytes)");
    }
    ++count_;
    bytes_ += size;
  }
  Pending p{0, items, size, std::nullopt, std::nullopt};
  if (log_ != nullptr) {
    Result<SegmentLog::RecordRef> ref = log_->Append(signal, static_cast<uint32_t>(items), encoded);
    if (!ref.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      --count_;
      bytes_ -= size;
      return ref.status();
    }
    p.id = ref->seq;
    p.ref = *ref;
  } else {
    p.batch = std::move(batch);
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    if (log_ == nullptr) p.id = next_id_++;
    Insert(signal, std::move(p));
  }
  cv_.notify_all();
  return Status::Ok();
}

bool SendingQueue::Pop(Clock::time_point deadline, std::optional<Signal> signal, int64_t max_items,
                       QueueEntry* out) {
  std::unique_lock<std::mutex> l(mu_);
  std::deque<Pending>* from = nullptr;
  bool timed_out = false;
  for (;;) {
    if (signal.has_value()) {
      std::deque<Pending>& d = pending_[static_cast<int>(*signal)];
      if (!d.empty()) from = &d;
    } else {
      for (auto& d : pending_) {
        if (!d.empty() && (from == nullptr || d.front().id < from->front().id)) from = &d;
      }
    }
    if (from != nullptr) break;
    if (closed_ || timed_out) return false;
    if (deadline == Clock::time_point::max()) {
      cv_.wait(l);
    } else {
      timed_out = cv_.wait_until(l, deadline) == std::cv_status::timeout;
    }
  }
  if (from->front().items > max_items) return false;
  Pending p = std::move(from->front());
  from->pop_front();
  l.unlock();

  out->id = p.id;
  out->signal = static_cast<Signal>(from - pending_);
  out->items = p.items;
  out->bytes = p.bytes;
  out->read_error = Status::Ok();
  if (p.batch.has_value()) {
    out->batch = std::move(*p.batch);
    return true;
  }
  Result<std::string> payload = log_->Read(*p.ref);
  Result<Batch> batch =
      payload.ok() ? Parse(out->signal, *payload) : Result<Batch>(payload.status());
  if (batch.ok()) {
    out->batch = std::move(*batch);
  } else {
    out->batch = Batch();
    out->read_error = batch.status();
  }
  return true;
}

void SendingQueue::Release(const QueueEntry& entry) {
  {
    std::lock_guard<std::mutex> l(mu_);
    --count_;
    bytes_ -= entry.bytes;
  }
  cv_.notify_all();
}

void SendingQueue::Ack(const QueueEntry& entry) {
  if (log_ != nullptr) log_->Ack(entry.id);
  Release(entry);
}

void SendingQueue::Abandon(const QueueEntry& entry) { Release(entry); }

void SendingQueue::Close() {
  {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

uint64_t SendingQueue::Size() const {
  std::lock_guard<std::mutex> l(mu_);
  return count_;
}

}  // namespace infermetry::exporter
