#include "server/api/parseable_json.h"

#include <gtest/gtest.h>

namespace infermetry::api {
namespace {

TEST(ParseableJson, ValuesKindsAndRanges) {
  std::string text = R"( {"a": 1, "b": -2.5, "c": "x\"y", "d": [true, null], "e": {"f": 1e3}} )";
  auto v = ParseJson(text);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->kind, JsonValue::Kind::kObject);
  ASSERT_EQ(v->members.size(), 5u);
  EXPECT_EQ(v->Find("a")->kind, JsonValue::Kind::kInteger);
  EXPECT_EQ(v->Find("a")->i, 1);
  EXPECT_EQ(v->Find("b")->kind, JsonValue::Kind::kNumber);
  EXPECT_DOUBLE_EQ(v->Find("b")->d, -2.5);
  EXPECT_EQ(v->Find("c")->s, "x\"y");
  const JsonValue* d = v->Find("d");
  ASSERT_EQ(d->items.size(), 2u);
  EXPECT_TRUE(d->items[0].b);
  EXPECT_EQ(d->items[1].kind, JsonValue::Kind::kNull);
  // 1e3 is a number, not an integer, though its value is integral.
  EXPECT_EQ(v->Find("e")->Find("f")->kind, JsonValue::Kind::kNumber);
  // Byte ranges give back each value's text.
  EXPECT_EQ(text.substr(d->begin, d->end - d->begin), "[true, null]");
  EXPECT_EQ(text.substr(v->begin, v->end - v->begin).front(), '{');
  EXPECT_EQ(v->Find("missing"), nullptr);
}

TEST(ParseableJson, IntegersOutsideInt64AreNumbers) {
  auto v = ParseJson("[9223372036854775807, 9223372036854775808, -0]");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->items[0].kind, JsonValue::Kind::kInteger);
  EXPECT_EQ(v->items[0].i, INT64_MAX);
  EXPECT_EQ(v->items[1].kind, JsonValue::Kind::kNumber);
  EXPECT_EQ(v->items[2].kind, JsonValue::Kind::kInteger);
}

TEST(ParseableJson, UnicodeEscapes) {
  auto v = ParseJson(R"(["\u00e9\ud83d\ude00\n", "\ud800x"])");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->items[0].s, "\xC3\xA9\xF0\x9F\x98\x80\n");
  EXPECT_EQ(v->items[1].s, "\xEF\xBF\xBDx");  // a lone surrogate becomes U+FFFD
}

TEST(ParseableJson, ErrorsNameTheByteOffset) {
  struct Case {
    std::string text;
    std::string want;
  } cases[] = {
      {R"({"a": 1,})", "invalid JSON at byte 8: expected a string as an object key"},
      {R"({"a" 1})", "invalid JSON at byte 5: expected ':' after an object key"},
      {R"([1, 2)", "invalid JSON at byte 5: expected ',' or ']' in an array"},
      {R"({"a": tru})", "invalid JSON at byte 6: invalid literal"},
      {R"("abc)", "invalid JSON at byte 4: unterminated string"},
      {R"({} x)", "invalid JSON at byte 3: unexpected text after the JSON value"},
      {"", "invalid JSON at byte 0: unexpected end of input"},
      {"[01]", "invalid JSON at byte 2: expected ',' or ']'"},
      {"[1.]", "invalid JSON at byte 3: expected a digit after the decimal point"},
      {"[NaN]", "invalid JSON at byte 1: expected a value"},
      {"[1e999]", "invalid JSON at byte 1: number out of range"},
  };
  for (const Case& c : cases) {
    auto v = ParseJson(c.text);
    ASSERT_FALSE(v.ok()) << c.text;
    EXPECT_EQ(v.status().code(), Code::kParseError);
    EXPECT_EQ(v.status().message().substr(0, c.want.size()), c.want) << c.text << " -> " << v.status().message();
  }
}

TEST(ParseableJson, DepthIsLimited) {
  std::string deep(600, '[');
  auto v = ParseJson(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("nested deeper than 512 levels"), std::string::npos);
}

TEST(ParseableJson, DuplicateKeysFindTheLast) {
  auto v = ParseJson(R"({"a": 1, "a": 2})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->members.size(), 2u);
  EXPECT_EQ(v->Find("a")->i, 2);
}

}  // namespace
}  // namespace infermetry::api
