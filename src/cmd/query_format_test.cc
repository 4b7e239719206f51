#include "cmd/query_format.h"

#include <gtest/gtest.h>

#include <cmath>

#include "server/api/sql_api.h"

namespace infermetry::cmd {
namespace {

constexpr std::string_view kResponse =
    R"({"fields":["minute","p95","model","ok"],"records":[)"
    R"({"minute":"2024-05-01T10:00:00.000","p95":0.87,"model":"llama, 8B","ok":true},)"
    R"({"minute":"2024-05-01T10:01:00.000","p95":12.5,"model":null,"ok":false}]})";

TEST(QueryFormat, Table) {
  auto t = FormatQueryResponse(kResponse, QueryFormat::kTable);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t,
            "         minute          | p95  |   model   |  ok\n"
            "-------------------------+------+-----------+-------\n"
            " 2024-05-01T10:00:00.000 | 0.87 | llama, 8B | true\n"
            " 2024-05-01T10:01:00.000 | 12.5 |           | false\n"
            "(2 rows)\n");
}

TEST(QueryFormat, TableSingleRowAndEmpty) {
  auto one = FormatQueryResponse(R"({"fields":["n"],"records":[{"n":5}]})", QueryFormat::kTable);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, " n\n---\n 5\n(1 row)\n");
  auto none = FormatQueryResponse(R"({"fields":["name"],"records":[]})", QueryFormat::kTable);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, " name\n------\n(0 rows)\n");
}

TEST(QueryFormat, Csv) {
  auto c = FormatQueryResponse(kResponse, QueryFormat::kCsv);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c,
            "minute,p95,model,ok\n"
            "2024-05-01T10:00:00.000,0.87,\"llama, 8B\",true\n"
            "2024-05-01T10:01:00.000,12.5,,false\n");
  auto quoted = FormatQueryResponse(R"({"fields":["a\"b"],"records":[{"a\"b":"x\ny"}]})", QueryFormat::kCsv);
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(*quoted, "\"a\"\"b\"\n\"x\ny\"\n");
}

TEST(QueryFormat, Json) {
  auto j = FormatQueryResponse(kResponse, QueryFormat::kJson);
  ASSERT_TRUE(j.ok());
  std::string_view records = kResponse.substr(kResponse.find("\"records\":") + 10);
  records.remove_suffix(1);  // the closing brace of the response
  EXPECT_EQ(*j, std::string(records) + "\n");
}

TEST(QueryFormat, BadInput) {
  EXPECT_FALSE(ParseQueryFormat("xml").ok());
  EXPECT_EQ(*ParseQueryFormat("csv"), QueryFormat::kCsv);
  EXPECT_FALSE(FormatQueryResponse("[1]", QueryFormat::kTable).ok());
  EXPECT_FALSE(FormatQueryResponse("{", QueryFormat::kTable).ok());
}

// A data directory's answer is formatted from the engine's batches; it must read exactly as the
// same result does after the trip through the API's JSON, in every format.
TEST(QueryFormat, ResultReadsAsItsJson) {
  sql::QueryResult r;
  r.columns = {{"minute", sql::Type::kTimestamp}, {"value", sql::Type::kFloat64}, {"n", sql::Type::kInt64},
               {"model", sql::Type::kText},       {"ok", sql::Type::kBool},        {"span", sql::Type::kInterval}};
  const std::vector<std::vector<sql::Value>> rows = {
      {sql::Value::Timestamp(1714557600123456), sql::Value::Float(2), sql::Value::Int(-7),
       sql::Value::Text("llama, \"8B\"\nchat"), sql::Value::Bool(true), sql::Value::Interv({1, 2, 3'000'000})},
      {sql::Value::Null(), sql::Value::Float(std::nan("")), sql::Value::Null(), sql::Value::Text("m\u00fc"),
       sql::Value::Bool(false), sql::Value::Null()},
      {sql::Value::Timestamp(0), sql::Value::Float(-INFINITY), sql::Value::Int(12345678901), sql::Value::Null(),
       sql::Value::Null(), sql::Value::Interv({0, 0, -500})},
      {sql::Value::Timestamp(-1), sql::Value::Float(0.1), sql::Value::Int(0), sql::Value::Text(""),
       sql::Value::Bool(true), sql::Value::Interv({0, 3, 0})}};
  for (size_t first : {size_t{0}, size_t{2}}) {  // two batches
    sql::Batch b;
    for (const auto& c : r.columns) b.columns.emplace_back(c.type);
    for (size_t row = first; row < first + 2; ++row) {
      for (size_t i = 0; i < rows[row].size(); ++i) b.columns[i].Append(rows[row][i]);
    }
    b.num_rows = 2;
    r.batches.push_back(std::move(b));
  }
  std::string json;
  api::AppendRecordsJson(r, /*with_fields=*/true, &json);
  for (QueryFormat f : {QueryFormat::kTable, QueryFormat::kCsv, QueryFormat::kJson}) {
    auto via_json = FormatQueryResponse(json, f);
    ASSERT_TRUE(via_json.ok()) << via_json.status().ToString();
    EXPECT_EQ(FormatQueryResult(r, f), *via_json) << static_cast<int>(f);
  }
  EXPECT_NE(FormatQueryResult(r, QueryFormat::kCsv).find("\"llama, \"\"8B\"\"\nchat\""), std::string::npos);
}

}  // namespace
}  // namespace infermetry::cmd
