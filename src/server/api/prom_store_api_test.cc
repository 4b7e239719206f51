// The metrics routes of the store API (store_api.h) as Prometheus clients call them: POST
// forms, Prometheus's time spellings and errors.
#include <gtest/gtest.h>

#include <filesystem>

#include "server/api/store_api.h"
#include "tsdb/db.h"

namespace infermetry::api {
namespace {

class PromStoreApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("prom_store_api_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    tsdb::Options o;
    o.dir = dir_;
    o.compaction_interval = std::chrono::milliseconds(0);
    auto db = tsdb::DB::Open(o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    RegisterStoreApi(&router_, {db_.get(), nullptr, nullptr});
    auto app = db_->NewAppender();
    ASSERT_TRUE(app->Append({{"__name__", "vllm:num_requests_running"}, {"model_name", "m"}}, 1700000000000, 1).ok());
    ASSERT_TRUE(app->Append({{"__name__", "vllm:num_requests_waiting"}, {"model_name", "m"}}, 1700000000000, 0).ok());
    ASSERT_TRUE(app->Append({{"__name__", "vllm:num_requests_waiting"}, {"model_name", "n"}}, 1700000100000, 0).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  http::Response Do(const std::string& method, const std::string& target, const std::string& form = "") {
    http::Request req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    if (method == "POST") {
      req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
      req.body = form;
    }
    http::Response resp;
    router_.Dispatch(req, &resp);
    return resp;
  }

  std::filesystem::path dir_;
  std::unique_ptr<tsdb::DB> db_;
  http::Router router_;
};

TEST_F(PromStoreApiTest, SeriesAndLabelsTakeFormPosts) {
  http::Response r = Do("POST", "/api/v1/series",
                        "match%5B%5D=vllm%3Anum_requests_waiting&start=2023-11-14T22:13:20Z&end=1700000050");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success","data":[{"__name__":"vllm:num_requests_waiting","model_name":"m"}]})");
  r = Do("POST", "/api/v1/series", "match[]=vllm:num_requests_running&match[]={model_name=\"n\"}");
  EXPECT_EQ(r.body, R"({"status":"success","data":[{"__name__":"vllm:num_requests_running","model_name":"m"},)"
                    R"({"__name__":"vllm:num_requests_waiting","model_name":"n"}]})");
  r = Do("POST", "/api/v1/labels", "start=1700000000&end=1700000001");
  EXPECT_EQ(r.body, R"({"status":"success","data":["__name__","model_name"]})");
  r = Do("GET", "/api/v1/label/model_name/values?match[]=vllm:num_requests_waiting&start=1700000099.5");
  EXPECT_EQ(r.body, R"({"status":"success","data":["n"]})");
  r = Do("GET", "/api/v1/label/__name__/values");
  EXPECT_EQ(r.body, R"({"status":"success","data":["vllm:num_requests_running","vllm:num_requests_waiting"]})");
}

TEST_F(PromStoreApiTest, PrometheusErrors) {
  http::Response r = Do("GET", "/api/v1/series?match[]=up&start=yesterday");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": cannot parse \"yesterday\" to a valid timestamp"})");
  r = Do("POST", "/api/v1/labels", "start=2&end=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"})");
  r = Do("GET", "/api/v1/label/bad-name/values");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"status":"error","errorType":"bad_data","error":"invalid label name: \"bad-name\""})");
  EXPECT_EQ(Do("POST", "/api/v1/series", "").status, 400);
}

}  // namespace
}  // namespace infermetry::api
