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

  // All at once: the same samples as Next() one by one, also after a Seek.
  set = q->Select({0, 10}, std::vector<Matcher>{Eq("__name__", "a")});
  ASSERT_TRUE(set->Next());
  std::vector<model::Sample> all;
  ASSERT_TRUE(set->Samples()->AppendRemaining(&all).ok());
  ASSERT_EQ(all.size(), want[0].samples.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].t_ms, want[0].samples[i].t_ms);
    EXPECT_EQ(all[i].v, want[0].samples[i].v);
  }
  it = set->Samples();
  ASSERT_TRUE(it->Seek(4));
  all.clear();
  ASSERT_TRUE(it->AppendRemaining(&all).ok());
  ASSERT_EQ(all.size(), 2u);  // after 4: 5 and 6
  EXPECT_EQ(all[0].t_ms, 5);
  EXPECT_EQ(all[1].v, 60);
  EXPECT_FALSE(it->Next());
}

// Three overlapping sources read at once agree with reading sample by sample.
TEST_F(MergeQueriersTest, AppendRemainingEqualsNextOverThreeSources) {
  model::Labels a{{"__name__", "a"}};
  auto b1 = Make({{a, {{1, 1}, {3, 3}, {5, 5}, {8, 8}}}}, 0, 10);
  auto b2 = Make({{a, {{0, 0}, {3, 30}, {6, 60}}}}, 0, 10);
  auto b3 = Make({{a, {{3, 300}, {8, 800}, {9, 900}}}}, 0, 10);
  auto merged = [&] {
    std::vector<std::unique_ptr<storage::Querier>> qs;
    for (Block* b : {b1.get(), b2.get(), b3.get()}) qs.push_back(b->NewQuerier(0, 10));
    return MergeQueriers(std::move(qs));
  };
  auto q1 = merged();
  auto set = q1->Select({0, 10}, std::vector<Matcher>{Eq("__name__", "a")});
  ASSERT_TRUE(set->Next());
  std::vector<model::Sample> one_by_one, at_once;
  auto it = set->Samples();
  while (it->Next()) one_by_one.push_back({it->t(), it->v()});
  auto q2 = merged();
  set = q2->Select({0, 10}, std::vector<Matcher>{Eq("__name__", "a")});
  ASSERT_TRUE(set->Next());
  ASSERT_TRUE(set->Samples()->AppendRemaining(&at_once).ok());
  ASSERT_EQ(one_by_one.size(), 7u);  // 0 1 3 5 6 8 9, 3 and 8 from the last source
  ASSERT_EQ(at_once.size(), one_by_one.size());
  for (size_t i = 0; i < at_once.size(); ++i) {
    EXPECT_EQ(at_once[i].t_ms, one_by_one[i].t_ms);
    EXPECT_EQ(at_once[i].v, one_by_one[i].v);
  }
  EXPECT_EQ(at_once[2].v, 300);
  EXPECT_EQ(at_once[5].v, 800);
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
