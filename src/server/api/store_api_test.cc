#include "server/api/store_api.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "model/sample.h"
#include "spanstore/span_store.h"
#include "tsdb/db.h"

namespace infermetry::api {
namespace {

model::AttrValue Str(std::string s) {
  model::AttrValue v;
  v.type = model::AttrValue::Type::kString;
  v.s = std::move(s);
  return v;
}

model::AttrValue Int(int64_t i) {
  model::AttrValue v;
  v.type = model::AttrValue::Type::kInt;
  v.i = i;
  return v;
}

class StoreApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("store_api_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    tsdb::Options o;
    o.dir = dir_ / "metrics";
    o.compaction_interval = std::chrono::milliseconds(0);
    auto db = tsdb::DB::Open(o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    spanstore::SpanStoreOptions so;
    so.dir = dir_;
    so.background = false;
    auto spans = spanstore::SpanStore::Open(so);
    ASSERT_TRUE(spans.ok()) << spans.status().ToString();
    spans_ = std::move(*spans);
    RegisterStoreApi(&router_, {db_.get(), spans_.get(), spans_.get()});
  }
  void TearDown() override {
    spans_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void AppendSamples() {
    auto app = db_->NewAppender();
    model::Labels a{{"__name__", "vllm:num_requests_running"}, {"engine", "0"}, {"job", "vllm"}};
    model::Labels b{{"__name__", "vllm:num_requests_running"}, {"engine", "1"}, {"job", "vllm"}};
    ASSERT_TRUE(app->UpdateMetadata(a, {"vllm:num_requests_running", model::MetricType::kGauge,
                                        "Number of requests in model execution batches.", ""})
                    .ok());
    ASSERT_TRUE(app->Append(a, 1800000000000, 1).ok());
    ASSERT_TRUE(app->Append(a, 1800000005500, 2).ok());
    ASSERT_TRUE(app->Append(a, 1800000010000, model::StaleNaN()).ok());
    ASSERT_TRUE(app->Append(b, 1800000000000, 0.25).ok());
    ASSERT_TRUE(app->Commit().ok());
  }

  http::Response Get(const std::string& target) {
    http::Request req;
    req.method = "GET";
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    http::Response resp;
    router_.Dispatch(req, &resp);
    return resp;
  }

  std::filesystem::path dir_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<spanstore::SpanStore> spans_;
  http::Router router_;
};

TEST_F(StoreApiTest, SeriesSamplesLabelsMetadata) {
  AppendSamples();
  http::Response r = Get("/api/v1/series?match[]=vllm:num_requests_running%7Bengine%3D%220%22%7D");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"status":"success","data":[{"__name__":"vllm:num_requests_running","engine":"0","job":"vllm"}]})");
  r = Get("/api/v1/samples?match[]=vllm:num_requests_running&start=1800000000&end=1800000020");
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{"__name__":"vllm:num_requests_running","engine":"0","job":"vllm"},"values":[[1800000000,"1"],[1800000005.5,"2"]]},)"
            R"({"metric":{"__name__":"vllm:num_requests_running","engine":"1","job":"vllm"},"values":[[1800000000,"0.25"]]}]}})");
  r = Get("/api/v1/samples?match[]=vllm:num_requests_running&start=2027-01-15T08:00:05.000Z&end=1800000020");
  EXPECT_NE(r.body.find("[[1800000005.5,\"2\"]]"), std::string::npos) << r.body;
  EXPECT_EQ(Get("/api/v1/labels").body, R"({"status":"success","data":["__name__","engine","job"]})");
  EXPECT_EQ(Get("/api/v1/label/engine/values").body, R"({"status":"success","data":["0","1"]})");
  EXPECT_EQ(Get("/api/v1/metadata").body,
            R"({"status":"success","data":{"vllm:num_requests_running":[{"type":"gauge","help":"Number of requests in model execution batches.","unit":""}]}})");
}

TEST_F(StoreApiTest, BadRequestsSayWhy) {
  http::Response r = Get("/api/v1/series");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"status":"error","errorType":"bad_data","error":"no match[] parameter provided"})");
  r = Get("/api/v1/series?match[]=up%7B");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("expected a label name or '}' at offset 3"), std::string::npos) << r.body;
  r = Get("/api/v1/samples?match[]=up&start=yesterday");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"(invalid parameter \"start\": cannot parse \"yesterday\" to a valid timestamp)"), std::string::npos) << r.body;
  EXPECT_EQ(Get("/api/v1/traces/xyz").status, 400);
  EXPECT_EQ(Get("/api/v1/traces/0123456789abcdef0123456789abcdef").status, 404);
  EXPECT_EQ(Get("/api/v1/spans?status=maybe").status, 400);
  EXPECT_EQ(Get("/api/v1/spans?limit=0").status, 400);
  r = Get("/api/v1/spans?order=longest");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("parameter order: want start or duration"), std::string::npos) << r.body;
}

