#include "server/api/sql_api.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <mutex>

#include "server/api/parseable_api.h"
#include "server/http/router.h"

namespace infermetry::api {
namespace {

constexpr int64_t kNow = 1714557600000000;  // 2024-05-01T10:00:00Z
constexpr int64_t kMinute = 60000000;

// A table of fixed rows: (p_timestamp, name, value, ok, n).
class FakeTable : public sql::Table {
 public:
  FakeTable() {
    schema_ = {{"p_timestamp", sql::Type::kTimestamp},
               {"name", sql::Type::kText},
               {"value", sql::Type::kFloat64},
               {"ok", sql::Type::kBool},
               {"n", sql::Type::kInt64}};
  }
  const std::vector<sql::ColumnSchema>& schema() const override { return schema_; }

  Result<std::unique_ptr<sql::BatchReader>> Scan(const sql::ScanRequest& req) override {
    {
      std::lock_guard l(mu_);
      last_min_ = req.min_time_us;
      last_max_ = req.max_time_us;
    }
    sql::Batch b;
    for (size_t c : req.columns) b.columns.emplace_back(schema_[c].type);
    const std::vector<std::vector<sql::Value>> rows = {
        {sql::Value::Timestamp(kNow - 2 * kMinute), sql::Value::Text("lat"), sql::Value::Float(0.5),
         sql::Value::Bool(true), sql::Value::Int(1)},
        {sql::Value::Timestamp(kNow - kMinute), sql::Value::Text("lat"), sql::Value::Float(1.5),
         sql::Value::Bool(false), sql::Value::Null(sql::Type::kInt64)},
        {sql::Value::Timestamp(kNow), sql::Value::Text("tok"), sql::Value::Float(7),
         sql::Value::Bool(true), sql::Value::Int(3)},
    };
    for (const auto& row : rows) {
      if (row[0].i < req.min_time_us || row[0].i > req.max_time_us) continue;
      for (size_t k = 0; k < req.columns.size(); ++k) b.columns[k].Append(row[req.columns[k]]);
      ++b.num_rows;
    }
    struct Reader : sql::BatchReader {
      sql::Batch batch;
      bool done = false;
      Result<bool> Next(sql::Batch* out) override {
        if (done) return false;
        done = true;
        *out = std::move(batch);
        return true;
      }
    };
    auto r = std::make_unique<Reader>();
    r->batch = std::move(b);
    return std::unique_ptr<sql::BatchReader>(std::move(r));
  }

  std::pair<int64_t, int64_t> last_range() {
    std::lock_guard l(mu_);
    return {last_min_, last_max_};
  }

