#include "model/labels.h"

#include <gtest/gtest.h>

#include "model/sample.h"

#include <cmath>

namespace infermetry::model {
namespace {

TEST(LabelsTest, SortedUniqueAndEmptyValuesDropped) {
  Labels l{{"b", "2"}, {"__name__", "up"}, {"a", "1"}, {"b", "3"}, {"c", ""}};
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l.items()[0].name, "__name__");
  EXPECT_EQ(l.Get("b"), "3");
  EXPECT_FALSE(l.Has("c"));
  EXPECT_EQ(l.ToString(), "up{a=\"1\",b=\"3\"}");
}

TEST(LabelsTest, HashAndEquality) {
  Labels a{{"x", "ab"}, {"y", "c"}};
  Labels b{{"y", "c"}, {"x", "ab"}};
  Labels c{{"x", "a"}, {"y", "bc"}};
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.Hash(), b.Hash());
  EXPECT_NE(a.Hash(), c.Hash());
  EXPECT_TRUE(c < a);
}

TEST(LabelsTest, EscapingInToString) {
  Labels l{{"__name__", "m"}, {"v", "a\"b\\c\nd"}};
  EXPECT_EQ(l.ToString(), "m{v=\"a\\\"b\\\\c\\nd\"}");
}

TEST(LabelsBuilderTest, SetDel) {
  LabelsBuilder b(Labels{{"a", "1"}, {"c", "3"}});
  b.Set("b", "2");
  b.Set("a", "");
  b.Del("c");
  b.Set("d", "4");
  EXPECT_EQ(b.Build(), (Labels{{"b", "2"}, {"d", "4"}}));
  EXPECT_EQ(b.Get("b"), "2");
}

TEST(NamesTest, Validity) {
  EXPECT_TRUE(IsValidMetricName("vllm:num_requests_running"));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_TRUE(IsValidLabelName("_x9"));
}

TEST(SampleTest, StaleNaNIsDistinct) {
  EXPECT_TRUE(std::isnan(StaleNaN()));
  EXPECT_TRUE(IsStaleNaN(StaleNaN()));
  EXPECT_FALSE(IsStaleNaN(std::nan("")));
}

}  // namespace
}  // namespace infermetry::model
