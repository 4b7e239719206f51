#include "tsdb/chunkenc/xor_chunk.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace infermetry::tsdb::chunkenc {
namespace {

// Timestamp delta-of-delta buckets: a prefix of 1s ended by a 0 selects the width. Scrape
// jitter is a few ms, so most dods hit the first two buckets.
bool FitsSigned(int64_t v, int nbits) {
  int64_t lo = -((int64_t{1} << (nbits - 1)) - 1);
  int64_t hi = int64_t{1} << (nbits - 1);
  return v >= lo && v <= hi;
}

int64_t FromBits(uint64_t bits, int nbits) {
  // Inverse of the two's complement truncation done by WriteBits for [lo, hi].
  if (bits > (uint64_t{1} << (nbits - 1))) return static_cast<int64_t>(bits - (uint64_t{1} << nbits));
  return static_cast<int64_t>(bits);
}

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

// Bucket widths, selected by a prefix of 1s ended by a 0 (the last bucket has no 0). Scrape
// timestamps jitter by a few ms, which makes dods of -6..6: the 4-bit bucket; integer value
// deltas change by a few units to a few thousand.
constexpr int kTimeWidths[] = {0, 4, 10, 16, 24, 64, -1};
constexpr int kIntWidths[] = {0, 4, 8, 12, 20, 64, -1};

}  // namespace

bool IsExactInteger(double v) {
  if (!(v >= -9007199254740992.0 && v <= 9007199254740992.0)) return false;  // NaN too
  int64_t i = static_cast<int64_t>(v);
  return Bits(static_cast<double>(i)) == Bits(v);
}

void XorChunk::WriteDod(int64_t dod, const int* widths) noexcept {
  int n = 0;
  while (widths[n + 1] != -1) ++n;  // index of the last bucket
  for (int i = 0; i <= n; ++i) {
    int w = widths[i];
    if (w == 0 ? dod == 0 : (w == 64 || FitsSigned(dod, w))) {
      // i ones, then a zero unless this is the last bucket.
      if (i < n) WriteBits(((uint64_t{1} << i) - 1) << 1, i + 1);
      else WriteBits((uint64_t{1} << i) - 1, i);
      if (w > 0) WriteBits(static_cast<uint64_t>(dod), w);
      return;
    }
  }
}

XorChunk::~XorChunk() { std::free(data_); }

XorChunk::XorChunk(XorChunk&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)),
      cap_(std::exchange(o.cap_, 0)), st_(std::exchange(o.st_, XorState{})) {}

