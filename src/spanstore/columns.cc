#include "spanstore/columns.h"

#include <cmath>
#include <cstring>
#include <unordered_map>

#include "spanstore/coding.h"

namespace infermetry::spanstore {

namespace {

enum IntEncoding : uint8_t { kPlain = 0, kDelta = 1, kDeltaOfDelta = 2, kConstant = 3 };

size_t VarintLen(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

Status Malformed(std::string_view what) {
  return Status(Code::kCorruption, "malformed " + std::string(what) + " column");
}

}  // namespace

void EncodeInts(const std::vector<int64_t>& v, std::string* out) {
  // Sizes of the three variable encodings; wrapping arithmetic keeps deltas of extreme values
  // exact (decoding wraps back).
  size_t plain = 0, delta = 0, dod = 0;
  bool constant = true;
  uint64_t prev = 0, prev_delta = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    uint64_t x = static_cast<uint64_t>(v[i]);
    uint64_t d = x - prev;
    plain += VarintLen(ZigZag(v[i]));
    delta += VarintLen(ZigZag(static_cast<int64_t>(d)));
    dod += VarintLen(ZigZag(static_cast<int64_t>(d - prev_delta)));
    if (i > 0 && v[i] != v[0]) constant = false;
    prev = x;
    prev_delta = d;
  }
  uint8_t enc = kPlain;
  if (constant && !v.empty()) {
    enc = kConstant;
  } else if (dod < delta && dod < plain) {
    enc = kDeltaOfDelta;
  } else if (delta < plain) {
    enc = kDelta;
  }
  out->push_back(static_cast<char>(enc));
  PutVarint(out, v.size());
  if (enc == kConstant) {
    PutSigned(out, v[0]);
    return;
  }
  prev = 0;
  prev_delta = 0;
  for (int64_t s : v) {
    uint64_t x = static_cast<uint64_t>(s);
    uint64_t d = x - prev;
    if (enc == kPlain) PutSigned(out, s);
    if (enc == kDelta) PutSigned(out, static_cast<int64_t>(d));
    if (enc == kDeltaOfDelta) PutSigned(out, static_cast<int64_t>(d - prev_delta));
    prev = x;
    prev_delta = d;
  }
}

Status DecodeInts(std::string_view in, size_t count, std::vector<int64_t>* out) {
  Decoder d(in);
  uint8_t enc = d.Byte();
  if (d.Varint() != count || enc > kConstant) return Malformed("int");
  out->resize(count);
  if (enc == kConstant) {
    int64_t c = d.Signed();
    for (auto& x : *out) x = c;
  } else {
    uint64_t prev = 0, prev_delta = 0;
    for (size_t i = 0; i < count; ++i) {
      uint64_t r = static_cast<uint64_t>(d.Signed());
      if (enc == kPlain) {
        prev = r;
      } else if (enc == kDelta) {
        prev += r;
      } else {
        prev_delta += r;
        prev += prev_delta;
      }
      (*out)[i] = static_cast<int64_t>(prev);
    }
  }
  if (!d.ok() || !d.done()) return Malformed("int");
  return Status::Ok();
}

namespace {

enum DoubleEncoding : uint8_t { kShuffled = 0, kScaled = 1 };

// Writes the low `width` bytes of each value as byte planes (all byte 0s, then all byte 1s...).
void PutPlanes(const std::vector<uint64_t>& v, size_t width, std::string* out) {
  size_t base = out->size();
  out->resize(base + v.size() * width);
  char* p = out->data() + base;
  for (size_t i = 0; i < v.size(); ++i) {
    for (size_t b = 0; b < width; ++b) p[b * v.size() + i] = static_cast<char>(v[i] >> (8 * b));
  }
}

bool GetPlanes(Decoder* d, size_t count, size_t width, std::vector<uint64_t>* out) {
  std::string_view planes = d->Bytes(count * width);
  if (!d->ok()) return false;
  out->assign(count, 0);
  for (size_t i = 0; i < count; ++i) {
    uint64_t x = 0;
    for (size_t b = 0; b < width; ++b) {
      x |= static_cast<uint64_t>(static_cast<uint8_t>(planes[b * count + i])) << (8 * b);
    }
    (*out)[i] = x;
  }
  return true;
}

// Scaled form: every value as m * 2^q with one q for the column and integer m (zigzag, fixed
// width). Differences of float timestamps (how latencies are computed) are multiples of the
// timestamps' ulp, so m has far fewer significant bits than a 52-bit mantissa. False when the
// column has values that do not fit (non-finite, -0.0, too wide a range of exponents).
bool Scale(const std::vector<double>& v, int* q_out, std::vector<uint64_t>* ms, size_t* width) {
  int q = INT32_MAX;
  for (double x : v) {
    if (!std::isfinite(x) || (x == 0 && std::signbit(x))) return false;
    if (x == 0) continue;
    int e;
    double frac = std::frexp(std::fabs(x), &e);                // x = frac * 2^e, frac in [0.5, 1)
    uint64_t m = static_cast<uint64_t>(std::ldexp(frac, 53));  // exact: 53 significant bits
    int tz = __builtin_ctzll(m);
    q = std::min(q, e - 53 + tz);
  }
  if (q == INT32_MAX) q = 0;
  uint64_t max = 0;
  ms->clear();
  for (double x : v) {
    if (x == 0) {
      ms->push_back(0);
      continue;
    }
    double m = std::ldexp(std::fabs(x), -q);  // an integer by the choice of q
    if (m >= 0x1p62) return false;
    auto mi = static_cast<int64_t>(m);
    uint64_t z = ZigZag(x < 0 ? -mi : mi);
    max = std::max(max, z);
    ms->push_back(z);
  }
  *width = 0;
  while (*width < 8 && (max >> (8 * *width)) != 0) ++*width;
  if (*width >= 8) return false;
  *q_out = q;
  return true;
}

}  // namespace

void EncodeDoubles(const std::vector<double>& v, std::string* out) {
  std::vector<uint64_t> bits(v.size());
  for (size_t i = 0; i < v.size(); ++i) std::memcpy(&bits[i], &v[i], 8);
  std::string shuffled;
  shuffled.push_back(static_cast<char>(kShuffled));
  PutVarint(&shuffled, v.size());
  PutPlanes(bits, 8, &shuffled);
  int q;
  size_t width;
  std::vector<uint64_t> ms;
  if (v.size() >= 16 && Scale(v, &q, &ms, &width)) {
    std::string scaled;
    scaled.push_back(static_cast<char>(kScaled));
    PutVarint(&scaled, v.size());
    PutSigned(&scaled, q);
    scaled.push_back(static_cast<char>(width));
    PutPlanes(ms, width, &scaled);
    // Which form compresses better depends on the data; ask zstd.
    if (ZstdCompress(scaled).size() < ZstdCompress(shuffled).size()) {
      out->append(scaled);
      return;
    }
  }
  out->append(shuffled);
}

Status DecodeDoubles(std::string_view in, size_t count, std::vector<double>* out) {
  Decoder d(in);
  uint8_t enc = d.Byte();
  if (d.Varint() != count || enc > kScaled) return Malformed("double");
  std::vector<uint64_t> v;
  if (enc == kShuffled) {
    if (!GetPlanes(&d, count, 8, &v) || !d.done()) return Malformed("double");
    out->resize(count);
    for (size_t i = 0; i < count; ++i) std::memcpy(&(*out)[i], &v[i], 8);
    return Status::Ok();
  }
  int64_t q = d.Signed();
  size_t width = d.Byte();
  if (width >= 8 || q < -1100 || q > 1100 || !GetPlanes(&d, count, width, &v) || !d.done()) {
    return Malformed("double");
  }
  out->resize(count);
  for (size_t i = 0; i < count; ++i) {
    (*out)[i] = std::ldexp(static_cast<double>(UnZigZag(v[i])), static_cast<int>(q));
  }
  return Status::Ok();
}

namespace {

enum StringEncoding : uint8_t { kPlainStrings = 0, kDictStrings = 1, kHexStrings = 2 };

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Ids such as "chatcmpl-<32 lowercase hex>": one common prefix, then hex of one even length.
// Returns the prefix length, or npos when the column does not have that shape.
size_t HexShape(const std::vector<std::string_view>& v) {
  if (v.size() < 16) return std::string_view::npos;
  size_t len = v[0].size(), prefix = len;
  for (std::string_view s : v) {
    if (s.size() != len) return std::string_view::npos;
    size_t p = 0;
    while (p < prefix && s[p] == v[0][p]) ++p;
    prefix = p;
  }
  // The prefix may have swallowed leading hex digits common to all values: give them back
  // until the suffix has an even length and starts after the last non-hex character.
  while (prefix > 0 && HexNibble(v[0][prefix - 1]) >= 0) --prefix;
  if ((len - prefix) % 2 != 0) ++prefix;
  if (len == prefix) return std::string_view::npos;
  for (std::string_view s : v) {
    for (size_t i = prefix; i < len; ++i) {
      if (HexNibble(s[i]) < 0) return std::string_view::npos;
    }
  }
  return prefix;
}

}  // namespace

void EncodeStrings(const std::vector<std::string_view>& v, std::string* out) {
  std::unordered_map<std::string_view, uint32_t> ids;
  std::vector<std::string_view> dict;
  for (std::string_view s : v) {
    if (ids.emplace(s, static_cast<uint32_t>(dict.size())).second) dict.push_back(s);
    if (dict.size() * 2 > v.size() + 16) break;  // high cardinality: plain
  }
  bool use_dict = dict.size() * 2 <= v.size() + 16;
  if (!use_dict) {
    size_t prefix = HexShape(v);
    if (prefix != std::string_view::npos) {
      out->push_back(static_cast<char>(kHexStrings));
      PutVarint(out, v.size());
      PutString(out, v[0].substr(0, prefix));
      size_t n = (v[0].size() - prefix) / 2;
      PutVarint(out, n);
      for (std::string_view s : v) {
        for (size_t i = 0; i < n; ++i) {
          out->push_back(static_cast<char>(HexNibble(s[prefix + 2 * i]) << 4 |
                                           HexNibble(s[prefix + 2 * i + 1])));
        }
      }
      return;
    }
  }
  const std::vector<std::string_view>& values = use_dict ? dict : v;
  out->push_back(static_cast<char>(use_dict ? kDictStrings : kPlainStrings));
  PutVarint(out, v.size());
  if (use_dict) PutVarint(out, dict.size());
  // Lengths first, then the bytes: keeps the text contiguous for zstd.
  for (std::string_view s : values) PutVarint(out, s.size());
  for (std::string_view s : values) out->append(s);
  if (use_dict) {
    for (std::string_view s : v) PutVarint(out, ids[s]);
  }
}

Status DecodeStrings(std::string_view in, size_t count, std::vector<std::string_view>* out,
                     std::string* arena) {
  Decoder d(in);
  uint8_t enc = d.Byte();
  if (enc > kHexStrings || d.Varint() != count) return Malformed("string");
  if (enc == kHexStrings) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string_view prefix = d.String();
    uint64_t n = d.Varint();
    if (!d.ok() || n == 0 || n > d.remaining() || d.remaining() != count * n) {
      return Malformed("string");
    }
    std::string_view packed = d.Bytes(count * n);
    const size_t len = prefix.size() + 2 * n;
    arena->assign(count * len, '\0');
    for (size_t i = 0; i < count; ++i) {
      char* p = arena->data() + i * len;
      std::memcpy(p, prefix.data(), prefix.size());
      for (size_t b = 0; b < n; ++b) {
        auto byte = static_cast<uint8_t>(packed[i * n + b]);
        p[prefix.size() + 2 * b] = kDigits[byte >> 4];
        p[prefix.size() + 2 * b + 1] = kDigits[byte & 15];
      }
    }
    out->resize(count);
    for (size_t i = 0; i < count; ++i) (*out)[i] = std::string_view(arena->data() + i * len, len);
    return Status::Ok();
  }
  size_t n = enc == kDictStrings ? d.Count(1) : count;
  if (!d.ok() || n > d.remaining()) return Malformed("string");
  std::vector<uint64_t> lens(n);
  uint64_t total = 0;
  for (auto& l : lens) {
    l = d.Varint();
    total += l;
  }
  if (!d.ok() || total > d.remaining()) return Malformed("string");
  std::vector<std::string_view> values(n);
  for (size_t i = 0; i < n; ++i) values[i] = d.Bytes(lens[i]);
  if (enc == kPlainStrings) {
    *out = std::move(values);
  } else {
    out->resize(count);
    for (size_t i = 0; i < count; ++i) {
      uint64_t id = d.Varint();
      if (id >= n) return Malformed("string");
      (*out)[i] = values[id];
    }
  }
  if (!d.ok() || !d.done()) return Malformed("string");
  return Status::Ok();
}

Status CheckFixed(std::string_view in, size_t count, size_t width) {
  if (in.size() != count * width) return Malformed("fixed-width");
  return Status::Ok();
}

}  // namespace infermetry::spanstore
