#pragma once
// Gorilla-style chunks: delta-of-delta timestamps and, per chunk, one of two value encodings,
// written as a bit stream (most significant bit first):
//   float    XOR with the previous value (Gorilla);
//   integer  delta-of-delta of the values as int64, for chunks whose values are all integers
//            (vLLM's counters, histogram buckets and most gauges): ~40% fewer bytes than XOR.
// The layout is in docs/format/tsdb-wal-records.md ("Head chunks"); it is an in-memory format
// (blocks have their own).
//
//   XorChunk c;
//   if (!c.Append(1000, 1.0)) ...  // false: an integer chunk cannot hold v; start a new chunk
//                                  // REQUIRES: t greater than the previous sample's t
//   XorIterator it(c.data(), c.size(), c.count());
//   while (it.Next()) use(it.t(), it.v());
//
// Values are stored bit-exact: every NaN payload (including the staleness marker), -0.0 and
// infinities come back with the same 64 bits.
//
// Thread-safety: none; the owner serializes appends and copies the bytes for readers.

#include <cstddef>
#include <cstdint>
#include <span>

namespace infermetry::tsdb::chunkenc {

enum class ValueEncoding : uint8_t { kFloat = 0, kInteger = 1 };

// True when `v` is an integer that round-trips bit-exactly through int64 (not -0.0, NaN, inf).
bool IsExactInteger(double v);

// Writer state that is needed to continue a chunk (40 bytes).
struct XorState {
  int64_t t = 0;          // last timestamp
  int64_t t_delta = 0;    // last timestamp delta
  uint64_t v_bits = 0;    // last value's bits
  int64_t v_delta = 0;    // last integer delta (integer encoding)
  uint16_t count = 0;     // samples in the chunk
  ValueEncoding enc = ValueEncoding::kFloat;
  uint8_t leading = 0xff; // leading zeros of the last XOR window; 0xff: none yet
  uint8_t trailing = 0;
  uint8_t free_bits = 0;  // unused low bits of the last byte
};

// A growable chunk being appended to. Move-only; owns its bytes (malloc'd, grown by ~1.5x).
class XorChunk {
 public:
  XorChunk() = default;
  ~XorChunk();
  XorChunk(XorChunk&& o) noexcept;
  XorChunk& operator=(XorChunk&& o) noexcept;
  XorChunk(const XorChunk&) = delete;
  XorChunk& operator=(const XorChunk&) = delete;

  // REQUIRES: count() == 0 or t > last_t(); count() < 65535. The first sample picks the
  // encoding: integer when IsExactInteger(v) and `allow_integer`. Returns false (and stores
  // nothing) when the chunk uses the integer encoding and `v` is not an exact integer.
  bool Append(int64_t t, double v, bool allow_integer = true) noexcept;
  ValueEncoding encoding() const { return st_.enc; }

  const uint8_t* data() const { return data_; }
  uint32_t size() const { return size_; }
  uint32_t capacity() const { return cap_; }
  uint16_t count() const { return st_.count; }
  int64_t last_t() const { return st_.t; }
  uint64_t last_v_bits() const { return st_.v_bits; }

  // Gives up the bytes (shrunk to size()) to the caller, who frees them with std::free, and
  // leaves the chunk empty.
  uint8_t* Release(uint32_t* size) noexcept;

 private:
  void WriteBits(uint64_t v, int nbits) noexcept;
  void WriteDod(int64_t dod, const int* widths) noexcept;
  void Reserve(uint32_t extra) noexcept;

  uint8_t* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t cap_ = 0;
  XorState st_;
};

// Reads `count` samples from chunk bytes. Does not own the bytes.
class XorIterator {
 public:
  XorIterator(const uint8_t* data, uint32_t size, uint16_t count)
      : data_(data), size_(size), count_(count) {}

  // False at the end, or when the bytes end early (then err() is true).
  bool Next() noexcept;
  // Moves to the first sample with t >= target (never backwards); false when none.
  bool Seek(int64_t target) noexcept;
  int64_t t() const { return t_; }
  double v() const;
  uint64_t v_bits() const { return v_bits_; }
  bool err() const { return err_; }

 private:
  bool ReadBits(int nbits, uint64_t* out) noexcept;
  bool ReadBit(bool* out) noexcept;
  bool ReadDod(const int* widths, int64_t* dod) noexcept;

  const uint8_t* data_;
  uint32_t size_;
  uint16_t count_;
  uint16_t read_ = 0;
  uint64_t pos_ = 0;  // in bits
  int64_t t_ = 0;
  int64_t t_delta_ = 0;
  uint64_t v_bits_ = 0;
  int64_t v_delta_ = 0;
  int64_t v_int_ = 0;
  bool integer_ = false;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;
  bool err_ = false;
};

}  // namespace infermetry::tsdb::chunkenc
