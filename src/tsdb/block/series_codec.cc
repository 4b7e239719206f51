#include "tsdb/block/series_codec.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "tsdb/block/format.h"

namespace infermetry::tsdb::blockfmt {
namespace {

constexpr int kMaxScale = 15;
constexpr int64_t kMaxMantissa = int64_t{1} << 53;  // integers exact in a double
constexpr double kPow10[kMaxScale + 1] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

double FromMantissa(int64_t m, int scale) {
  return scale == 0 ? static_cast<double>(m) : static_cast<double>(m) / kPow10[scale];
}

// Whether `v` is m / 10^scale for an integer |m| <= 2^53 that decodes back to the same bits.
bool ToMantissa(double v, int scale, int64_t* m) {
  double x = v * kPow10[scale];
  if (!(std::fabs(x) <= static_cast<double>(kMaxMantissa))) return false;
  int64_t r = std::llround(x);
  if (Bits(FromMantissa(r, scale)) != Bits(v)) return false;
  *m = r;
  return true;
}

// Approximate cost in bits of a zigzag value once entropy-coded: its bit length plus one.
inline uint64_t CostOf(int64_t x) { return 65 - std::countl_zero(ZigZag(x) | 1); }

uint64_t WrapAdd(uint64_t a, uint64_t b) { return a + b; }

}  // namespace

void EncodeTimestamps(std::span<const int64_t> ts, std::string* out) {
  PutZigZag(out, ts[0]);
  int64_t prev_delta = 0;
  for (size_t i = 1; i < ts.size(); ++i) {
    int64_t d = ts[i] - ts[i - 1];
    PutZigZag(out, i == 1 ? d : d - prev_delta);
    prev_delta = d;
  }
}

bool DecodeTimestamps(Reader* r, size_t n, std::vector<int64_t>* out) {
  out->resize(n);
  uint64_t t = static_cast<uint64_t>(r->ZigZagVarint());
  (*out)[0] = static_cast<int64_t>(t);
  uint64_t d = 0;
  for (size_t i = 1; i < n; ++i) {
    uint64_t x = static_cast<uint64_t>(r->ZigZagVarint());
    d = i == 1 ? x : WrapAdd(d, x);
    t = WrapAdd(t, d);
    (*out)[i] = static_cast<int64_t>(t);
    if ((*out)[i] <= (*out)[i - 1]) return false;
  }
  return r->ok();
}

void PageEncoder::Add(uint32_t tcol, std::span<const double> values) {
  size_t n = values.size();
  size_t start = blobs_.size();
  uint32_t index = static_cast<uint32_t>(lengths_.size());
  auto finish = [&] { lengths_.push_back(static_cast<uint32_t>(blobs_.size() - start)); };

  bool constant = true;
  for (size_t i = 1; i < n && constant; ++i) constant = Bits(values[i]) == Bits(values[0]);
  if (constant) {
    blobs_.push_back(static_cast<char>(ValueKind::kConst));
    PutFixed64(&blobs_, Bits(values[0]));
    return finish();
  }

  // The smallest decimal scale that represents every representable value.
  int scale = 0;
  size_t exceptions = 0;
  for (double v : values) {
    if (!std::isfinite(v) || (v == 0 && std::signbit(v))) {
      ++exceptions;
      continue;
    }
    int64_t m;
    int s = scale;
    while (s <= kMaxScale && !ToMantissa(v, s, &m)) ++s;
    if (s > kMaxScale) {
      ++exceptions;
    } else {
      scale = s;
    }
  }
  std::vector<int64_t> deltas(n);
  std::vector<uint32_t> exc;
  if (exceptions * 8 <= n) {
    int64_t prev = 0;
    for (size_t i = 0; i < n; ++i) {
      int64_t m = prev;
      double v = values[i];
      bool special = !std::isfinite(v) || (v == 0 && std::signbit(v));
      if (special || !ToMantissa(v, scale, &m)) {
        exc.push_back(static_cast<uint32_t>(i));
        m = prev;
      }
      deltas[i] = i == 0 ? m : m - prev;
      prev = m;
    }
  }
  if (exceptions * 8 > n || exc.size() * 8 > n) {
    blobs_.push_back(static_cast<char>(ValueKind::kXor));
    PutFixed64(&blobs_, Bits(values[0]));
    for (size_t i = 1; i < n; ++i) {
      uint64_t x = Bits(values[i]) ^ Bits(values[i - 1]);
      if (x == 0) {
        blobs_.push_back(static_cast<char>(0xff));
        continue;
      }
      int lz = std::countl_zero(x) / 8, tz = std::countr_zero(x) / 8;
      blobs_.push_back(static_cast<char>(lz << 4 | tz));
      uint64_t mid = x >> (8 * tz);
      for (int b = 0; b < 8 - lz - tz; ++b) blobs_.push_back(static_cast<char>(mid >> (8 * b)));
    }
    return finish();
  }

  // Pick the cheapest of delta, delta-of-delta and delta-minus-reference.
  uint64_t best = 0;
  for (size_t i = 1; i < n; ++i) best += CostOf(deltas[i]);
  ValueKind kind = ValueKind::kIntDelta;
  uint64_t dod = 0;
  for (size_t i = 1; i < n && dod < best; ++i) dod += CostOf(i == 1 ? deltas[1] : deltas[i] - deltas[i - 1]);
  if (dod < best) {
    best = dod;
    kind = ValueKind::kIntDod;
  }
  const Recent* ref = nullptr;
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
    if (it->tcol != tcol || it->scale != scale || it->deltas.size() != n) continue;
    uint64_t c = 0;
    for (size_t i = 1; i < n && c < best; ++i) c += CostOf(deltas[i] - it->deltas[i]);
    if (c < best) {
      best = c;
      kind = ValueKind::kIntRef;
      ref = &*it;
    }
  }

