#include "tsdb/wal/segment_reader.h"

#include <algorithm>
#include <cstring>

#include "tsdb/wal/wal_format.h"

namespace infermetry::wal {
namespace {

// Reads are done in chunks of this size (or one frame, when larger) so that replaying small
// records costs one pread per chunk, not two per record.
constexpr uint64_t kChunkBytes = uint64_t{1} << 20;

}  // namespace

SegmentReader::SegmentReader(const File* file, uint64_t start)
    : file_(file), size_(file->Size()), offset_(start), buf_start_(start) {}

bool SegmentReader::Fill(uint64_t n) {
  uint64_t have_from = offset_ - buf_start_;
  if (have_from + n <= buf_len_) return true;
  // Move what is left to the front, then read at least a chunk behind it.
  uint64_t keep = buf_len_ - have_from;
  uint64_t want = std::min(std::max(n, kChunkBytes), size_ - offset_);
  if (buf_.size() < want) buf_.resize(want);
  if (keep > 0) std::memmove(buf_.data(), buf_.data() + have_from, keep);
  buf_start_ = offset_;
  buf_len_ = keep;
  uint64_t read = want - keep;
  Status st = file_->ReadAt(offset_ + keep, read, buf_.data() + keep);
  if (!st.ok()) {
    io_status_ = st;
    return false;
  }
  buf_len_ = want;
  return true;
}

bool SegmentReader::Next(std::string_view* record) {
  if (offset_ >= size_ || !io_status_.ok() || !reason_.empty()) return false;
  uint64_t left = size_ - offset_;
  if (left < format::kFrameHeaderBytes) {
    reason_ = "partial frame header";
    return false;
  }
  if (!Fill(format::kFrameHeaderBytes)) return false;
  const char* h = buf_.data() + (offset_ - buf_start_);
  uint32_t len = format::Get32(h);
  if (len > format::kMaxRecordBytes) {
    reason_ = "record length over the 1 GiB limit";
    return false;
  }
  if (left - format::kFrameHeaderBytes < len) {
    reason_ = "record runs past the end of the file";
    return false;
  }
  if (!Fill(format::kFrameHeaderBytes + len)) return false;
  h = buf_.data() + (offset_ - buf_start_);
  std::string_view rec(h + format::kFrameHeaderBytes, len);
  if (format::Get32(h + 4) != format::FrameCrc(h, rec)) {
    reason_ = "CRC mismatch";
    return false;
  }
  *record = rec;
  offset_ += format::kFrameHeaderBytes + len;
  return true;
}

}  // namespace infermetry::wal