TEST_F(StoreApiTest, SpansSlowestFirst) {
  // Durations 3, 9, 1, 7, 5 s, newest last.
  const int seconds[] = {3, 9, 1, 7, 5};
  std::vector<model::Span> spans(5);
  for (int i = 0; i < 5; ++i) {
    model::Span& s = spans[i];
    s.trace_id[15] = static_cast<uint8_t>(i + 1);
    s.span_id[7] = static_cast<uint8_t>(i + 1);
    s.name = "llm_request";
    s.service_name = "vllm";
    s.start_ns = 1800000000000000000 + int64_t{i} * 1000000000;
    s.end_ns = s.start_ns + int64_t{seconds[i]} * 1000000000;
  }
  ASSERT_TRUE(spans_->IngestSpans(spans).ok());
  auto durations = [](const std::string& body) {
    std::vector<std::string> out;
    for (size_t at = body.find("\"durationNano\":\""); at != std::string::npos;
         at = body.find("\"durationNano\":\"", at + 1)) {
      out.push_back(body.substr(at + 16, 1));
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(durations(Get("/api/v1/spans?name=llm_request&order=duration&limit=3").body), (V{"9", "7", "5"}));
  EXPECT_EQ(durations(Get("/api/v1/spans?name=llm_request&limit=3").body), (V{"5", "7", "1"}));  // newest first
  // Within a time range: starts in [1800000001, 1800000003] s are the 9, 1 and 7 s spans.
  EXPECT_EQ(durations(Get("/api/v1/spans?order=duration&start=1800000001&end=1800000003").body), (V{"9", "7", "1"}));
}

TEST_F(StoreApiTest, TracesSpansAndLogs) {
  std::vector<model::Span> spans(2);
  for (int i = 0; i < 2; ++i) {
    model::Span& s = spans[i];
    ASSERT_TRUE(model::ParseHexId("5b8efff798038103d269b633813fc60c", s.trace_id));
    s.span_id[7] = static_cast<uint8_t>(i + 1);
    if (i == 1) s.parent_span_id[7] = 1;
    s.name = i == 0 ? "llm_request" : "decode";
    s.service_name = "vllm";
    s.resource_attributes = {{"service.name", Str("vllm")}};
    s.start_ns = 1800000000000000000 + i * 1000;
    s.end_ns = s.start_ns + 2000000000 - i * 1000000000;
    s.status_code = i == 0 ? 2 : 0;
    s.attributes = {{"gen_ai.usage.prompt_tokens", Int(42 + i)}};
  }
  ASSERT_TRUE(spans_->IngestSpans(spans).ok());
  http::Response r = Get("/api/v1/traces/5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("spanId":"0000000000000001","parentSpanId":"","name":"llm_request","kind":0,)"
                        R"("startTimeUnixNano":"1800000000000000000","endTimeUnixNano":"1800000002000000000",)"
                        R"("durationNano":"2000000000","status":{"code":2,"message":""},"serviceName":"vllm",)"
                        R"("attributes":{"gen_ai.usage.prompt_tokens":42})"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("parentSpanId":"0000000000000001","name":"decode")"), std::string::npos);
  r = Get("/api/v1/spans?service=vllm&min_duration=1500ms");
  EXPECT_NE(r.body.find("llm_request"), std::string::npos);
  EXPECT_EQ(r.body.find("decode"), std::string::npos) << r.body;
  r = Get("/api/v1/spans?attr.gen_ai.usage.prompt_tokens=43");
  EXPECT_NE(r.body.find("decode"), std::string::npos);
  EXPECT_EQ(r.body.find("llm_request"), std::string::npos) << r.body;
  r = Get("/api/v1/spans?status=error");
  EXPECT_NE(r.body.find("llm_request"), std::string::npos);
  EXPECT_EQ(r.body.find("decode"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/services").body, R"({"status":"success","data":["vllm"]})");

  model::LogRecord log;
  log.time_ns = 1800000000000000000;
  log.severity_number = 17;
  log.severity_text = "ERROR";
  log.body = Str("KV cache is full; preempting request cmpl-7");
  log.service_name = "vllm";
  ASSERT_TRUE(spans_->IngestLogs({log}).ok());
  r = Get("/api/v1/logs?q=preempting&min_severity=17");
  EXPECT_NE(r.body.find(R"("severityNumber":17,"severityText":"ERROR","body":"KV cache is full; preempting request cmpl-7")"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(Get("/api/v1/logs?q=nothing-like-this").body, R"({"status":"success","data":[]})");
}

}  // namespace
}  // namespace infermetry::api
