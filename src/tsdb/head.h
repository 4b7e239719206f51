#pragma once
// Head: the in-memory part of the metrics TSDB. It holds the newest samples of every active
// series in compressed chunks, indexes them by label pair, and serves appends and queries.
//
//   Head head(options);
//   head.SetWal(wal);                    // commits are logged here first (nullable: no WAL)
//   auto app = head.NewAppender();
//   app->Append(labels, t, v);           // early errors: kOutOfOrder, kDuplicate, kTooOld
//   app->Commit();                       // WAL record batch, then visible; OK == durable
//   auto q = head.NewQuerier(mint, maxt);
//
// Ingest rules, per series: samples newer than the newest are appended; a sample at the
// newest timestamp with the same value is a no-op and with another value kDuplicate; an older
// sample is accepted (and queryable) when at most `ooo_window_ms` older than the newest,
// otherwise kOutOfOrder; anything below min_valid_time() (already persisted in a block) is
// kTooOld. Staleness markers are ordinary values here.
//
// Thread-safety: everything is thread-safe except that one Appender is used by one thread.
// Appenders commit concurrently (series are spread over lock stripes); queriers read copies of
// chunk bytes, so they never block appends for long.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

#include "common/self_metrics.h"
#include "storage/appender.h"
#include "storage/querier.h"
#include "tsdb/head_series.h"
#include "tsdb/index/postings.h"
#include "tsdb/index/symbols.h"
#include "tsdb/series_map.h"

namespace infermetry::wal {
class Wal;
}

namespace infermetry::tsdb {

struct HeadOptions {
  // Chunks never straddle a multiple of this; the DB persists the head in ranges of this size.
  int64_t chunk_range_ms = 20 * 60 * 1000;
  int64_t ooo_window_ms = 0;
  // One chunk per range at 5 s scrapes (fewer chunk headers); float-heavy series are cut by
  // bytes first.
  uint16_t max_chunk_samples = 480;
  uint32_t max_chunk_bytes = 1024;
  selfmon::Registry* metrics = nullptr;  // null: selfmon::Default()
};

struct HeadStats {
  uint64_t series = 0;
  uint64_t samples = 0;
  uint64_t chunks = 0;       // sealed + open
  uint64_t chunk_bytes = 0;  // encoded bytes in chunks (without allocation slack)
  uint64_t memory_bytes = 0; // series, chunks, index, symbols, maps: an exact-ish accounting
  int64_t min_time = 0;      // of the samples held; INT64_MAX when empty
  int64_t max_time = 0;      // INT64_MIN when empty
};

class Head : public storage::Appendable, public storage::Queryable {
 public:
  explicit Head(const HeadOptions& options);
  ~Head() override;
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  // Where Commit logs. Set before the first Commit; the Wal must outlive the head's appenders.
  void SetWal(wal::Wal* wal) { wal_ = wal; }

  std::unique_ptr<storage::Appender> NewAppender() override;
  Result<std::unique_ptr<storage::Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  // Applies one WAL (or checkpoint) record during recovery: series, samples (out-of-order of
  // any age accepted, duplicates ignored, samples below min_valid_time() or of unknown series
  // skipped and counted), metadata. kCorruption for a malformed record. Not concurrent with
  // appends.
  // `max_t`, when given, is raised to the largest sample timestamp in the record.
  Status ReplayRecord(std::string_view rec, int64_t* max_t = nullptr);
  struct ReplayCounts {
    uint64_t samples = 0, skipped_old = 0, unknown_ref = 0, series = 0;
  };
  ReplayCounts replay_counts() const { return replay_counts_; }

  // Samples with t < min_valid_time() are rejected with kTooOld.
  int64_t min_valid_time() const { return min_valid_time_.load(std::memory_order_acquire); }
  // Raises min_valid_time to `t` once no Commit is in flight: when it returns, no sample below
  // `t` will be added to the head any more. Never lowers it.
  void RaiseMinValidTime(int64_t t);
  // Called (with commits blocked) before the first commit whose samples reach a new multiple of
  // chunk_range_ms is logged, with the head's newest timestamp so far: lets the DB start a WAL
  // segment per range, so that WAL segments can be dropped once their range is persisted.
  void SetRangeHook(std::function<void(int64_t head_max_t)> hook);
  // Runs `fn` while no Commit is in flight and none can start (for a WAL Cut that must not
  // split a commit batch).
  void WithAppendsBlocked(const std::function<void()>& fn);

