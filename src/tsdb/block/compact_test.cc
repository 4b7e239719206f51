#include "tsdb/block/compact.h"

#include <gtest/gtest.h>

#include <random>

#include "tsdb/block/block_test_util.h"

namespace infermetry::tsdb {
namespace {

using storage::Matcher;
using testing::M;
using testing::TestSeries;

constexpr int64_t kH = 3600 * 1000;

TEST(CompactTest, OutputEqualsUnionOfInputs) {
  testing::TempDir dir;
  std::mt19937_64 rng(5);
  std::vector<std::unique_ptr<Block>> blocks;
  std::vector<std::vector<TestSeries>> inputs;
  for (int b = 0; b < 3; ++b) {
    std::vector<TestSeries> series;
    for (int s = 0; s < 40; ++s) {
      if ((s + b) % 4 == 0) continue;  // series present in some blocks only
      TestSeries ts{model::Labels{{"__name__", "m"}, {"s", std::to_string(s)}}, {}};
      for (int i = 0; i < 50; ++i) {
        ts.samples.push_back({b * 2 * kH + i * 5000 + s, static_cast<double>(rng() % 1000)});
      }
      series.push_back(ts);
    }
    storage::Metadata md{"m", model::MetricType::kGauge, "help " + std::to_string(b), ""};
    auto meta = testing::WriteTestBlock(DefaultEnv(), dir.path(), series, b * 2 * kH,
                                        (b + 1) * 2 * kH - 1, {{"m", md}});
    ASSERT_TRUE(meta.ok());
    auto opened = Block::Open(DefaultEnv(), dir.path() + "/" + meta->id);
    ASSERT_TRUE(opened.ok());
    blocks.push_back(std::move(*opened));
    inputs.push_back(series);
  }
  std::vector<const Block*> in = {blocks[0].get(), blocks[1].get(), blocks[2].get()};
  auto out = CompactBlocks(DefaultEnv(), dir.path(), in);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->level, 2u);
  EXPECT_EQ(out->mint, 0);
  EXPECT_EQ(out->maxt, 6 * kH - 1);
  std::vector<std::string> ids = {blocks[0]->meta().id, blocks[1]->meta().id, blocks[2]->meta().id};
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(out->sources, ids);

  // The expected union, through MergeQueriers over the inputs.
  std::vector<std::unique_ptr<storage::Querier>> qs;
  for (auto& b : blocks) qs.push_back(b->NewQuerier(INT64_MIN, INT64_MAX));
  auto merged = MergeQueriers(std::move(qs));
  auto want = testing::ReadAll(merged.get(), {M(Matcher::Op::kRe, "__name__", ".+")});
  ASSERT_TRUE(want.ok());
  auto compacted = Block::Open(DefaultEnv(), dir.path() + "/" + out->id);
  ASSERT_TRUE(compacted.ok());
  auto q = (*compacted)->NewQuerier(INT64_MIN, INT64_MAX);
  auto got = testing::ReadAll(q.get(), {M(Matcher::Op::kRe, "__name__", ".+")});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 40u);
  EXPECT_TRUE(testing::SameSeries(*got, *want));
  uint64_t n = 0;
  for (const auto& s : inputs) for (const auto& x : s) n += x.samples.size();
  EXPECT_EQ(out->num_samples, n);
  auto md = q->Metadata("m");
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].metadata.help, "help 2");  // the last input's

  // Compacting the compacted block again keeps the level-1 sources.
  std::vector<const Block*> again = {compacted->get()};
  auto out2 = CompactBlocks(DefaultEnv(), dir.path(), again);
  ASSERT_TRUE(out2.ok());
  EXPECT_EQ(out2->level, 3u);
  EXPECT_EQ(out2->sources, ids);
}

BlockMeta Meta(std::string id, int64_t mint, int64_t maxt, uint64_t size = 100,
               std::vector<std::string> sources = {}) {
  BlockMeta m;
  m.id = std::move(id);
  m.mint = mint;
  m.maxt = maxt;
  m.size_bytes = size;
  m.sources = std::move(sources);
  return m;
}

