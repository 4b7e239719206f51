#include "cmd/promql_query.h"

#include <gtest/gtest.h>

namespace infermetry::cmd {
namespace {

TEST(PromQlQueryTest, Targets) {
  PromQlQuery q;
  q.expr = "rate(vllm:generation_tokens_total[5m])";
  EXPECT_EQ(*PromQlTarget(q), "/api/v1/query?query=rate%28vllm%3Ageneration_tokens_total%5B5m%5D%29");
  q.time = "1700000000";
  q.timeout = "10s";
  EXPECT_EQ(*PromQlTarget(q), "/api/v1/query?query=rate%28vllm%3Ageneration_tokens_total%5B5m%5D%29&time=1700000000&timeout=10s");
  q.time.clear();
  q.timeout.clear();
  q.expr = "up";
  q.start = "1700000000";
  q.end = "1700003600";
  EXPECT_EQ(*PromQlTarget(q), "/api/v1/query_range?query=up&start=1700000000&end=1700003600&step=15");
  q.step = "1m";
  EXPECT_EQ(*PromQlTarget(q), "/api/v1/query_range?query=up&start=1700000000&end=1700003600&step=1m");
  q.start = "2023-11-14T22:13:20Z";
  q.step.clear();
  EXPECT_EQ(*PromQlTarget(q), "/api/v1/query_range?query=up&start=2023-11-14T22%3A13%3A20Z&end=1700003600&step=15s");
  q.now_ms = 1700003600000;
  q.start = "1h";
  q.end = "now";
  q.step = "60";
  EXPECT_EQ(*PromQlTarget(q), "/api/v1/query_range?query=up&start=1700000000.000&end=1700003600.000&step=60");
  q.step.clear();
  q.end.clear();
  EXPECT_EQ(PromQlTarget(q).status().message(), "a range query needs both --start and --end");
  q.start.clear();
  q.step = "1m";
  EXPECT_EQ(PromQlTarget(q).status().message(), "--step needs --start and --end (a range query)");
  q.expr.clear();
  EXPECT_FALSE(PromQlTarget(q).ok());
}

TEST(PromQlQueryTest, Tables) {
  auto v = FormatPromQlResponse(
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"__name__":"vllm:num_requests_running","model_name":"m"},"value":[1700000000.5,"3"]},)"
      R"({"metric":{"model_name":"a\"b"},"value":[1700000000.5,"+Inf"]}]}})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v,
            "SERIES                                     VALUE\n"
            "-----------------------------------------  -----\n"
            "vllm:num_requests_running{model_name=\"m\"}  3\n"
            "{model_name=\"a\\\"b\"}                        +Inf\n"
            "(2 series at 2023-11-14T22:13:20.5Z)\n");
  auto m = FormatPromQlResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[)"
      R"({"metric":{"job":"x"},"values":[[1700000000,"1"],[1700000015,"NaN"]]}]}})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, "{job=\"x\"}\n  2023-11-14T22:13:20Z  1\n  2023-11-14T22:13:35Z  NaN\n(1 series, 2 points)\n");
  EXPECT_EQ(*FormatPromQlResponse(R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}})"),
            "2 @ 2023-11-14T22:13:20Z\n");
  EXPECT_EQ(*FormatPromQlResponse(R"({"status":"success","data":{"resultType":"vector","result":[]}})"),
            "SERIES  VALUE\n------  -----\n(0 series)\n");
  EXPECT_FALSE(FormatPromQlResponse(R"({"status":"success"})").ok());
  EXPECT_FALSE(FormatPromQlResponse("nope").ok());
}

}  // namespace
}  // namespace infermetry::cmd
