#include "server/api/parseable_ingest.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "server/api/parseable_api.h"
#include "spanstore/span_store.h"

namespace infermetry::api {
namespace {

constexpr int64_t kArrival = 1714557600000000000;  // 2024-05-01T10:00:00Z in ns

// "name:type,..." for comparisons.
std::string Schema(const std::vector<sql::ColumnSchema>& cols) {
  std::string out;
  for (const auto& c : cols) out += c.name + ":" + std::string(sql::TypeName(c.type)) + ",";
  return out;
}

const model::AttrValue* Attr(const model::LogRecord& r, std::string_view key) {
  return model::FindAttr(r.attributes, key);
}

TEST(Flatten, NestedObjectsTypesAndTime) {
  std::string body = R"([{"a": {"b": 1, "c": {"d": "x"}}, "f": 2.5, "ok": true, "tags": [1, "two"],
                          "gone": null, "timestamp": "2024-05-01T09:00:00.5Z"},
                         {"a_b": 7, "time": "not a time"}])";
  auto events = FlattenEvents(body);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  const FlatEvent& e = (*events)[0];
  std::vector<std::string> names;
  for (const auto& f : e.fields) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a_b", "a_c_d", "f", "ok", "tags", "timestamp"}));
  EXPECT_EQ(e.fields[0].type, sql::Type::kInt64);
  EXPECT_EQ(e.fields[0].value.i, 1);
  EXPECT_EQ(e.fields[1].type, sql::Type::kText);
  EXPECT_EQ(e.fields[1].value.s, "x");
  EXPECT_EQ(e.fields[2].type, sql::Type::kFloat64);
  EXPECT_EQ(e.fields[3].type, sql::Type::kBool);
  EXPECT_EQ(e.fields[4].type, sql::Type::kText);
  EXPECT_EQ(e.fields[4].value.s, R"([1, "two"])");
  ASSERT_TRUE(e.time_ns.has_value());
  EXPECT_EQ(*e.time_ns, kArrival - 3600000000000 + 500000000);
  EXPECT_EQ(e.json.substr(0, 6), R"({"a": )");
  EXPECT_FALSE((*events)[1].time_ns.has_value());  // "not a time": arrival time, field kept
  EXPECT_EQ((*events)[1].fields[1].name, "time");

  auto one = FlattenEvents(R"({"x": 1})");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  auto scalar = FlattenEvents("[1]");
  ASSERT_FALSE(scalar.ok());
  EXPECT_NE(scalar.status().message().find("event 0 (at byte 1): want a JSON object"), std::string::npos);
}

TEST(Flatten, BatchSchemaMergesTypes) {
  auto events = FlattenEvents(R"([{"n": 1, "m": 1, "s": "a", "b": true},
                                  {"n": 2.5, "m": "x", "b": 3, "new": false}])");
  ASSERT_TRUE(events.ok());
  std::vector<sql::ColumnSchema> want = {{"p_timestamp", sql::Type::kTimestamp}, {"n", sql::Type::kFloat64},
                                         {"m", sql::Type::kText},  {"s", sql::Type::kText},
                                         {"b", sql::Type::kText},  {"new", sql::Type::kBool}};
  EXPECT_EQ(Schema(BatchSchema(*events)), Schema(want));
  auto records = EventRecords(std::move(*events), "app", want, kArrival);
  ASSERT_EQ(records.size(), 2u);
  // Values are stored as the merged type: text keeps the JSON text of numbers and booleans.
  EXPECT_EQ(Attr(records[0], "n")->type, model::AttrValue::Type::kDouble);
  EXPECT_EQ(Attr(records[0], "n")->d, 1.0);
  EXPECT_EQ(Attr(records[0], "m")->type, model::AttrValue::Type::kString);
  EXPECT_EQ(Attr(records[0], "m")->s, "1");
  EXPECT_EQ(Attr(records[0], "b")->s, "true");
  EXPECT_EQ(Attr(records[1], "b")->s, "3");
  EXPECT_EQ(Attr(records[1], "p_stream")->s, "app");
  EXPECT_EQ(records[1].time_ns, kArrival);
  EXPECT_EQ(records[1].observed_time_ns, kArrival);
  EXPECT_EQ(records[1].body.s, R"({"n": 2.5, "m": "x", "b": 3, "new": false})");
}

