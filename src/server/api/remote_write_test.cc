#include "server/api/remote_write.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "common/self_metrics.h"
#include "model/sample.h"
#include "tsdb/db.h"

namespace infermetry::api {
namespace {

class RemoteWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("remote_write_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    tsdb::Options o;
    o.dir = dir_;
    o.compaction_interval = std::chrono::milliseconds(0);
    auto db = tsdb::DB::Open(o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    RegisterRemoteWrite(&router_, {db_.get()});
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  http::Response Post(std::string body, std::string encoding = "snappy") {
    http::Request req;
    req.method = "POST";
    req.path = req.target = "/api/v1/write";
    req.headers = {{"Content-Type", "application/x-protobuf"},
                   {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
    if (!encoding.empty()) req.headers.push_back({"Content-Encoding", encoding});
    req.body = std::move(body);
    http::Response resp;
    router_.Dispatch(req, &resp);
    return resp;
  }

  // Every sample of series matching name, as (t, value bits).
  std::vector<std::pair<int64_t, uint64_t>> Read(const model::Labels& ls) {
    auto q = db_->NewQuerier(0, INT64_MAX / 2);
    EXPECT_TRUE(q.ok());
    auto m = storage::Matcher::Make(storage::Matcher::Op::kEq, "__name__", std::string(ls.MetricName()));
    std::vector<std::pair<int64_t, uint64_t>> out;
    auto set = (*q)->Select({0, INT64_MAX / 2}, std::span(&*m, 1));
    while (set->Next()) {
      if (!(set->labels() == ls)) continue;
      auto it = set->Samples();
      while (it->Next()) {
        double v = it->v();
        uint64_t bits;
        std::memcpy(&bits, &v, 8);
        out.push_back({it->t(), bits});
      }
    }
    return out;
  }

  static uint64_t Bits(double v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return b;
  }

  std::filesystem::path dir_;
  std::unique_ptr<tsdb::DB> db_;
  http::Router router_;
};

const model::Labels kRunning{{"__name__", "vllm:num_requests_running"}, {"job", "vllm"}, {"model_name", "m"}};
const model::Labels kTokens{{"__name__", "vllm:generation_tokens_total"}, {"job", "vllm"}};

TEST_F(RemoteWriteTest, EncodeDecodeRoundTrip) {
  RemoteWriteRequest req;
  req.series = {{kRunning, {{1000, 1.5}, {2000, -3}, {3000, model::StaleNaN()}}}, {kTokens, {{-5, 1e300}}}};
  req.metadata = {{"vllm:generation_tokens_total", model::MetricType::kCounter, "Tokens.", ""}};
  auto back = DecodeWriteRequest(EncodeWriteRequest(req));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->series.size(), 2u);
  EXPECT_EQ(back->series[0].labels, kRunning);
  ASSERT_EQ(back->series[0].samples.size(), 3u);
  EXPECT_EQ(back->series[0].samples[1].t_ms, 2000);
  EXPECT_EQ(back->series[0].samples[1].v, -3);
  EXPECT_TRUE(model::IsStaleNaN(back->series[0].samples[2].v));
  EXPECT_EQ(back->series[1].samples[0].t_ms, -5);
  ASSERT_EQ(back->metadata.size(), 1u);
  EXPECT_EQ(back->metadata[0].family, "vllm:generation_tokens_total");
  EXPECT_EQ(back->metadata[0].type, model::MetricType::kCounter);
  EXPECT_EQ(back->metadata[0].help, "Tokens.");
}

// Bytes as a protobuf encoder writes them, with labels out of order and unknown fields.
TEST_F(RemoteWriteTest, DecodesHandWrittenProtobuf) {
  std::string label_job = std::string("\x0a\x03job\x12\x01x", 8);
  std::string label_name = std::string("\x0a\x08__name__\x12\x02up", 14);
  std::string sample = std::string("\x09", 1) + std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8) +  // 1.0
                       std::string("\x10\xe8\x07", 3);                                                // t=1000
  std::string unknown = std::string("\x2a\x01z", 3);  // field 5, bytes: skipped
  std::string ts = "\x0a" + std::string(1, static_cast<char>(label_job.size())) + label_job + "\x0a" +
                   std::string(1, static_cast<char>(label_name.size())) + label_name + "\x12" +
                   std::string(1, static_cast<char>(sample.size())) + sample + unknown;
  std::string req = "\x0a" + std::string(1, static_cast<char>(ts.size())) + ts;
  auto r = DecodeWriteRequest(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].labels, (model::Labels{{"__name__", "up"}, {"job", "x"}}));
  ASSERT_EQ(r->series[0].samples.size(), 1u);
  EXPECT_EQ(r->series[0].samples[0].t_ms, 1000);
  EXPECT_EQ(r->series[0].samples[0].v, 1.0);
}

TEST_F(RemoteWriteTest, DecodeErrorsSayWhereAndWhy) {
  auto r = DecodeWriteRequest(std::string("\x0a\x05\x0a\x09", 4));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kParseError);
  EXPECT_EQ(r.status().message(), "remote write: malformed protobuf at byte 2: length 5 runs past the end");
  RemoteWriteRequest bad;
  bad.series = {{model::Labels{{"job", "x"}}, {{1, 1}}}};
  r = DecodeWriteRequest(EncodeWriteRequest(bad));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "remote write: series {job=\"x\"} at byte 2 has no __name__ label");
  bad.series = {{model::Labels{{"__name__", "x"}, {"bad-name", "1"}}, {{1, 1}}}};
  EXPECT_EQ(DecodeWriteRequest(EncodeWriteRequest(bad)).status().message(),
            "remote write: series at byte 2: invalid label name \"bad-name\"");
}

