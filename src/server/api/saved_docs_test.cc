#include "server/api/saved_docs.h"

#include <gtest/gtest.h>

#include <string>

#include "common/temp_dir.h"

namespace infermetry::api {
namespace {

class SavedDocsTest : public testing::Test {
 protected:
  http::Router Open() {
    http::Router r;
    RegisterSavedDocsApi(&r, {dir_.path() + "/ui", ApiAuth{{{"admin", "secret"}}}});
    return r;
  }

  static http::Response Call(const http::Router& r, std::string method, std::string path, std::string body = "",
                             bool authed = true) {
    http::Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.target = req.path;
    req.body = std::move(body);
    if (authed) req.headers.push_back({"Authorization", "Basic " + EncodeBase64("admin:secret")});
    http::Response resp;
    r.Dispatch(req, &resp);
    return resp;
  }

  TempDir dir_{"saved-docs"};
};

TEST_F(SavedDocsTest, PutGetListDeleteAndTheDocumentsOutliveTheServer) {
  {
    http::Router r = Open();
    EXPECT_EQ(Call(r, "GET", "/api/v1/dashboards").body, "[]");
    http::Response put = Call(r, "PUT", "/api/v1/dashboards/b-2", R"( {"title":"GPU cost","panels":[]} )");
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_NE(put.body.find("\"id\":\"b-2\""), std::string::npos);
    EXPECT_NE(put.body.find("\"updated\":\"20"), std::string::npos);
    ASSERT_EQ(Call(r, "PUT", "/api/v1/dashboards/a_1", R"({"title":"latency"})").status, 200);
    ASSERT_EQ(Call(r, "PUT", "/api/v1/filters/q1", R"({"name":"p95","query":"SELECT 1"})").status, 200);
  }
  http::Router r = Open();  // a new server over the same directory
  http::Response one = Call(r, "GET", "/api/v1/dashboards/b-2");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.body, R"({"title":"GPU cost","panels":[]})");  // as sent, without the spaces around it
  http::Response list = Call(r, "GET", "/api/v1/dashboards");
  const size_t a = list.body.find("\"id\":\"a_1\"");
  const size_t b = list.body.find("\"id\":\"b-2\"");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_LT(a, b);  // sorted by id
  EXPECT_NE(list.body.find(R"("value":{"title":"latency"})"), std::string::npos);
  EXPECT_EQ(list.body.find("p95"), std::string::npos);  // kinds are separate
  EXPECT_NE(Call(r, "GET", "/api/v1/filters").body.find("SELECT 1"), std::string::npos);

  ASSERT_EQ(Call(r, "PUT", "/api/v1/dashboards/a_1", R"({"title":"latency v2"})").status, 200);
  EXPECT_EQ(Call(r, "GET", "/api/v1/dashboards/a_1").body, R"({"title":"latency v2"})");
  EXPECT_EQ(Call(r, "DELETE", "/api/v1/dashboards/a_1").status, 200);
  EXPECT_EQ(Call(r, "GET", "/api/v1/dashboards/a_1").status, 404);
  EXPECT_EQ(Call(r, "DELETE", "/api/v1/dashboards/a_1").status, 404);
  EXPECT_EQ(Call(r, "GET", "/api/v1/dashboards").body.find("a_1"), std::string::npos);
}

TEST_F(SavedDocsTest, BadRequestsSayWhatIsWrongAndChangeNothing) {
  http::Router r = Open();
  ASSERT_EQ(Call(r, "PUT", "/api/v1/dashboards/d", R"({"title":"kept"})").status, 200);

  http::Response bad_json = Call(r, "PUT", "/api/v1/dashboards/d", R"({"title": "x",})");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_NE(bad_json.body.find("byte"), std::string::npos) << bad_json.body;
  http::Response not_object = Call(r, "PUT", "/api/v1/dashboards/d", "[1,2]");
  EXPECT_EQ(not_object.status, 400);
  EXPECT_NE(not_object.body.find("JSON object"), std::string::npos);
  http::Response bad_id = Call(r, "PUT", "/api/v1/dashboards/../etc", "{}");
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_NE(bad_id.body.find("A-Z a-z 0-9 _ -"), std::string::npos);
  EXPECT_EQ(Call(r, "PUT", "/api/v1/dashboards/" + std::string(65, 'x'), "{}").status, 400);
  EXPECT_EQ(Call(r, "PUT", "/api/v1/dashboards/big", "{\"a\":\"" + std::string(1 << 20, 'x') + "\"}").status, 413);
  EXPECT_EQ(Call(r, "PUT", "/api/v1/dashboards/d", "{}", /*authed=*/false).status, 401);
  http::Response challenge = Call(r, "GET", "/api/v1/dashboards", "", /*authed=*/false);
  EXPECT_EQ(challenge.status, 401);
  EXPECT_EQ(challenge.Header("WWW-Authenticate"), "Basic realm=\"infermetry\"");
  // The web UI asks for credentials itself: no challenge that would make the browser ask.
  http::Request script;
  script.method = "GET";
  script.path = script.target = "/api/v1/dashboards";
  script.headers = {{"X-Requested-With", "XMLHttpRequest"}, {"Authorization", "Basic " + EncodeBase64("admin:x")}};
  http::Response quiet;
  r.Dispatch(script, &quiet);
  EXPECT_EQ(quiet.status, 401);
  EXPECT_EQ(quiet.Header("WWW-Authenticate"), "");

  EXPECT_EQ(Call(r, "GET", "/api/v1/dashboards/d").body, R"({"title":"kept"})");
  EXPECT_EQ(Call(r, "GET", "/api/v1/dashboards/big").status, 404);
}

}  // namespace
}  // namespace infermetry::api
