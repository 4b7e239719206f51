#pragma once
// SpanStore: the embedded store of spans and logs. Two engines (engine.h) share one directory:
//   <dir>/spans/{wal,parts}   <dir>/logs/{wal,parts}
// Part and WAL record layouts: docs/format/spanstore.md.
//
//   SpanStoreOptions o;
//   o.dir = "/var/lib/infermetry/spans";
//   auto store = SpanStore::Open(o);            // replays the WALs, loads part footers
//   (*store)->IngestSpans(std::move(spans));    // OK = durable (WAL sync policy) and visible
//   auto trace = (*store)->FindTrace(id);
//
// Acknowledgement: IngestSpans/IngestLogs return OK only after the batch is in the WAL under
// `wal_sync` (kAlways: fdatasync'd, group-committed; kBatch: written, synced every
// wal_sync_interval); the batch is then visible to every query that starts afterwards. A
// non-OK return means the batch may or may not survive a crash; it is not visible to queries.
//
// Background work (when `background` is set): every maintenance_interval, flushes open parts
// older than flush_interval, merges small parts, applies retention. Retention limits apply to
// spans and logs separately. Errors in background work are logged and counted, and retried
// on the next round.
//
// Queries return kCorruption naming the file when a part block fails its checksum or does not
// decode; Open returns kCorruption when a part's header or footer is damaged.
//
// Thread-safety: every method may be called concurrently.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "model/span.h"
#include "spanstore/engine.h"
#include "spanstore/log_part.h"
#include "spanstore/span_part.h"
#include "storage/span_querier.h"
#include "tsdb/wal/wal.h"

namespace infermetry::spanstore {

struct SpanStoreOptions {
  std::string dir;
  wal::SyncPolicy wal_sync = wal::SyncPolicy::kAlways;
  std::chrono::milliseconds wal_sync_interval{1000};
  size_t flush_rows = 65536;
  std::chrono::milliseconds flush_interval{60000};
  std::chrono::nanoseconds retention{0};   // 0: keep forever
  uint64_t retention_bytes = 0;            // per signal; 0: no limit
  size_t max_part_rows = size_t{1} << 18;  // merges materialize their rows: bounds merge memory
  std::chrono::nanoseconds partition{std::chrono::hours(1)};
  bool background = true;
  std::chrono::milliseconds maintenance_interval{1000};
  Env* env = nullptr;               // null: DefaultEnv()
  std::function<int64_t()> now_ns;  // null: the system clock
};

class SpanStore : public storage::SpanQuerier, public storage::LogQuerier {
 public:
  static Result<std::unique_ptr<SpanStore>> Open(const SpanStoreOptions& options);
  ~SpanStore() override;

  Status IngestSpans(std::vector<model::Span> spans);
  Status IngestLogs(std::vector<model::LogRecord> logs);

  Result<std::vector<model::Span>> FindTrace(const model::TraceId& id) override;
  Result<std::vector<model::Span>> SearchSpans(const storage::SpanQuery& q) override;
  Result<std::vector<std::string>> Services() override;
  Result<std::vector<std::string>> SpanNames(const std::string& service) override;
  Result<std::vector<model::LogRecord>> SearchLogs(const storage::LogQuery& q) override;

  // Writes everything in memory as parts.
  Status Flush();
  // One round of background work: due flushes, merges, retention.
  Status Maintain();
  // Stops background work and closes the WALs (unflushed data stays in them).
  Status Close();

  Engine<SpanCodec>& span_engine() { return *spans_; }
  Engine<LogCodec>& log_engine() { return *logs_; }

 private:
  SpanStore() = default;
  void BackgroundLoop();

  SpanStoreOptions options_;
  std::unique_ptr<Engine<SpanCodec>> spans_;
  std::unique_ptr<Engine<LogCodec>> logs_;
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool stop_ = false;
  std::thread bg_;
};

// Queries over one engine snapshot (span_search.cc, log_search.cc).
Result<std::vector<model::Span>> FindTraceIn(const Engine<SpanCodec>::Snapshot& snap,
                                             const model::TraceId& id);
Result<std::vector<model::Span>> SearchSpansIn(const Engine<SpanCodec>::Snapshot& snap,
                                               const storage::SpanQuery& q);
Result<std::vector<std::string>> SpanNamesIn(const Engine<SpanCodec>::Snapshot& snap,
                                             const std::string& service);
Result<std::vector<model::LogRecord>> SearchLogsIn(const Engine<LogCodec>::Snapshot& snap,
                                                   const storage::LogQuery& q);

}  // namespace infermetry::spanstore
