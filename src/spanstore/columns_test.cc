#include "spanstore/columns.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "common/env.h"
#include "spanstore/attr_columns.h"
#include "spanstore/coding.h"
#include "spanstore/log_part.h"
#include "spanstore/part_file.h"
#include "spanstore/row_codec.h"
#include "spanstore/span_part.h"
#include "spanstore/test_util.h"

namespace infermetry::spanstore {
namespace {

void RoundTripInts(const std::vector<int64_t>& v, uint8_t want_encoding) {
  std::string raw;
  EncodeInts(v, &raw);
  ASSERT_FALSE(raw.empty());
  EXPECT_EQ(static_cast<uint8_t>(raw[0]), want_encoding);
  std::vector<int64_t> back;
  ASSERT_TRUE(DecodeInts(raw, v.size(), &back).ok());
  EXPECT_EQ(back, v);
}

TEST(ColumnsTest, IntEncodingsRoundTripAndPickTheSmallest) {
  RoundTripInts({5, 5, 5, 5}, 3);                          // constant
  RoundTripInts({1000, 2000, 3000, 4000, 5000, 6000}, 2);  // delta of delta: all 0
  RoundTripInts({1, 900000, 5, 900001, 2, 700000}, 0);     // plain
  RoundTripInts({1000000000, 1000000017, 1000000020, 1000000051, 1000000052}, 1);  // delta
  RoundTripInts({INT64_MIN, INT64_MAX, 0, INT64_MIN, -1}, 0);  // wrapping arithmetic
  std::mt19937_64 rng(1);
  std::vector<int64_t> v(10000);
  int64_t t = 1700000000000000000;
  for (auto& x : v) x = t += 50000000 + static_cast<int64_t>(rng() % 1000);
  std::string raw;
  EncodeInts(v, &raw);
  std::vector<int64_t> back;
  ASSERT_TRUE(DecodeInts(raw, v.size(), &back).ok());
  EXPECT_EQ(back, v);
  EXPECT_LT(raw.size(), v.size() * 3);  // ~2 bytes per regular timestamp
}

TEST(ColumnsTest, DoublesRoundTripBitExact) {
  std::vector<double> v = {0.0, -0.0, 1.5, -1e300, 5e-324, INFINITY, -INFINITY, 0.1};
  std::string raw;
  EncodeDoubles(v, &raw);
  std::vector<double> back;
  ASSERT_TRUE(DecodeDoubles(raw, v.size(), &back).ok());
  ASSERT_EQ(back.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(std::memcmp(&back[i], &v[i], 8), 0) << i;
  }
  v.push_back(NAN);
  raw.clear();
  EncodeDoubles(v, &raw);
  ASSERT_TRUE(DecodeDoubles(raw, v.size(), &back).ok());
  EXPECT_TRUE(std::isnan(back.back()));
}

TEST(ColumnsTest, StringsPlainAndDictionary) {
  std::vector<std::string_view> low(100, "vllm");
  low[3] = "sglang";
  std::string raw;
  EncodeStrings(low, &raw);
  EXPECT_EQ(raw[0], 1);  // dictionary
  std::vector<std::string_view> back;
  std::string arena;
  ASSERT_TRUE(DecodeStrings(raw, low.size(), &back, &arena).ok());
  EXPECT_EQ(back, low);

  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.push_back("chatcmpl-" + std::to_string(i * 7919));
  std::vector<std::string_view> high(ids.begin(), ids.end());
  raw.clear();
  EncodeStrings(high, &raw);
  EXPECT_EQ(raw[0], 0);  // plain
  ASSERT_TRUE(DecodeStrings(raw, high.size(), &back, &arena).ok());
  EXPECT_EQ(back, high);
}

TEST(ColumnsTest, ScaledDoublesForTimestampDifferences) {
  // Latencies as vLLM computes them: differences of float timestamps.
  std::mt19937_64 rng(3);
  std::vector<double> v;
  double mono = 250000.0;
  for (int i = 0; i < 1000; ++i) {
    double a = mono + static_cast<double>(rng() % 1000000) / 1e6;
    double b = a + static_cast<double>(rng() % 5000000) / 1e6;
    v.push_back(i % 10 == 0 ? a - b : b - a);
    mono += 0.05;
  }
  v[5] = 0.0;
  std::string raw;
  EncodeDoubles(v, &raw);
  EXPECT_EQ(raw[0], 1);  // scaled
  std::vector<double> back;
  ASSERT_TRUE(DecodeDoubles(raw, v.size(), &back).ok());
  ASSERT_EQ(back.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(std::memcmp(&back[i], &v[i], 8), 0) << i;
  // -0.0 and NaN force the bit-exact shuffled form.
  v[6] = -0.0;
  raw.clear();
  EncodeDoubles(v, &raw);
  EXPECT_EQ(raw[0], 0);
  ASSERT_TRUE(DecodeDoubles(raw, v.size(), &back).ok());
  EXPECT_TRUE(std::signbit(back[6]));
}

TEST(ColumnsTest, HexIdsArePacked) {
  std::mt19937_64 rng(5);
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    char hex[33];
    std::snprintf(hex, sizeof(hex), "%016llx%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    ids.push_back(std::string("chatcmpl-") + hex);
  }
  ids[1] = "chatcmpl-" + std::string(32, 'a');  // hex digits right after the prefix
  std::vector<std::string_view> v(ids.begin(), ids.end());
  std::string raw;
  EncodeStrings(v, &raw);
  EXPECT_EQ(raw[0], 2);
  EXPECT_LT(raw.size(), 100u * 17 + 20);
  std::vector<std::string_view> back;
  std::string arena;
  ASSERT_TRUE(DecodeStrings(raw, v.size(), &back, &arena).ok());
  EXPECT_EQ(back, v);
  ids[50] = "chatcmpl-" + std::string(31, 'a') + "G";  // not hex: plain
  v.assign(ids.begin(), ids.end());
  raw.clear();
  EncodeStrings(v, &raw);
  EXPECT_EQ(raw[0], 0);
  ASSERT_TRUE(DecodeStrings(raw, v.size(), &back, &arena).ok());
  EXPECT_EQ(back, v);
}

TEST(ColumnsTest, MalformedColumnsAreCorruptionNotCrashes) {
  std::vector<int64_t> ints = {1, 2, 3, 400000, 5};
  std::string raw;
  EncodeInts(ints, &raw);
  std::vector<int64_t> iback;
  EXPECT_EQ(DecodeInts(raw, 4, &iback).code(), Code::kCorruption);  // wrong count
  for (size_t cut = 0; cut < raw.size(); ++cut) {
    EXPECT_EQ(DecodeInts(raw.substr(0, cut), ints.size(), &iback).code(), Code::kCorruption);
  }
  std::vector<std::string_view> strs = {"a", "bb", "a", "a"};
  std::string sraw;
  EncodeStrings(strs, &sraw);
  std::vector<std::string_view> sback;
  std::string arena;
  for (size_t cut = 0; cut < sraw.size(); ++cut) {
    EXPECT_EQ(DecodeStrings(sraw.substr(0, cut), strs.size(), &sback, &arena).code(),
              Code::kCorruption);
  }
  std::string bad = sraw;
  bad.back() = 9;  // dictionary id out of range
  EXPECT_EQ(DecodeStrings(bad, strs.size(), &sback, &arena).code(), Code::kCorruption);
  std::vector<double> dback;
  EXPECT_EQ(DecodeDoubles(std::string_view("\x00\x02"
                                           "1234567",
                                           9),
                          2, &dback)
                .code(),
            Code::kCorruption);
  EXPECT_EQ(DecodeDoubles(std::string_view("\x01\x02\x00\x09", 4), 2, &dback).code(),
            Code::kCorruption);
}

// Streams whose values take (almost) no bytes: a constant int or bool (the ints sub-column
// holds one value), all-zero doubles (scaled, width 0), or empty values. vLLM spans carry such
// attributes (gen_ai.request.n = 1, temperature 0, ...), so a full granule of them compresses
// to a few bytes; decoding must not mistake the count for an oversized one.
TEST(AttrStreamTest, CompactStreamsOfAFullGranuleRoundTrip) {
  std::vector<model::AttrValue> kinds = {testing::Int(1), testing::Bool(true), testing::Dbl(0),
                                         model::AttrValue{}, testing::Str("vllm")};
  for (const model::AttrValue& v : kinds) {
    for (size_t n : {size_t{1}, size_t{100}, size_t{200}, size_t{kGranuleRows}}) {
      std::vector<const model::AttrValue*> values(n, &v);
      AttrStream s;
      EncodeAttrStream(values, &s.raw);
      Status st = DecodeAttrStream(&s, n);
      ASSERT_TRUE(st.ok()) << "type " << static_cast<int>(v.type) << " n " << n << ": "
                           << st.ToString();
      ASSERT_EQ(s.types.size(), n);
      EXPECT_EQ(s.Get(0), v);
      EXPECT_EQ(s.Get(n - 1), v);
    }
  }
  // The count still has to be the one the layouts promise (it bounds the allocation).
  std::vector<const model::AttrValue*> values(kGranuleRows, &kinds[0]);
  AttrStream s;
  EncodeAttrStream(values, &s.raw);
  EXPECT_EQ(DecodeAttrStream(&s, kGranuleRows - 1).code(), Code::kCorruption);
  s.raw[0] = '\xff';  // a count varint that no longer matches
  EXPECT_EQ(DecodeAttrStream(&s, kGranuleRows).code(), Code::kCorruption);
}

// The same through whole parts: 8192 spans with constant int, bool, zero-double and empty
// attributes (what `emulate --simulate` wrote into its first part), and 8192 logs with one
// int body, are written, reopened and read back unchanged.
TEST(PartFileTest, ConstantAttributesOfAFullGranuleReadBack) {
  testing::TempDir dir;
  std::vector<model::Span> spans;
  for (uint64_t i = 0; i < kGranuleRows; ++i) {
    model::Span s = testing::MakeSpan(i, 1000 + static_cast<int64_t>(i));
    s.attributes.push_back({"gen_ai.request.n", testing::Int(1)});
    s.attributes.push_back({"gen_ai.request.stream", testing::Bool(false)});
    s.attributes.push_back({"gen_ai.request.temperature", testing::Dbl(0)});
    s.attributes.push_back({"nothing", model::AttrValue{}});
    spans.push_back(std::move(s));
  }
  std::vector<const model::Span*> rows;
  for (const auto& s : spans) rows.push_back(&s);
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return SpanCodec::Less(*a, *b); });
  PartBuild b = SpanCodec::Build(rows);
  ASSERT_EQ(b.granules.size(), 1u);
  std::string path = dir.path() + "/c.part";
  ASSERT_TRUE(WritePart(DefaultEnv(), path, b, PartInfo{}).ok());
  auto part = Part::Open(DefaultEnv(), path, RowKind::kSpan);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  std::vector<model::Span> back;
  Status st = SpanCodec::ReadAll(**part, &back);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(back.size(), spans.size());
  for (size_t i = 0; i < spans.size(); ++i) ASSERT_EQ(back[i], *rows[i]) << i;

