#include "spanstore/span_store.h"

#include <algorithm>
#include <set>

#include "common/log.h"

namespace infermetry::spanstore {

namespace {

EngineOptions EngineOptionsFor(const SpanStoreOptions& o, const char* kind) {
  EngineOptions e;
  e.dir = o.dir + "/" + kind;
  e.sync = o.wal_sync;
  e.sync_interval = o.wal_sync_interval;
  e.flush_rows = o.flush_rows;
  e.flush_interval = o.flush_interval;
  e.retention_ns = o.retention.count();
  e.retention_bytes = o.retention_bytes;
  e.max_part_rows = o.max_part_rows;
  e.partition_ns = std::max<int64_t>(1, o.partition.count());
  e.env = o.env;
  e.now_ns = o.now_ns;
  return e;
}

template <typename E>
Status MaintainEngine(E& e) {
  INFERMETRY_RETURN_IF_ERROR(e.MaybeFlush());
  INFERMETRY_RETURN_IF_ERROR(e.Merge().status());
  return e.ApplyRetention().status();
}

const Status& StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

// Counts a corruption that `r` reports in the self-metrics of engine `e`.
template <typename E, typename R>
R Noted(E& e, R r) {
  if (StatusOf(r).code() == Code::kCorruption) e.NoteCorruption();
  return r;
}

}  // namespace

Result<std::unique_ptr<SpanStore>> SpanStore::Open(const SpanStoreOptions& options) {
  if (options.dir.empty()) return InvalidArgument("span store: dir is empty");
  if (options.flush_rows == 0) return InvalidArgument("span store: flush_rows must be > 0");
  std::unique_ptr<SpanStore> s(new SpanStore());
  s->options_ = options;
  INFERMETRY_ASSIGN_OR_RETURN(s->spans_,
                              Engine<SpanCodec>::Open(EngineOptionsFor(options, "spans")));
  INFERMETRY_ASSIGN_OR_RETURN(s->logs_, Engine<LogCodec>::Open(EngineOptionsFor(options, "logs")));
  if (options.background) s->bg_ = std::thread([p = s.get()] { p->BackgroundLoop(); });
  return s;
}

SpanStore::~SpanStore() { (void)Close(); }

void SpanStore::BackgroundLoop() {
  std::unique_lock<std::mutex> l(bg_mu_);
  while (!stop_) {
    bg_cv_.wait_for(l, options_.maintenance_interval);
    if (stop_) break;
    l.unlock();
    Status st = Maintain();
    if (!st.ok()) log::Warn("spanstore: background work failed", {{"err", st.ToString()}});
    l.lock();
  }
}

Status SpanStore::Maintain() {
  Status a = Noted(*spans_, MaintainEngine(*spans_));
  Status b = Noted(*logs_, MaintainEngine(*logs_));
  return a.ok() ? b : a;
}

Status SpanStore::Close() {
  {
    std::lock_guard<std::mutex> l(bg_mu_);
    if (stop_) return Status::Ok();
    stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_.joinable()) bg_.join();
  Status a = spans_ != nullptr ? spans_->Close() : Status::Ok();
  Status b = logs_ != nullptr ? logs_->Close() : Status::Ok();
  return a.ok() ? b : a;
}

Status SpanStore::IngestSpans(std::vector<model::Span> spans) {
  return spans_->Ingest(std::move(spans));
}

Status SpanStore::IngestLogs(std::vector<model::LogRecord> logs) {
  return logs_->Ingest(std::move(logs));
}

Status SpanStore::Flush() {
  INFERMETRY_RETURN_IF_ERROR(spans_->Flush());
  return logs_->Flush();
}

Result<std::vector<model::Span>> SpanStore::FindTrace(const model::TraceId& id) {
  return Noted(*spans_, FindTraceIn(spans_->GetSnapshot(), id));
}

Result<std::vector<model::Span>> SpanStore::SearchSpans(const storage::SpanQuery& q) {
  return Noted(*spans_, SearchSpansIn(spans_->GetSnapshot(), q));
}

Result<std::vector<std::string>> SpanStore::Services() {
  auto snap = spans_->GetSnapshot();
  std::set<std::string> out;
  for (const auto& c : snap.memory) {
    for (const auto& s : *c) out.insert(s.service_name);
  }
  for (const auto& p : snap.parts) {
    for (const auto& s : p->dicts()[SpanCodec::kServices]) out.insert(s);
  }
  return std::vector<std::string>(out.begin(), out.end());
}

Result<std::vector<std::string>> SpanStore::SpanNames(const std::string& service) {
  return Noted(*spans_, SpanNamesIn(spans_->GetSnapshot(), service));
}

Result<std::vector<model::LogRecord>> SpanStore::SearchLogs(const storage::LogQuery& q) {
  return Noted(*logs_, SearchLogsIn(logs_->GetSnapshot(), q));
}

}  // namespace infermetry::spanstore
