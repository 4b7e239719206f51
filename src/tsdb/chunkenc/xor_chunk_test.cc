#include "tsdb/chunkenc/xor_chunk.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "model/sample.h"

namespace infermetry::tsdb::chunkenc {
namespace {

struct S {
  int64_t t;
  uint64_t bits;
};

std::vector<S> RoundTrip(const std::vector<S>& in) {
  XorChunk c;
  for (const S& s : in) c.Append(s.t, std::bit_cast<double>(s.bits));
  EXPECT_EQ(c.count(), in.size());
  std::vector<S> out;
  XorIterator it(c.data(), c.size(), c.count());
  while (it.Next()) out.push_back({it.t(), it.v_bits()});
  EXPECT_FALSE(it.err());
  return out;
}

// Appends like the head does: an integer chunk that meets another value continues in a float
// chunk. Returns every sample read back across the chunks.
std::vector<S> RoundTripChunks(const std::vector<S>& in) {
  std::vector<XorChunk> chunks(1);
  for (const S& s : in) {
    if (!chunks.back().Append(s.t, std::bit_cast<double>(s.bits))) {
      chunks.emplace_back();
      EXPECT_TRUE(chunks.back().Append(s.t, std::bit_cast<double>(s.bits), false));
    }
  }
  std::vector<S> out;
  for (const auto& c : chunks) {
    XorIterator it(c.data(), c.size(), c.count());
    while (it.Next()) out.push_back({it.t(), it.v_bits()});
    EXPECT_FALSE(it.err());
  }
  return out;
}

void ExpectSame(const std::vector<S>& a, const std::vector<S>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].t, b[i].t) << i;
    EXPECT_EQ(a[i].bits, b[i].bits) << i;
  }
}

TEST(XorChunkTest, RandomValuesAndTimes) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 50; ++round) {
    std::vector<S> in;
    int64_t t = static_cast<int64_t>(rng() % 2000000000000ULL) - 1000000000000LL;
    double v = 0;
    int n = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      switch (rng() % 5) {
        case 0: t += 5000; break;
        case 1: t += 5000 + static_cast<int64_t>(rng() % 50) - 25; break;
        case 2: t += 1 + static_cast<int64_t>(rng() % 1000000); break;
        case 3: t += 1 + static_cast<int64_t>(rng() % (int64_t{1} << 40)); break;
        default: t += 1; break;
      }
      switch (rng() % 4) {
        case 0: break;  // unchanged
        case 1: v += static_cast<double>(rng() % 100); break;
        case 2: v = std::bit_cast<double>(rng()); break;  // any bits, NaN payloads included
        default: v = static_cast<double>(rng() % 1000) / 7.0; break;
      }
      in.push_back({t, std::bit_cast<uint64_t>(v)});
    }
    ExpectSame(in, RoundTripChunks(in));
  }
}

TEST(XorChunkTest, SpecialFloatsBitExact) {
  std::vector<double> vals = {0.0,
                              -0.0,
                              std::numeric_limits<double>::infinity(),
                              -std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::quiet_NaN(),
                              model::StaleNaN(),
                              std::numeric_limits<double>::denorm_min(),
                              std::numeric_limits<double>::max(),
                              std::numeric_limits<double>::lowest(),
                              1.0,
                              model::StaleNaN(),
                              std::bit_cast<double>(uint64_t{0xfff8000000000001ULL})};
  std::vector<S> in;
  int64_t t = std::numeric_limits<int64_t>::min() / 2;
  for (double v : vals) {
    in.push_back({t, std::bit_cast<uint64_t>(v)});
    t += 15000;
  }
  auto out = RoundTripChunks(in);
  ExpectSame(in, out);
  EXPECT_TRUE(model::IsStaleNaN(std::bit_cast<double>(out[5].bits)));
  EXPECT_FALSE(model::IsStaleNaN(std::bit_cast<double>(out[4].bits)));
}

