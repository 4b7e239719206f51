#include "server/api/metrics_proxy.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/http_client.h"
#include "server/http/server.h"

namespace infermetry::api {
namespace {

constexpr const char* kVllm =
    "# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
    "# TYPE vllm:num_requests_running gauge\n"
    "vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 3.0\n"
    "# HELP vllm:e2e_request_latency_seconds Histogram of e2e request latency in seconds.\n"
    "# TYPE vllm:e2e_request_latency_seconds histogram\n"
    "vllm:e2e_request_latency_seconds_bucket{engine=\"0\",le=\"0.3\",model_name=\"m\"} 1.0\n"
    "vllm:e2e_request_latency_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"m\"} 2.0\n"
    "vllm:e2e_request_latency_seconds_count{engine=\"0\",model_name=\"m\"} 2.0\n"
    "vllm:e2e_request_latency_seconds_sum{engine=\"0\",model_name=\"m\"} 0.75\n";

TEST(NormalizeTest, UnderscoresRenamesSamplesAndMetadata) {
  size_t dropped = 0;
  std::string out = NormalizeExposition(kVllm, "text/plain; version=0.0.4", NamePolicy::kUnderscores, &dropped);
  EXPECT_EQ(dropped, 0u);
  EXPECT_EQ(out.find("vllm:"), std::string::npos) << out;
  EXPECT_NE(out.find("# TYPE vllm_num_requests_running gauge\n"), std::string::npos) << out;
  EXPECT_NE(out.find("# HELP vllm_e2e_request_latency_seconds Histogram of e2e request latency in seconds.\n"),
            std::string::npos);
  EXPECT_NE(out.find("vllm_num_requests_running{engine=\"0\",model_name=\"m\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("vllm_e2e_request_latency_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"m\"} 2\n"),
            std::string::npos);
}

TEST(NormalizeTest, KeepPassesNamesAndDropsBadLines) {
  size_t dropped = 0;
  std::string in = std::string(kVllm) + "broken{ 1\n";
  std::string out = NormalizeExposition(in, "", NamePolicy::kKeep, &dropped);
  EXPECT_EQ(dropped, 1u);
  EXPECT_NE(out.find("vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 3\n"), std::string::npos);
}

TEST(NormalizeTest, OpenMetricsStaysOpenMetrics) {
  size_t dropped = 0;
  std::string in =
      "# TYPE vllm:x counter\nvllm:x_total 1 # {trace_id=\"ab\"} 1.0 1700000000.5\n# EOF\n";
  std::string out = NormalizeExposition(in, "application/openmetrics-text; version=1.0.0", NamePolicy::kUnderscores, &dropped);
  EXPECT_EQ(dropped, 0u);
  EXPECT_NE(out.find("vllm_x_total 1 # {trace_id=\"ab\"} 1"), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - 6), "# EOF\n");
}

class ProxyServerTest : public ::testing::Test {
 protected:
  std::unique_ptr<http::Server> Serve(std::shared_ptr<http::Router> router) {
    auto s = http::Server::Start(http::ServerOptions{}, router);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(*s);
  }
  Result<http::ClientResponse> Get(const http::Server& s, const std::string& path) {
    http::ClientRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(s.port()) + path;
    return http::Fetch(req);
  }
};

TEST_F(ProxyServerTest, ProxiesNormalizedAndReportsUpstreamFailures) {
  auto up_router = std::make_shared<http::Router>();
  up_router->Handle("GET", "/metrics", "m", [](const http::Request&, http::Response* r) {
    r->body = kVllm;
    r->SetContentType("text/plain; version=0.0.4; charset=utf-8");
  });
  up_router->Handle("GET", "/slow", "s", [](const http::Request&, http::Response* r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    r->SetText(200, "a 1\n");
  });
  up_router->Handle("GET", "/err", "e", [](const http::Request&, http::Response* r) { r->SetText(500, "boom\n"); });
  auto upstream = Serve(up_router);
  std::string base = "http://127.0.0.1:" + std::to_string(upstream->port());

  auto make_proxy = [&](const std::string& path) {
    auto router = std::make_shared<http::Router>();
    ProxyOptions opt;
    opt.target_url = base + path;
    opt.timeout = std::chrono::milliseconds(200);
    RegisterMetricsProxy(opt, router.get());
    return Serve(router);
  };

  auto ok = make_proxy("/metrics");
  auto r = Get(*ok, "/metrics");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("vllm_num_requests_running{"), std::string::npos);
  EXPECT_EQ(r->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  auto h = Get(*ok, "/health");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
  auto self = Get(*ok, "/-/metrics");
  ASSERT_TRUE(self.ok());
  EXPECT_NE(self->body.find("infermetry_proxy_upstream_requests_total{result=\"ok\"}"), std::string::npos);

  auto slow = make_proxy("/slow");
  r = Get(*slow, "/metrics");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 504);

  auto err = make_proxy("/err");
  r = Get(*err, "/metrics");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 502);
  EXPECT_NE(r->body.find("returned HTTP status 500"), std::string::npos);

  uint16_t dead_port = upstream->port();
  upstream->Shutdown(std::chrono::milliseconds(100));
  upstream.reset();
  auto down_router = std::make_shared<http::Router>();
  ProxyOptions opt;
  opt.target_url = "http://127.0.0.1:" + std::to_string(dead_port) + "/metrics";
  RegisterMetricsProxy(opt, down_router.get());
  auto down = Serve(down_router);
  r = Get(*down, "/metrics");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(r->body.find('\n'), r->body.size() - 1) << "one-line reason: " << r->body;
}

}  // namespace
}  // namespace infermetry::api
