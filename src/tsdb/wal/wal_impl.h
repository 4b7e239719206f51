#pragma once
// WalImpl: the Wal behind Wal::Open. Internal to the wal library: wal.cc holds the write path
// (append, group commit, segments, close), wal_open.cc the recovery.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/self_metrics.h"
#include "tsdb/wal/wal.h"

namespace infermetry::wal {

class WalImpl final : public Wal {
 public:
  WalImpl(const Options& options, Env* env);
  ~WalImpl() override;

  Status Append(std::span<const std::string_view> records) override;
  Result<uint64_t> Cut() override;
  uint64_t CurrentSegment() const override;
  Status TruncateBefore(uint64_t segment) override;
  uint64_t SizeBytes() const override;
  Status Close() override;

  // Recovery (wal_open.cc): replays options.dir and leaves a segment open for appending.
  Status Recover(const ReplayFn& replay, ReplayStats* stats);

 private:
  struct Metrics {
    selfmon::Counter* records;
    selfmon::Counter* bytes;
    selfmon::Counter* fsyncs;
    selfmon::Counter* failures;
    selfmon::Counter* replayed;
    selfmon::Counter* torn;
    selfmon::Counter* corrupt;
  };
  static Metrics MetricsFor(const std::string& name);

  std::string SegmentPath(uint64_t segment) const;
  // Creates segment `segment` (header written and synced, directory synced) and makes it
  // current; the previous current segment is synced first.
  // REQUIRES: mu_ held and no sync running (!syncing_): one sync of a segment at a time.
  Status StartSegmentLocked(uint64_t segment);
  // Syncs the current segment up to everything written so far, sharing the sync with
  // concurrent callers (group commit); returns when write number `upto` is durable.
  // REQUIRES: l holds mu_.
  Status SyncUpToLocked(std::unique_lock<std::mutex>& l, uint64_t upto);
  // Records the first write/sync failure; later Appends return it. REQUIRES: mu_ held.
  void FailLocked(const Status& st);
  void SyncLoop();  // kBatch background thread

  const Options options_;
  Env* const env_;
  const std::string name_;
  const Metrics metrics_;

  mutable std::mutex mu_;
  std::condition_variable synced_cv_;  // synced_ advanced, or a sync finished or failed
  std::condition_variable stop_cv_;    // wakes SyncLoop for shutdown
  std::shared_ptr<File> file_;         // the current segment; null once closed
  uint64_t current_ = 0;
  std::map<uint64_t, uint64_t> closed_;  // earlier segments still on disk -> bytes
  uint64_t closed_bytes_ = 0;            // sum of closed_
  uint64_t written_ = 0;  // number of the last write (one per Append) that reached a file
  uint64_t synced_ = 0;   // every write numbered <= this is durable
  bool syncing_ = false;  // a sync runs outside mu_
  Status failed_;         // first write/sync failure
  bool closed_flag_ = false;
  uint64_t final_bytes_ = 0;  // SizeBytes after Close
  bool stop_ = false;
  std::thread sync_thread_;
};

}  // namespace infermetry::wal