 private:
  std::vector<sql::ColumnSchema> schema_;
  std::mutex mu_;
  int64_t last_min_ = 0, last_max_ = 0;
};

class FakeCatalog : public sql::Catalog {
 public:
  std::shared_ptr<FakeTable> table = std::make_shared<FakeTable>();
  Result<std::shared_ptr<sql::Table>> Find(std::string_view name, int64_t, int64_t) override {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "vllmmetrics") return std::shared_ptr<sql::Table>(table);
    return NotFound("relation \"" + std::string(name) + "\" does not exist");
  }
  std::vector<std::string> TableNames() override { return {"vLLMmetrics"}; }
};

TEST(ApiTime, Forms) {
  EXPECT_EQ(*ParseApiTime("now", kNow), kNow);
  EXPECT_EQ(*ParseApiTime("NOW", kNow), kNow);
  EXPECT_EQ(*ParseApiTime("10m", kNow), kNow - 10 * kMinute);
  EXPECT_EQ(*ParseApiTime("1h", kNow), kNow - 60 * kMinute);
  EXPECT_EQ(*ParseApiTime("1h30m", kNow), kNow - 90 * kMinute);
  EXPECT_EQ(*ParseApiTime("1h 30m", kNow), kNow - 90 * kMinute);
  EXPECT_EQ(*ParseApiTime("1.5h", kNow), kNow - 90 * kMinute);
  EXPECT_EQ(*ParseApiTime("2d", kNow), kNow - 2 * 1440 * kMinute);
  EXPECT_EQ(*ParseApiTime("90s", kNow), kNow - 90 * 1000000);
  EXPECT_EQ(*ParseApiTime("500ms", kNow), kNow - 500000);
  EXPECT_EQ(*ParseApiTime("5 minutes", kNow), kNow - 5 * kMinute);
  EXPECT_EQ(*ParseApiTime("2024-05-01T10:00:00Z", 0), kNow);
  EXPECT_EQ(*ParseApiTime("2024-05-01T10:00:00.250Z", 0), kNow + 250000);
  EXPECT_EQ(*ParseApiTime("2024-05-01T12:00:00+02:00", 0), kNow);
  for (std::string_view bad : {"", "10", "10x", "m", "yesterday", "2024-13-01T00:00:00Z", "-5m"}) {
    auto t = ParseApiTime(bad, kNow);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
    EXPECT_NE(t.status().message().find("RFC 3339"), std::string::npos) << t.status().message();
  }
}

TEST(ApiTime, QueryRequest) {
  auto r = ParseQueryRequest(R"({"query": "SELECT 1", "startTime": "10m", "endTime": "now"})", kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->query, "SELECT 1");
  EXPECT_EQ(r->min_time_us, kNow - 10 * kMinute);
  EXPECT_EQ(r->max_time_us, kNow);
  auto open = ParseQueryRequest(R"({"query": "SELECT 1"})", kNow);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->min_time_us, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(open->max_time_us, std::numeric_limits<int64_t>::max());

  auto missing = ParseQueryRequest(R"({"startTime": "10m"})", kNow);
  EXPECT_NE(missing.status().message().find("\"query\" is missing"), std::string::npos);
  auto bad_time = ParseQueryRequest(R"({"query": "SELECT 1", "startTime": "ten minutes"})", kNow);
  EXPECT_NE(bad_time.status().message().find("startTime: cannot parse \"ten minutes\""), std::string::npos);
  auto reversed = ParseQueryRequest(R"({"query": "SELECT 1", "startTime": "now", "endTime": "1h"})", kNow);
  EXPECT_NE(reversed.status().message().find("endTime (1h) is before startTime (now)"), std::string::npos);
  auto malformed = ParseQueryRequest(R"({"query": "SELECT 1",)", kNow);
  EXPECT_NE(malformed.status().message().find("invalid JSON at byte"), std::string::npos);
}

TEST(RecordsJson, TimestampsAsParseablePrintsThem) {
  EXPECT_EQ(FormatRecordTimestamp(kNow), "2024-05-01T10:00:00.000");
  EXPECT_EQ(FormatRecordTimestamp(kNow + 123456), "2024-05-01T10:00:00.123");
  EXPECT_EQ(FormatRecordTimestamp(0), "1970-01-01T00:00:00.000");
  EXPECT_EQ(FormatRecordTimestamp(-1), "1969-12-31T23:59:59.999");
}

TEST(RecordsJson, ValuesAndFields) {
  sql::QueryResult r;
  r.columns = {{"minute", sql::Type::kTimestamp}, {"v", sql::Type::kFloat64}, {"n", sql::Type::kInt64},
               {"b", sql::Type::kBool}, {"s", sql::Type::kText}, {"iv", sql::Type::kInterval}};
  sql::Batch b;
  for (const auto& c : r.columns) b.columns.emplace_back(c.type);
  b.columns[0].Append(sql::Value::Timestamp(kNow));
  b.columns[1].Append(sql::Value::Float(0.87));
  b.columns[2].Append(sql::Value::Int(-3));
  b.columns[3].Append(sql::Value::Bool(true));
  b.columns[4].Append(sql::Value::Text("a\"b"));
  b.columns[5].Append(sql::Value::Interv({0, 0, 3600000000}));
  b.columns[0].AppendNull();
  b.columns[1].Append(sql::Value::Float(std::nan("")));
  b.columns[2].AppendNull();
  b.columns[3].AppendNull();
  b.columns[4].AppendNull();
  b.columns[5].AppendNull();
  b.columns[0].AppendNull();
  b.columns[1].Append(sql::Value::Float(2));
  b.columns[2].Append(sql::Value::Int(0));
  b.columns[3].Append(sql::Value::Bool(false));
  b.columns[4].Append(sql::Value::Text(""));
  b.columns[5].AppendNull();
  b.num_rows = 3;
  sql::Batch inf;
  for (const auto& c : r.columns) inf.columns.emplace_back(c.type);
  inf.columns[0].AppendNull();
  inf.columns[1].Append(sql::Value::Float(-INFINITY));
  for (size_t c = 2; c < 6; ++c) inf.columns[c].AppendNull();
  inf.num_rows = 1;
  r.batches.push_back(std::move(b));
  r.batches.push_back(std::move(inf));
  std::string out;
  AppendRecordsJson(r, false, &out);
  EXPECT_EQ(out,
            R"([{"minute":"2024-05-01T10:00:00.000","v":0.87,"n":-3,"b":true,"s":"a\"b","iv":"01:00:00"},)"
            R"({"minute":null,"v":"NaN","n":null,"b":null,"s":null,"iv":null},)"
            R"({"minute":null,"v":2.0,"n":0,"b":false,"s":"","iv":null},)"
            R"({"minute":null,"v":"-Infinity","n":null,"b":null,"s":null,"iv":null}])");
  sql::QueryResult empty;
  empty.columns = {{"a", sql::Type::kInt64}, {"b", sql::Type::kText}};
  std::string with_fields;
  AppendRecordsJson(empty, true, &with_fields);
  EXPECT_EQ(with_fields, R"({"fields":["a","b"],"records":[]})");
}

class QueryRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto streams = sql::StreamRegistry::Open("");
    ASSERT_TRUE(streams.ok());
    streams_ = std::move(*streams);
    ParseableApiOptions o;
    o.auth.users = {{"admin", "admin"}, {"alice", "s3cret:x"}};
    o.sql.catalog = &catalog_;
    o.sql.now_us = [] { return kNow; };
    o.sql.max_request_bytes = 4096;
    o.sql.execute = [this](std::string_view sql, sql::Catalog* cat, const sql::QueryOptions& opts)
        -> Result<sql::QueryResult> {
      last_opts_ = opts;
      if (sql == "SLOW") return DeadlineExceeded("canceling statement due to statement timeout (30000 ms)");
      return sql::ExecuteSql(sql, cat, opts);
    };
    o.streams = streams_.get();
    ASSERT_TRUE(RegisterParseableApi(&router_, std::move(o)).ok());
  }

  http::Response Post(std::string body, std::string target = "/api/v1/query",
                      std::string auth = "Basic YWRtaW46YWRtaW4=", std::string content_type = "application/json") {
    http::Request req;
    req.method = "POST";
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    if (!auth.empty()) req.headers.push_back({"Authorization", auth});
    if (!content_type.empty()) req.headers.push_back({"Content-Type", content_type});
    req.body = std::move(body);
    http::Response resp;
    router_.Dispatch(req, &resp);
    return resp;
  }

  FakeCatalog catalog_;
  std::unique_ptr<sql::StreamRegistry> streams_;
  http::Router router_;
  sql::QueryOptions last_opts_;
};

TEST_F(QueryRouteTest, GuideCurlFormAnswersRecords) {
  // The guide's schema-inspection request, as its curl command sends it.
  auto resp = Post(R"({"query": "SELECT * FROM vLLMmetrics LIMIT 5", "startTime": "10m", "endTime": "now"})");
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.Header("Content-Type"), "application/json");
  EXPECT_EQ(resp.body,
            R"([{"p_timestamp":"2024-05-01T09:58:00.000","name":"lat","value":0.5,"ok":true,"n":1},)"
            R"({"p_timestamp":"2024-05-01T09:59:00.000","name":"lat","value":1.5,"ok":false,"n":null},)"
            R"({"p_timestamp":"2024-05-01T10:00:00.000","name":"tok","value":7.0,"ok":true,"n":3}])");
  EXPECT_EQ(last_opts_.min_time_us, kNow - 10 * kMinute);
  EXPECT_EQ(last_opts_.max_time_us, kNow);
  EXPECT_EQ(last_opts_.now_us, kNow);
  EXPECT_EQ(last_opts_.timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(last_opts_.memory_limit_bytes, size_t{1} << 30);
}

