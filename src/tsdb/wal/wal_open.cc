// Recovery: replays every segment in order and leaves the newest one open for appending.

#include <algorithm>
#include <chrono>
#include <vector>

#include "common/log.h"
#include "tsdb/wal/segment_reader.h"
#include "tsdb/wal/wal_format.h"
#include "tsdb/wal/wal_impl.h"

namespace infermetry::wal {
namespace {

using Clock = std::chrono::steady_clock;

// Logs "segment i of n" at most every kEvery while a replay runs, so that a slow start is
// visibly making progress.
class Progress {
 public:
  static constexpr auto kEvery = std::chrono::seconds(5);
  Progress(const std::string& name, size_t segments)
      : name_(name), segments_(segments), start_(Clock::now()), last_(start_) {}

  void Tick(size_t index, uint64_t records) {
    auto now = Clock::now();
    if (now - last_ < kEvery) return;
    last_ = now;
    log::Info("wal: replay in progress", {{"wal", name_},
                                          {"segment", index + 1},
                                          {"of", segments_},
                                          {"records", records},
                                          {"elapsed_s", Seconds()}});
  }
  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  const std::string& name_;
  size_t segments_;
  Clock::time_point start_;
  Clock::time_point last_;
};

struct SegmentInput {
  Env* env;
  const std::string& wal_name;
  std::string path;
  uint64_t number;
  size_t index;
  bool last;  // the newest segment: a bad tail is a torn write and is cut
};

Status VersionError(const std::string& path, uint32_t version) {
  return Status(Code::kCorruption, path + ": WAL format version " + std::to_string(version) +
                                       "; this build reads version " +
                                       std::to_string(format::kVersion));
}

// Replays one segment. On success *file is the open segment (its size is what stays on disk).
Status ReplaySegment(const SegmentInput& in, const ReplayFn& replay, ReplayStats* stats,
                     Progress* progress, std::unique_ptr<File>* file) {
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<File> f, in.env->Open(in.path, /*create=*/false));
  const uint64_t size = f->Size();
  ++stats->segments;

  bool header_ok = false;
  if (size >= format::kHeaderBytes) {
    char h[format::kHeaderBytes];
    INFERMETRY_RETURN_IF_ERROR(f->ReadAt(0, sizeof(h), h));
    uint32_t version = 0;
    switch (format::CheckHeader(h, &version)) {
      case format::HeaderCheck::kBadMagic:
        return Status(Code::kCorruption, in.path + ": not a WAL segment (bad magic)");
      case format::HeaderCheck::kBadVersion:
        return VersionError(in.path, version);
      case format::HeaderCheck::kBadCrc:
        break;
      case format::HeaderCheck::kOk:
        header_ok = true;
        break;
    }
  }
  if (!header_ok) {
    if (in.last) {
      // A crash while the segment was being created: it never held a record. Start it afresh.
      log::Warn("wal: rewriting a segment torn at creation",
                {{"wal", in.wal_name}, {"path", in.path}, {"bytes_cut", size}});
      stats->torn_bytes += size;
      char h[format::kHeaderBytes];
      format::EncodeHeader(h);
      INFERMETRY_RETURN_IF_ERROR(f->Truncate(0));
      INFERMETRY_RETURN_IF_ERROR(f->Append(std::string_view(h, sizeof(h))));
      INFERMETRY_RETURN_IF_ERROR(f->Sync());
    } else {
      log::Warn("wal: skipping a segment with a bad header",
                {{"wal", in.wal_name}, {"path", in.path}, {"bytes", size}});
      stats->corrupt_bytes += size;
    }
    *file = std::move(f);
    return Status::Ok();
  }

