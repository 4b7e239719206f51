#pragma once
// DB: the metrics TSDB on disk: a write-ahead log, an in-memory head and persistent blocks in
// one directory, behind the storage seam (Appendable, Queryable).
//
//   tsdb::Options o;
//   o.dir = "data/metrics";
//   auto db = tsdb::DB::Open(o);          // locks dir, opens blocks, replays the WAL
//   auto app = (*db)->NewAppender();      // commit == durable under o.wal_sync, queryable at once
//   auto q = (*db)->NewQuerier(mint, maxt);
//   (*db)->Close();
//
// Directory layout:
//   LOCK                   held (flock) while open
//   wal/                   WAL segments (docs/format/wal.md), records: tsdb-wal-records.md
//   checkpoint.NNNNNNNN    series and metadata needed to replay segments >= NNNNNNNN
//   <block id>/            persistent blocks (docs/format/tsdb-block.md)
//   *.tmp                  unfinished writes; deleted at open
//
// Lifecycle of a sample: Commit writes it to the WAL, then the head. Once the head spans 1.25
// block ranges (or a range plus the out-of-order window), the oldest full range is written as a block, dropped from the head, and WAL
// segments holding only samples of persisted ranges are deleted (series they defined are kept
// in a checkpoint). Blocks are compacted into larger ranges and deleted by retention.
//
// Crash safety: every acknowledged sample is, at every instant, in the WAL (segments or
// checkpoint-covered) or in a complete block, and replay skips what blocks hold, so reopening
// yields each sample exactly once. See Compact() in db.cc for the order of steps.
//
// Thread-safety: NewAppender, NewQuerier, Compact, Stats are thread-safe. Close is not
// concurrent with anything else. Appenders and queriers must be destroyed before the DB.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "common/self_metrics.h"
#include "storage/appender.h"
#include "storage/querier.h"
#include "tsdb/block/block.h"
#include "tsdb/block/block_cache.h"
#include "tsdb/head.h"
#include "tsdb/wal/wal.h"

namespace infermetry::tsdb {

struct Options {
  std::string dir;
  wal::SyncPolicy wal_sync = wal::SyncPolicy::kAlways;
  std::chrono::milliseconds wal_sync_interval{1000};  // kBatch only
  uint64_t wal_segment_bytes = uint64_t{64} << 20;
  // Out-of-order samples up to this much older than their series' newest are accepted.
  // At most block_range_ms / 2.
  // 0 by default: scrapes append in order, and the OTLP path appends each batch in order;
  // raise it for pushers that retry or merge late data.
  int64_t ooo_window_ms = 0;
  // The head is persisted in blocks of this range, once the head holds a quarter range (or
  // the out-of-order window, if larger) beyond it. 20 minutes keep the head at 20-25 minutes
  // of samples: <= 1 KB per vLLM series at 5 s scrapes. Compaction merges blocks later.
  int64_t block_range_ms = 20 * 60 * 1000;
  // Ranges of successive block levels (the first should be block_range_ms).
  std::vector<int64_t> compaction_ranges_ms = {20 * 60 * 1000, 2 * 3600 * 1000,
                                               8 * 3600 * 1000, 24 * 3600 * 1000};
  int64_t retention_ms = int64_t{15} * 24 * 3600 * 1000;  // 0: unlimited
  // Decoded block pages and time columns kept in memory across queries (0: none).
  uint64_t block_cache_bytes = uint64_t{256} << 20;
  uint64_t retention_bytes = 0;                            // 0: unlimited
  // Background compaction checks this often; 0 disables the thread (tests call Compact()).
  std::chrono::milliseconds compaction_interval{1000};
  Env* env = nullptr;                    // null: DefaultEnv()
  selfmon::Registry* metrics = nullptr;  // null: selfmon::Default()
};

struct DBStats {
  HeadStats head;
  uint64_t blocks = 0;
  uint64_t block_samples = 0;
  uint64_t block_bytes = 0;
  uint64_t wal_bytes = 0;
  uint64_t bytes_on_disk = 0;  // blocks + WAL + checkpoint
};

class DB : public storage::Appendable, public storage::Queryable {
 public:
  static Result<std::unique_ptr<DB>> Open(const Options& options);
  // Stops background work and releases the directory; like a crash for everything the WAL
  // has not yet synced under kBatch (Close() syncs).
  ~DB() override;

  std::unique_ptr<storage::Appender> NewAppender() override;
  // Blocks overlapping [mint, maxt] merged with the head (the head wins at equal timestamps).
  Result<std::unique_ptr<storage::Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  // Persists every full head range that is due, compacts blocks, applies retention. Returns
  // the first error; a failed step leaves the data where it was and is retried next time.
  Status Compact();
  // Stops the background thread, syncs and closes the WAL, releases the lock. Idempotent.
  Status Close();

  DBStats Stats() const;
  std::vector<BlockMeta> Blocks() const;
  Head* head() { return head_.get(); }

 private:
  explicit DB(const Options& options);
  Status OpenBlocks();
  Status ReplayCheckpointAndWal();
  Status CompactHead();
  Status RunBlockCompaction();
  Status ApplyRetention();
  Status TruncateWal(int64_t persisted_maxt);
  void BackgroundLoop();
  void RemoveBlockDir(const std::string& id);

  Options opts_;
  Env* env_;
  std::unique_ptr<File> lock_;
  std::unique_ptr<Head> head_;
  std::unique_ptr<wal::Wal> wal_;

  mutable std::mutex mu_;  // blocks_
  std::vector<std::shared_ptr<Block>> blocks_;  // sorted by mint
  std::shared_ptr<BlockCache> block_cache_;

  std::mutex compact_mu_;  // one compaction (and WAL cut bookkeeping) at a time
  // (segment s, t): every sample in segments below s has a timestamp <= t.
  std::mutex cuts_mu_;
  std::vector<std::pair<uint64_t, int64_t>> cuts_;
  std::atomic<uint64_t> checkpoint_segment_{0};

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stop_ = false;
  std::thread bg_;
  std::atomic<bool> closed_{false};

  selfmon::Counter* m_compactions_;
  selfmon::Counter* m_compaction_failures_;
  selfmon::Counter* m_blocks_deleted_;
  selfmon::Gauge* m_blocks_;
};

}  // namespace infermetry::tsdb
