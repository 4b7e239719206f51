#pragma once
// Byte-level building blocks of the block files (docs/format/tsdb-block.md): file names and
// magics, the format version, little-endian fixed-width integers, LEB128 varints (zigzag for
// signed), CRC-32 (zlib's), and "sections": a length-prefixed, optionally zstd-compressed,
// CRC-checked payload. Internal to src/tsdb/block.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace infermetry::tsdb::blockfmt {

inline constexpr char kMetaFile[] = "meta";
inline constexpr char kIndexFile[] = "index";
inline constexpr char kDataFile[] = "data";
inline constexpr char kTmpSuffix[] = ".tmp";

// Every file starts with 8 ASCII magic bytes and a 4-byte format version, then 4 zero bytes.
inline constexpr std::string_view kMetaMagic = "INFMBMET";
inline constexpr std::string_view kIndexMagic = "INFMBIDX";
inline constexpr std::string_view kDataMagic = "INFMBDAT";
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kFileHeaderBytes = 16;

// Sections: [codec u8][raw_len u32][stored_len u32][stored bytes][crc u32 of all before].
inline constexpr uint8_t kCodecRaw = 0;
inline constexpr uint8_t kCodecZstd = 1;
inline constexpr size_t kSectionOverhead = 1 + 4 + 4 + 4;
inline constexpr uint32_t kMaxSectionBytes = 1u << 30;

inline Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }

void PutFixed32(std::string* out, uint32_t v);
void PutFixed64(std::string* out, uint64_t v);
void PutVarint(std::string* out, uint64_t v);
inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}
inline void PutZigZag(std::string* out, int64_t v) { PutVarint(out, ZigZag(v)); }
void PutString(std::string* out, std::string_view s);  // varint length, bytes

uint32_t Crc32(std::string_view data);
uint32_t DecodeFixed32(const char* p);
uint64_t DecodeFixed64(const char* p);

// Bounds-checked decoding of a byte range. After any read past the end (or a malformed varint)
// ok() is false and every later read returns 0 / empty: callers check ok() once at the end of a
// unit and report kCorruption.
class Reader {
 public:
  Reader() = default;
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}
  uint8_t U8();
  uint32_t Fixed32();
  uint64_t Fixed64();
  uint64_t Varint();
  int64_t ZigZagVarint() { return UnZigZag(Varint()); }
  // A varint that must be <= `max` (lengths, counts, references); larger fails the reader.
  uint64_t VarintAtMost(uint64_t max);
  std::string_view Bytes(size_t n);
  std::string_view String() { return Bytes(VarintAtMost(remaining())); }
  size_t remaining() const { return ok_ ? static_cast<size_t>(end_ - p_) : 0; }
  bool ok() const { return ok_; }
  bool done() const { return ok_ && p_ == end_; }
  void Fail() { ok_ = false; p_ = end_; }

 private:
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  bool ok_ = true;
};

// Appends a section holding `raw`, zstd-compressed at `level` when `compress` (kept raw when
// compression does not help).
void AppendSection(std::string* out, std::string_view raw, bool compress, int level);
// Reads one section from `r`, checks its CRC and decompresses it into `raw`. `what` names the
// file and section in the kCorruption message.
Status ReadSection(Reader* r, std::string* raw, const std::string& what);

void AppendFileHeader(std::string* out, std::string_view magic);
// Checks magic and version of the first kFileHeaderBytes of `data`.
Status CheckFileHeader(std::string_view data, std::string_view magic, const std::string& path);

}  // namespace infermetry::tsdb::blockfmt
