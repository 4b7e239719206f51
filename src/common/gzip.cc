#include "common/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace infermetry::http {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip wrapper.
constexpr size_t kChunk = 64 * 1024;

// zlib counts in uInt; feed large inputs in slices that fit.
uInt ClampToUInt(size_t n) { return static_cast<uInt>(std::min<size_t>(n, UINT_MAX)); }

}  // namespace

Result<std::string> GzipCompress(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Internal("gzip: deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(std::min<size_t>(data.size(), ULONG_MAX))) + 32);
  size_t produced = 0;
  const auto* next_in = reinterpret_cast<const Bytef*>(data.data());
  size_t remaining_in = data.size();
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (produced == out.size()) out.resize(out.size() * 2 + kChunk);
    zs.next_in = const_cast<Bytef*>(next_in);
    zs.avail_in = ClampToUInt(remaining_in);
    const uInt given_in = zs.avail_in;
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = ClampToUInt(out.size() - produced);
    const uInt given_out = zs.avail_out;
    const int flush = given_in == remaining_in ? Z_FINISH : Z_NO_FLUSH;
    rc = deflate(&zs, flush);
    if (rc == Z_STREAM_ERROR) {
      deflateEnd(&zs);
      return Internal("gzip: deflate failed");
    }
    const size_t consumed = given_in - zs.avail_in;
    next_in += consumed;
    remaining_in -= consumed;
    produced += given_out - zs.avail_out;
  }
  deflateEnd(&zs);
  out.resize(produced);
  return out;
}

Result<std::string> GzipDecompress(std::string_view data, size_t max_out) {
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) return Internal("gzip: inflateInit2 failed");
  std::string out;
  const auto* next_in = reinterpret_cast<const Bytef*>(data.data());
  size_t remaining_in = data.size();
  char buf[kChunk];
  bool in_member = true;  // true while a member has started but not reached its end
  Status error;
  while (error.ok()) {
    if (!in_member) {
      if (remaining_in == 0) break;
      inflateReset(&zs);
      in_member = true;
    }
    zs.next_in = const_cast<Bytef*>(next_in);
    zs.avail_in = ClampToUInt(remaining_in);
    const uInt given_in = zs.avail_in;
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const size_t consumed = given_in - zs.avail_in;
    next_in += consumed;
    remaining_in -= consumed;
    const size_t got = sizeof(buf) - zs.avail_out;
    if (got > max_out - out.size()) {
      error = ResourceExhausted("gzip: decompressed body exceeds " + std::to_string(max_out) +
                                " bytes");
      break;
    }
    out.append(buf, got);
    switch (rc) {
      case Z_STREAM_END:
        in_member = false;
        break;
      case Z_OK:
        break;
      case Z_BUF_ERROR:
        // No progress possible: input exhausted mid-stream.
        if (consumed == 0 && got == 0) error = ParseError("gzip: truncated stream");
        break;
      case Z_MEM_ERROR:
        error = Internal("gzip: out of memory");
        break;
      default:
        error = ParseError(std::string("gzip: corrupt stream: ") +
                           (zs.msg != nullptr ? zs.msg : "invalid data"));
        break;
    }
    if (error.ok() && in_member && remaining_in == 0 && rc == Z_OK && got < sizeof(buf)) {
      // inflate consumed everything and still wants more input.
      error = ParseError("gzip: truncated stream");
    }
  }
  inflateEnd(&zs);
  if (!error.ok()) return error;
  return out;
}

}  // namespace infermetry::http
