#include "export/segment_log.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "common/log.h"
#include "export/queue_format.h"

namespace infermetry::exporter {
namespace {

using process::Signal;
using queue_format::AckHeader;
using queue_format::Crc;
using queue_format::EncodeAck;
using queue_format::EncodeRecordHeader;
using queue_format::Get32;
using queue_format::Get64;
using queue_format::kAckHeaderBytes;
using queue_format::kAckMagic;
using queue_format::kAckRecordBytes;
using queue_format::kMaxPayloadBytes;
using queue_format::kRecordHeaderBytes;
using queue_format::kSegmentHeaderBytes;
using queue_format::kSegmentMagic;
using queue_format::ParseSegmentName;
using queue_format::Put32;
using queue_format::Put64;
using queue_format::RecordCrc;
using queue_format::SegmentHeader;
using queue_format::SegmentName;
using queue_format::VersionError;

constexpr uint64_t kAckCompactBytes = uint64_t{1} << 20;
constexpr char kAckName[] = "acks";
constexpr char kAckTmpName[] = "acks.tmp";
constexpr char kLockName[] = "LOCK";

}  // namespace

SegmentLog::SegmentLog(Options options)
    : options_(std::move(options)), env_(options_.env ? options_.env : DefaultEnv()) {}

SegmentLog::~SegmentLog() = default;

std::string SegmentLog::SegmentPath(uint64_t first_seq) const {
  return options_.dir + "/" + SegmentName(first_seq);
}

Result<std::unique_ptr<SegmentLog>> SegmentLog::Open(const Options& options,
                                                     std::vector<RecordRef>* pending) {
  std::unique_ptr<SegmentLog> log(new SegmentLog(options));
  Status st = log->Recover(pending);
  if (!st.ok()) return st.WithContext("sending queue " + options.dir);
  return log;
}

Status SegmentLog::Recover(std::vector<RecordRef>* pending) {
  const std::string& dir = options_.dir;
  INFERMETRY_RETURN_IF_ERROR(env_->CreateDirs(dir));
  INFERMETRY_ASSIGN_OR_RETURN(lock_, env_->Lock(dir + "/" + kLockName));
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->List(dir));

  std::vector<uint64_t> firsts;
  for (const std::string& name : names) {
    uint64_t first = 0;
    if (ParseSegmentName(name, &first)) firsts.push_back(first);
    if (name == kAckTmpName) (void)env_->Remove(dir + "/" + name);
  }
  std::sort(firsts.begin(), firsts.end());

  std::set<uint64_t> acked;
  INFERMETRY_RETURN_IF_ERROR(OpenAckLog(&acked));

  uint64_t max_seq = acked.empty() ? 0 : *acked.rbegin();
  std::vector<RecordRef> records;
  for (size_t i = 0; i < firsts.size(); ++i) {
    Segment seg;
    seg.path = SegmentPath(firsts[i]);
    records.clear();
    INFERMETRY_RETURN_IF_ERROR(ScanSegment(firsts[i], &seg, i + 1 == firsts.size(), &records));
    if (seg.file == nullptr) continue;  // torn at creation and removed
    max_seq = std::max(max_seq, firsts[i] - 1);
    for (const RecordRef& r : records) {
      max_seq = std::max(max_seq, r.seq);
      seg.last_seq = r.seq;
      ++seg.records;
      if (acked.count(r.seq) != 0) {
        ++seg.acked;
        live_acks_.insert(r.seq);
      } else {
        pending->push_back(r);
      }
    }
    segments_.emplace(firsts[i], std::move(seg));
  }
  next_seq_ = max_seq + 1;
  written_seq_ = synced_seq_ = max_seq;
  if (!segments_.empty()) active_ = segments_.rbegin()->first;
  for (auto it = segments_.begin(); it != segments_.end();) MaybeRemove(it++);
  return RewriteAckLog();
}

