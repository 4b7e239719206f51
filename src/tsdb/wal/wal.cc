#include "tsdb/wal/wal.h"

#include <algorithm>
#include <vector>

#include "common/log.h"
#include "tsdb/wal/wal_format.h"
#include "tsdb/wal/wal_impl.h"

namespace infermetry::wal {
namespace {

// A per-thread buffer that frames are encoded into outside the lock. It keeps its capacity
// between calls (no allocation per Append in steady state) unless that grew past kKeepBytes.
class Scratch {
 public:
  static constexpr size_t kKeepBytes = size_t{8} << 20;
  char* Reserve(size_t n) {
    if (n > cap_) {
      size_t cap = std::max(n, cap_ * 2);
      data_.reset(new char[cap]);
      cap_ = cap;
    }
    return data_.get();
  }
  void Trim() {
    if (cap_ > kKeepBytes) {
      data_.reset();
      cap_ = 0;
    }
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t cap_ = 0;
};

thread_local Scratch scratch;

Status Closed() { return Status(Code::kCancelled, "wal is closed"); }

}  // namespace

Result<std::unique_ptr<Wal>> Wal::Open(const Options& options, const ReplayFn& replay,
                                       ReplayStats* stats) {
  if (options.dir.empty()) return InvalidArgument("wal: options.dir is empty");
  if (options.segment_bytes == 0) return InvalidArgument("wal: segment_bytes is 0");
  if (options.sync == SyncPolicy::kBatch && options.sync_interval.count() <= 0)
    return InvalidArgument("wal: sync_interval must be positive");
  ReplayStats local;
  if (stats == nullptr) stats = &local;
  *stats = ReplayStats{};
  auto w = std::make_unique<WalImpl>(options, options.env ? options.env : DefaultEnv());
  INFERMETRY_RETURN_IF_ERROR(w->Recover(replay, stats));
  return std::unique_ptr<Wal>(std::move(w));
}

WalImpl::WalImpl(const Options& options, Env* env)
    : options_(options),
      env_(env),
      name_(options.name.empty() ? options.dir : options.name),
      metrics_(MetricsFor(name_)) {}

WalImpl::~WalImpl() {
  bool open;
  {
    std::lock_guard<std::mutex> l(mu_);
    open = !closed_flag_;
  }
  if (open) (void)Close();
}

WalImpl::Metrics WalImpl::MetricsFor(const std::string& name) {
  auto& reg = selfmon::Default();
  static auto& records = reg.AddCounter("infermetry_wal_records_appended_total",
                                        "Records appended to the write-ahead log.", {"wal"});
  static auto& bytes = reg.AddCounter("infermetry_wal_bytes_written_total",
                                      "Bytes written to WAL segments, frames included.", {"wal"});
  static auto& fsyncs =
      reg.AddCounter("infermetry_wal_fsyncs_total", "fdatasync calls on WAL segments.", {"wal"});
  static auto& failures = reg.AddCounter(
      "infermetry_wal_write_failures_total",
      "Failed WAL writes or syncs; each leaves the WAL refusing appends until reopened.", {"wal"});
  static auto& replayed =
      reg.AddCounter("infermetry_wal_records_replayed_total",
                     "Intact records replayed when the WAL was opened.", {"wal"});
  static auto& torn = reg.AddCounter(
      "infermetry_wal_torn_bytes_total",
      "Bytes cut from the end of the last WAL segment at open (a write torn by a crash).", {"wal"});
  static auto& corrupt =
      reg.AddCounter("infermetry_wal_corrupt_bytes_total",
                     "Bytes skipped after a bad frame in an earlier WAL segment at open.", {"wal"});
  return Metrics{&records.With({name}),  &bytes.With({name}),    &fsyncs.With({name}),
                 &failures.With({name}), &replayed.With({name}), &torn.With({name}),
                 &corrupt.With({name})};
}

std::string WalImpl::SegmentPath(uint64_t segment) const {
  return options_.dir + "/" + format::SegmentName(segment);
}

void WalImpl::FailLocked(const Status& st) {
  if (!failed_.ok()) return;
  failed_ = st;
  metrics_.failures->Inc();
  log::Error("wal: write or sync failed; refusing appends until reopened",
             {{"wal", name_}, {"err", st.ToString()}});
  synced_cv_.notify_all();
}

Status WalImpl::StartSegmentLocked(uint64_t segment) {
  if (file_ != nullptr) {
    // Everything in the old segment becomes durable before any write goes to the new one: the
    // group-commit leader only ever syncs the current segment.
    INFERMETRY_RETURN_IF_ERROR(file_->Sync());
    metrics_.fsyncs->Inc();
    synced_ = written_;
    synced_cv_.notify_all();
  }
  const std::string path = SegmentPath(segment);
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<File> f, env_->Open(path, /*create=*/true));
  char header[format::kHeaderBytes];
  format::EncodeHeader(header);
  INFERMETRY_RETURN_IF_ERROR(f->Truncate(0));
  INFERMETRY_RETURN_IF_ERROR(f->Append(std::string_view(header, sizeof(header))));
  INFERMETRY_RETURN_IF_ERROR(f->Sync());
  INFERMETRY_RETURN_IF_ERROR(env_->SyncDir(options_.dir));
  metrics_.fsyncs->Inc();
  metrics_.bytes->Inc(sizeof(header));
  if (file_ != nullptr) {
    uint64_t size = file_->Size();
    closed_[current_] = size;
    closed_bytes_ += size;
  }
  file_ = std::move(f);
  current_ = segment;
  return Status::Ok();
}

Status WalImpl::SyncUpToLocked(std::unique_lock<std::mutex>& l, uint64_t upto) {
  while (synced_ < upto) {
    if (!failed_.ok()) return failed_;
    if (file_ == nullptr) return Closed();
    if (syncing_) {
      synced_cv_.wait(l);
      continue;
    }
    // Leader: sync everything written so far; writers arriving meanwhile queue for the next.
    syncing_ = true;
    uint64_t target = written_;
    std::shared_ptr<File> f = file_;
    l.unlock();
    Status st = f->Sync();
    l.lock();
    syncing_ = false;
    if (st.ok()) {
      metrics_.fsyncs->Inc();
      synced_ = std::max(synced_, target);
    } else {
      FailLocked(st);
    }
    synced_cv_.notify_all();
  }
  return Status::Ok();
}

Status WalImpl::Append(std::span<const std::string_view> records) {
  size_t total = 0;
  for (std::string_view r : records) {
    if (r.size() > format::kMaxRecordBytes) {
      return InvalidArgument("wal: record of " + std::to_string(r.size()) +
                             " bytes is over the 1 GiB limit");
    }
    total += format::kFrameHeaderBytes + r.size();
  }
  char* buf = scratch.Reserve(total);
  char* p = buf;
  for (std::string_view r : records) {
    format::EncodeFrame(r, p);
    p += format::kFrameHeaderBytes + r.size();
  }

  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    if (closed_flag_) return Closed();
    if (!failed_.ok()) return failed_;
    if (records.empty() || file_->Size() < options_.segment_bytes) break;
    // Full: start the next segment, once a running group-commit sync of this one has ended
    // (state is re-checked after waiting: another writer may have started it meanwhile).
    if (syncing_) {
      synced_cv_.wait(l);
      continue;
    }
    if (Status st = StartSegmentLocked(current_ + 1); !st.ok()) {
      FailLocked(st);
      return failed_;
    }
  }
  if (records.empty()) return Status::Ok();
  if (Status st = file_->Append(std::string_view(buf, total)); !st.ok()) {
    FailLocked(st);
    return failed_;
  }
  uint64_t me = ++written_;
  metrics_.records->Inc(static_cast<double>(records.size()));
  metrics_.bytes->Inc(static_cast<double>(total));
  scratch.Trim();
  if (options_.sync == SyncPolicy::kBatch) return Status::Ok();
  return SyncUpToLocked(l, me);
}

