#include "server/api/prom_api.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <mutex>

namespace infermetry::api {
namespace {

// Records what it was asked and answers with a canned result.
class FakeBackend : public PromQueryBackend {
 public:
  Result<promql::QueryResult> Instant(std::string_view expr, int64_t t_ms,
                                      std::optional<std::chrono::milliseconds> timeout) const override {
    std::lock_guard l(mu_);
    last_expr = std::string(expr);
    last_t = t_ms;
    last_timeout = timeout;
    if (!error.ok()) return error;
    return result;
  }
  Result<promql::QueryResult> Range(std::string_view expr, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                    std::optional<std::chrono::milliseconds> timeout) const override {
    std::lock_guard l(mu_);
    last_expr = std::string(expr);
    last_t = start_ms;
    last_end = end_ms;
    last_step = step_ms;
    last_timeout = timeout;
    if (!error.ok()) return error;
    return result;
  }

  promql::QueryResult result;
  Status error;
  mutable std::mutex mu_;
  mutable std::string last_expr;
  mutable int64_t last_t = 0, last_end = 0, last_step = 0;
  mutable std::optional<std::chrono::milliseconds> last_timeout;
};

class PromApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterPromApi(&router_, {&backend_, [] { return int64_t{1700000000123}; }});
  }

  http::Response Do(const std::string& method, const std::string& target, const std::string& form = "") {
    http::Request req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    if (!form.empty()) {
      req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
      req.body = form;
    }
    http::Response resp;
    router_.Dispatch(req, &resp);
    return resp;
  }

  static promql::Series S(model::Labels ls, std::vector<promql::Point> pts) { return {std::move(ls), std::move(pts)}; }

  FakeBackend backend_;
  http::Router router_;
};

TEST_F(PromApiTest, InstantVectorGet) {
  backend_.result.type = promql::ValueType::kVector;
  backend_.result.series = {
      S({{"__name__", "vllm:num_requests_running"}, {"model_name", "m"}}, {{1700000000000, 3}}),
      S({{"model_name", "n"}}, {{1700000000000, std::numeric_limits<double>::infinity()}})};
  http::Response r = Do("GET", "/api/v1/query?query=vllm%3Anum_requests_running&time=1700000000");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"vector","result":[)"
                    R"({"metric":{"__name__":"vllm:num_requests_running","model_name":"m"},"value":[1700000000,"3"]},)"
                    R"({"metric":{"model_name":"n"},"value":[1700000000,"+Inf"]}]}})");
  EXPECT_EQ(backend_.last_expr, "vllm:num_requests_running");
  EXPECT_EQ(backend_.last_t, 1700000000000);
  EXPECT_FALSE(backend_.last_timeout.has_value());
}

TEST_F(PromApiTest, InstantDefaultsToNowAndTakesFormPosts) {
  backend_.result.type = promql::ValueType::kScalar;
  backend_.result.scalar = {1700000000123, 0.5};
  http::Response r = Do("POST", "/api/v1/query", "query=scalar%28x%29+%2A+2&timeout=30s");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.123,"0.5"]}})");
  EXPECT_EQ(backend_.last_expr, "scalar(x) * 2");
  EXPECT_EQ(backend_.last_t, 1700000000123);
  ASSERT_TRUE(backend_.last_timeout.has_value());
  EXPECT_EQ(backend_.last_timeout->count(), 30000);
}

TEST_F(PromApiTest, StringAndEmptyResults) {
  backend_.result.type = promql::ValueType::kString;
  backend_.result.string = "a\"b";
  backend_.result.string_t_ms = 1000;
  EXPECT_EQ(Do("GET", "/api/v1/query?query=%22a%5C%22b%22&time=1").body,
            R"({"status":"success","data":{"resultType":"string","result":[1,"a\"b"]}})");
  backend_.result = {};
  backend_.result.type = promql::ValueType::kMatrix;
  EXPECT_EQ(Do("GET", "/api/v1/query_range?query=x&start=1&end=2&step=1").body,
            R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
}

TEST_F(PromApiTest, RangeMatrixWithWarnings) {
  backend_.result.type = promql::ValueType::kMatrix;
  backend_.result.series = {S({{"job", "vllm"}}, {{1700000000000, 1}, {1700000015000, std::nan("")}, {1700000030500, 1e-9}})};
  backend_.result.warnings = {"something odd"};
  for (auto r : {Do("GET", "/api/v1/query_range?query=up&start=2023-11-14T22:13:20Z&end=1700000030.5&step=15s"),
                 Do("POST", "/api/v1/query_range", "query=up&start=1700000000&end=1700000030.5&step=15")}) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"matrix","result":[)"
                      R"({"metric":{"job":"vllm"},"values":[[1700000000,"1"],[1700000015,"NaN"],[1700000030.500,"1e-09"]]}]},)"
                      R"("warnings":["something odd"]})");
    EXPECT_EQ(backend_.last_t, 1700000000000);
    EXPECT_EQ(backend_.last_end, 1700000030500);
    EXPECT_EQ(backend_.last_step, 15000);
  }
}