  // Log bodies are one attribute stream per granule: a granule of equal int bodies.
  std::vector<model::LogRecord> logs;
  for (uint64_t i = 0; i < kGranuleRows; ++i) {
    logs.push_back(testing::MakeLog(i, 1000 + static_cast<int64_t>(i)));
    logs.back().body = testing::Int(1);
  }
  std::vector<const model::LogRecord*> log_rows;
  for (const auto& r : logs) log_rows.push_back(&r);
  std::sort(log_rows.begin(), log_rows.end(),
            [](auto* a, auto* b) { return LogCodec::Less(*a, *b); });
  std::string log_path = dir.path() + "/l.part";
  ASSERT_TRUE(WritePart(DefaultEnv(), log_path, LogCodec::Build(log_rows), PartInfo{}).ok());
  auto log_part = Part::Open(DefaultEnv(), log_path, RowKind::kLog);
  ASSERT_TRUE(log_part.ok()) << log_part.status().ToString();
  std::vector<model::LogRecord> log_back;
  st = LogCodec::ReadAll(**log_part, &log_back);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(log_back.size(), logs.size());
  for (size_t i = 0; i < logs.size(); ++i) ASSERT_EQ(log_back[i], *log_rows[i]) << i;
}

TEST(RowCodecTest, SpanBatchRoundTripAndTruncation) {
  std::vector<model::Span> spans = {testing::FullSpan(), testing::MakeSpan(1, 5)};
  std::string rec = EncodeSpanBatch(spans);
  std::vector<model::Span> back;
  ASSERT_TRUE(DecodeSpanBatch(rec, &back).ok());
  EXPECT_EQ(back, spans);
  for (size_t cut = 0; cut < rec.size(); cut += 3) {
    std::vector<model::Span> partial;
    EXPECT_EQ(DecodeSpanBatch(std::string_view(rec).substr(0, cut), &partial).code(),
              Code::kCorruption);
  }
  std::vector<model::LogRecord> logs;
  EXPECT_EQ(DecodeLogBatch(rec, &logs).code(), Code::kCorruption);  // wrong kind
}

TEST(RowCodecTest, LogBatchRoundTrip) {
  std::vector<model::LogRecord> logs = {testing::MakeLog(1, 10), testing::MakeLog(2, 20)};
  logs[1].body = testing::Dbl(2.5);
  std::vector<model::LogRecord> back;
  ASSERT_TRUE(DecodeLogBatch(EncodeLogBatch(logs), &back).ok());
  EXPECT_EQ(back, logs);
}

TEST(PartFileTest, WriteOpenAndFindTraceRows) {
  testing::TempDir dir;
  std::vector<model::Span> spans;
  for (uint64_t i = 0; i < 20000; ++i)
    spans.push_back(testing::MakeSpan(i, 1000 + static_cast<int64_t>(i)));
  std::vector<const model::Span*> rows;
  for (const auto& s : spans) rows.push_back(&s);
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return SpanCodec::Less(*a, *b); });
  PartBuild b = SpanCodec::Build(rows);
  EXPECT_EQ(b.granules.size(), 3u);  // 8192 + 8192 + 3616
  PartInfo info;
  info.seq = 7;
  info.wal_cut = 3;
  info.merged_from = {1, 2};
  std::string path = dir.path() + "/x.part";
  auto size = WritePart(DefaultEnv(), path, b, info);
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  auto part = Part::Open(DefaultEnv(), path, RowKind::kSpan);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ((*part)->rows(), 20000u);
  EXPECT_EQ((*part)->min_time(), 1000);
  EXPECT_EQ((*part)->max_time(), 20999);
  EXPECT_EQ((*part)->info().seq, 7u);
  EXPECT_EQ((*part)->info().wal_cut, 3u);
  EXPECT_EQ((*part)->info().merged_from, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ((*part)->file_size(), *size);
  int false_positives = 0;
  for (uint64_t i = 0; i < 20000; i += 7) {
    // The granule of span i (rows are sorted by start, which follows i here).
    std::vector<size_t> g = (*part)->CandidateGranules(testing::TraceIdOf(i));
    ASSERT_NE(std::find(g.begin(), g.end(), i / kGranuleRows), g.end()) << i;
    false_positives += static_cast<int>(g.size()) - 1;
    false_positives +=
        static_cast<int>((*part)->CandidateGranules(testing::TraceIdOf(i + 1000000)).size());
  }
  EXPECT_LT(false_positives, 60);  // ~0.3% of 2858 ids x 3 granules expected (~26)
  // Opening as the wrong kind is refused.
  auto wrong = Part::Open(DefaultEnv(), path, RowKind::kLog);
  EXPECT_EQ(wrong.status().code(), Code::kCorruption);
}

}  // namespace
}  // namespace infermetry::spanstore