  blobs_.push_back(static_cast<char>(kind));
  blobs_.push_back(static_cast<char>(scale));
  if (kind == ValueKind::kIntRef) PutVarint(&blobs_, index - ref->index);
  PutVarint(&blobs_, exc.size());
  uint32_t last = 0;
  for (uint32_t pos : exc) {
    PutVarint(&blobs_, pos - last);
    PutFixed64(&blobs_, Bits(values[pos]));
    last = pos;
  }
  PutZigZag(&blobs_, deltas[0]);
  for (size_t i = 1; i < n; ++i) {
    int64_t x = deltas[i];
    if (kind == ValueKind::kIntDod && i > 1) x = deltas[i] - deltas[i - 1];
    if (kind == ValueKind::kIntRef) x = deltas[i] - ref->deltas[i];
    PutZigZag(&blobs_, x);
  }
  finish();
  recent_.push_back(Recent{tcol, static_cast<uint8_t>(scale), index, std::move(deltas)});
  if (recent_.size() > kRefWindow) recent_.pop_front();
}

std::string PageEncoder::Finish() {
  std::string out;
  PutVarint(&out, lengths_.size());
  for (uint32_t len : lengths_) PutVarint(&out, len);
  out += blobs_;
  blobs_.clear();
  lengths_.clear();
  recent_.clear();
  return out;
}

Status PageDecoder::Init(std::shared_ptr<const std::string> raw, std::string what) {
  raw_ = std::move(raw);
  what_ = std::move(what);
  blobs_.clear();
  memo_.clear();
  Reader r(*raw_);
  size_t count = r.VarintAtMost(raw_->size());
  std::vector<size_t> lengths(count);
  for (size_t& len : lengths) len = r.VarintAtMost(raw_->size());
  if (!r.ok()) return Corruption(what_ + ": malformed page header");
  for (size_t len : lengths) blobs_.push_back(r.Bytes(len));
  if (!r.done()) return Corruption(what_ + ": page lengths do not add up");
  memo_.resize(count);
  return Status::Ok();
}

Status PageDecoder::Values(size_t slot, size_t n, std::vector<double>* out) {
  if (slot >= blobs_.size()) return Corruption(what_ + ": series slot out of range");
  if (n == 0) return Corruption(what_ + ": series without samples");
  // References point backwards; decode the chain oldest first so that nothing recurses.
  std::vector<size_t> chain;
  for (size_t s = slot;;) {
    Reader r(blobs_[s]);
    if (static_cast<ValueKind>(r.U8()) != ValueKind::kIntRef) break;
    r.U8();
    size_t back = r.VarintAtMost(s);
    if (!r.ok() || back == 0) return Corruption(what_ + ": bad series reference");
    s -= back;
    if (memo_[s].done) break;
    chain.push_back(s);
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    INFERMETRY_RETURN_IF_ERROR(DecodeSlot(*it, n));
  }
  INFERMETRY_RETURN_IF_ERROR(DecodeSlot(slot, n));
  out->swap(tmp_values_);
  return Status::Ok();
}