Result<uint64_t> WalImpl::Cut() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    if (closed_flag_) return Closed();
    if (!failed_.ok()) return failed_;
    if (!syncing_) break;
    synced_cv_.wait(l);
  }
  if (Status st = StartSegmentLocked(current_ + 1); !st.ok()) {
    FailLocked(st);
    return failed_;
  }
  return current_;
}

uint64_t WalImpl::CurrentSegment() const {
  std::lock_guard<std::mutex> l(mu_);
  return current_;
}

Status WalImpl::TruncateBefore(uint64_t segment) {
  std::vector<std::pair<uint64_t, uint64_t>> doomed;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_flag_) return Closed();
    for (auto it = closed_.begin(); it != closed_.end() && it->first < segment;) {
      doomed.emplace_back(*it);
      closed_bytes_ -= it->second;
      it = closed_.erase(it);
    }
  }
  if (doomed.empty()) return Status::Ok();
  // Files are removed outside the lock so that appends do not wait for the unlinks.
  Status first;
  for (const auto& [seg, size] : doomed) {
    Status st = env_->Remove(SegmentPath(seg));
    if (st.ok() || st.code() == Code::kNotFound) continue;
    if (first.ok()) first = st;
    std::lock_guard<std::mutex> l(mu_);
    closed_[seg] = size;
    closed_bytes_ += size;
  }
  if (!first.ok()) return first;
  return env_->SyncDir(options_.dir);
}

uint64_t WalImpl::SizeBytes() const {
  std::lock_guard<std::mutex> l(mu_);
  if (file_ == nullptr) return final_bytes_;
  return closed_bytes_ + file_->Size();
}

Status WalImpl::Close() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_flag_) return Closed();
    closed_flag_ = true;  // no write starts from now on
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
  std::unique_lock<std::mutex> l(mu_);
  Status st = failed_;
  if (st.ok() && file_ != nullptr) st = SyncUpToLocked(l, written_);
  while (syncing_) synced_cv_.wait(l);
  if (file_ != nullptr) {
    final_bytes_ = closed_bytes_ + file_->Size();
    file_.reset();
  }
  return st;
}

void WalImpl::SyncLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    stop_cv_.wait_for(l, options_.sync_interval, [this] { return stop_; });
    if (stop_) break;
    if (!failed_.ok() || syncing_ || synced_ >= written_) continue;
    (void)SyncUpToLocked(l, written_);  // a failure is recorded and logged by FailLocked
  }
}

}  // namespace infermetry::wal
