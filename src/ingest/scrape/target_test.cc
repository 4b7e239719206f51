#include "ingest/scrape/target.h"

#include <gtest/gtest.h>

namespace infermetry::scrape {
namespace {

ScrapeConfig Job() {
  ScrapeConfig c;
  c.job_name = "vllm";
  c.scrape_interval = std::chrono::milliseconds(5000);
  c.scrape_timeout = std::chrono::milliseconds(4000);
  c.static_configs.push_back({{"gpu1:8000", "gpu2:8000"}, {{"cluster", "a"}}});
  return c;
}

TEST(TargetTest, LabelsAndUrl) {
  ScrapeConfig c = Job();
  c.params["format"] = {"prometheus"};
  auto ts = TargetsFromConfig(c);
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[0].url, "http://gpu1:8000/metrics?format=prometheus");
  EXPECT_EQ(ts[0].labels, (model::Labels{{"job", "vllm"}, {"instance", "gpu1:8000"}, {"cluster", "a"}}));
}

TEST(TargetTest, RelabelConfigsSetInstanceAndDropTargets) {
  ScrapeConfig c = Job();
  RelabelConfig inst;
  inst.source_labels = {"__address__"};
  inst.target_label = "instance";
  ASSERT_TRUE(inst.Init("([^:]+):.*").ok());
  RelabelConfig drop;
  drop.action = RelabelAction::kDrop;
  drop.source_labels = {"__address__"};
  ASSERT_TRUE(drop.Init("gpu2:.*").ok());
  c.relabel_configs = {inst, drop};
  auto ts = TargetsFromConfig(c);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].labels.Get("instance"), "gpu1");
}

TEST(TargetTest, ClashingLabelsBecomeExported) {
  ScrapeConfig c = Job();
  auto ts = TargetsFromConfig(c);
  model::LabelsBuilder b(model::Labels{{"__name__", "m"}, {"job", "inner"}, {"exported_job", "x"}});
  ASSERT_TRUE(MutateSampleLabels(ts[0], &b));
  auto l = b.Build();
  EXPECT_EQ(l.Get("job"), "vllm");
  EXPECT_EQ(l.Get("exported_job"), "x");
  EXPECT_EQ(l.Get("exported_exported_job"), "inner");
}

TEST(TargetTest, HonorLabelsKeepsSampleValues) {
  ScrapeConfig c = Job();
  c.honor_labels = true;
  auto ts = TargetsFromConfig(c);
  model::LabelsBuilder b(model::Labels{{"__name__", "m"}, {"job", "inner"}});
  ASSERT_TRUE(MutateSampleLabels(ts[0], &b));
  auto l = b.Build();
  EXPECT_EQ(l.Get("job"), "inner");
  EXPECT_EQ(l.Get("instance"), "gpu1:8000");
  EXPECT_FALSE(l.Has("exported_job"));
}

}  // namespace
}  // namespace infermetry::scrape
