#include "export/batch.h"

#include <gtest/gtest.h>

#include "export/export_test_util.h"

namespace infermetry::exporter {
namespace {

using process::Signal;

TEST(BatchTest, SignalItemsAndRoundTrip) {
  Batch b = testing::MakeMetrics(4);
  EXPECT_EQ(SignalOf(b), Signal::kMetrics);
  EXPECT_EQ(ItemsOf(b), 4);
  auto parsed = Parse(Signal::kMetrics, Serialize(b));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(ItemsOf(*parsed), 4);
  EXPECT_EQ(Parse(Signal::kTraces, "\xff\xff\xff").status().code(), Code::kCorruption);
}

TEST(BatchTest, MergeAndSplit) {
  Batch a = testing::MakeTraces(3, "a");
  MergeInto(&a, Batch(testing::MakeTraces(4, "b")));
  EXPECT_EQ(ItemsOf(a), 7);
  std::vector<Batch> pieces = Split(std::move(a), 3);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(ItemsOf(pieces[0]), 3);
  EXPECT_EQ(ItemsOf(pieces[1]), 3);
  EXPECT_EQ(ItemsOf(pieces[2]), 1);
  // The last piece keeps its resource.
  const auto& last = std::get<process::Traces>(pieces[2]);
  EXPECT_EQ(last.resource_spans(0).resource().attributes(0).value().string_value(), "b");
  EXPECT_EQ(Split(Batch(testing::MakeLogs(2)), 5).size(), 1u);
}

}  // namespace
}  // namespace infermetry::exporter