TEST_F(RemoteWriteTest, AppendsIntoTheStoreAndKeepsStaleMarkers) {
  RemoteWriteRequest req;
  req.series = {{kRunning, {{1000, 1.5}, {2000, 2}, {3000, model::StaleNaN()}}}, {kTokens, {{1000, 10}}}};
  req.metadata = {{"vllm:generation_tokens_total", model::MetricType::kCounter, "Number of generation tokens.", ""}};
  http::Response r = Post(SnappyCompress(EncodeWriteRequest(req)));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(Read(kRunning), (std::vector<std::pair<int64_t, uint64_t>>{
                                {1000, Bits(1.5)}, {2000, Bits(2)}, {3000, model::kStaleNaNBits}}));
  EXPECT_EQ(Read(kTokens).size(), 1u);
  auto q = db_->NewQuerier(0, 10000);
  ASSERT_TRUE(q.ok());
  auto md = (*q)->Metadata("vllm:generation_tokens_total");
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].metadata.type, model::MetricType::kCounter);
  EXPECT_EQ(md[0].metadata.help, "Number of generation tokens.");
  // The newest samples sent again (a retry): identical samples are no-ops, not errors.
  req.series = {{kRunning, {{3000, model::StaleNaN()}}}, {kTokens, {{1000, 10}}}};
  EXPECT_EQ(Post(SnappyCompress(EncodeWriteRequest(req))).status, 204);
}

TEST_F(RemoteWriteTest, OutOfOrderAndDuplicatesAreCountedAndRejectedWith400) {
  RemoteWriteRequest req;
  req.series = {{kRunning, {{5000, 1}}}};
  ASSERT_EQ(Post(SnappyCompress(EncodeWriteRequest(req))).status, 204);
  auto& family = selfmon::Default().AddCounter("infermetry_remote_write_samples_total", "", {"result"});
  const double ooo_before = family.With({"out_of_order"}).Value();
  const double dup_before = family.With({"duplicate"}).Value();
  req.series = {{kRunning, {{1000, 1}, {5000, 2}, {6000, 3}}}, {kTokens, {{1000, 10}}}};
  http::Response r = Post(SnappyCompress(EncodeWriteRequest(req)));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("2 sample(s) rejected (1 out of order, 1 duplicate, 0 too old)"), std::string::npos) << r.body;
  EXPECT_EQ(family.With({"out_of_order"}).Value(), ooo_before + 1);
  EXPECT_EQ(family.With({"duplicate"}).Value(), dup_before + 1);
  // The acceptable samples were kept.
  EXPECT_EQ(Read(kRunning), (std::vector<std::pair<int64_t, uint64_t>>{{5000, Bits(1)}, {6000, Bits(3)}}));
  EXPECT_EQ(Read(kTokens).size(), 1u);
}

TEST_F(RemoteWriteTest, BadBodiesAre400AndAppendNothing) {
  http::Response r = Post("not snappy at all");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("snappy"), std::string::npos) << r.body;
  RemoteWriteRequest bad;
  bad.series = {{kTokens, {{1000, 1}}}, {model::Labels{{"job", "x"}}, {{1, 1}}}};
  r = Post(SnappyCompress(EncodeWriteRequest(bad)));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("has no __name__ label"), std::string::npos) << r.body;
  EXPECT_TRUE(Read(kTokens).empty());
  r = Post(SnappyCompress(std::string(10, '\xff')));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("malformed protobuf at byte 10: varint longer than 10 bytes"), std::string::npos) << r.body;
  EXPECT_EQ(Post("x", "gzip2").status, 415);
}

TEST_F(RemoteWriteTest, DecodedSizeLimit) {
  auto r = SnappyUncompress(SnappyCompress(std::string(1000, 'a')), 999);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  auto ok = SnappyUncompress(SnappyCompress(std::string(1000, 'a')), 1000);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, std::string(1000, 'a'));
}

}  // namespace
}  // namespace infermetry::api
