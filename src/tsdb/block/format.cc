#include "tsdb/block/format.h"

#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>

namespace infermetry::tsdb::blockfmt {

void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}

void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}

void PutVarint(std::string* out, uint64_t v) {
  char b[10];
  int n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  out->append(b, n);
}

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

uint32_t Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; sections are at most 1 GiB so one call suffices.
  return static_cast<uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

uint32_t DecodeFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

uint64_t DecodeFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

uint8_t Reader::U8() {
  if (!ok_ || p_ == end_) {
    Fail();
    return 0;
  }
  return static_cast<uint8_t>(*p_++);
}

uint32_t Reader::Fixed32() {
  if (remaining() < 4) {
    Fail();
    return 0;
  }
  uint32_t v = DecodeFixed32(p_);
  p_ += 4;
  return v;
}

uint64_t Reader::Fixed64() {
  if (remaining() < 8) {
    Fail();
    return 0;
  }
  uint64_t v = DecodeFixed64(p_);
  p_ += 8;
  return v;
}

uint64_t Reader::Varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && ok_ && p_ != end_; shift += 7) {
    uint8_t b = static_cast<uint8_t>(*p_++);
    if (shift == 63 && b > 1) break;  // more than 64 bits
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) return v;
  }
  Fail();
  return 0;
}

uint64_t Reader::VarintAtMost(uint64_t max) {
  uint64_t v = Varint();
  if (v > max) {
    Fail();
    return 0;
  }
  return v;
}

std::string_view Reader::Bytes(size_t n) {
  if (remaining() < n) {
    Fail();
    return {};
  }
  std::string_view s(p_, n);
  p_ += n;
  return s;
}

void AppendSection(std::string* out, std::string_view raw, bool compress, int level) {
  size_t start = out->size();
  std::string stored;
  uint8_t codec = kCodecRaw;
  if (compress && !raw.empty()) {
    stored.resize(ZSTD_compressBound(raw.size()));
    size_t n = ZSTD_compress(stored.data(), stored.size(), raw.data(), raw.size(), level);
    if (!ZSTD_isError(n) && n < raw.size()) {
      stored.resize(n);
      codec = kCodecZstd;
    }
  }
  std::string_view body = codec == kCodecZstd ? std::string_view(stored) : raw;
  out->push_back(static_cast<char>(codec));
  PutFixed32(out, static_cast<uint32_t>(raw.size()));
  PutFixed32(out, static_cast<uint32_t>(body.size()));
  out->append(body);
  PutFixed32(out, Crc32(std::string_view(*out).substr(start)));
}

Status ReadSection(Reader* r, std::string* raw, const std::string& what) {
  std::string_view head = r->Bytes(9);
  if (!r->ok()) return Corruption(what + ": truncated section header");
  uint8_t codec = static_cast<uint8_t>(head[0]);
  uint32_t raw_len = DecodeFixed32(head.data() + 1);
  uint32_t stored_len = DecodeFixed32(head.data() + 5);
  if (stored_len > kMaxSectionBytes) return Corruption(what + ": section length out of range");
  std::string_view body = r->Bytes(stored_len);
  uint32_t crc = r->Fixed32();
  if (!r->ok()) return Corruption(what + ": truncated section");
  // The CRC covers header and body, which are contiguous in the input.
  std::string_view covered(head.data(), 9 + body.size());
  if (Crc32(covered) != crc) return Corruption(what + ": checksum mismatch");
  if (raw_len > kMaxSectionBytes) return Corruption(what + ": section length out of range");
  if (codec == kCodecRaw) {
    if (raw_len != stored_len) return Corruption(what + ": section lengths disagree");
    raw->assign(body);
    return Status::Ok();
  }
  if (codec != kCodecZstd) return Corruption(what + ": unknown section codec");
  raw->resize(raw_len);
  // One decompression context per thread: creating one per call cost ~10% of a small query.
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(),
                                                                      ZSTD_freeDCtx);
  if (!dctx) return Status(Code::kResourceExhausted, what + ": cannot allocate a zstd context");
  size_t n = ZSTD_decompressDCtx(dctx.get(), raw->data(), raw->size(), body.data(), body.size());
  if (ZSTD_isError(n) || n != raw_len) return Corruption(what + ": section does not decompress");
  return Status::Ok();
}

void AppendFileHeader(std::string* out, std::string_view magic) {
  out->append(magic);
  PutFixed32(out, kFormatVersion);
  PutFixed32(out, 0);
}

Status CheckFileHeader(std::string_view data, std::string_view magic, const std::string& path) {
  if (data.size() < kFileHeaderBytes) return Corruption(path + ": file too short for its header");
  if (data.substr(0, magic.size()) != magic) return Corruption(path + ": bad magic");
  uint32_t version = DecodeFixed32(data.data() + 8);
  if (version != kFormatVersion) {
    return Corruption(path + ": unsupported format version " + std::to_string(version) +
                      " (this build reads version " + std::to_string(kFormatVersion) + ")");
  }
  if (DecodeFixed32(data.data() + 12) != 0) return Corruption(path + ": reserved header bytes");
  return Status::Ok();
}

}  // namespace infermetry::tsdb::blockfmt
