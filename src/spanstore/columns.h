#pragma once
// Column encodings of a granule (a run of up to kGranuleRows rows of a part). Each function
// encodes one column to its raw form (before zstd); decoders verify the raw form completely
// and return kCorruption on anything malformed. Layouts: docs/format/spanstore.md.
//
//   ints     enc byte (0 plain, 1 delta, 2 delta-of-delta, 3 constant), count, zigzag varints;
//            the writer picks the smallest of the four.
//   doubles  enc byte, count; 0 shuffled: the 8 byte planes of the IEEE bits (byte 0 of every
//            value, then byte 1, ...); 1 scaled: every value is m * 2^q for one q, m zigzag in
//            `width` byte planes (differences of float timestamps have few significant bits).
//            The writer picks the form that zstd compresses smaller; both are bit-exact.
//   strings  enc byte (0 plain: lengths then bytes; 1 dictionary: entries then varint ids;
//            2 hex: one common prefix, then the lowercase-hex rest of each value packed as
//            bytes, for ids like "chatcmpl-<32 hex>").
//   fixed    count * width raw bytes (trace and span ids).
//
// Decoded string views point into the raw column buffer or into `arena` (hex form), which
// must outlive them and not move.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace infermetry::spanstore {

void EncodeInts(const std::vector<int64_t>& v, std::string* out);
Status DecodeInts(std::string_view in, size_t count, std::vector<int64_t>* out);

void EncodeDoubles(const std::vector<double>& v, std::string* out);
Status DecodeDoubles(std::string_view in, size_t count, std::vector<double>* out);

void EncodeStrings(const std::vector<std::string_view>& v, std::string* out);
Status DecodeStrings(std::string_view in, size_t count, std::vector<std::string_view>* out,
                     std::string* arena);

// Fixed-width values are stored as they are; DecodeFixed checks the size.
Status CheckFixed(std::string_view in, size_t count, size_t width);

}  // namespace infermetry::spanstore