Status SegmentLog::ScanSegment(uint64_t first_seq, Segment* seg, bool last,
                               std::vector<RecordRef>* records) {
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<File> file, env_->Open(seg->path, false));
  uint64_t size = file->Size();
  char h[kSegmentHeaderBytes];
  bool header_ok = size >= kSegmentHeaderBytes && file->ReadAt(0, kSegmentHeaderBytes, h).ok() &&
                   std::memcmp(h, kSegmentMagic, 8) == 0 && Get32(h + 24) == Crc(0, h, 24) &&
                   Get64(h + 16) == first_seq;
  if (!header_ok) {
    if (last && size <= kSegmentHeaderBytes) {
      // A crash while the segment was being created: it never held a record.
      log::Warn("sending queue: removing a segment torn at creation",
                {{"path", seg->path}, {"bytes", size}});
      return env_->Remove(seg->path);
    }
    return Status(Code::kCorruption, seg->path + ": not a sending-queue segment (bad header)");
  }
  if (uint32_t version = Get32(h + 8); version != kSegmentFormatVersion)
    return VersionError(seg->path, version);

  uint64_t off = kSegmentHeaderBytes;
  uint64_t prev_seq = first_seq - 1;
  std::string payload;
  std::string why;
  while (off < size) {
    char rh[kRecordHeaderBytes];
    if (size - off < kRecordHeaderBytes) {
      why = "partial record header";
      break;
    }
    INFERMETRY_RETURN_IF_ERROR(file->ReadAt(off, kRecordHeaderBytes, rh));
    uint32_t len = Get32(rh);
    uint64_t seq = Get64(rh + 8);
    uint8_t signal = static_cast<uint8_t>(rh[16]);
    if (len > kMaxPayloadBytes || size - off - kRecordHeaderBytes < len) {
      why = "record length past the end of the file";
      break;
    }
    payload.resize(len);
    INFERMETRY_RETURN_IF_ERROR(file->ReadAt(off + kRecordHeaderBytes, len, payload.data()));
    if (Get32(rh + 4) != RecordCrc(rh, payload)) {
      why = "CRC mismatch";
      break;
    }
    if (seq <= prev_seq || signal > static_cast<uint8_t>(Signal::kLogs)) {
      why = "sequence number or signal out of range";
      break;
    }
    records->push_back(
        RecordRef{seq, static_cast<Signal>(signal), Get32(rh + 20), len, first_seq, off});
    prev_seq = seq;
    off += kRecordHeaderBytes + len;
  }
  if (off < size) {
    log::Warn("sending queue: cutting a torn or corrupt segment tail",
              {{"path", seg->path},
               {"reason", why},
               {"offset", off},
               {"bytes_cut", size - off},
               {"records_kept", records->size()}});
    INFERMETRY_RETURN_IF_ERROR(file->Truncate(off));
    INFERMETRY_RETURN_IF_ERROR(file->Sync());
  }
  seg->file = std::move(file);
  return Status::Ok();
}

Status SegmentLog::OpenAckLog(std::set<uint64_t>* acked) {
  std::string path = options_.dir + "/" + kAckName;
  auto f = env_->Open(path, false);
  if (!f.ok()) return f.status().code() == Code::kNotFound ? Status::Ok() : f.status();
  File& file = **f;
  uint64_t size = file.Size();
  if (size < kAckHeaderBytes) return Status::Ok();  // torn at creation; rewritten below
  char h[kAckHeaderBytes];
  INFERMETRY_RETURN_IF_ERROR(file.ReadAt(0, kAckHeaderBytes, h));
  if (std::memcmp(h, kAckMagic, 8) != 0)
    return Status(Code::kCorruption, path + ": not a sending-queue ack log");
  if (uint32_t version = Get32(h + 8); version != kSegmentFormatVersion)
    return VersionError(path, version);
  uint64_t n = (size - kAckHeaderBytes) / kAckRecordBytes;
  std::string buf(n * kAckRecordBytes, '\0');
  INFERMETRY_RETURN_IF_ERROR(file.ReadAt(kAckHeaderBytes, buf.size(), buf.data()));
  uint64_t good = 0;
  for (; good < n; ++good) {
    const char* p = buf.data() + good * kAckRecordBytes;
    if (Get32(p + 8) != Crc(0, p, 8)) break;
    acked->insert(Get64(p));
  }
  uint64_t cut = size - kAckHeaderBytes - good * kAckRecordBytes;
  if (cut > 0)
    log::Warn("sending queue: ignoring a torn ack log tail", {{"path", path}, {"bytes", cut}});
  return Status::Ok();
}

