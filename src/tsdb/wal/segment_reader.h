#pragma once
// SegmentReader: reads the record frames of one segment file, in order, through a buffer, and
// says where and why it stopped. Used by recovery; the caller has checked the header.
//
//   SegmentReader r(file, format::kHeaderBytes);
//   std::string_view rec;
//   while (r.Next(&rec)) Use(rec);      // rec stays valid until the next call
//   if (!r.io_status().ok()) ...        // reading failed: not a verdict on the bytes
//   if (r.offset() < file->Size()) ...  // r.reason() says what was wrong at r.offset()

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/env.h"
#include "common/status.h"

namespace infermetry::wal {

class SegmentReader {
 public:
  // Reads `file` (which must outlive the reader) from `start` to its size at construction.
  SegmentReader(const File* file, uint64_t start);

  // The next intact record; false at the end, at the first bad frame, or on a read error.
  bool Next(std::string_view* record);

  // Offset of the first byte not consumed: the end of the last intact frame.
  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }
  // Why reading stopped before size() ("" at a clean end).
  std::string_view reason() const { return reason_; }
  const Status& io_status() const { return io_status_; }

 private:
  // Makes [offset_, offset_ + n) available at buf_ + (offset_ - buf_start_). False (and sets
  // io_status_) on a read error. REQUIRES: offset_ + n <= size_.
  bool Fill(uint64_t n);

  const File* file_;
  uint64_t size_;
  uint64_t offset_;
  std::string buf_;
  uint64_t buf_start_ = 0;  // file offset of buf_[0]
  uint64_t buf_len_ = 0;    // valid bytes in buf_
  std::string_view reason_;
  Status io_status_;
};

}  // namespace infermetry::wal
