#include "server/web/web_ui.h"

#include <gtest/gtest.h>

#include <string>

#include "server/web/assets.h"

namespace infermetry::web {
namespace {

http::Response Get(const http::Router& r, std::string path, std::string if_none_match = "") {
  http::Request req;
  req.method = "GET";
  req.path = std::move(path);
  req.target = req.path;
  if (!if_none_match.empty()) req.headers.push_back({"If-None-Match", if_none_match});
  http::Response resp;
  r.Dispatch(req, &resp);
  return resp;
}

http::Router Ui(WebUiOptions o = {}) {
  http::Router r;
  RegisterWebUi(&r, o);
  return r;
}

TEST(WebUiTest, ServesThePageAndTheFilesItLoads) {
  http::Router r = Ui();
  http::Response root = Get(r, "/");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(root.Header("Location"), "/ui/");
  for (const char* path : {"/ui", "/ui/"}) {
    http::Response page = Get(r, path);
    ASSERT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("<script type=\"module\" src=\"/ui/app.js\">"), std::string::npos);
    EXPECT_NE(page.body.find("href=\"/ui/app.css\""), std::string::npos);
  }
  http::Response js = Get(r, "/ui/app.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_GT(js.body.size(), 10000u);  // the bundle includes the charting library
  EXPECT_NE(js.body.find("__infermetry"), std::string::npos);
  http::Response css = Get(r, "/ui/app.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(css.Header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_NE(css.body.find(".uplot"), std::string::npos);
  EXPECT_EQ(Get(r, "/ui/missing.js").status, 404);
}

TEST(WebUiTest, FilesAreRevalidatedByTheirContentHash) {
  http::Router r = Ui();
  http::Response first = Get(r, "/ui/app.js");
  const std::string etag(first.Header("ETag"));
  ASSERT_EQ(etag.size(), 18u);  // 16 hex digits, quoted
  EXPECT_EQ(first.Header("Cache-Control"), "no-cache");
  EXPECT_NE(etag, std::string(Get(r, "/ui/app.css").Header("ETag")));

  http::Response again = Get(r, "/ui/app.js", etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Get(r, "/ui/app.js", "\"other\", W/" + etag).status, 304);
  http::Response changed = Get(r, "/ui/app.js", "\"0000000000000000\"");
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, first.body);
}

TEST(WebUiTest, ConfigCarriesTheGpuRates) {
  WebUiOptions o;
  o.gpu_hourly_cost = 1.5;
  o.gpu_hourly_cost_by_model = {{"meta-llama/Llama-3.1-8B-Instruct", 4.1}};
  http::Response resp = Get(Ui(o), "/api/v1/ui/config");
  ASSERT_EQ(resp.status, 200);
  EXPECT_EQ(resp.Header("Content-Type"), "application/json");
  EXPECT_NE(resp.body.find(R"("gpu_hourly_cost":{"default":1.5,"models":{"meta-llama/Llama-3.1-8B-Instruct":4.1}})"),
            std::string::npos)
      << resp.body;
  EXPECT_NE(resp.body.find("\"status\":\"success\""), std::string::npos);
}

}  // namespace
}  // namespace infermetry::web
