#include <gtest/gtest.h>

#include "tsdb/block/block.h"
#include "tsdb/block/block_test_util.h"

namespace infermetry::tsdb {
namespace {

using storage::Matcher;
using testing::Eq;
using testing::M;
using testing::TestSeries;

class MergeQueriersTest : public ::testing::Test {
 protected:
  std::unique_ptr<Block> Make(std::vector<TestSeries> s, int64_t mint, int64_t maxt,
                              std::vector<storage::MetadataEntry> md = {}) {
    auto meta = testing::WriteTestBlock(DefaultEnv(), dir_.path(), std::move(s), mint, maxt, md);
    EXPECT_TRUE(meta.ok()) << meta.status().ToString();
    auto b = Block::Open(DefaultEnv(), dir_.path() + "/" + meta->id);
    EXPECT_TRUE(b.ok());
    return std::move(*b);
  }
  testing::TempDir dir_;
};

TEST_F(MergeQueriersTest, OverlapMergesByTimeAndLaterWinsTies) {
  model::Labels a{{"__name__", "a"}}, b{{"__name__", "b"}}, c{{"__name__", "c"}};
  auto b1 = Make({{a, {{1, 1}, {3, 3}, {5, 5}}}, {b, {{2, 20}}}}, 0, 10);
  auto b2 = Make({{a, {{3, 30}, {4, 40}, {6, 60}}}, {c, {{7, 70}}}}, 0, 10);
  std::vector<std::unique_ptr<storage::Querier>> qs;
  qs.push_back(b1->NewQuerier(0, 10));
  qs.push_back(b2->NewQuerier(0, 10));
  auto q = MergeQueriers(std::move(qs));
  auto got = testing::ReadAll(q.get(), {M(Matcher::Op::kRe, "__name__", ".+")});
  ASSERT_TRUE(got.ok());
  std::vector<TestSeries> want = {{a, {{1, 1}, {3, 30}, {4, 40}, {5, 5}, {6, 60}}},
                                  {b, {{2, 20}}},
                                  {c, {{7, 70}}}};
  EXPECT_TRUE(testing::SameSeries(*got, want));

  // Seek on a merged iterator.
  auto set = q->Select({0, 10}, std::vector<Matcher>{Eq("__name__", "a")});
  ASSERT_TRUE(set->Next());
  auto it = set->Samples();
  ASSERT_TRUE(it->Seek(4));
  EXPECT_EQ(it->t(), 4);
  EXPECT_EQ(it->v(), 40);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->t(), 5);
  EXPECT_FALSE(set->Next());

  auto names = q->LabelValues("__name__", {});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(MergeQueriersTest, LaterQuerierWinsRegardlessOfBlockAge) {
  model::Labels a{{"__name__", "a"}};
  auto older = Make({{a, {{5, 1}}}}, 0, 10);
  auto newer = Make({{a, {{5, 2}}}}, 0, 10);
  for (int order = 0; order < 2; ++order) {
    std::vector<std::unique_ptr<storage::Querier>> qs;
    qs.push_back((order == 0 ? older : newer)->NewQuerier(0, 10));
    qs.push_back((order == 0 ? newer : older)->NewQuerier(0, 10));
    auto q = MergeQueriers(std::move(qs));
    auto got = testing::ReadAll(q.get(), {Eq("__name__", "a")});
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 1u);
    ASSERT_EQ((*got)[0].samples.size(), 1u);
    EXPECT_EQ((*got)[0].samples[0].v, order == 0 ? 2 : 1);
  }
}

TEST_F(MergeQueriersTest, MetadataAndNamesAreUnions) {
  storage::Metadata m1{"x", model::MetricType::kCounter, "h", ""};
  storage::Metadata m2{"y", model::MetricType::kGauge, "g", ""};
  auto b1 = Make({{model::Labels{{"__name__", "x"}, {"k", "1"}}, {{1, 1}}}}, 0, 10, {{"x", m1}});
  auto b2 = Make({{model::Labels{{"__name__", "y"}, {"j", "2"}}, {{1, 1}}}}, 0, 10, {{"x", m1}, {"y", m2}});
  std::vector<std::unique_ptr<storage::Querier>> qs;
  qs.push_back(b1->NewQuerier(0, 10));
  qs.push_back(b2->NewQuerier(0, 10));
  auto q = MergeQueriers(std::move(qs));
  auto md = q->Metadata("");
  ASSERT_EQ(md.size(), 2u);
  EXPECT_EQ(md[0].metric, "x");
  EXPECT_EQ(md[1].metric, "y");
  auto names = q->LabelNames({});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "j", "k"}));
  // An invalid selector is reported through the merged set.
  auto set = q->Select({0, 10}, std::vector<Matcher>{Eq("k", "")});
  EXPECT_FALSE(set->Next());
  EXPECT_EQ(set->status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace infermetry::tsdb