TEST_F(PromApiTest, BadParametersAreBadData) {
  struct Case {
    std::string target, error;
  };
  for (const Case& c : std::vector<Case>{
           {"/api/v1/query?query=up&time=yesterday",
            R"(invalid parameter \"time\": cannot parse \"yesterday\" to a valid timestamp)"},
           {"/api/v1/query?query=up&timeout=soon", R"(invalid parameter \"timeout\": cannot parse \"soon\" to a valid duration)"},
           {"/api/v1/query_range?query=up&end=2&step=1", R"(invalid parameter \"start\": cannot parse \"\" to a valid timestamp)"},
           {"/api/v1/query_range?query=up&start=2&end=1&step=1",
            R"(invalid parameter \"end\": end timestamp must not be before start time)"},
           {"/api/v1/query_range?query=up&start=1&end=2", R"(invalid parameter \"step\": cannot parse \"\" to a valid duration)"},
           {"/api/v1/query_range?query=up&start=1&end=2&step=0",
            R"(invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer)"},
           {"/api/v1/query_range?query=up&start=0&end=11001&step=1",
            R"x(exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX))x"},
       }) {
    http::Response r = Do("GET", c.target);
    EXPECT_EQ(r.status, 400) << c.target;
    EXPECT_EQ(r.body, R"({"status":"error","errorType":"bad_data","error":")" + c.error + "\"}") << c.target;
  }
  EXPECT_EQ(Do("GET", "/api/v1/query_range?query=up&start=0&end=11000&step=1").status, 200);
}

TEST_F(PromApiTest, EngineErrorsMapToErrorTypes) {
  struct Case {
    Status st;
    int http;
    std::string body;
  };
  for (const Case& c : std::vector<Case>{
           {ParseError("1:4: parse error: unexpected end of input"), 400,
            R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:4: parse error: unexpected end of input"})"},
           {Status(Code::kInvalidArgument, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"),
            422,
            R"x({"status":"error","errorType":"execution","error":"multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"})x"},
           {ResourceExhausted("query processing would load too many samples into memory in query execution"), 422,
            R"({"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"})"},
           {DeadlineExceeded("query timed out in expression evaluation"), 503,
            R"({"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"})"},
           {Status(Code::kCancelled, "query was canceled in expression evaluation"), 503,
            R"({"status":"error","errorType":"canceled","error":"query was canceled in expression evaluation"})"},
           {IoError("reading chunk 7: short read"), 500,
            R"({"status":"error","errorType":"internal","error":"reading chunk 7: short read"})"},
       }) {
    backend_.error = c.st;
    http::Response r = Do("GET", "/api/v1/query?query=x");
    EXPECT_EQ(r.status, c.http) << c.st.ToString();
    EXPECT_EQ(r.body, c.body);
    r = Do("POST", "/api/v1/query_range", "query=x&start=1&end=2&step=1");
    EXPECT_EQ(r.status, c.http) << c.st.ToString();
    EXPECT_EQ(r.body, c.body);
  }
}

TEST_F(PromApiTest, BuildInfoLooksLikePrometheus) {
  http::Response r = Do("GET", "/api/v1/status/buildinfo");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("data":{"version":"2.42.0",)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("application":"infermetry")"), std::string::npos) << r.body;
  EXPECT_EQ(Do("GET", "/api/v1/query_exemplars?query=x&start=1&end=2").body, R"({"status":"success","data":[]})");
}

TEST(PromApiNoEngineTest, Unavailable) {
  http::Router router;
  RegisterPromApi(&router, {}, /*with_query=*/false);
  http::Request req;
  req.method = "GET";
  req.path = "/api/v1/query_range";
  http::Response resp;
  router.Dispatch(req, &resp);
  EXPECT_EQ(resp.status, 503);
  EXPECT_EQ(resp.body, R"({"status":"error","errorType":"unavailable","error":"the PromQL engine is not enabled in this process"})");
  req.path = "/api/v1/query";
  http::Response missing;
  router.Dispatch(req, &missing);
  EXPECT_EQ(missing.status, 404);
}

}  // namespace
}  // namespace infermetry::api