TEST_F(QueryRouteTest, TimeRangeLimitsRows) {
  auto resp = Post(R"({"query": "SELECT count(*) AS c FROM vLLMmetrics", "startTime": "90s", "endTime": "now"})");
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.body, R"([{"c":2}])");
  auto range = catalog_.table->last_range();
  EXPECT_GE(range.first, kNow - 90 * 1000000);
  EXPECT_LE(range.second, kNow);
}

TEST_F(QueryRouteTest, FieldsTrueKeepsColumnOrder) {
  auto resp = Post(R"({"query": "SELECT value, name FROM vLLMmetrics ORDER BY value DESC LIMIT 1"})",
                   "/api/v1/query?fields=true");
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.body, R"({"fields":["value","name"],"records":[{"value":7.0,"name":"tok"}]})");
}

TEST_F(QueryRouteTest, ErrorsAreTextWithPosition) {
  auto bad = Post(R"({"query": "SELECT nmae FROM vLLMmetrics"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_NE(bad.body.find("nmae"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("line 1, column 8"), std::string::npos) << bad.body;
  auto syntax = Post(R"({"query": "SELEC 1"})");
  EXPECT_EQ(syntax.status, 400);
  EXPECT_NE(syntax.body.find("line 1, column 1"), std::string::npos) << syntax.body;
  auto unknown = Post(R"({"query": "SELECT * FROM nosuch"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("nosuch"), std::string::npos) << unknown.body;
  auto slow = Post(R"({"query": "SLOW"})");
  EXPECT_EQ(slow.status, 400);
  EXPECT_NE(slow.body.find("statement timeout"), std::string::npos);
  auto big = Post(R"({"query": "SELECT ')" + std::string(5000, 'x') + R"('"})");
  EXPECT_EQ(big.status, 413);
  auto malformed = Post(R"({"query": )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("invalid JSON at byte 10"), std::string::npos) << malformed.body;
}

TEST_F(QueryRouteTest, BasicAuth) {
  const std::string body = R"({"query": "SELECT 1 AS one"})";
  auto none = Post(body, "/api/v1/query", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.Header("WWW-Authenticate"), "Basic realm=\"infermetry\"");
  EXPECT_EQ(Post(body, "/api/v1/query", "Basic " + EncodeBase64("admin:wrong")).status, 401);
  EXPECT_EQ(Post(body, "/api/v1/query", "Basic " + EncodeBase64("bob:admin")).status, 401);
  EXPECT_EQ(Post(body, "/api/v1/query", "Bearer YWRtaW46YWRtaW4=").status, 401);
  EXPECT_EQ(Post(body, "/api/v1/query", "Basic !!!").status, 401);
  // A password may hold ':' (only the first one separates the user).
  auto alice = Post(body, "/api/v1/query", "basic " + EncodeBase64("alice:s3cret:x"));
  EXPECT_EQ(alice.status, 200) << alice.body;
  EXPECT_EQ(alice.body, R"([{"one":1}])");
}

TEST_F(QueryRouteTest, PromQlFormsAreNotSql) {
  http::Request get;
  get.method = "GET";
  get.path = "/api/v1/query";
  get.query = "query=up";
  http::Response resp;
  router_.Dispatch(get, &resp);
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(resp.body.find("PromQL is not available yet"), std::string::npos);
  auto form = Post("query=up", "/api/v1/query", "", "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 400);
  EXPECT_NE(form.body.find("PromQL is not available yet"), std::string::npos);
  // A JSON body without the content type is still SQL.
  auto sql = Post(R"(  {"query": "SELECT 2 AS two"})", "/api/v1/query", "Basic YWRtaW46YWRtaW4=", "");
  EXPECT_EQ(sql.status, 200);
  EXPECT_EQ(sql.body, R"([{"two":2}])");
}

TEST(Base64, RoundTrip) {
  for (std::string s : std::vector<std::string>{"", "a", "ab", "abc", "admin:admin", std::string("\0\xff\x10", 3)}) {
    std::string back;
    ASSERT_TRUE(DecodeBase64(EncodeBase64(s), &back));
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(EncodeBase64("admin:admin"), "YWRtaW46YWRtaW4=");
  std::string out;
  EXPECT_FALSE(DecodeBase64("YW=x", &out));
  EXPECT_FALSE(DecodeBase64("Y", &out));
}

}  // namespace
}  // namespace infermetry::api
