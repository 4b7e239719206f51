#include "tsdb/record/record.h"

#include <gtest/gtest.h>

#include <bit>
#include <limits>

#include "model/sample.h"

namespace infermetry::tsdb::record {
namespace {

TEST(RecordTest, SeriesRoundTrip) {
  std::vector<std::string_view> n1 = {"__name__", "job"}, v1 = {"up", "vllm"};
  std::vector<std::string_view> n2 = {"__name__"}, v2 = {"x"};
  std::vector<SeriesView> in = {{7, n1, v1}, {1ull << 40, n2, v2}};
  std::string rec;
  EncodeSeries(in, &rec);
  Type t;
  ASSERT_TRUE(PeekType(rec, &t).ok());
  EXPECT_EQ(t, Type::kSeries);
  std::vector<RefSeries> out;
  ASSERT_TRUE(DecodeSeries(rec, &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].ref, 7u);
  EXPECT_EQ(out[0].labels, (model::Labels{{"__name__", "up"}, {"job", "vllm"}}));
  EXPECT_EQ(out[1].ref, 1ull << 40);
}

TEST(RecordTest, SamplesRoundTripBitExact) {
  std::vector<RefSample> in = {{5, 1000, 1.5},
                               {3, 1000, model::StaleNaN()},
                               {900, -5, std::numeric_limits<double>::quiet_NaN()},
                               {1, std::numeric_limits<int64_t>::max(), -0.0},
                               {2, std::numeric_limits<int64_t>::min(), 1e300}};
  std::string rec;
  EncodeSamples(in, &rec);
  std::vector<RefSample> out;
  ASSERT_TRUE(DecodeSamples(rec, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref);
    EXPECT_EQ(out[i].t, in[i].t);
    EXPECT_EQ(std::bit_cast<uint64_t>(out[i].v), std::bit_cast<uint64_t>(in[i].v));
  }
}

TEST(RecordTest, SamplesMatchTheDocumentedExample) {
  // docs/format/tsdb-wal-records.md, "Samples record".
  std::vector<RefSample> in = {{7, 1000, 1.0}, {9, 1000, 2.0}};
  std::string rec;
  EncodeSamples(in, &rec);
  const unsigned char want[] = {0x02, 0x01, 0x07, 0xd0, 0x0f, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0xf0,
                                0x3f, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x40};
  EXPECT_EQ(rec, std::string(reinterpret_cast<const char*>(want), sizeof(want)));
}

TEST(RecordTest, ScrapeBatchIsCompact) {
  std::vector<RefSample> in;
  for (uint64_t r = 1000; r < 1400; ++r) in.push_back({r, 1700000000000, double(r)});
  std::string rec;
  EncodeSamples(in, &rec);
  EXPECT_LE(rec.size(), 2 + 10 + 400 * 10u);  // 1-byte ref delta, 1-byte time delta, 8-byte value
}

TEST(RecordTest, MetadataRoundTrip) {
  storage::Metadata md;
  md.type = model::MetricType::kHistogram;
  md.help = "Latency.";
  md.unit = "seconds";
  std::vector<RefMetadata> in = {{"vllm:e2e_request_latency_seconds", md}};
  std::string rec;
  EncodeMetadata(in, &rec);
  std::vector<RefMetadata> out;
  ASSERT_TRUE(DecodeMetadata(rec, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].family, "vllm:e2e_request_latency_seconds");
  EXPECT_EQ(out[0].md.type, model::MetricType::kHistogram);
  EXPECT_EQ(out[0].md.help, "Latency.");
  EXPECT_EQ(out[0].md.unit, "seconds");
}

TEST(RecordTest, VersionAndCorruptionAreChecked) {
  std::vector<RefSample> in = {{5, 1000, 1.5}, {6, 1001, 2.5}};
  std::string rec;
  EncodeSamples(in, &rec);
  std::string bad = rec;
  bad[1] = 9;
  std::vector<RefSample> out;
  Status st = DecodeSamples(bad, &out);
  EXPECT_EQ(st.code(), Code::kCorruption);
  EXPECT_NE(st.message().find("version 9"), std::string::npos) << st.message();
  for (size_t cut = 0; cut < rec.size(); ++cut) {
    out.clear();
    Status s = DecodeSamples(std::string_view(rec).substr(0, cut), &out);
    if (cut > 2) {
      EXPECT_TRUE(s.code() == Code::kCorruption || out.size() < in.size()) << cut;
    }
  }
  bad = rec;
  bad[0] = 77;
  Type t;
  EXPECT_EQ(PeekType(bad, &t).code(), Code::kCorruption);
}

}  // namespace
}  // namespace infermetry::tsdb::record