  // Series with samples in [mint, maxt], in label order, with those samples (ooo merged).
  // Stops at and returns the first non-OK status of `fn`.
  Status ForEachSeries(int64_t mint, int64_t maxt,
                       const std::function<Status(const model::Labels&,
                                                  std::span<const model::Sample>)>& fn);
  std::vector<storage::MetadataEntry> AllMetadata() const;

  // Drops every sample with t < mint and the series left without samples and without pending
  // appends. Waits (bounded) for head queriers opened before the call to close, so that a
  // querier never loses samples it should see.
  void Truncate(int64_t mint);

  // Records that re-create the head's series and metadata (for a WAL checkpoint), appended
  // to `out` (series records of at most 4096 series each).
  void CheckpointRecords(std::vector<std::string>* out) const;
  uint64_t next_ref() const { return next_ref_.load(); }
  void SetNextRef(uint64_t r);

  // Walks every series: O(series).
  HeadStats Stats() const;
  // Bounds of the samples held (cheap): MinTime() > MaxTime() when empty.
  int64_t MinTime() const { return min_time_.load(); }
  int64_t MaxTime() const { return max_time_.load(); }
  const HeadOptions& options() const { return options_; }

 private:
  friend class HeadAppender;
  friend class HeadQuerier;
  friend class HeadSeriesSet;

  static constexpr size_t kStripes = 512;
  struct alignas(64) Stripe {
    mutable std::mutex mu;
    SeriesMap by_hash;  // series whose label hash maps here
    SeriesMap by_ref;   // series whose ref maps here; also guards their samples
  };
  Stripe& HashStripe(uint64_t h) { return stripes_[h & (kStripes - 1)]; }
  Stripe& RefStripe(uint64_t ref) { return stripes_[ref & (kStripes - 1)]; }
  const Stripe& RefStripe(uint64_t ref) const { return stripes_[ref & (kStripes - 1)]; }

  // The series for `labels`, created when new (with `ref` when nonzero, as replay wants);
  // pinned when `pin`. *created tells whether it was new.
  MemSeries* GetOrCreate(const model::Labels& labels, uint64_t hash, uint32_t ref, bool pin,
                         bool* created);
  AppendLimits limits() const;
  void NoteTimes(int64_t mint, int64_t maxt);
  void CrossRange(int64_t batch_maxt);
  void RegisterReader();
  void UnregisterReader();

  HeadOptions options_;
  wal::Wal* wal_ = nullptr;
  index::SymbolTable symbols_;
  index::MemPostings postings_;
  std::unique_ptr<Stripe[]> stripes_;
  std::atomic<uint64_t> next_ref_{1};
  std::atomic<uint64_t> num_series_{0};
  std::atomic<int64_t> min_valid_time_;
  std::atomic<int64_t> min_time_;
  std::atomic<int64_t> max_time_;
  // Commits hold it shared from the min_valid_time check to the head update.
  std::shared_mutex commit_gate_;
  std::function<void(int64_t)> range_hook_;
  std::atomic<int64_t> next_range_;  // the range hook runs when a commit reaches it

  mutable std::mutex meta_mu_;
  std::map<std::string, storage::Metadata, std::less<>> metadata_;

  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  uint64_t readers_ = 0;

  ReplayCounts replay_counts_;
  std::unordered_map<uint64_t, uint32_t> replay_alias_;  // WAL ref -> head ref (re-created series)

  // Self-metrics, looked up once.
  selfmon::Counter* m_appended_;
  selfmon::Counter* m_ooo_appended_;
  selfmon::Counter* m_ooo_rejected_;
  selfmon::Counter* m_duplicate_;
  selfmon::Counter* m_too_old_;
  selfmon::Counter* m_commit_failed_;
  selfmon::Counter* m_series_created_;
  selfmon::Counter* m_series_removed_;
  selfmon::Gauge* m_series_;
};

}  // namespace infermetry::tsdb
