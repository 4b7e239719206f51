#include "model/span.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace infermetry::model {
namespace {

TEST(SpanTest, HexIdRoundTrip) {
  TraceId id{};
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(i * 17);
  std::string hex = HexId(id);
  EXPECT_EQ(hex, "00112233445566778899aabbccddeeff");
  TraceId back{};
  ASSERT_TRUE(ParseHexId(hex, back));
  EXPECT_EQ(back, id);
  ASSERT_TRUE(ParseHexId("00112233445566778899AABBCCDDEEFF", back));
  EXPECT_EQ(back, id);
}

TEST(SpanTest, ParseHexIdRejectsBadInput) {
  SpanId id{};
  EXPECT_FALSE(ParseHexId("0011", id));               // too short
  EXPECT_FALSE(ParseHexId("00112233445566778", id));  // too long
  EXPECT_FALSE(ParseHexId("001122334455667g", id));   // bad digit
  EXPECT_TRUE(ParseHexId("0011223344556677", id));
  EXPECT_EQ(id[7], 0x77);
}

TEST(SpanTest, AsNumber) {
  AttrValue v;
  EXPECT_FALSE(v.AsNumber().has_value());
  v.type = AttrValue::Type::kInt;
  v.i = -42;
  EXPECT_EQ(*v.AsNumber(), -42.0);
  v.type = AttrValue::Type::kBool;
  v.i = 1;
  EXPECT_EQ(*v.AsNumber(), 1.0);
  v.type = AttrValue::Type::kDouble;
  v.d = 0.25;
  EXPECT_EQ(*v.AsNumber(), 0.25);
  v.type = AttrValue::Type::kString;
  v.s = "1.5e3";
  EXPECT_EQ(*v.AsNumber(), 1500.0);
  v.s = "1.5x";
  EXPECT_FALSE(v.AsNumber().has_value());
  v.type = AttrValue::Type::kJson;
  v.s = "1";
  EXPECT_FALSE(v.AsNumber().has_value());
}

TEST(SpanTest, AsString) {
  AttrValue v;
  EXPECT_EQ(v.AsString(), "");
  v.type = AttrValue::Type::kBool;
  v.i = 0;
  EXPECT_EQ(v.AsString(), "false");
  v.i = 1;
  EXPECT_EQ(v.AsString(), "true");
  v.type = AttrValue::Type::kInt;
  v.i = -9223372036854775807LL - 1;
  EXPECT_EQ(v.AsString(), "-9223372036854775808");
  v.type = AttrValue::Type::kDouble;
  v.d = 0.1;
  EXPECT_EQ(v.AsString(), "0.1");
  v.d = 2;
  EXPECT_EQ(v.AsString(), "2");
  v.d = -0.0;
  EXPECT_EQ(v.AsString(), "-0.0");
  v.d = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(v.AsString(), "NaN");
  v.d = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(v.AsString(), "-Infinity");
  v.d = 1e20;
  EXPECT_EQ(v.AsString(), "1e+20");
  v.type = AttrValue::Type::kString;
  v.s = "abc";
  EXPECT_EQ(v.AsString(), "abc");
}

TEST(SpanTest, FindAttrReturnsFirst) {
  Attributes attrs{{"a", {AttrValue::Type::kInt, "", 1}},
                   {"b", {AttrValue::Type::kInt, "", 2}},
                   {"a", {AttrValue::Type::kInt, "", 3}}};
  ASSERT_NE(FindAttr(attrs, "a"), nullptr);
  EXPECT_EQ(FindAttr(attrs, "a")->i, 1);
  EXPECT_EQ(FindAttr(attrs, "b")->i, 2);
  EXPECT_EQ(FindAttr(attrs, "c"), nullptr);
}

TEST(SpanTest, DurationAndEquality) {
  Span a;
  a.start_ns = 100;
  a.end_ns = 350;
  EXPECT_EQ(a.duration_ns(), 250);
  Span b = a;
  EXPECT_EQ(a, b);
  b.attributes.push_back({"k", {AttrValue::Type::kString, "v"}});
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace infermetry::model