const CompactionPlanOptions kRanges{{2 * kH, 6 * kH, 24 * kH}};

TEST(PlanCompactionTest, FullAlignedRangeMerges) {
  std::vector<BlockMeta> metas = {Meta("a", 0, 2 * kH - 1), Meta("b", 2 * kH, 4 * kH - 1),
                                  Meta("c", 4 * kH, 6 * kH - 1), Meta("d", 6 * kH, 8 * kH - 1)};
  auto plan = PlanCompaction(metas, kRanges);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0], (std::vector<size_t>{0, 1, 2}));
}

TEST(PlanCompactionTest, PartialRangeWaitsUntilANewerBlockStartsAfterIt) {
  std::vector<BlockMeta> metas = {Meta("a", 0, 2 * kH - 1), Meta("b", 2 * kH, 4 * kH - 1)};
  EXPECT_TRUE(PlanCompaction(metas, kRanges).empty());  // c may still come
  metas.push_back(Meta("e", 8 * kH, 10 * kH - 1));      // a gap, then a newer block
  auto plan = PlanCompaction(metas, kRanges);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0], (std::vector<size_t>{0, 1}));
  // A single block never forms a group; neither does the newest range.
  EXPECT_TRUE(PlanCompaction({Meta("a", 0, 2 * kH - 1)}, kRanges).empty());
  EXPECT_TRUE(PlanCompaction(metas, {{2 * kH}}).empty());
}

TEST(PlanCompactionTest, NextLevelAndOverlapsAndLeftovers) {
  // Four 6 h blocks fill a day.
  std::vector<BlockMeta> metas;
  for (int i = 0; i < 4; ++i) metas.push_back(Meta("d" + std::to_string(i), i * 6 * kH, (i + 1) * 6 * kH - 1));
  auto plan = PlanCompaction(metas, kRanges);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0], (std::vector<size_t>{0, 1, 2, 3}));
  // Overlapping blocks come first, whatever their sizes.
  std::vector<BlockMeta> ov = {Meta("a", 0, 2 * kH - 1), Meta("b", kH, 3 * kH), Meta("c", 10 * kH, 11 * kH)};
  plan = PlanCompaction(ov, kRanges);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0], (std::vector<size_t>{0, 1}));
  // A leftover input of a finished compaction is never selected.
  std::vector<BlockMeta> left = {Meta("a", 0, 2 * kH - 1), Meta("big", 0, 6 * kH - 1, 100, {"a", "x"})};
  plan = PlanCompaction(left, kRanges);
  EXPECT_TRUE(plan.empty());
}

TEST(PlanRetentionTest, ByTimeAndSizeOldestFirst) {
  std::vector<BlockMeta> metas = {Meta("a", 0, 2 * kH - 1, 100), Meta("b", 2 * kH, 4 * kH - 1, 100),
                                  Meta("c", 4 * kH, 6 * kH - 1, 100), Meta("d", 6 * kH, 8 * kH - 1, 100)};
  EXPECT_EQ(PlanRetention(metas, {3 * kH, 0}, 0), (std::vector<size_t>{0, 1}));
  EXPECT_TRUE(PlanRetention(metas, {0, 0}, 0).empty());
  EXPECT_EQ(PlanRetention(metas, {0, 250}, 0), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(PlanRetention(metas, {0, 250}, 100), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(PlanRetention(metas, {0, 400}, 0), (std::vector<size_t>{}));
  // Never a block newer than one kept: an old block with a late maxt stops time retention.
  std::vector<BlockMeta> odd = {Meta("a", 0, 2 * kH - 1), Meta("b", kH, 7 * kH), Meta("c", 2 * kH, 3 * kH),
                                Meta("d", 6 * kH, 8 * kH - 1)};
  EXPECT_EQ(PlanRetention(odd, {3 * kH, 0}, 0), (std::vector<size_t>{0}));
}

}  // namespace
}  // namespace infermetry::tsdb
