#include "server/http/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace infermetry::http {
namespace {

Handler Reply(std::string text) {
  return [text](const Request&, Response* r) { r->SetText(200, text); };
}

Request Req(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Handle("GET", "/api/v1/query", "query", Reply("query-get"));
    router_.Handle("POST", "/api/v1/query", "query", Reply("query-post"));
    router_.Handle("POST", "/api/v1/write", "write", Reply("write"));
    router_.HandlePrefix("GET", "/api/", "api_any", Reply("api-prefix"));
    router_.HandlePrefix("GET", "/api/v1/label/", "label_values", Reply("label"));
    router_.HandlePrefix("*", "/proxy/", "proxy", Reply("proxy"));
    router_.Handle("HEAD", "/head-only", "head_only", Reply("head"));
  }

  std::pair<std::string_view, Response> Run(std::string method, std::string path) {
    Response resp;
    std::string_view route = router_.Dispatch(Req(std::move(method), std::move(path)), &resp);
    return {route, std::move(resp)};
  }

  Router router_;
};

TEST_F(RouterTest, ExactMatchByMethod) {
  auto [route, resp] = Run("GET", "/api/v1/query");
  EXPECT_EQ(route, "query");
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "query-get");
  EXPECT_EQ(Run("POST", "/api/v1/query").second.body, "query-post");
}

TEST_F(RouterTest, LongestPrefixWins) {
  auto [route, resp] = Run("GET", "/api/v1/label/job/values");
  EXPECT_EQ(route, "label_values");
  EXPECT_EQ(resp.body, "label");
  EXPECT_EQ(Run("GET", "/api/v1/series").second.body, "api-prefix");
}

TEST_F(RouterTest, PrefixServesMethodTheExactRouteLacks) {
  // /api/v1/write is POST-only, but the GET prefix /api/ also covers it.
  auto [route, resp] = Run("GET", "/api/v1/write");
  EXPECT_EQ(route, "api_any");
  EXPECT_EQ(resp.status, 200);
}

TEST_F(RouterTest, UnknownPathIs404Unmatched) {
  auto [route, resp] = Run("GET", "/nope");
  EXPECT_EQ(route, kUnmatchedRoute);
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.body.find('\n'), resp.body.size() - 1);  // one line
  EXPECT_EQ(resp.Header("Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(RouterTest, KnownPathOtherMethodIs405WithAllow) {
  auto [route, resp] = Run("DELETE", "/api/v1/query");
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(resp.Header("allow"), "GET, HEAD, POST");
  EXPECT_EQ(route, "query");

  Router::Match m = router_.Find("PUT", "/api/v1/label/x");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "GET, HEAD");
}

TEST_F(RouterTest, HeadFallsBackToGetAndPrefersOwnHandler) {
  EXPECT_EQ(Run("HEAD", "/api/v1/query").second.body, "query-get");
  EXPECT_EQ(Run("HEAD", "/head-only").second.body, "head");
  EXPECT_EQ(Run("GET", "/head-only").second.status, 405);
}

TEST_F(RouterTest, WildcardMethod) {
  EXPECT_EQ(Run("PATCH", "/proxy/x").second.body, "proxy");
  EXPECT_EQ(Run("GET", "/proxy/").first, "proxy");
}

TEST_F(RouterTest, ReRegisteringReplaces) {
  router_.Handle("GET", "/api/v1/query", "query2", Reply("replaced"));
  auto [route, resp] = Run("GET", "/api/v1/query");
  EXPECT_EQ(route, "query2");
  EXPECT_EQ(resp.body, "replaced");
}

TEST_F(RouterTest, ThrowingHandlerBecomes500) {
  router_.Handle("GET", "/throw", "throw", [](const Request&, Response* r) {
    r->SetHeader("X-Partial", "1");
    throw std::runtime_error("boom");
  });
  router_.Handle("GET", "/throw-int", "throw", [](const Request&, Response*) { throw 42; });
  auto [route, resp] = Run("GET", "/throw");
  EXPECT_EQ(route, "throw");
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(resp.Header("X-Partial"), "");
  EXPECT_EQ(Run("GET", "/throw-int").second.status, 500);
}

TEST(RequestTest, HeadersAreCaseInsensitive) {
  Request r;
  r.headers = {{"Content-Type", "text/plain"}, {"X-A", "1"}, {"x-a", "2"}};
  EXPECT_EQ(r.Header("content-type"), "text/plain");
  EXPECT_EQ(r.Header("X-A"), "1");
  EXPECT_EQ(r.Header("missing"), "");
}

TEST(RequestTest, QueryParamsAreDecoded) {
  Request r;
  r.query = "query=rate(x%7Bjob%3D%22a%22%7D%5B5m%5D)&match[]=up&match%5B%5D=b+c&flag&&time=";
  EXPECT_EQ(r.QueryParam("query"), "rate(x{job=\"a\"}[5m])");
  EXPECT_EQ(r.QueryParam("match[]"), "up");
  EXPECT_EQ(r.QueryParams("match[]"), (std::vector<std::string>{"up", "b c"}));
  EXPECT_EQ(r.QueryParam("flag"), "");
  EXPECT_EQ(r.QueryParam("absent"), "");
  EXPECT_TRUE(r.QueryParams("absent").empty());
}

TEST(UrlDecodeTest, KeepsMalformedEscapes) {
  EXPECT_EQ(UrlDecode("100%", false), "100%");
  EXPECT_EQ(UrlDecode("%zz%4", false), "%zz%4");
  EXPECT_EQ(UrlDecode("a+b%2Bc", false), "a+b+c");
  EXPECT_EQ(UrlDecode("a+b%2Bc", true), "a b+c");
}

TEST(ResponseTest, SetHeaderReplacesAddHeaderAppends) {
  Response r;
  r.AddHeader("Set-Cookie", "a=1");
  r.AddHeader("set-cookie", "b=2");
  EXPECT_EQ(r.headers.size(), 2u);
  r.SetHeader("SET-COOKIE", "c=3");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.Header("Set-Cookie"), "c=3");
}

}  // namespace
}  // namespace infermetry::http
