#include "server/api/selector.h"

#include <gtest/gtest.h>

namespace infermetry::api {
namespace {

std::string Render(std::string_view sel) {
  auto r = ParseSeriesSelector(sel);
  if (!r.ok()) return "error: " + r.status().message();
  std::string out;
  for (const auto& m : *r) out += m.ToString() + ";";
  return out;
}

TEST(SelectorTest, ParsesNamesAndMatchers) {
  EXPECT_EQ(Render("vllm:num_requests_running"), "__name__=\"vllm:num_requests_running\";");
  EXPECT_EQ(Render("up{job=\"vllm\", instance!='a', engine=~\"0|1\",le!~\"\\\\+Inf\",}"),
            "__name__=\"up\";job=\"vllm\";instance!=\"a\";engine=~\"0|1\";le!~\"\\\\+Inf\";");
  EXPECT_EQ(Render(" {__name__=~\"vllm:.*\"} "), "__name__=~\"vllm:.*\";");
  EXPECT_EQ(Render("x{a=\"\\u00e9\\n\"}"), "__name__=\"x\";a=\"\xc3\xa9\\n\";");
}

TEST(SelectorTest, ErrorsSayWhatAndWhere) {
  EXPECT_EQ(Render("up{job=\"vllm\""), "error: series selector up{job=\"vllm\": expected ',' or '}' at offset 13");
  EXPECT_EQ(Render("up{job~\"x\"}"), "error: series selector up{job~\"x\"}: expected one of =, !=, =~, !~ at offset 6");
  EXPECT_EQ(Render("up{job=vllm}"), "error: series selector up{job=vllm}: expected a quoted string at offset 7");
  EXPECT_EQ(Render("{job=~\".*\"}"),
            "error: series selector {job=~\".*\"}: needs at least one matcher that does not match the empty string");
  EXPECT_EQ(Render("up{a=~\"(\"}").substr(0, 40), "error: invalid regular expression in mat");
  EXPECT_EQ(Render(""), "error: empty series selector");
  EXPECT_EQ(Render("up x"), "error: series selector up x: expected the end of the selector at offset 3");
}

TEST(SelectorTest, MatchersFollowPrometheusSemantics) {
  auto r = ParseSeriesSelector("x{a=~\"b|c\",d!~\"e.*\",f=\"\"}");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)[1].Matches("c"));
  EXPECT_FALSE((*r)[1].Matches("bc"));  // anchored
  EXPECT_FALSE((*r)[2].Matches("eee"));
  EXPECT_TRUE((*r)[2].Matches(""));
  EXPECT_TRUE((*r)[3].MatchesEmpty());
}

}  // namespace
}  // namespace infermetry::api
