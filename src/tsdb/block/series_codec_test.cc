#include "tsdb/block/series_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "model/sample.h"
#include "tsdb/block/format.h"

namespace infermetry::tsdb::blockfmt {
namespace {

std::vector<std::vector<double>> RoundTrip(const std::vector<std::vector<double>>& series,
                                           std::string* raw_out = nullptr) {
  PageEncoder enc;
  for (const auto& s : series) enc.Add(0, s);
  std::string raw = enc.Finish();
  if (raw_out) *raw_out = raw;
  PageDecoder dec;
  EXPECT_TRUE(dec.Init(std::make_shared<const std::string>(raw), "test").ok());
  std::vector<std::vector<double>> out;
  for (size_t i = 0; i < series.size(); ++i) {
    std::vector<double> v;
    Status st = dec.Values(i, series[i].size(), &v);
    EXPECT_TRUE(st.ok()) << st.ToString();
    out.push_back(v);
  }
  return out;
}

void ExpectBitsEqual(const std::vector<std::vector<double>>& a,
                     const std::vector<std::vector<double>>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), b[i].size()) << "series " << i;
    for (size_t k = 0; k < a[i].size(); ++k) {
      ASSERT_EQ(std::bit_cast<uint64_t>(a[i][k]), std::bit_cast<uint64_t>(b[i][k]))
          << "series " << i << " sample " << k << ": " << a[i][k] << " vs " << b[i][k];
    }
  }
}

TEST(SeriesCodecTest, SpecialValuesRoundTripBitExactly) {
  const double specials[] = {model::StaleNaN(),
                             std::numeric_limits<double>::quiet_NaN(),
                             -std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             -0.0,
                             0.0,
                             std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::lowest(),
                             9007199254740993.0,  // 2^53 + 1 rounds; still must round-trip
                             1e300,
                             0.1,
                             1.0 / 3};
  std::vector<std::vector<double>> series;
  series.push_back(std::vector<double>(std::begin(specials), std::end(specials)));
  // An integer counter ending in a staleness marker, and one with a NaN in the middle.
  std::vector<double> counter;
  for (int i = 0; i < 100; ++i) counter.push_back(i * 3.0);
  counter.push_back(model::StaleNaN());
  series.push_back(counter);
  counter[50] = std::numeric_limits<double>::quiet_NaN();
  series.push_back(counter);
  // Constant series of each special.
  for (double s : specials) series.push_back(std::vector<double>(7, s));
  ExpectBitsEqual(RoundTrip(series), series);
}

TEST(SeriesCodecTest, RandomDoublesAndDecimalsRoundTrip) {
  std::mt19937_64 rng(7);
  std::vector<std::vector<double>> series;
  for (int s = 0; s < 50; ++s) {
    std::vector<double> v;
    int n = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      switch (s % 5) {
        case 0: v.push_back(std::bit_cast<double>(rng())); break;  // any bit pattern
        case 1: v.push_back(static_cast<double>(rng() % 1000) / 100); break;  // 2 decimals
        case 2: v.push_back(std::ldexp(static_cast<double>(rng() % 1000000), -20)); break;
        case 3: v.push_back(static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000)); break;
        default: v.push_back(i % 17 == 0 ? model::StaleNaN() : static_cast<double>(i * i)); break;
      }
    }
    series.push_back(v);
  }
  ExpectBitsEqual(RoundTrip(series), series);
}

TEST(SeriesCodecTest, CumulativeBucketsUseReferencesAndStaySmall) {
  // 20 cumulative buckets of one histogram: each bucket's delta is the previous bucket's plus a
  // small count. The reference encoding must beat independent deltas.
  std::mt19937_64 rng(3);
  const int n = 720;
  std::vector<std::vector<double>> series(20, std::vector<double>(n));
  std::vector<int64_t> cum(20, 0);
  for (int i = 0; i < n; ++i) {
    int64_t acc = 0;
    for (int b = 0; b < 20; ++b) {
      acc += static_cast<int64_t>(rng() % 8);
      cum[b] += acc;
      series[b][i] = static_cast<double>(cum[b]);
    }
  }
  std::string raw;
  ExpectBitsEqual(RoundTrip(series, &raw), series);
  // Independent deltas would need about 1 byte per sample (values up to ~150); references keep
  // each sample to the size of the per-bucket increment.
  EXPECT_LT(raw.size(), static_cast<size_t>(20 * n * 1.05));
  EXPECT_GT(raw.size(), static_cast<size_t>(20 * n * 0.5));
}

TEST(SeriesCodecTest, ConstantAndRegularSeriesAreTiny) {
  std::vector<std::vector<double>> series = {std::vector<double>(1000, 1767225000.123456)};
  std::vector<double> linear;
  for (int i = 0; i < 1000; ++i) linear.push_back(1000.0 + 15.0 * i);  // dod all zero
  series.push_back(linear);
  std::string raw;
  ExpectBitsEqual(RoundTrip(series, &raw), series);
  EXPECT_LT(raw.size(), 1000u + 40u);  // 9 bytes for the constant, ~1 byte/sample for the line
}

TEST(SeriesCodecTest, TimestampsRoundTrip) {
  std::vector<int64_t> ts = {1767225600003};
  std::mt19937_64 rng(1);
  for (int i = 0; i < 500; ++i) ts.push_back(ts.back() + 5000 + static_cast<int64_t>(rng() % 4) - 1);
  std::string enc;
  EncodeTimestamps(ts, &enc);
  Reader r(enc);
  std::vector<int64_t> out;
  ASSERT_TRUE(DecodeTimestamps(&r, ts.size(), &out));
  EXPECT_EQ(out, ts);
  EXPECT_TRUE(r.done());
  // A column that claims more samples than it holds fails cleanly.
  Reader r2(enc);
  EXPECT_FALSE(DecodeTimestamps(&r2, ts.size() + 5, &out));
}

TEST(SeriesCodecTest, MalformedPagesAreCorruptionNotCrashes) {
  std::vector<std::vector<double>> series = {{1, 2, 3, 4}, {2, 4, 6, 8}, {0.5, 0.25, 1e-9, 7}};
  PageEncoder enc;
  for (const auto& s : series) enc.Add(0, s);
  std::string raw = enc.Finish();
  int errors = 0;
  for (size_t cut = 0; cut < raw.size(); ++cut) {
    PageDecoder dec;
    Status st = dec.Init(std::make_shared<const std::string>(raw.substr(0, cut)), "t");
    if (st.ok()) {
      std::vector<double> v;
      for (size_t i = 0; i < dec.num_series() && st.ok(); ++i) st = dec.Values(i, 4, &v);
    }
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Code::kCorruption);
      ++errors;
    }
  }
  EXPECT_EQ(errors, static_cast<int>(raw.size()));
}

}  // namespace
}  // namespace infermetry::tsdb::blockfmt
