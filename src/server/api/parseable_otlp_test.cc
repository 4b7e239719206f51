// OTLP/HTTP with X-P-Stream into a real store, and the whole API on a real server: the guide's
// Collector export and curl query.

#include "server/api/parseable_otlp.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/gzip.h"
#include "common/http_client.h"
#include "query/sql/catalog/store_catalog.h"
#include "server/api/parseable_api.h"
#include "server/http/server.h"
#include "spanstore/span_store.h"
#include "tsdb/db.h"

namespace infermetry::api {
namespace {

using opentelemetry::proto::common::v1::KeyValue;

constexpr int64_t kT0Ms = 1714557600000;  // 2024-05-01T10:00:00Z

void AddAttr(google::protobuf::RepeatedPtrField<KeyValue>* attrs, const std::string& k, const std::string& v) {
  KeyValue* kv = attrs->Add();
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

// vllm_num_requests_running (gauge) and vllm_request_success_total (cumulative sum) at kT0Ms + i s.
process::Metrics MetricsBatch(int points) {
  process::Metrics m;
  auto* rm = m.add_resource_metrics();
  AddAttr(rm->mutable_resource()->mutable_attributes(), "service.name", "vllm");
  auto* sm = rm->add_scope_metrics();
  auto* gauge = sm->add_metrics();
  gauge->set_name("vllm_num_requests_running");
  auto* sum = sm->add_metrics();
  sum->set_name("vllm_request_success_total");
  sum->mutable_sum()->set_is_monotonic(true);
  sum->mutable_sum()->set_aggregation_temporality(
      opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
  for (int i = 0; i < points; ++i) {
    auto* p = gauge->mutable_gauge()->add_data_points();
    p->set_time_unix_nano(static_cast<uint64_t>(kT0Ms + i * 1000) * 1000000);
    p->set_as_double(4 + i);
    AddAttr(p->mutable_attributes(), "model_name", "opt");
    auto* s = sum->mutable_sum()->add_data_points();
    s->set_time_unix_nano(static_cast<uint64_t>(kT0Ms + i * 1000) * 1000000);
    s->set_as_double(10 * i);
  }
  return m;
}

process::Traces TracesBatch() {
  process::Traces t;
  auto* rs = t.add_resource_spans();
  AddAttr(rs->mutable_resource()->mutable_attributes(), "service.name", "vllm");
  auto* span = rs->add_scope_spans()->add_spans();
  span->set_trace_id(std::string(16, '\x01'));
  span->set_span_id(std::string(8, '\x02'));
  span->set_name("llm_request");
  span->set_start_time_unix_nano(static_cast<uint64_t>(kT0Ms) * 1000000);
  span->set_end_time_unix_nano(static_cast<uint64_t>(kT0Ms + 500) * 1000000);
  return t;
}

class SpanSink : public storage::SpanAppender, public storage::LogAppender {
 public:
  explicit SpanSink(spanstore::SpanStore* s) : store_(s) {}
  Status AppendSpans(std::vector<model::Span> spans) override { return store_->IngestSpans(std::move(spans)); }
  Status AppendLogs(std::vector<model::LogRecord> logs) override { return store_->IngestLogs(std::move(logs)); }

 private:
  spanstore::SpanStore* store_;
};

class OtlpStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("parseable_otlp_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    tsdb::Options o;
    o.dir = dir_ / "metrics";
    o.compaction_interval = std::chrono::milliseconds(0);
    o.retention_ms = 0;
    auto db = tsdb::DB::Open(o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    spanstore::SpanStoreOptions so;
    so.dir = dir_;
    so.background = false;
    auto spans = spanstore::SpanStore::Open(so);
    ASSERT_TRUE(spans.ok()) << spans.status().ToString();
    spans_ = std::move(*spans);
    sink_ = std::make_unique<SpanSink>(spans_.get());
    auto streams = sql::StreamRegistry::Open(dir_ / "streams.json");
    ASSERT_TRUE(streams.ok());
    streams_ = std::move(*streams);
    catalog_ = sql::NewStoreCatalog({db_.get(), spans_.get(), spans_.get(), streams_.get()});
    auto router = std::make_shared<http::Router>();
    ParseableApiOptions po;
    po.auth.users = DefaultApiUsers();
    po.sql.catalog = catalog_.get();
    po.streams = streams_.get();
    po.stores = {db_.get(), sink_.get(), sink_.get()};
    ASSERT_TRUE(RegisterParseableApi(router.get(), std::move(po)).ok());
    http::ServerOptions so2;
    so2.listen = "127.0.0.1:0";
    auto server = http::Server::Start(so2, router);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    base_ = "http://" + server_->address();
  }
  void TearDown() override {
    server_.reset();
    catalog_.reset();
    if (spans_) (void)spans_->Close();
    if (db_) (void)db_->Close();
    spans_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // POSTs a protobuf body, gzipped, with the guide's exporter headers.
  http::ClientResponse PostOtlp(const std::string& path, const std::string& body, const std::string& stream,
                                bool auth = true) {
    http::ClientRequest req;
    req.method = "POST";
    req.url = base_ + path;
    auto gz = http::GzipCompress(body);
    EXPECT_TRUE(gz.ok());
    req.body = *gz;
    req.headers = {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "gzip"}};
    if (auth) req.headers.push_back({"Authorization", "Basic YWRtaW46YWRtaW4="});
    if (!stream.empty()) {
      req.headers.push_back({"X-P-Stream", stream});
      req.headers.push_back({"X-P-Log-Source", "otel-metrics"});
    }
    auto resp = http::Fetch(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() ? *resp : http::ClientResponse{};
  }

  std::vector<model::Labels> Series(const std::string& name, const std::string& value) {
    auto q = db_->NewQuerier(0, INT64_MAX / 2);
    EXPECT_TRUE(q.ok());
    auto m = storage::Matcher::Make(storage::Matcher::Op::kEq, name, value);
    EXPECT_TRUE(m.ok());
    std::vector<storage::Matcher> ms = {*m};
    auto set = (*q)->Select({0, INT64_MAX / 2}, ms);
    std::vector<model::Labels> out;
    while (set->Next()) out.push_back(set->labels());
    EXPECT_TRUE(set->status().ok()) << set->status().ToString();
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<tsdb::DB> db_;
  std::unique_ptr<spanstore::SpanStore> spans_;
  std::unique_ptr<SpanSink> sink_;
  std::unique_ptr<sql::StreamRegistry> streams_;
  std::unique_ptr<sql::Catalog> catalog_;
  std::unique_ptr<http::Server> server_;
  std::string base_;
};

TEST_F(OtlpStreamTest, MetricsWithStreamHeaderAreLabelled) {
  auto resp = PostOtlp("/v1/metrics", MetricsBatch(3).SerializeAsString(), "vLLMmetrics");
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.Header("Content-Type"), "application/x-protobuf");
  auto series = Series("p_stream", "vLLMmetrics");
  ASSERT_EQ(series.size(), 2u);
  for (const auto& ls : series) EXPECT_EQ(ls.Get("job"), "vllm");
  auto info = streams_->Find("vLLMmetrics");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, sql::StreamKind::kMetrics);
  EXPECT_EQ(info->log_source, "otel-metrics");

  // Without the header: the default stream, no label.
  ASSERT_EQ(PostOtlp("/v1/metrics", MetricsBatch(1).SerializeAsString(), "").status, 200);
  auto all = Series("__name__", "vllm_num_requests_running");
  ASSERT_EQ(all.size(), 2u);
  int untagged = 0;
  for (const auto& ls : all) untagged += ls.Get("p_stream").empty();
  EXPECT_EQ(untagged, 1);
}

TEST_F(OtlpStreamTest, SpansGetTheResourceAttribute) {
  ASSERT_EQ(PostOtlp("/v1/traces", TracesBatch().SerializeAsString(), "vllmtraces").status, 200);
  storage::SpanQuery q;
  auto found = spans_->SearchSpans(q);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  const model::AttrValue* tag = model::FindAttr((*found)[0].resource_attributes, "p_stream");
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag->s, "vllmtraces");
  EXPECT_EQ(streams_->Find("vllmtraces")->kind, sql::StreamKind::kTraces);
  // A metrics stream's name on traces: kept, tagged, not refused.
  ASSERT_EQ(PostOtlp("/v1/metrics", MetricsBatch(1).SerializeAsString(), "vLLMmetrics").status, 200);
  ASSERT_EQ(PostOtlp("/v1/traces", TracesBatch().SerializeAsString(), "vLLMmetrics").status, 200);
  EXPECT_EQ(streams_->Find("vLLMmetrics")->kind, sql::StreamKind::kMetrics);
}

TEST_F(OtlpStreamTest, RefusalsFollowTheOtlpSpec) {
  EXPECT_EQ(PostOtlp("/v1/metrics", MetricsBatch(1).SerializeAsString(), "vLLMmetrics", false).status, 401);
  auto bad_name = PostOtlp("/v1/metrics", MetricsBatch(1).SerializeAsString(), "no spaces allowed");
  EXPECT_EQ(bad_name.status, 400);
  auto garbage = PostOtlp("/v1/metrics", "\xff\xff\xff", "vLLMmetrics");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_TRUE(Series("p_stream", "vLLMmetrics").empty());
}

TEST_F(OtlpStreamTest, GuideCurlQueryOverIngestedData) {
  ASSERT_EQ(PostOtlp("/v1/metrics", MetricsBatch(5).SerializeAsString(), "vLLMmetrics").status, 200);
  http::ClientRequest req;
  req.method = "POST";
  req.url = base_ + "/api/v1/query";
  req.headers = {{"Authorization", "Basic YWRtaW46YWRtaW4="}, {"Content-Type", "application/json"}};
  req.body = R"({"query": "SELECT COUNT(*) AS n, max(value) AS top FROM vLLMmetrics WHERE name = 'vllm:num_requests_running'",)"
             R"( "startTime": "2024-05-01T09:00:00Z", "endTime": "2024-05-01T11:00:00Z"})";
  auto resp = http::Fetch(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  ASSERT_EQ(resp->status, 200) << resp->body;
  EXPECT_EQ(resp->body, R"([{"n":5,"top":8.0}])");
  // The stream's schema through the catalog: the metric table's columns, label columns included.
  req.method = "GET";
  req.url = base_ + "/api/v1/logstream/vLLMmetrics/schema";
  req.body.clear();
  auto schema = http::Fetch(req);
  ASSERT_TRUE(schema.ok());
  ASSERT_EQ(schema->status, 200) << schema->body;
  for (std::string_view col : {"\"p_timestamp\"", "\"name\"", "\"value\"", "\"model_name\""}) {
    EXPECT_NE(schema->body.find(col), std::string::npos) << col << " in " << schema->body;
  }
}

}  // namespace
}  // namespace infermetry::api
