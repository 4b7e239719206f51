#pragma once
// Byte-level building blocks of the span store's files (docs/format/spanstore.md): little-endian
// fixed-width integers, LEB128 varints, zigzag, CRC-32 and zstd frames.
//
// Decoder reads from a view it does not own; every read past the end or over a malformed varint
// sets a sticky failure flag (ok() == false) and yields zeros, so callers check once at the end.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/result.h"

namespace infermetry::spanstore {

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline void PutVarint(std::string* out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}
inline void PutSigned(std::string* out, int64_t v) { PutVarint(out, ZigZag(v)); }
inline void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
inline void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
inline void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}
inline uint32_t LoadFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint64_t LoadFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}

class Decoder {
 public:
  explicit Decoder(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  bool ok() const { return ok_; }
  bool done() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return Fail();
      uint8_t b = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
    return Fail();
  }
  int64_t Signed() { return UnZigZag(Varint()); }
  uint32_t Fixed32() {
    if (remaining() < 4) return static_cast<uint32_t>(Fail());
    uint32_t v = LoadFixed32(p_);
    p_ += 4;
    return v;
  }
  uint64_t Fixed64() {
    if (remaining() < 8) return Fail();
    uint64_t v = LoadFixed64(p_);
    p_ += 8;
    return v;
  }
  uint8_t Byte() {
    if (p_ == end_) return static_cast<uint8_t>(Fail());
    return static_cast<uint8_t>(*p_++);
  }
  std::string_view Bytes(size_t n) {
    if (remaining() < n) {
      Fail();
      return {};
    }
    std::string_view v(p_, n);
    p_ += n;
    return v;
  }
  std::string_view String() { return Bytes(Varint()); }
  // A count that the remaining input can hold at `min_bytes` per element (guards allocations).
  uint64_t Count(size_t min_bytes) {
    uint64_t n = Varint();
    if (min_bytes > 0 && n > remaining() / min_bytes) return Fail();
    return n;
  }
  uint64_t Fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }

 private:
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

uint32_t Crc32(std::string_view data);

// A zstd frame holding `raw` (the store compresses at level 3).
std::string ZstdCompress(std::string_view raw, int level = 3);
// Decompresses a frame that must expand to exactly `raw_size` bytes; kCorruption otherwise.
Result<std::string> ZstdDecompress(std::string_view frame, size_t raw_size);

}  // namespace infermetry::spanstore