class LogSink : public storage::LogAppender {
 public:
  explicit LogSink(spanstore::SpanStore* s) : store(s) {}
  Status AppendLogs(std::vector<model::LogRecord> logs) override {
    ++calls;
    return store->IngestLogs(std::move(logs));
  }
  spanstore::SpanStore* store;
  int calls = 0;
};

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("parseable_ingest_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    spanstore::SpanStoreOptions so;
    so.dir = dir_;
    so.background = false;
    auto spans = spanstore::SpanStore::Open(so);
    ASSERT_TRUE(spans.ok()) << spans.status().ToString();
    store_ = std::move(*spans);
    sink_ = std::make_unique<LogSink>(store_.get());
    auto streams = sql::StreamRegistry::Open(dir_ / "streams.json");
    ASSERT_TRUE(streams.ok()) << streams.status().ToString();
    streams_ = std::move(*streams);
    router_ = std::make_unique<http::Router>();
    ParseableApiOptions o;
    o.auth.users = DefaultApiUsers();
    o.streams = streams_.get();
    o.stores.logs = sink_.get();
    ASSERT_TRUE(RegisterParseableApi(router_.get(), std::move(o)).ok());
  }
  void Close() {
    router_.reset();
    if (store_) {
      ASSERT_TRUE(store_->Close().ok());
    }
    store_.reset();
    streams_.reset();
  }

  http::Response Do(std::string method, std::string path, std::string body = "", std::string stream = "",
                    bool auth = true) {
    http::Request req;
    req.method = std::move(method);
    req.path = path;
    req.target = path;
    if (auth) req.headers.push_back({"Authorization", "Basic YWRtaW46YWRtaW4="});
    if (!stream.empty()) req.headers.push_back({"X-P-Stream", stream});
    req.headers.push_back({"Content-Type", "application/json"});
    req.body = std::move(body);
    http::Response resp;
    router_->Dispatch(req, &resp);
    return resp;
  }

  std::vector<model::LogRecord> Logs() {
    storage::LogQuery q;
    q.limit = 1000;
    auto r = store_->SearchLogs(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<model::LogRecord>{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<spanstore::SpanStore> store_;
  std::unique_ptr<LogSink> sink_;
  std::unique_ptr<sql::StreamRegistry> streams_;
  std::unique_ptr<http::Router> router_;
};

TEST_F(IngestTest, EventsAreStoredAndSurviveRestart) {
  auto resp = Do("POST", "/api/v1/ingest", R"([{"level": "info", "latency": 12, "req": {"model": "llama"}},
                                               {"level": "warn", "latency": 40}])",
                 "app");
  ASSERT_EQ(resp.status, 200) << resp.body;
  auto logs = Logs();
  ASSERT_EQ(logs.size(), 2u);
  Close();
  Open();  // the store's WAL and the registry file bring both back
  logs = Logs();
  ASSERT_EQ(logs.size(), 2u);
  for (const auto& r : logs) {
    EXPECT_EQ(Attr(r, "p_stream")->s, "app");
    EXPECT_EQ(Attr(r, "latency")->type, model::AttrValue::Type::kInt);
  }
  auto info = streams_->Find("app");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->kind, sql::StreamKind::kEvents);
  std::vector<sql::ColumnSchema> want = {{"p_timestamp", sql::Type::kTimestamp},
                                         {"level", sql::Type::kText},
                                         {"latency", sql::Type::kInt64},
                                         {"req_model", sql::Type::kText}};
  EXPECT_EQ(Schema(info->fields), Schema(want));
}

TEST_F(IngestTest, SchemaEvolvesWithoutRejectingBatches) {
  ASSERT_EQ(Do("POST", "/api/v1/ingest", R"({"latency": 12, "code": 200})", "app").status, 200);
  ASSERT_EQ(Do("POST", "/api/v1/ingest", R"({"latency": 12.5, "code": "E42", "extra": true})", "app").status, 200);
  auto schema = Do("GET", "/api/v1/logstream/app/schema");
  ASSERT_EQ(schema.status, 200) << schema.body;
  EXPECT_EQ(schema.body,
            R"({"name":"app","kind":"events","fields":[{"name":"p_timestamp","data_type":"timestamp"},)"
            R"({"name":"latency","data_type":"double precision"},{"name":"code","data_type":"text"},)"
            R"({"name":"extra","data_type":"boolean"}]})");
  auto logs = Logs();
  ASSERT_EQ(logs.size(), 2u);
}

TEST_F(IngestTest, BadJsonStoresNothing) {
  auto resp = Do("POST", "/api/v1/ingest", R"([{"a": 1}, {"a": 2,}])", "app");
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(resp.body.find("invalid JSON at byte 19"), std::string::npos) << resp.body;
  EXPECT_EQ(sink_->calls, 0);
  EXPECT_TRUE(Logs().empty());
  EXPECT_FALSE(streams_->Find("app").has_value());
}

TEST_F(IngestTest, RequestErrors) {
  EXPECT_EQ(Do("POST", "/api/v1/ingest", R"({"a": 1})").status, 400);  // no X-P-Stream
  auto bad_name = Do("POST", "/api/v1/ingest", R"({"a": 1})", "bad name!");
  EXPECT_EQ(bad_name.status, 400);
  EXPECT_NE(bad_name.body.find("stream name"), std::string::npos);
  auto kind = Do("POST", "/api/v1/ingest", R"({"a": 1})", "metrics");
  EXPECT_EQ(kind.status, 400);
  EXPECT_NE(kind.body.find("exists as a metrics stream"), std::string::npos) << kind.body;
  EXPECT_EQ(Do("POST", "/api/v1/ingest", R"({"a": 1})", "app", /*auth=*/false).status, 401);
  EXPECT_EQ(Do("GET", "/api/v1/logstream", "", "", false).status, 401);
  EXPECT_EQ(sink_->calls, 0);
}

TEST_F(IngestTest, LogstreamEndpoints) {
  auto created = Do("PUT", "/api/v1/logstream/webapp");
  EXPECT_EQ(created.status, 200) << created.body;
  auto list = Do("GET", "/api/v1/logstream");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body, R"([{"name":"logs"},{"name":"metrics"},{"name":"traces"},{"name":"webapp"}])");
  auto schema = Do("GET", "/api/v1/logstream/WEBAPP/schema");  // matched case-insensitively
  ASSERT_EQ(schema.status, 200);
  EXPECT_EQ(schema.body,
            R"({"name":"webapp","kind":"events","fields":[{"name":"p_timestamp","data_type":"timestamp"}]})");
  EXPECT_EQ(Do("GET", "/api/v1/logstream/nosuch/schema").status, 404);
  EXPECT_EQ(Do("PUT", "/api/v1/logstream/p_reserved").status, 400);
  EXPECT_EQ(Do("GET", "/api/v1/logstream/webapp").status, 404);
}

}  // namespace
}  // namespace infermetry::api
