#pragma once
// Sample compression inside data pages (docs/format/tsdb-block.md, "Sample pages" and
// "Time pages"). Internal to src/tsdb/block.
//
// Timestamps: one column per distinct timestamp sequence (the writer stores identical columns,
// e.g. every series of one scrape target, once): first value, first delta, then
// delta-of-deltas, all zigzag varints.
//
// Values of one series are a "blob" in one of five kinds:
//   kConst     every value has the same bits: 8 bytes.
//   kIntDelta  values that are m / 10^scale for integers m: m0, then deltas of m.
//   kIntDod    likewise, delta-of-deltas of m (steadily growing counters).
//   kIntRef    likewise, each delta minus the delta of an earlier series in the same page with
//              the same timestamps (cumulative histogram buckets, _count vs le="+Inf").
//   kXor       anything else: each value's bits XOR the previous one's, as
//              [leading zero bytes << 4 | trailing zero bytes] and the bytes in between.
// Values the integer kinds cannot represent (NaN, staleness markers, Inf, -0.0, fractions
// beyond the scale) are "exceptions" stored as raw bits beside the integer stream.
// Encoding then decoding gives back every double bit-exactly.

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace infermetry::tsdb::blockfmt {

enum class ValueKind : uint8_t { kConst = 0, kIntDelta = 1, kIntDod = 2, kIntRef = 3, kXor = 4 };

void EncodeTimestamps(std::span<const int64_t> ts, std::string* out);
// Decodes `n` timestamps from `r` (n >= 1); false when malformed or not strictly increasing.
class Reader;
bool DecodeTimestamps(Reader* r, size_t n, std::vector<int64_t>* out);

// Builds the raw (uncompressed) content of one sample page: [nseries varint][blob lengths
// varint...][blobs]. Keeps the integer deltas of the last kRefWindow series to pick references.
class PageEncoder {
 public:
  static constexpr size_t kRefWindow = 32;

  // Appends the blob of one series whose timestamps are column `tcol`.
  void Add(uint32_t tcol, std::span<const double> values);
  size_t num_series() const { return lengths_.size(); }
  size_t raw_size() const { return blobs_.size() + lengths_.size() * 2; }
  // The page's raw bytes; resets the encoder for the next page.
  std::string Finish();

 private:
  struct Recent {
    uint32_t tcol;
    uint8_t scale;
    uint32_t index;                // within the page
    std::vector<int64_t> deltas;   // deltas[0] = m0, deltas[i] = m[i] - m[i-1]
  };
  std::string blobs_;
  std::vector<uint32_t> lengths_;
  std::deque<Recent> recent_;
};

// Decodes the series of one raw sample page. Not thread-safe (memoizes decoded integer deltas
// for reference chains).
class PageDecoder {
 public:
  // Parses the page header; kCorruption (with `what`) when malformed.
  // The decoder keeps `raw` alive while it is in use.
  Status Init(std::shared_ptr<const std::string> raw, std::string what);
  size_t num_series() const { return blobs_.size(); }
  // The `n` values of the series in slot `slot`.
  Status Values(size_t slot, size_t n, std::vector<double>* out);

 private:
  struct Memo {
    bool done = false;
    bool is_int = false;
    uint8_t scale = 0;
    std::vector<int64_t> deltas;
  };
  // Decodes `slot` into tmp_values_ (and its deltas into the memo); references must be done.
  Status DecodeSlot(size_t slot, size_t n);
  std::shared_ptr<const std::string> raw_;
  std::string what_;
  std::vector<std::string_view> blobs_;
  std::vector<Memo> memo_;
  std::vector<double> tmp_values_;
};

}  // namespace infermetry::tsdb::blockfmt
