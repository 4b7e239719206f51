#include "export/queue_format.h"

#include <zlib.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace infermetry::exporter::queue_format {

void Put32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void Put64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint32_t Get32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint64_t Get64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint32_t Crc(uint32_t crc, const char* p, size_t n) {
  // zlib's crc32 takes a uInt length; feed large buffers in pieces.
  while (n > 0) {
    uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(p), chunk));
    p += chunk;
    n -= chunk;
  }
  return crc;
}

uint32_t RecordCrc(const char* header, std::string_view payload) {
  uint32_t crc = Crc(0, header, 4);
  crc = Crc(crc, header + 8, kRecordHeaderBytes - 8);
  uint32_t payload_crc = Crc(0, payload.data(), payload.size());
  return static_cast<uint32_t>(
      ::crc32_combine(crc, payload_crc, static_cast<z_off_t>(payload.size())));
}

void EncodeRecordHeader(uint64_t seq, process::Signal signal, uint32_t items,
                        std::string_view payload, char* h) {
  std::memset(h, 0, kRecordHeaderBytes);
  Put32(h, static_cast<uint32_t>(payload.size()));
  Put64(h + 8, seq);
  h[16] = static_cast<char>(signal);
  Put32(h + 20, items);
  Put32(h + 4, RecordCrc(h, payload));
}

std::string SegmentHeader(uint64_t first_seq) {
  std::string h(kSegmentHeaderBytes, '\0');
  std::memcpy(h.data(), kSegmentMagic, 8);
  Put32(h.data() + 8, kVersion);
  Put64(h.data() + 16, first_seq);
  Put32(h.data() + 24, Crc(0, h.data(), 24));
  return h;
}

std::string AckHeader() {
  std::string h(kAckHeaderBytes, '\0');
  std::memcpy(h.data(), kAckMagic, 8);
  Put32(h.data() + 8, kVersion);
  return h;
}

void EncodeAck(uint64_t seq, char* p) {
  std::memset(p, 0, kAckRecordBytes);
  Put64(p, seq);
  Put32(p + 8, Crc(0, p, 8));
}

bool ParseSegmentName(const std::string& name, uint64_t* first_seq) {
  if (name.size() != 16 + std::strlen(kSegmentSuffix) || !name.ends_with(kSegmentSuffix))
    return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 16; ++i) {
    char c = name[i];
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *first_seq = v;
  return v > 0;
}

Status VersionError(const std::string& path, uint32_t version) {
  return InvalidArgument(path + " has sending-queue format version " + std::to_string(version) +
                         "; this build reads version " + std::to_string(kVersion) +
                         " (drain it with the build that wrote it, or remove the directory)");
}

std::string SegmentName(uint64_t first_seq) {
  char name[32];
  std::snprintf(name, sizeof(name), "%016" PRIx64 "%s", first_seq, kSegmentSuffix);
  return name;
}

}  // namespace infermetry::exporter::queue_format
