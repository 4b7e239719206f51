#include "spanstore/coding.h"

#include <zlib.h>
#include <zstd.h>

namespace infermetry::spanstore {

uint32_t Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; feed large inputs in pieces.
  while (!data.empty()) {
    size_t n = std::min<size_t>(data.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

std::string ZstdCompress(std::string_view raw, int level) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
  // Compression into a buffer of ZSTD_compressBound bytes cannot fail.
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view frame, size_t raw_size) {
  std::string out(raw_size, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) {
    return Status(Code::kCorruption, std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  if (n != raw_size) {
    return Status(Code::kCorruption, "zstd: frame expands to " + std::to_string(n) +
                                         " bytes, expected " + std::to_string(raw_size));
  }
  return out;
}

}  // namespace infermetry::spanstore