Status PageDecoder::DecodeSlot(size_t slot, size_t n) {
  Memo& memo = memo_[slot];
  Reader r(blobs_[slot]);
  auto kind = static_cast<ValueKind>(r.U8());
  tmp_values_.resize(n);
  switch (kind) {
    case ValueKind::kConst: {
      double v = std::bit_cast<double>(r.Fixed64());
      for (double& x : tmp_values_) x = v;
      break;
    }
    case ValueKind::kXor: {
      uint64_t bits = r.Fixed64();
      tmp_values_[0] = std::bit_cast<double>(bits);
      for (size_t i = 1; i < n; ++i) {
        uint8_t h = r.U8();
        if (h != 0xff) {
          int lz = h >> 4, tz = h & 15;
          if (lz + tz > 7) return Corruption(what_ + ": bad float header");
          uint64_t mid = 0;
          for (int b = 0; b < 8 - lz - tz; ++b) mid |= static_cast<uint64_t>(r.U8()) << (8 * b);
          bits ^= mid << (8 * tz);
        }
        tmp_values_[i] = std::bit_cast<double>(bits);
      }
      break;
    }
    case ValueKind::kIntDelta:
    case ValueKind::kIntDod:
    case ValueKind::kIntRef: {
      int scale = r.U8();
      if (scale > kMaxScale) return Corruption(what_ + ": bad decimal scale");
      const Memo* ref = nullptr;
      if (kind == ValueKind::kIntRef) {
        size_t back = r.VarintAtMost(slot);
        if (back == 0 || !memo_[slot - back].done || !memo_[slot - back].is_int ||
            memo_[slot - back].deltas.size() != n) {
          return Corruption(what_ + ": bad series reference");
        }
        ref = &memo_[slot - back];
      }
      size_t nexc = r.VarintAtMost(n);
      std::vector<std::pair<uint32_t, uint64_t>> exc(nexc);
      uint64_t pos = 0;
      for (size_t i = 0; i < nexc; ++i) {
        pos += r.VarintAtMost(n);
        if ((i > 0 && pos == exc[i - 1].first) || pos >= n) {
          return Corruption(what_ + ": bad exception position");
        }
        exc[i] = {static_cast<uint32_t>(pos), r.Fixed64()};
      }
      std::vector<int64_t> deltas(n);
      uint64_t m = static_cast<uint64_t>(r.ZigZagVarint());
      deltas[0] = static_cast<int64_t>(m);
      if (deltas[0] > kMaxMantissa || deltas[0] < -kMaxMantissa) {
        return Corruption(what_ + ": value overflow");
      }
      tmp_values_[0] = FromMantissa(static_cast<int64_t>(m), scale);
      uint64_t d = 0;
      for (size_t i = 1; i < n; ++i) {
        uint64_t x = static_cast<uint64_t>(r.ZigZagVarint());
        if (kind == ValueKind::kIntDelta) d = x;
        if (kind == ValueKind::kIntDod) d = i == 1 ? x : WrapAdd(d, x);
        if (kind == ValueKind::kIntRef) d = WrapAdd(x, static_cast<uint64_t>(ref->deltas[i]));
        deltas[i] = static_cast<int64_t>(d);
        m = WrapAdd(m, d);
        int64_t sm = static_cast<int64_t>(m);
        if (sm > kMaxMantissa || sm < -kMaxMantissa) return Corruption(what_ + ": value overflow");
        tmp_values_[i] = FromMantissa(sm, scale);
      }
      for (const auto& [p, bits] : exc) tmp_values_[p] = std::bit_cast<double>(bits);
      memo.is_int = true;
      memo.scale = static_cast<uint8_t>(scale);
      memo.deltas = std::move(deltas);
      break;
    }
    default:
      return Corruption(what_ + ": unknown value encoding " + std::to_string(static_cast<int>(kind)));
  }
  if (!r.done()) return Corruption(what_ + ": malformed series values");
  memo.done = true;
  return Status::Ok();
}

}  // namespace infermetry::tsdb::blockfmt
