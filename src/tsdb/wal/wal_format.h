#pragma once
// The byte layout of WAL segment files (docs/format/wal.md): little-endian integers, CRC-32C
// checksums, the segment header and the record frame. Pure functions on buffers; no I/O.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace infermetry::wal::format {

inline constexpr uint32_t kVersion = 1;
inline constexpr char kMagic[8] = {'I', 'N', 'F', 'M', 'W', 'A', 'L', '\n'};
inline constexpr size_t kHeaderBytes = 16;      // magic, version, CRC
inline constexpr size_t kFrameHeaderBytes = 8;  // length, CRC
inline constexpr uint32_t kMaxRecordBytes = uint32_t{1} << 30;
inline constexpr size_t kNameDigits = 8;

inline void Put32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t Get32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

// Fills the kHeaderBytes at `h`.
void EncodeHeader(char* h);

enum class HeaderCheck { kOk, kBadMagic, kBadVersion, kBadCrc };
// Checks the kHeaderBytes at `h`; sets *version to the version field whenever the magic is right.
HeaderCheck CheckHeader(const char* h, uint32_t* version);

// A frame's CRC: its 4 length bytes, then the record.
uint32_t FrameCrc(const char* length_field, std::string_view record);
// Writes the frame of `record` (header, then the record) at `out`, which must have room for
// kFrameHeaderBytes + record.size() bytes. REQUIRES: record.size() <= kMaxRecordBytes.
void EncodeFrame(std::string_view record, char* out);

// 42 -> "00000042" (at least kNameDigits digits; more once the number needs them).
std::string SegmentName(uint64_t segment);
// The inverse; false for names that are not a segment's (too short, not all digits, overflow).
bool ParseSegmentName(std::string_view name, uint64_t* segment);

}  // namespace infermetry::wal::format