XorChunk& XorChunk::operator=(XorChunk&& o) noexcept {
  if (this != &o) {
    std::free(data_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    cap_ = std::exchange(o.cap_, 0);
    st_ = std::exchange(o.st_, XorState{});
  }
  return *this;
}

uint8_t* XorChunk::Release(uint32_t* size) noexcept {
  uint8_t* out = data_;
  *size = size_;
  if (out != nullptr && cap_ > size_) {
    // Shrinking never moves data we depend on; keep the old block if realloc declines.
    if (auto* p = static_cast<uint8_t*>(std::realloc(out, std::max<uint32_t>(size_, 1)))) out = p;
  }
  data_ = nullptr;
  size_ = cap_ = 0;
  st_ = XorState{};
  return out;
}

void XorChunk::Reserve(uint32_t extra) noexcept {
  if (size_ + extra <= cap_) return;
  // Growth by 48 bytes (or 1/8 for large chunks): a 5 s series needs a new block every
  // ~5 minutes, and the slack stays under 48 bytes per series: RAM matters more here than
  // a realloc per few dozen appends.
  uint32_t want = std::max<uint32_t>({32, cap_ + std::max<uint32_t>(48, cap_ / 8), size_ + extra});
  auto* p = static_cast<uint8_t*>(std::realloc(data_, want));
  if (p == nullptr) std::abort();  // out of memory: nothing sensible to return from a hot path
  data_ = p;
  cap_ = want;
}

void XorChunk::WriteBits(uint64_t v, int nbits) noexcept {
  while (nbits > 0) {
    if (st_.free_bits == 0) {
      data_[size_++] = 0;
      st_.free_bits = 8;
    }
    int take = std::min<int>(nbits, st_.free_bits);
    uint64_t bits = (v >> (nbits - take)) & ((uint64_t{1} << take) - 1);
    data_[size_ - 1] |= static_cast<uint8_t>(bits << (st_.free_bits - take));
    st_.free_bits -= take;
    nbits -= take;
  }
}

bool XorChunk::Append(int64_t t, double v, bool allow_integer) noexcept {
  uint64_t vb = Bits(v);
  if (st_.count > 0 && st_.enc == ValueEncoding::kInteger && !IsExactInteger(v)) return false;
  Reserve(24);  // worst case: 4+64 bits of time, 6+64 bits of value, the encoding bit
  if (st_.count == 0) {
    st_.enc = (allow_integer && IsExactInteger(v)) ? ValueEncoding::kInteger : ValueEncoding::kFloat;
    WriteBits(static_cast<uint64_t>(st_.enc), 1);
    WriteBits(static_cast<uint64_t>(t), 64);
    WriteBits(vb, 64);
    st_.t = t;
    st_.t_delta = 0;
    st_.v_bits = vb;
    st_.v_delta = 0;
    st_.leading = 0xff;
    st_.count = 1;
    return true;
  }
  // Unsigned arithmetic: wraps instead of overflowing; the reader wraps back the same way.
  int64_t delta = static_cast<int64_t>(static_cast<uint64_t>(t) - static_cast<uint64_t>(st_.t));
  WriteDod(static_cast<int64_t>(static_cast<uint64_t>(delta) - static_cast<uint64_t>(st_.t_delta)),
           kTimeWidths);
  st_.t = t;
  st_.t_delta = delta;

  if (st_.enc == ValueEncoding::kInteger) {
    // |values| <= 2^53, so deltas and their differences fit int64 without overflow.
    int64_t iv = static_cast<int64_t>(v);
    int64_t prev = static_cast<int64_t>(std::bit_cast<double>(st_.v_bits));
    int64_t d = iv - prev;
    WriteDod(d - st_.v_delta, kIntWidths);
    st_.v_delta = d;
    st_.v_bits = vb;
    ++st_.count;
    return true;
  }
  uint64_t x = vb ^ st_.v_bits;
  if (x == 0) {
    WriteBits(0, 1);
  } else {
    int lz = std::countl_zero(x);
    int tz = std::countr_zero(x);
    if (lz > 31) lz = 31;  // 5 bits
    if (st_.leading != 0xff && lz >= st_.leading && tz >= st_.trailing) {
      int sig = 64 - st_.leading - st_.trailing;
      WriteBits(0b10, 2);
      WriteBits(x >> st_.trailing, sig);
    } else {
      int sig = 64 - lz - tz;
      WriteBits(0b11, 2);
      WriteBits(static_cast<uint64_t>(lz), 5);
      WriteBits(static_cast<uint64_t>(sig & 63), 6);  // 64 is written as 0
      WriteBits(x >> tz, sig);
      st_.leading = static_cast<uint8_t>(lz);
      st_.trailing = static_cast<uint8_t>(tz);
    }
  }
  st_.v_bits = vb;
  ++st_.count;
  return true;
}

double XorIterator::v() const { return std::bit_cast<double>(v_bits_); }

bool XorIterator::ReadBits(int nbits, uint64_t* out) noexcept {
  if (pos_ + static_cast<uint64_t>(nbits) > uint64_t{size_} * 8) {
    err_ = true;
    return false;
  }
  uint64_t v = 0;
  while (nbits > 0) {
    uint64_t byte = data_[pos_ >> 3];
    int used = static_cast<int>(pos_ & 7);
    int avail = 8 - used;
    int take = std::min(nbits, avail);
    uint64_t bits = (byte >> (avail - take)) & ((uint64_t{1} << take) - 1);
    v = (take == 64) ? bits : ((v << take) | bits);
    pos_ += static_cast<uint64_t>(take);
    nbits -= take;
  }
  *out = v;
  return true;
}

bool XorIterator::ReadBit(bool* out) noexcept {
  uint64_t b;
  if (!ReadBits(1, &b)) return false;
  *out = b != 0;
  return true;
}

bool XorIterator::ReadDod(const int* widths, int64_t* dod) noexcept {
  int n = 0;
  while (widths[n + 1] != -1) ++n;
  int ones = 0;
  for (; ones < n; ++ones) {
    bool bit;
    if (!ReadBit(&bit)) return false;
    if (!bit) break;
  }
  int w = widths[ones];
  uint64_t b = 0;
  if (w > 0 && !ReadBits(w, &b)) return false;
  *dod = (w == 0) ? 0 : (w == 64 ? static_cast<int64_t>(b) : FromBits(b, w));
  return true;
}

bool XorIterator::Next() noexcept {
  if (err_ || read_ >= count_) return false;
  uint64_t b;
  if (read_ == 0) {
    uint64_t enc, vb;
    if (!ReadBits(1, &enc) || !ReadBits(64, &b) || !ReadBits(64, &vb)) return false;
    integer_ = enc == 1;
    t_ = static_cast<int64_t>(b);
    t_delta_ = 0;
    v_bits_ = vb;
    v_delta_ = 0;
    leading_ = 0;
    trailing_ = 0;
    if (integer_) {
      if (!IsExactInteger(v())) {
        err_ = true;
        return false;
      }
      v_int_ = static_cast<int64_t>(v());
    }
    ++read_;
    return true;
  }
  int64_t dod;
  if (!ReadDod(kTimeWidths, &dod)) return false;
  t_delta_ =
      static_cast<int64_t>(static_cast<uint64_t>(t_delta_) + static_cast<uint64_t>(dod));
  t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + static_cast<uint64_t>(t_delta_));

  if (integer_) {
    if (!ReadDod(kIntWidths, &dod)) return false;
    // Wrapping arithmetic: corrupt bytes must not be undefined behaviour.
    v_delta_ = static_cast<int64_t>(static_cast<uint64_t>(v_delta_) + static_cast<uint64_t>(dod));
    v_int_ = static_cast<int64_t>(static_cast<uint64_t>(v_int_) + static_cast<uint64_t>(v_delta_));
    v_bits_ = Bits(static_cast<double>(v_int_));
    ++read_;
    return true;
  }
  bool bit;
  if (!ReadBit(&bit)) return false;
  if (bit) {
    if (!ReadBit(&bit)) return false;
    if (bit) {
      uint64_t lz, sig;
      if (!ReadBits(5, &lz) || !ReadBits(6, &sig)) return false;
      if (sig == 0) sig = 64;
      if (lz + sig > 64) {
        err_ = true;
        return false;
      }
      leading_ = static_cast<uint8_t>(lz);
      trailing_ = static_cast<uint8_t>(64 - lz - sig);
    }
    int sig = 64 - leading_ - trailing_;
    if (!ReadBits(sig, &b)) return false;
    v_bits_ ^= (trailing_ == 64 ? 0 : b << trailing_);
  }
  ++read_;
  return true;
}

bool XorIterator::Seek(int64_t target) noexcept {
  if (read_ > 0 && t_ >= target) return true;
  while (Next()) {
    if (t_ >= target) return true;
  }
  return false;
}

}  // namespace infermetry::tsdb::chunkenc
