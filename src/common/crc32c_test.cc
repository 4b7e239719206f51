#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace infermetry::crc32c {
namespace {

TEST(Crc32cTest, KnownValues) {
  EXPECT_EQ(Value("123456789"), 0xE3069283u);
  EXPECT_EQ(Value(""), 0u);
  // RFC 3720 (iSCSI) B.4 test vectors.
  EXPECT_EQ(Value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Value(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string inc(32, '\0');
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<char>(i);
  EXPECT_EQ(Value(inc), 0x46DD794Eu);
}

TEST(Crc32cTest, ExtendEqualsWholeAtEverySplitAndAlignment) {
  std::string s;
  for (int i = 0; i < 300; ++i) s.push_back(static_cast<char>(i * 37 + 11));
  for (size_t start = 0; start < 9; ++start) {
    std::string_view v(s.data() + start, s.size() - start);
    uint32_t whole = Value(v);
    for (size_t cut = 0; cut <= v.size(); cut += 7) {
      EXPECT_EQ(Extend(Value(v.substr(0, cut)), v.data() + cut, v.size() - cut), whole)
          << start << " " << cut;
    }
  }
}

TEST(Crc32cTest, DetectsEverySingleBitFlip) {
  std::string s(64, 'a');
  uint32_t base = Value(s);
  for (size_t i = 0; i < s.size(); ++i) {
    for (int b = 0; b < 8; ++b) {
      std::string t = s;
      t[i] = static_cast<char>(t[i] ^ (1 << b));
      EXPECT_NE(Value(t), base);
    }
  }
}

}  // namespace
}  // namespace infermetry::crc32c
