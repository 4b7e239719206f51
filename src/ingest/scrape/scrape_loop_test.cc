#include "ingest/scrape/scrape_loop.h"

#include <gtest/gtest.h>

#include <map>

#include "model/sample.h"
#include "storage/memory_appendable.h"

namespace infermetry::scrape {
namespace {

class ScrapeLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_.job_name = "vllm";
    cfg_.static_configs.push_back({{"127.0.0.1:8000"}, {}});
  }
  ScrapeLoop MakeLoop() { return ScrapeLoop(TargetsFromConfig(cfg_).at(0), &mem_); }
  // name{labels} -> value of the last take.
  std::map<std::string, double> Take() {
    std::map<std::string, double> out;
    for (auto& s : mem_.Take()) out[s.labels.ToString()] = s.v;
    return out;
  }

  ScrapeConfig cfg_;
  storage::MemoryAppendable mem_;
};

constexpr const char* kTarget = "{instance=\"127.0.0.1:8000\",job=\"vllm\"}";

TEST_F(ScrapeLoopTest, SamplesAndReportSeries) {
  ScrapeLoop loop = MakeLoop();
  auto r = loop.Append("# TYPE a gauge\na{x=\"1\"} 5\nb 2.5\n", "text/plain", 1000, 0.01, Status::Ok());
  EXPECT_TRUE(r.up);
  EXPECT_EQ(r.samples_scraped, 2u);
  EXPECT_EQ(r.series_added, 2u);
  auto got = Take();
  EXPECT_EQ(got.at("a{instance=\"127.0.0.1:8000\",job=\"vllm\",x=\"1\"}"), 5);
  EXPECT_EQ(got.at("b" + std::string(kTarget)), 2.5);
  EXPECT_EQ(got.at("up" + std::string(kTarget)), 1);
  EXPECT_EQ(got.at("scrape_samples_scraped" + std::string(kTarget)), 2);
  EXPECT_EQ(got.at("scrape_samples_post_metric_relabeling" + std::string(kTarget)), 2);
  EXPECT_EQ(got.at("scrape_series_added" + std::string(kTarget)), 2);
  EXPECT_EQ(got.at("scrape_duration_seconds" + std::string(kTarget)), 0.01);
}

TEST_F(ScrapeLoopTest, DisappearedSeriesGetStaleMarkers) {
  ScrapeLoop loop = MakeLoop();
  (void)loop.Append("a 1\nb 2\n", "", 1000, 0, Status::Ok());
  mem_.Take();
  auto r = loop.Append("a 1\n", "", 2000, 0, Status::Ok());
  EXPECT_EQ(r.series_added, 0u);
  auto got = mem_.Take();
  bool stale_b = false;
  for (auto& s : got) {
    if (s.labels.MetricName() == "b") stale_b = model::IsStaleNaN(s.v) && s.t_ms == 2000;
  }
  EXPECT_TRUE(stale_b);
}

TEST_F(ScrapeLoopTest, FailedScrapeMarksEverythingStaleAndUpZero) {
  ScrapeLoop loop = MakeLoop();
  (void)loop.Append("a 1\n", "", 1000, 0, Status::Ok());
  mem_.Take();
  auto r = loop.Append("", "", 2000, 0.5, Unavailable("connection refused"));
  EXPECT_FALSE(r.up);
  auto got = mem_.Take();
  int stale = 0;
  double up = -1;
  for (auto& s : got) {
    if (model::IsStaleNaN(s.v)) ++stale;
    if (s.labels.MetricName() == "up") up = s.v;
  }
  EXPECT_EQ(stale, 1);
  EXPECT_EQ(up, 0);
}

TEST_F(ScrapeLoopTest, BadLinesAreSkippedAndCounted) {
  ScrapeLoop loop = MakeLoop();
  auto r = loop.Append("a 1\nb{x=} 2\nc 3\n", "", 1000, 0, Status::Ok());
  EXPECT_TRUE(r.up);
  EXPECT_EQ(r.parse_errors, 1u);
  EXPECT_EQ(r.samples_scraped, 2u);
  auto got = Take();
  EXPECT_TRUE(got.count("c" + std::string(kTarget)));
}

TEST_F(ScrapeLoopTest, DuplicatesAreDropped) {
  ScrapeLoop loop = MakeLoop();
  auto r = loop.Append("a 1\na 2\n", "", 1000, 0, Status::Ok());
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(Take().at("a" + std::string(kTarget)), 1);
}

TEST_F(ScrapeLoopTest, HonorTimestamps) {
  ScrapeLoop loop = MakeLoop();
  (void)loop.Append("a 1 1234\n", "", 5000, 0, Status::Ok());
  for (auto& s : mem_.Take()) {
    if (s.labels.MetricName() == "a") {
      EXPECT_EQ(s.t_ms, 1234);
    }
  }
  cfg_.honor_timestamps = false;
  ScrapeLoop loop2 = MakeLoop();
  (void)loop2.Append("a 1 1234\n", "", 5000, 0, Status::Ok());
  for (auto& s : mem_.Take()) {
    if (s.labels.MetricName() == "a") {
      EXPECT_EQ(s.t_ms, 5000);
    }
  }
}

TEST_F(ScrapeLoopTest, SampleLimitFailsTheScrape) {
  cfg_.sample_limit = 1;
  ScrapeLoop loop = MakeLoop();
  auto r = loop.Append("a 1\nb 2\n", "", 1000, 0, Status::Ok());
  EXPECT_FALSE(r.up);
  EXPECT_EQ(r.error.code(), Code::kResourceExhausted);
  auto got = Take();
  EXPECT_FALSE(got.count("a" + std::string(kTarget)));
  EXPECT_EQ(got.at("up" + std::string(kTarget)), 0);
}

TEST_F(ScrapeLoopTest, MetricRelabelDropsSeries) {
  RelabelConfig drop;
  drop.action = RelabelAction::kDrop;
  drop.source_labels = {"__name__"};
  ASSERT_TRUE(drop.Init("python_.*").ok());
  cfg_.metric_relabel_configs = {drop};
  ScrapeLoop loop = MakeLoop();
  auto r = loop.Append("python_gc 1\nvllm:x 2\n", "", 1000, 0, Status::Ok());
  EXPECT_EQ(r.samples_scraped, 2u);
  EXPECT_EQ(r.samples_post_relabeling, 1u);
  auto got = Take();
  EXPECT_FALSE(got.count("python_gc" + std::string(kTarget)));
  EXPECT_TRUE(got.count("vllm:x" + std::string(kTarget)));
}

}  // namespace
}  // namespace infermetry::scrape
