#include "ingest/scrape/scraper.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "model/sample.h"
#include "server/http/server.h"
#include "storage/memory_appendable.h"

namespace infermetry::scrape {
namespace {

class ScraperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<http::Router>();
    router->Handle("GET", "/metrics", "m", [this](const http::Request& req, http::Response* r) {
      last_accept_ = std::string(req.Header("Accept"));
      last_auth_ = std::string(req.Header("Authorization"));
      ++hits_;
      r->body = "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{engine=\"0\"} 3\n";
      r->body += std::string(2000, '#') + "\n";  // big enough to be gzipped
      r->SetContentType("text/plain; version=0.0.4");
    });
    router->Handle("GET", "/slow", "s", [](const http::Request&, http::Response* r) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      r->SetText(200, "a 1\n");
    });
    router->Handle("GET", "/missing", "x", [](const http::Request&, http::Response* r) { r->SetText(404, "no\n"); });
    auto s = http::Server::Start(http::ServerOptions{}, router);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }

  ScrapeConfig Job(const std::string& name, const std::string& path) {
    ScrapeConfig c;
    c.job_name = name;
    c.metrics_path = path;
    c.scrape_interval = std::chrono::milliseconds(200);
    c.scrape_timeout = std::chrono::milliseconds(150);
    c.static_configs.push_back({{"127.0.0.1:" + std::to_string(server_->port())}, {}});
    return c;
  }

  std::unique_ptr<http::Server> server_;
  std::string last_accept_, last_auth_;
  std::atomic<int> hits_{0};
  storage::MemoryAppendable mem_;
};

TEST_F(ScraperTest, ScrapeOnceReportsEveryTarget) {
  ScrapeFileConfig cfg;
  cfg.scrape_configs = {Job("ok", "/metrics"), Job("slow", "/slow"), Job("missing", "/missing")};
  cfg.scrape_configs[0].authorization_credentials = "tok";
  Scraper s(cfg, &mem_);
  ASSERT_EQ(s.num_targets(), 3u);
  auto reports = s.ScrapeOnce();
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_TRUE(reports[0].up) << reports[0].error.ToString();
  EXPECT_EQ(reports[0].samples_scraped, 1u);
  EXPECT_EQ(reports[1].error.code(), Code::kDeadlineExceeded);
  EXPECT_EQ(reports[2].error.code(), Code::kUnavailable);
  EXPECT_NE(reports[2].error.message().find("404"), std::string::npos);
  EXPECT_NE(last_accept_.find("application/openmetrics-text"), std::string::npos);
  EXPECT_EQ(last_auth_, "Bearer tok");
  bool found = false;
  for (auto& smp : mem_.Take()) {
    if (smp.labels.MetricName() == "vllm:num_requests_running") {
      found = true;
      EXPECT_EQ(smp.labels.Get("job"), "ok");
      EXPECT_EQ(smp.v, 3);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ScraperTest, ScrapesOnScheduleAndMarksStaleOnStop) {
  ScrapeFileConfig cfg;
  cfg.scrape_configs = {Job("ok", "/metrics")};
  Scraper s(cfg, &mem_);
  ASSERT_TRUE(s.Start().ok());
  // A target is scraped one request at a time: once the 4th request arrived, the first 3
  // scrapes are appended (waiting for 3 hits raced with the 3rd scrape's append).
  while (hits_.load() < 4) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  s.Stop();
  int values = 0, stale = 0;
  for (auto& smp : mem_.Take()) {
    if (smp.labels.MetricName() != "vllm:num_requests_running") continue;
    if (model::IsStaleNaN(smp.v)) {
      ++stale;
    } else {
      ++values;
    }
  }
  EXPECT_GE(values, 3);
  EXPECT_EQ(stale, 1);
}

}  // namespace
}  // namespace infermetry::scrape
