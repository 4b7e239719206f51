// Parser and engine API checks: precedence, modifiers, type errors, error positions, limits.

#include <gtest/gtest.h>

#include "query/promql/engine.h"
#include "query/promql/parser.h"
#include "query/promql/promqltest.h"

namespace infermetry::promql {
namespace {

double Scalar(std::string_view q) {
  testing::MemoryStorage s;
  Engine e;
  auto r = e.Instant(&s, q, 0);
  EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
  if (!r.ok()) return -12345;
  EXPECT_EQ(r->type, ValueType::kScalar);
  return r->scalar.v;
}

std::string ParseErr(std::string_view q) {
  auto r = Parse(q);
  EXPECT_FALSE(r.ok()) << q;
  return r.ok() ? "" : r.status().message();
}

TEST(PromqlParser, Precedence) {
  EXPECT_EQ(Scalar("1 + 2 * 3"), 7);
  EXPECT_EQ(Scalar("2 ^ 3 ^ 2"), 512);  // right-associative
  EXPECT_EQ(Scalar("-2 ^ 2"), -4);      // ^ binds tighter than unary minus
  EXPECT_EQ(Scalar("(1 + 2) * 3"), 9);
  EXPECT_EQ(Scalar("10 - 4 - 3"), 3);
  EXPECT_EQ(Scalar("1 < bool 2"), 1);
  EXPECT_EQ(Scalar("7 % 4 + 0x10"), 19);
  EXPECT_EQ(Scalar("1 + 2 # comment"), 3);
  EXPECT_EQ(Scalar("time()"), 0);
  EXPECT_NEAR(Scalar("pi()"), 3.14159265, 1e-8);
}

TEST(PromqlParser, ErrorsLikePrometheus) {
  EXPECT_EQ(ParseErr("1 +"), "1:4: parse error: unexpected end of input");
  EXPECT_EQ(ParseErr("1 > 2"), "1:3: parse error: comparisons between scalars must use BOOL modifier");
  EXPECT_EQ(ParseErr("rate(foo)"),
            "1:1: parse error: expected type range vector in call to function \"rate\", got instant vector");
  EXPECT_EQ(ParseErr("nosuch(foo)"), "1:1: parse error: unknown function with name \"nosuch\"");
  EXPECT_EQ(ParseErr("{}"), "1:1: parse error: vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(ParseErr("sum(foo[5m])"),
            "1:1: parse error: expected type instant vector in aggregation expression, got range vector");
  EXPECT_NE(ParseErr("foo and 1").find("set operator \"and\" not allowed"), std::string::npos);
  EXPECT_NE(ParseErr("(foo)[5m]").find("ranges only allowed for vector selectors"), std::string::npos);
  EXPECT_NE(ParseErr("foo + on(a) group_left(a) bar").find("must not occur in ON and GROUP"), std::string::npos);
  EXPECT_NE(ParseErr("1 offset 5m").find("offset modifier must be preceded"), std::string::npos);
  EXPECT_NE(ParseErr("foo{a=\"b\"").find("parse error"), std::string::npos);
  EXPECT_NE(ParseErr("\"abc").find("unterminated quoted string"), std::string::npos);
  EXPECT_NE(ParseErr("round(foo, 1, 2)").find("expected at most 2 argument(s)"), std::string::npos);
}

TEST(PromqlParser, AcceptsFullGrammar) {
  for (std::string_view q : {
           "vllm:generation_tokens_total",
           "{__name__=\"vllm:num_requests_running\", model_name=~\"llama.*\"}",
           "rate(vllm:generation_tokens_total[5m] offset -1m @ 100)",
           "rate(foo[5m] @ start()) + rate(foo[5m] @ end())",
           "max_over_time(rate(foo[1m])[10m:30s] offset 1m)",
           "sum by (model_name) (rate(foo[5m]))",
           "sum(rate(foo[5m])) without (instance,)",
           "topk(3, foo)", "quantile(0.9, foo)", "count_values(\"v\", foo)",
           "foo * on(instance) group_left(model_name) bar",
           "foo / ignoring(code) group_right bar",
           "histogram_quantile(0.99, sum by (le) (rate(foo_bucket[5m])))",
           "label_join(foo, \"d\", \",\", \"a\", \"b\", \"c\")",
           "round(foo, 0.5)", "-foo", "+foo", "foo atan2 bar", "Inf", "-NaN", "1e3", ".5",
       }) {
    auto r = Parse(q);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
  }
}

TEST(PromqlEngine, RangeQueryOfScalarAndErrors) {
  testing::MemoryStorage s;
  Engine e;
  auto r = e.Range(&s, "time() * 2", 0, 120'000, 60'000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].points.size(), 3u);
  EXPECT_EQ(r->series[0].points[2].v, 240);
  auto bad = e.Range(&s, "foo[5m]", 0, 60'000, 1000);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  auto perr = e.Instant(&s, "sum(", 0);
  ASSERT_FALSE(perr.ok());
  EXPECT_EQ(perr.status().code(), Code::kParseError);
}

TEST(PromqlEngine, LimitsAndCancel) {
  testing::MemoryStorage s;
  for (int i = 0; i < 100; ++i) s.Append(model::Labels{{"__name__", "m"}}, i * 1000, i);
  EngineOptions o;
  o.max_samples = 10;
  Engine small(o);
  auto r = small.Instant(&s, "sum_over_time(m[5m])", 100'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  std::atomic<bool> cancel{true};
  Engine e;
  auto c = e.Range(&s, "m", 0, 100'000, 1000, &cancel);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kCancelled);
  EngineOptions to;
  to.timeout = std::chrono::milliseconds(-1);
  auto d = Engine(to).Range(&s, "m", 0, 100'000, 1000);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kDeadlineExceeded);
}

}  // namespace
}  // namespace infermetry::promql
