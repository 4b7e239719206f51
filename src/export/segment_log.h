#pragma once
// SegmentLog: the on-disk part of a persistent sending queue. An append-only sequence of
// records (one serialized export request each) spread over segment files, with a side log of
// acknowledged records. The byte format is specified in docs/format/sending_queue.md; this
// file states the behaviour.
//
//   std::vector<SegmentLog::RecordRef> pending;
//   auto log = SegmentLog::Open(options, &pending);   // replays what was never acknowledged
//   Result<SegmentLog::RecordRef> r = log->Append(Signal::kTraces, 64, bytes);  // durable now
//   Result<std::string> payload = log->Read(*r);
//   log->Ack(r->seq);                                   // exported: may be deleted
//
// Durability: Append returns only after the record is written and fdatasync'd. Concurrent
// Appends share one fdatasync (group commit): the first waiter syncs everything written so far
// while later writers queue behind it, so N concurrent appends cost far fewer than N syncs.
//
// Acknowledgement: Ack appends the sequence number to the ack log without syncing it. Losing
// acks in a crash only makes records replay again (duplicates); records are never lost. A
// segment file is removed once every record in it is acknowledged and it is no longer the one
// being appended to.
//
// Recovery (Open): segments are scanned record by record; the first record whose length, CRC or
// sequence number is wrong ends that segment: the file is cut there and the number of bytes
// cut is logged (a torn write at a crash leaves exactly such a tail). A segment whose header
// says another format version makes Open fail with kInvalidArgument. The directory is locked
// (flock on LOCK) so that two queues cannot share it.
//
// Thread-safety: every method may be called concurrently.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/env.h"
#include "export/queue_format.h"
#include "process/telemetry.h"

namespace infermetry::exporter {

inline constexpr uint32_t kSegmentFormatVersion = queue_format::kVersion;

class SegmentLog {
 public:
  struct Options {
    std::string dir;
    // A new segment is started once the current one holds at least this many bytes.
    uint64_t segment_bytes = uint64_t{8} << 20;
    Env* env = nullptr;  // null: DefaultEnv()
  };

  // Where a record is; enough to read it back and to account for it without reading it.
  struct RecordRef {
    uint64_t seq = 0;
    process::Signal signal = process::Signal::kTraces;
    uint32_t items = 0;
    uint32_t payload_bytes = 0;
    uint64_t segment = 0;  // first sequence number of its segment
    uint64_t offset = 0;   // of the record header within the segment file
  };

  // Opens (creating if needed) the log in options.dir and appends to `pending`, in sequence
  // order, every record that was never acknowledged.
  static Result<std::unique_ptr<SegmentLog>> Open(const Options& options,
                                                  std::vector<RecordRef>* pending);

  ~SegmentLog();
  SegmentLog(const SegmentLog&) = delete;
  SegmentLog& operator=(const SegmentLog&) = delete;

  // Writes one record and waits until it is durable. kIoError if writing or syncing failed
  // (the record may then still be replayed after a restart).
  Result<RecordRef> Append(process::Signal signal, uint32_t items, std::string_view payload);

  // The payload of a record, re-verified against its CRC (kCorruption on mismatch).
  Result<std::string> Read(const RecordRef& ref) const;

  // Marks a record as done. Unknown or already acknowledged sequence numbers are ignored.
  void Ack(uint64_t seq);

  // Bytes of live segment files (headers and records, acknowledged or not).
  uint64_t DiskBytes() const;
  // Number of fdatasync calls made on segment files by Append (for tests and benchmarks).
  uint64_t SyncCount() const;

 private:
  struct Segment {
    std::string path;
    std::shared_ptr<File> file;
    uint64_t records = 0;
    uint64_t acked = 0;
    uint64_t last_seq = 0;  // of its newest record; 0 while empty
  };

  explicit SegmentLog(Options options);
  Status Recover(std::vector<RecordRef>* pending);
  Status ScanSegment(uint64_t first_seq, Segment* seg, bool last, std::vector<RecordRef>* records);
  Status OpenAckLog(std::set<uint64_t>* acked);
  Status RewriteAckLog();  // REQUIRES: mu_ held (or single-threaded during Open)
  Status StartSegment();   // REQUIRES: mu_ held
  void MaybeRemove(std::map<uint64_t, Segment>::iterator it);  // REQUIRES: mu_ held
  std::string SegmentPath(uint64_t first_seq) const;

  const Options options_;
  Env* env_;
  std::unique_ptr<File> lock_;

  mutable std::mutex mu_;
  std::condition_variable synced_cv_;
  std::map<uint64_t, Segment> segments_;  // by first sequence number
  uint64_t active_ = 0;                   // key of the segment appended to; 0 = none yet
  uint64_t next_seq_ = 1;
  uint64_t written_seq_ = 0;  // highest seq written to a file
  uint64_t synced_seq_ = 0;   // every seq <= this is durable
  bool syncing_ = false;
  uint64_t failed_upto_ = 0;  // appends with seq <= this failed their sync
  Status sync_error_;
  uint64_t sync_count_ = 0;

  std::unique_ptr<File> ack_file_;
  std::set<uint64_t> live_acks_;  // acknowledged seqs still inside live segments
};

}  // namespace infermetry::exporter