Status SegmentLog::RewriteAckLog() {
  std::string data = AckHeader();
  data.resize(kAckHeaderBytes + live_acks_.size() * kAckRecordBytes);
  char* p = data.data() + kAckHeaderBytes;
  for (uint64_t seq : live_acks_) {
    EncodeAck(seq, p);
    p += kAckRecordBytes;
  }
  std::string tmp = options_.dir + "/" + kAckTmpName;
  std::string path = options_.dir + "/" + kAckName;
  ack_file_.reset();
  {
    INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<File> f, env_->Open(tmp, true));
    INFERMETRY_RETURN_IF_ERROR(f->Truncate(0));
    INFERMETRY_RETURN_IF_ERROR(f->Append(data));
  }
  INFERMETRY_RETURN_IF_ERROR(env_->Rename(tmp, path));
  INFERMETRY_ASSIGN_OR_RETURN(ack_file_, env_->Open(path, false));
  return Status::Ok();
}

Status SegmentLog::StartSegment() {
  if (active_ != 0) {
    // Everything written to the old segment must be durable before writers move on; the
    // group-commit leader only ever syncs the active segment.
    Segment& old = segments_.at(active_);
    INFERMETRY_RETURN_IF_ERROR(old.file->Sync());
    synced_seq_ = written_seq_;
  }
  uint64_t first = next_seq_;
  Segment seg;
  seg.path = SegmentPath(first);
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<File> f, env_->Open(seg.path, true));
  INFERMETRY_RETURN_IF_ERROR(f->Truncate(0));
  INFERMETRY_RETURN_IF_ERROR(f->Append(SegmentHeader(first)));
  INFERMETRY_RETURN_IF_ERROR(f->Sync());
  INFERMETRY_RETURN_IF_ERROR(env_->SyncDir(options_.dir));
  seg.file = std::move(f);
  uint64_t old_active = active_;
  segments_.emplace(first, std::move(seg));
  active_ = first;
  if (old_active != 0) MaybeRemove(segments_.find(old_active));
  return Status::Ok();
}

Result<SegmentLog::RecordRef> SegmentLog::Append(Signal signal, uint32_t items,
                                                 std::string_view payload) {
  if (payload.size() > kMaxPayloadBytes) {
    return ResourceExhausted("batch of " + std::to_string(payload.size()) +
                             " bytes is over the sending queue's 1 GiB record limit");
  }
  std::string rec(kRecordHeaderBytes + payload.size(), '\0');
  std::memcpy(rec.data() + kRecordHeaderBytes, payload.data(), payload.size());

  std::unique_lock<std::mutex> l(mu_);
  if (active_ == 0 || segments_.at(active_).file->Size() >= options_.segment_bytes) {
    Status st = StartSegment();
    if (!st.ok()) return st.WithContext("sending queue " + options_.dir);
  }
  Segment& seg = segments_.at(active_);
  RecordRef ref{next_seq_, signal,          items, static_cast<uint32_t>(payload.size()),
                active_,   seg.file->Size()};
  EncodeRecordHeader(ref.seq, signal, items, payload, rec.data());
  if (Status st = seg.file->Append(rec); !st.ok()) {
    // A partial record may be on disk; cut it so that later records stay readable.
    (void)seg.file->Truncate(ref.offset);
    return st;
  }
  ++next_seq_;
  ++seg.records;
  seg.last_seq = ref.seq;
  written_seq_ = ref.seq;

  while (synced_seq_ < ref.seq) {
    if (ref.seq <= failed_upto_) return sync_error_;
    if (syncing_) {
      synced_cv_.wait(l);
      continue;
    }
    syncing_ = true;
    uint64_t target = written_seq_;
    std::shared_ptr<File> file = segments_.at(active_).file;
    ++sync_count_;
    l.unlock();
    Status st = file->Sync();
    l.lock();
    syncing_ = false;
    if (st.ok()) {
      synced_seq_ = std::max(synced_seq_, target);
    } else {
      failed_upto_ = std::max(failed_upto_, target);
      sync_error_ = st;
    }
    synced_cv_.notify_all();
  }
  return ref;
}

