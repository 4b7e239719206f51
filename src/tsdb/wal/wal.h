#pragma once
// Wal: a write-ahead log of opaque records, shared by the metrics TSDB and the span store. The
// byte format (segment header with a format version, CRC-checked record frames) is specified in
// docs/format/wal.md; this file states the behaviour.
//
//   wal::ReplayStats stats;
//   auto w = wal::Wal::Open(options, [&](uint64_t segment, std::string_view rec) {
//     return ApplyRecord(rec);            // replay: every intact record, in append order
//   }, &stats);
//   (*w)->Append(record);                 // durable under options.sync when it returns OK
//   uint64_t s = *(*w)->Cut();            // later records go to segment s and after
//   (*w)->TruncateBefore(s);              // once everything before s is persisted elsewhere
//
// Sync policy (the acknowledgement contract):
//   kAlways  Append returns after the record is written and fdatasync'd. Concurrent Appends
//            share one fdatasync (group commit): the first waiter syncs everything written so
//            far while later ones queue behind it. Survives power loss.
//   kBatch   Append returns after the record is written to the file (write(2): in the kernel's
//            page cache, so it survives a crash of the process); a background fdatasync runs
//            every `sync_interval`. A power loss can lose at most that interval.
//
// Recovery (Open): records are read in order. In the last segment, the first frame whose
// length or CRC is wrong ends the log: the file is cut there and the count of bytes cut is
// logged and reported (a torn write at a crash leaves exactly such a tail). A bad frame in an
// earlier segment loses only the rest of that segment (logged and reported as corrupt bytes);
// replay continues with the next segment. A segment whose header names another format version
// makes Open fail with kCorruption naming the file and both versions. Replay that takes longer
// than a few seconds logs its progress (segment i of n). Open never crashes on bad bytes.
//
// Failures: a failed write or sync (Append, Cut, the kBatch background sync) leaves the WAL
// refusing every later Append and Cut with that kIoError; reopening recovers what is on disk.
//
// Self-metrics, labelled {wal=<Options::name>}: infermetry_wal_records_appended_total,
// infermetry_wal_bytes_written_total (frames included), infermetry_wal_fsyncs_total,
// infermetry_wal_write_failures_total, infermetry_wal_records_replayed_total,
// infermetry_wal_torn_bytes_total, infermetry_wal_corrupt_bytes_total.
//
// Thread-safety: Append may be called concurrently; Cut and TruncateBefore may run concurrently
// with Appends. Append allocates nothing in steady state (a per-thread encoding buffer grows to
// the largest batch and is kept, unless that is over 8 MiB).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/result.h"
#include "common/status.h"

namespace infermetry::wal {

enum class SyncPolicy { kAlways, kBatch };

struct Options {
  // The directory holding the segment files; created if missing. The WAL owns it exclusively
  // (the caller keeps other processes out, e.g. with Env::Lock on a file next to it).
  std::string dir;
  // The `wal` label of the self-metrics (infermetry_wal_*); empty: `dir`.
  std::string name;
  // A new segment is started once the current one holds at least this many bytes.
  uint64_t segment_bytes = uint64_t{64} << 20;
  SyncPolicy sync = SyncPolicy::kAlways;
  std::chrono::milliseconds sync_interval{1000};  // kBatch only
  Env* env = nullptr;                             // null: DefaultEnv()
};

struct ReplayStats {
  uint64_t segments = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;          // of intact records
  uint64_t torn_bytes = 0;     // cut from the end of the last segment
  uint64_t corrupt_bytes = 0;  // skipped in earlier segments
};

// Called for each intact record during Open; a non-OK Status stops Open and is returned.
using ReplayFn = std::function<Status(uint64_t segment, std::string_view record)>;

class Wal {
 public:
  static Result<std::unique_ptr<Wal>> Open(const Options& options, const ReplayFn& replay,
                                           ReplayStats* stats);
  virtual ~Wal() = default;

  // Appends the records, in order, as one write; returns when they are durable under the sync
  // policy. kIoError if writing or syncing failed; the WAL then refuses further appends
  // (kIoError) because what reached the disk is unknown. Records must be <= 1 GiB each
  // (kInvalidArgument otherwise, nothing written). kCancelled after Close. An empty span is OK
  // and writes nothing. A new segment is started before the write when the current one holds
  // at least segment_bytes, so a segment can exceed it by one batch.
  virtual Status Append(std::span<const std::string_view> records) = 0;
  Status Append(std::string_view record) { return Append(std::span(&record, 1)); }

  // Closes the current segment (synced) and starts a new one; returns its number. Records
  // appended after Cut() returns are in that segment or later ones.
  virtual Result<uint64_t> Cut() = 0;
  // The segment currently appended to.
  virtual uint64_t CurrentSegment() const = 0;
  // Deletes every segment numbered below `segment` (never the current one).
  virtual Status TruncateBefore(uint64_t segment) = 0;
  // Total bytes in the WAL's segments.
  virtual uint64_t SizeBytes() const = 0;
  // Syncs and closes; later calls fail with kCancelled.
  virtual Status Close() = 0;
};

}  // namespace infermetry::wal
