// The query routes on the real engine over a real TSDB, through the HTTP router.
#include <gtest/gtest.h>

#include <filesystem>

#include "model/sample.h"
#include "server/api/prom_api.h"
#include "server/api/remote_write.h"
#include "tsdb/db.h"

namespace infermetry::api {
namespace {

class PromEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("prom_engine_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    tsdb::Options o;
    o.dir = dir_;
    o.compaction_interval = std::chrono::milliseconds(0);
    auto db = tsdb::DB::Open(o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    backend_ = NewEngineBackend(db_.get());
    RegisterPromApi(&router_, {backend_.get(), [] { return int64_t{1700000060000}; }});
    RegisterRemoteWrite(&router_, {db_.get()});
  }
  void TearDown() override {
    backend_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  http::Response Do(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::string& content_type = "application/x-www-form-urlencoded") {
    http::Request req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    if (!body.empty()) {
      req.headers = {{"Content-Type", content_type}};
      if (content_type == "application/x-protobuf") req.headers.push_back({"Content-Encoding", "snappy"});
      req.body = body;
    }
    http::Response resp;
    router_.Dispatch(req, &resp);
    return resp;
  }

  // Remote-writes a counter rising by 10 every 15 s from 1700000000, and a stale gauge.
  void Load() {
    RemoteWriteRequest req;
    RemoteWriteSeries tokens{{{"__name__", "vllm:generation_tokens_total"}, {"model_name", "m"}}, {}};
    for (int i = 0; i <= 8; ++i) tokens.samples.push_back({1700000000000 + i * 15000, 10.0 * i});
    RemoteWriteSeries running{{{"__name__", "vllm:num_requests_running"}, {"model_name", "m"}},
                              {{1700000000000, 3}, {1700000015000, model::StaleNaN()}}};
    req.series = {tokens, running};
    http::Response r = Do("POST", "/api/v1/write", SnappyCompress(EncodeWriteRequest(req)), "application/x-protobuf");
    ASSERT_EQ(r.status, 204) << r.body;
  }

  std::filesystem::path dir_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<PromQueryBackend> backend_;
  http::Router router_;
};

TEST_F(PromEngineTest, RemoteWrittenDataAnswersQueries) {
  Load();
  http::Response r = Do("GET", "/api/v1/query?query=rate(vllm:generation_tokens_total%5B1m%5D)&time=1700000120");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"vector","result":[)"
                    R"({"metric":{"model_name":"m"},"value":[1700000120,"0.6666666666666666"]}]}})");
  // The staleness marker ends the gauge at 1700000015: nothing at 1700000020.
  r = Do("POST", "/api/v1/query_range",
         "query=vllm%3Anum_requests_running&start=1700000000&end=1700000020&step=5");
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"matrix","result":[)"
                    R"({"metric":{"__name__":"vllm:num_requests_running","model_name":"m"},)"
                    R"("values":[[1700000000,"3"],[1700000005,"3"],[1700000010,"3"]]}]}})");
  r = Do("GET", "/api/v1/query?query=1%2B1");
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"scalar","result":[1700000060,"2"]}})");
  r = Do("GET", "/api/v1/query?query=vllm:generation_tokens_total%5B20s%5D&time=1700000030");
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"matrix","result":[)"
                    R"({"metric":{"__name__":"vllm:generation_tokens_total","model_name":"m"},)"
                    R"("values":[[1700000015,"10"],[1700000030,"20"]]}]}})");
}

TEST_F(PromEngineTest, ErrorsAsPrometheusAnswersThem) {
  Load();
  http::Response r = Do("GET", "/api/v1/query?query=rate(x)");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"("errorType":"bad_data","error":"invalid parameter \"query\": 1:)"), std::string::npos)
      << r.body;
  r = Do("GET", "/api/v1/query_range?query=x%5B5m%5D&start=1&end=2&step=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"(invalid expression type \"range vector\" for range query)"), std::string::npos) << r.body;
  // Both series lose their name and then have the same labels: an evaluation error.
  r = Do("GET", "/api/v1/query?query=%7B__name__%3D~%22vllm%3A.*%22%7D%20*%201&time=1700000010");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find(R"("errorType":"execution","error":"vector cannot contain metrics with the same labelset")"),
            std::string::npos)
      << r.body;
}

}  // namespace
}  // namespace infermetry::api