Result<std::string> SegmentLog::Read(const RecordRef& ref) const {
  std::shared_ptr<File> file;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = segments_.find(ref.segment);
    if (it == segments_.end())
      return NotFound("sending queue: segment of record " + std::to_string(ref.seq) + " is gone");
    file = it->second.file;
  }
  std::string buf(kRecordHeaderBytes + ref.payload_bytes, '\0');
  INFERMETRY_RETURN_IF_ERROR(file->ReadAt(ref.offset, buf.size(), buf.data()));
  std::string_view payload(buf.data() + kRecordHeaderBytes, ref.payload_bytes);
  if (Get64(buf.data() + 8) != ref.seq || Get32(buf.data()) != ref.payload_bytes ||
      Get32(buf.data() + 4) != RecordCrc(buf.data(), payload)) {
    return Status(Code::kCorruption, "sending queue: record " + std::to_string(ref.seq) +
                                         " failed its CRC check on read");
  }
  return std::string(payload);
}

void SegmentLog::Ack(uint64_t seq) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = segments_.upper_bound(seq);
  if (it == segments_.begin()) return;
  --it;
  // Outside the segment's records: the segment that held it is gone (a repeated ack).
  if (seq > it->second.last_seq || !live_acks_.insert(seq).second) return;
  ++it->second.acked;
  if (ack_file_ != nullptr) {
    char rec[kAckRecordBytes];
    EncodeAck(seq, rec);
    if (Status st = ack_file_->Append(std::string_view(rec, sizeof(rec))); !st.ok()) {
      log::Warn(
          "sending queue: cannot record an acknowledgement; the record may be sent again after a "
          "restart",
          {{"err", st.ToString()}});
    }
  }
  MaybeRemove(it);
  if (ack_file_ != nullptr && ack_file_->Size() > kAckCompactBytes &&
      live_acks_.size() * kAckRecordBytes * 2 < ack_file_->Size()) {
    if (Status st = RewriteAckLog(); !st.ok())
      log::Warn("sending queue: ack log compaction failed", {{"err", st.ToString()}});
  }
}

void SegmentLog::MaybeRemove(std::map<uint64_t, Segment>::iterator it) {
  Segment& seg = it->second;
  if (it->first == active_ || seg.acked < seg.records) return;
  if (Status st = env_->Remove(seg.path); !st.ok()) {
    log::Warn("sending queue: cannot remove an acknowledged segment", {{"err", st.ToString()}});
    return;
  }
  auto next = std::next(it);
  uint64_t end = next == segments_.end() ? next_seq_ : next->first;
  live_acks_.erase(live_acks_.lower_bound(it->first), live_acks_.lower_bound(end));
  segments_.erase(it);
}

uint64_t SegmentLog::DiskBytes() const {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t n = 0;
  for (const auto& [first, seg] : segments_) n += seg.file->Size();
  return n;
}

uint64_t SegmentLog::SyncCount() const {
  std::lock_guard<std::mutex> l(mu_);
  return sync_count_;
}

}  // namespace infermetry::exporter
