#include "tsdb/wal/wal_format.h"

#include <cstdio>
#include <cstring>

#include "common/crc32c.h"

namespace infermetry::wal::format {

void EncodeHeader(char* h) {
  std::memcpy(h, kMagic, sizeof(kMagic));
  Put32(h + 8, kVersion);
  Put32(h + 12, crc32c::Value(h, 12));
}

HeaderCheck CheckHeader(const char* h, uint32_t* version) {
  if (std::memcmp(h, kMagic, sizeof(kMagic)) != 0) return HeaderCheck::kBadMagic;
  *version = Get32(h + 8);
  // The version is compared before the CRC so that a file of another version is reported as
  // such even if that version laid its header out differently after the version field.
  if (*version != kVersion) return HeaderCheck::kBadVersion;
  if (Get32(h + 12) != crc32c::Value(h, 12)) return HeaderCheck::kBadCrc;
  return HeaderCheck::kOk;
}

uint32_t FrameCrc(const char* length_field, std::string_view record) {
  return crc32c::Extend(crc32c::Value(length_field, 4), record.data(), record.size());
}

void EncodeFrame(std::string_view record, char* out) {
  Put32(out, static_cast<uint32_t>(record.size()));
  if (!record.empty()) std::memcpy(out + kFrameHeaderBytes, record.data(), record.size());
  Put32(out + 4, FrameCrc(out, record));
}

std::string SegmentName(uint64_t segment) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%0*llu", static_cast<int>(kNameDigits),
                static_cast<unsigned long long>(segment));
  return buf;
}

bool ParseSegmentName(std::string_view name, uint64_t* segment) {
  if (name.size() < kNameDigits || name.size() > 20) return false;
  uint64_t v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (SegmentName(v) != name) return false;  // "000000042" is not 42's file
  *segment = v;
  return true;
}

}  // namespace infermetry::wal::format
