#pragma once
// gzip (RFC 1952) encoding and decoding of whole in-memory bodies, backed by zlib.
// Stateless and thread-safe; usable by anything that needs Content-Encoding: gzip.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace infermetry::http {

// Compresses `data` into a single gzip member at zlib's default level.
// Fails only on allocation errors inside zlib (Code::kInternal).
Result<std::string> GzipCompress(std::string_view data);

// Decompresses a gzip stream (one or more concatenated members). Errors:
//   Code::kResourceExhausted  the output would exceed `max_out` bytes (checked while inflating,
//                             so a small "gzip bomb" never allocates more than max_out);
//   Code::kParseError         not gzip, corrupt, truncated, or trailing garbage.
Result<std::string> GzipDecompress(std::string_view data, size_t max_out);

}  // namespace infermetry::http
