#pragma once
// Engine<Codec>: the storage life cycle shared by spans (SpanCodec) and logs (LogCodec).
//
//   Ingest(batch): one WAL record per batch, durable under the WAL's sync policy before it
//   returns OK; then the batch joins the in-memory open part and is visible to every snapshot
//   taken afterwards. Concurrent ingests append to the WAL concurrently, so that they share
//   its group commit; the open part then holds their batches in the order they finished.
//   Once the open part holds flush_rows rows (or is flush_interval old, via MaybeFlush), it
//   is frozen (the WAL is Cut at that point) and written as one immutable part file; then the
//   WAL segments before the cut are deleted, so replay covers unflushed data only. A freeze
//   waits for the ingests in flight and holds new ones back while it cuts, so the frozen rows
//   are exactly the rows whose WAL records lie before the cut. A part records that cut: on
//   Open, WAL records in segments below the highest cut of any part are skipped (they are
//   already in parts; this closes the window between a part's rename and the WAL truncation).
//
//   Merge(): parts are grouped into time partitions by their min time (partition_ns); within a
//   partition, small parts are merged into one sorted part (at most max_part_rows rows). The
//   merged part lists the parts it replaces; Open deletes any part that a surviving part
//   replaces (a crash between writing the merged part and deleting its sources).
//
//   ApplyRetention(): drops whole parts whose newest row is older than now - retention, then
//   the parts with the oldest rows while the parts' total size exceeds retention_bytes.
//
// Failure: a failed WAL write or sync fails Ingest (nothing is acknowledged; the WAL then
// refuses further appends). A failed part write keeps the frozen rows in memory (still
// queryable, still in the WAL) and is retried by the next flush. Open fails with kCorruption
// naming the file when a part's header or footer is damaged.
//
// Thread-safety: all methods may be called concurrently. Ingests wait only for a freeze in
// progress (one WAL cut); flushes, merges and retention are serialized among themselves;
// snapshots never wait for disk I/O.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/log.h"
#include "common/result.h"
#include "common/self_metrics.h"
#include "spanstore/part_file.h"
#include "tsdb/wal/wal.h"

namespace infermetry::spanstore {

struct EngineOptions {
  std::string dir;  // this engine's directory (parts/ and wal/ below it)
  wal::SyncPolicy sync = wal::SyncPolicy::kAlways;
  std::chrono::milliseconds sync_interval{1000};
  size_t flush_rows = 65536;
  std::chrono::milliseconds flush_interval{60000};
  int64_t retention_ns = 0;                // 0: keep forever
  uint64_t retention_bytes = 0;            // 0: no size limit
  size_t max_part_rows = size_t{1} << 18;  // merges materialize their rows: bounds merge memory
  int64_t partition_ns = int64_t{3600} * 1000000000;
  Env* env = nullptr;
  std::function<int64_t()> now_ns;  // wall clock, Unix ns
};

// Self-metrics of one engine kind ("spans" or "logs").
struct EngineMetrics {
  explicit EngineMetrics(const char* kind);
  selfmon::Counter* ingested;
  selfmon::Counter* flushes;
  selfmon::Counter* merges;
  selfmon::Counter* corruptions;
  selfmon::Counter* dropped_parts;
  selfmon::Gauge* parts;
  selfmon::Gauge* bytes;
};

// Admits WAL appends concurrently with each other and a cut (WAL Cut plus freeze) alone: a cut
// waits for the appends inside to leave, and appends arriving meanwhile wait for the cut, so a
// steady stream of appends cannot starve it. Thread-safe.
class AppendGate {
 public:
  // False once closed (the caller must not append).
  bool EnterAppend();
  void LeaveAppend();
  // False once closed (the caller must not cut).
  bool EnterCut();
  void LeaveCut();
  // Refuses every later entry and waits until no append or cut is inside. False when it was
  // already closed.
  bool Close();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int appends_ = 0;
  bool cutting_ = false;
  bool closed_ = false;
};

template <typename Codec>
class Engine {
 public:
  using Item = typename Codec::Item;
  using Chunk = std::shared_ptr<const std::vector<Item>>;
  struct Snapshot {
    std::vector<Chunk> memory;                 // open and frozen rows, in ingest order
    std::vector<std::shared_ptr<Part>> parts;  // in no particular order
  };

  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  ~Engine() { (void)Close(); }

  Status Ingest(std::vector<Item> items);
  Snapshot GetSnapshot() const;

  // Writes everything in memory as a part (no-op when empty).
  Status Flush();
  // Flushes when the open part is older than flush_interval.
  Status MaybeFlush();
  // One merge per partition that has small parts to merge; returns the number of merges.
  Result<int> Merge();
  // Returns the number of parts dropped.
  Result<int> ApplyRetention();
  Status Close();

  // Counts a corruption found by a query (self-metrics).
  void NoteCorruption() { metrics_.corruptions->Inc(); }
  size_t part_count() const;
  uint64_t part_bytes() const;
  size_t memory_rows() const;
  size_t replayed_rows() const { return replayed_rows_; }

 private:
  struct Frozen {
    std::vector<Chunk> chunks;
    size_t rows = 0;
    uint64_t wal_cut = 0;
  };
  explicit Engine(const EngineOptions& o) : options_(o), metrics_(Codec::kName) {}
  std::string PartsDir() const { return options_.dir + "/parts"; }
  std::string PartPath(uint64_t seq) const;
  Status LoadParts(uint64_t* max_cut);
  // Moves the open part to frozen_ behind a WAL cut when it holds at least min_rows rows.
  Status Freeze(size_t min_rows);
  Status FlushFrozen(bool wait);
  Result<std::shared_ptr<Part>> WriteRows(std::vector<const Item*> rows, PartInfo info);
  Status DropParts(const std::vector<std::shared_ptr<Part>>& victims);
  void UpdateGauges();  // REQUIRES: mu_ held
  int64_t Now() const;

  EngineOptions options_;
  EngineMetrics metrics_;
  std::unique_ptr<wal::Wal> wal_;
  AppendGate gate_;            // WAL append + open part insert vs. WAL cut + freeze
  std::mutex maintenance_mu_;  // flush, merge, retention
  mutable std::mutex mu_;      // the fields below
  std::vector<Chunk> open_;
  size_t open_rows_ = 0;
  int64_t open_since_ = 0;
  std::deque<Frozen> frozen_;
  std::vector<std::shared_ptr<Part>> parts_;
  std::atomic<uint64_t> next_seq_{1};
  size_t replayed_rows_ = 0;
};

}  // namespace infermetry::spanstore

#include "spanstore/engine_impl.h"