TEST(XorChunkTest, IntegerEncodingRoundTripsAndIsSmaller) {
  std::mt19937_64 rng(7);
  XorChunk ints, floats;
  std::vector<S> in;
  int64_t t = 1700000000000, v = 1000000, d = 40;
  for (int i = 0; i < 240; ++i) {
    t += 5000 + static_cast<int64_t>(rng() % 5);
    d += static_cast<int64_t>(rng() % 21) - 10;
    v += d;
    if (i % 50 == 0) v = -v;  // large jumps and negative values
    double dv = static_cast<double>(v);
    ASSERT_TRUE(ints.Append(t, dv));
    ASSERT_TRUE(floats.Append(t, dv, /*allow_integer=*/false));
    in.push_back({t, std::bit_cast<uint64_t>(dv)});
  }
  EXPECT_EQ(ints.encoding(), ValueEncoding::kInteger);
  EXPECT_EQ(floats.encoding(), ValueEncoding::kFloat);
  EXPECT_LT(ints.size(), floats.size());
  std::vector<S> out;
  XorIterator it(ints.data(), ints.size(), ints.count());
  while (it.Next()) out.push_back({it.t(), it.v_bits()});
  ExpectSame(in, out);
  // Extremes of the exact range, and values an integer chunk refuses.
  XorChunk c;
  ASSERT_TRUE(c.Append(1, 9007199254740992.0));
  ASSERT_TRUE(c.Append(2, -9007199254740992.0));
  ASSERT_TRUE(c.Append(3, 0.0));
  EXPECT_FALSE(c.Append(4, 0.5));
  EXPECT_FALSE(c.Append(4, -0.0));
  EXPECT_FALSE(c.Append(4, model::StaleNaN()));
  EXPECT_EQ(c.count(), 3);
  XorIterator it2(c.data(), c.size(), c.count());
  ASSERT_TRUE(it2.Next());
  ASSERT_TRUE(it2.Next());
  EXPECT_EQ(it2.v(), -9007199254740992.0);
  EXPECT_FALSE(IsExactInteger(std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(IsExactInteger(1e300));
}

TEST(XorChunkTest, ExtremeTimestamps) {
  std::vector<S> in = {{std::numeric_limits<int64_t>::min(), 1},
                       {-1, 2},
                       {0, 3},
                       {std::numeric_limits<int64_t>::max(), 4}};
  ExpectSame(in, RoundTrip(in));
}

TEST(XorChunkTest, RegularSeriesIsSmall) {
  XorChunk c;
  for (int i = 0; i < 240; ++i) c.Append(1700000000000LL + i * 5000, 42.0);
  // 16 bytes for the first sample, then 2 bits per sample.
  EXPECT_LE(c.size(), 17u + 240 / 4 + 2);
}

TEST(XorChunkTest, SeekNeverGoesBack) {
  XorChunk c;
  for (int i = 0; i < 10; ++i) c.Append(i * 10, i);
  XorIterator it(c.data(), c.size(), c.count());
  ASSERT_TRUE(it.Seek(35));
  EXPECT_EQ(it.t(), 40);
  ASSERT_TRUE(it.Seek(10));
  EXPECT_EQ(it.t(), 40);
  EXPECT_FALSE(it.Seek(1000));
}

TEST(XorChunkTest, TruncatedBytesAreAnErrorNotACrash) {
  XorChunk c;
  for (int i = 0; i < 50; ++i) c.Append(i * 1000 + (i * i) % 17, i * 1.5);
  for (uint32_t cut = 0; cut < c.size(); ++cut) {
    XorIterator it(c.data(), cut, c.count());
    int n = 0;
    while (it.Next()) ++n;
    EXPECT_LT(n, 50);
    EXPECT_TRUE(it.err());
  }
}

TEST(XorChunkTest, ReleaseGivesBytes) {
  XorChunk c;
  for (int i = 0; i < 100; ++i) c.Append(i * 5000, i);
  uint16_t n = c.count();
  uint32_t size;
  uint8_t* data = c.Release(&size);
  EXPECT_EQ(c.count(), 0);
  XorIterator it(data, size, n);
  int got = 0;
  while (it.Next()) EXPECT_EQ(it.v(), got++);
  EXPECT_EQ(got, 100);
  std::free(data);
}

}  // namespace
}  // namespace infermetry::tsdb::chunkenc
