#pragma once
// SendingQueue: the bounded queue between an exporter's Consume* calls and its consumer
// threads, in memory or on disk (a SegmentLog).
//
//   auto q = SendingQueue::OpenPersistent(options, env);   // or OpenMemory(options)
//   Status s = q->Push(std::move(batch));   // OK: queued (and, if persistent, fsync'd)
//   QueueEntry e;
//   while (q->Pop(Forever(), std::nullopt, kNoLimit, &e)) { Send(e.batch); q->Ack(e); }
//
// Capacity: at most max_entries batches and, when max_bytes > 0, max_bytes bytes (the
// protobuf size of the batches) are held, counting entries taken by Pop and not yet
// acknowledged. Push past either bound fails with kResourceExhausted; nothing is ever dropped
// silently. Entries replayed at open count too, and may exceed the bounds (Push then fails
// until the queue drains).
//
// Order: Pop hands out the oldest entry first (by Push completion). With a signal given, it
// hands out the oldest entry of that signal, so a reader can merge several batches of one
// signal even when signals are interleaved.
//
// Delivery: an entry leaves the queue when Ack'd. In persistent mode an entry popped and never
// acknowledged (the process died, or Shutdown gave up) is handed out again by the next open:
// delivery is at least once. Duplicates are possible after a crash; loss of a pushed entry is
// not (short of the disk failing).
//
// Thread-safety: all methods may be called concurrently.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "export/batch.h"
#include "export/segment_log.h"

namespace infermetry::exporter {

struct QueueOptions {
  uint64_t max_entries = 1000;
  uint64_t max_bytes = 0;  // 0: no byte bound
  // Persistent mode only.
  std::string dir;
  uint64_t segment_bytes = uint64_t{8} << 20;
};

struct QueueEntry {
  uint64_t id = 0;
  process::Signal signal = process::Signal::kTraces;
  int64_t items = 0;
  uint64_t bytes = 0;
  Batch batch;
  // Persistent mode: set when the entry could not be read back or decoded; `batch` is then
  // empty and the entry should be acknowledged (dropped) and counted as failed.
  Status read_error;
};

class SendingQueue {
 public:
  static constexpr int64_t kNoLimit = INT64_MAX;
  using Clock = std::chrono::steady_clock;

  static std::unique_ptr<SendingQueue> OpenMemory(const QueueOptions& options);
  // Opens or creates options.dir and makes every unacknowledged entry found there available to
  // Pop. `env` null means DefaultEnv().
  static Result<std::unique_ptr<SendingQueue>> OpenPersistent(const QueueOptions& options,
                                                              Env* env = nullptr);

  ~SendingQueue();

  bool persistent() const { return log_ != nullptr; }

  // Queues `batch`. kResourceExhausted when full; kUnavailable after Close(); kIoError when the
  // write or sync failed (persistent mode).
  Status Push(Batch&& batch);

  // Takes the oldest entry (of `signal`, when given) into `*out`, waiting until `deadline` for
  // one. Returns false on timeout, or when the queue is closed and holds nothing more for this
  // call. An entry with more than `max_items` items is left in place (false at once), so a
  // reader merging batches can stop before overflowing.
  bool Pop(Clock::time_point deadline, std::optional<process::Signal> signal, int64_t max_items,
           QueueEntry* out);

  // Releases the entry's capacity and, in persistent mode, marks it done on disk.
  void Ack(const QueueEntry& entry);

  // Persistent mode: forgets a popped entry without acknowledging it; it stays on disk and is
  // replayed by the next open. Memory mode: same as Ack (the entry is gone).
  void Abandon(const QueueEntry& entry);

  // Push fails from now on; Pop drains what is left, then returns false.
  void Close();

  // Entries queued or in flight (popped, not yet acknowledged).
  uint64_t Size() const;
  uint64_t Capacity() const { return options_.max_entries; }
  uint64_t SyncCount() const { return log_ ? log_->SyncCount() : 0; }

  static Clock::time_point Forever() { return Clock::time_point::max(); }

 private:
  struct Pending {
    uint64_t id;
    int64_t items;
    uint64_t bytes;
    std::optional<Batch> batch;                // memory mode
    std::optional<SegmentLog::RecordRef> ref;  // persistent mode
  };

  explicit SendingQueue(const QueueOptions& options) : options_(options) {}
  void Insert(process::Signal signal, Pending p);  // REQUIRES: mu_ held
  void Release(const QueueEntry& entry);

  QueueOptions options_;
  std::unique_ptr<SegmentLog> log_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> pending_[3];  // per signal, in id order
  uint64_t count_ = 0;              // queued + in flight + being pushed
  uint64_t bytes_ = 0;
  uint64_t next_id_ = 1;  // memory mode ids
  bool closed_ = false;
};

}  // namespace infermetry::exporter
