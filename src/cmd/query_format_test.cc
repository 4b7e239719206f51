#include "cmd/query_format.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace infermetry::cmd