  SegmentReader reader(f.get(), format::kHeaderBytes);
  std::string_view rec;
  uint64_t kept = 0;
  while (reader.Next(&rec)) {
    INFERMETRY_RETURN_IF_ERROR(replay(in.number, rec));
    ++kept;
    ++stats->records;
    stats->bytes += rec.size();
    if ((kept & 4095) == 0) progress->Tick(in.index, stats->records);
  }
  INFERMETRY_RETURN_IF_ERROR(reader.io_status());
  const uint64_t good = reader.offset();
  if (good < size) {
    const uint64_t bad = size - good;
    if (in.last) {
      log::Warn("wal: cutting a torn tail", {{"wal", in.wal_name},
                                             {"path", in.path},
                                             {"offset", good},
                                             {"bytes_cut", bad},
                                             {"reason", reader.reason()},
                                             {"records_kept", kept}});
      stats->torn_bytes += bad;
      INFERMETRY_RETURN_IF_ERROR(f->Truncate(good));
      INFERMETRY_RETURN_IF_ERROR(f->Sync());
    } else {
      // Later segments were written after this one was synced, so their records are still good.
      log::Warn("wal: skipping the corrupt rest of a segment", {{"wal", in.wal_name},
                                                                {"path", in.path},
                                                                {"offset", good},
                                                                {"bytes_lost", bad},
                                                                {"reason", reader.reason()},
                                                                {"records_kept", kept}});
      stats->corrupt_bytes += bad;
    }
  }
  *file = std::move(f);
  return Status::Ok();
}

}  // namespace

Status WalImpl::Recover(const ReplayFn& replay, ReplayStats* stats) {
  INFERMETRY_RETURN_IF_ERROR(env_->CreateDirs(options_.dir));
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->List(options_.dir));
  std::vector<uint64_t> segments;
  for (const std::string& n : names) {
    uint64_t s;
    if (format::ParseSegmentName(n, &s)) segments.push_back(s);
  }
  std::sort(segments.begin(), segments.end());

  Progress progress(name_, segments.size());
  std::unique_ptr<File> last;
  for (size_t i = 0; i < segments.size(); ++i) {
    progress.Tick(i, stats->records);
    if (i > 0 && segments[i] != segments[i - 1] + 1) {
      log::Warn("wal: segment numbers have a gap; records may be missing",
                {{"wal", name_}, {"after", segments[i - 1]}, {"next", segments[i]}});
    }
    SegmentInput in{env_,        name_, SegmentPath(segments[i]),
                    segments[i], i,     i + 1 == segments.size()};
    std::unique_ptr<File> f;
    ReplayStats before = *stats;
    Status st = ReplaySegment(in, replay, stats, &progress, &f);
    metrics_.replayed->Inc(static_cast<double>(stats->records - before.records));
    metrics_.torn->Inc(static_cast<double>(stats->torn_bytes - before.torn_bytes));
    metrics_.corrupt->Inc(static_cast<double>(stats->corrupt_bytes - before.corrupt_bytes));
    INFERMETRY_RETURN_IF_ERROR(st);
    if (in.last) {
      last = std::move(f);
    } else {
      closed_[segments[i]] = f->Size();
      closed_bytes_ += f->Size();
    }
  }
  if (!segments.empty()) {
    log::Info("wal: replayed", {{"wal", name_},
                                {"segments", stats->segments},
                                {"records", stats->records},
                                {"bytes", stats->bytes},
                                {"torn_bytes", stats->torn_bytes},
                                {"corrupt_bytes", stats->corrupt_bytes},
                                {"seconds", progress.Seconds()}});
  }

  std::lock_guard<std::mutex> l(mu_);
  if (last != nullptr) {
    current_ = segments.back();
    file_ = std::move(last);
    if (file_->Size() >= options_.segment_bytes) {
      INFERMETRY_RETURN_IF_ERROR(StartSegmentLocked(current_ + 1));
    }
  } else {
    INFERMETRY_RETURN_IF_ERROR(StartSegmentLocked(0));
  }
  if (options_.sync == SyncPolicy::kBatch) sync_thread_ = std::thread([this] { SyncLoop(); });
  return Status::Ok();
}

}  // namespace infermetry::wal
