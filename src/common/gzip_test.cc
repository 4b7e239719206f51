#include "common/gzip.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace infermetry::http {
namespace {

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

TEST(GzipTest, RoundTripsTextBinaryAndEmpty) {
  for (const std::string& input :
       {std::string(), std::string("hello\n"), std::string(1 << 20, 'x'), RandomBytes(300000, 7)}) {
    Result<std::string> z = GzipCompress(input);
    ASSERT_TRUE(z.ok()) << z.status().ToString();
    EXPECT_EQ(static_cast<unsigned char>((*z)[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>((*z)[1]), 0x8b);
    Result<std::string> back = GzipDecompress(*z, input.size());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, input);
  }
}

TEST(GzipTest, CompressesRepetitiveData) {
  Result<std::string> z = GzipCompress(std::string(100000, 'a'));
  ASSERT_TRUE(z.ok());
  EXPECT_LT(z->size(), 1000u);
}

TEST(GzipTest, DecodesOutputOfOtherEncoders) {
  // "hello\n" as written by Python's gzip module.
  const std::string z(
      "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xcb\x48\xcd\xc9\xc9\xe7\x02\x00"
      "\x20\x30\x3a\x36\x06\x00\x00\x00",
      26);
  Result<std::string> out = GzipDecompress(z, 100);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "hello\n");
}

TEST(GzipTest, DecodesConcatenatedMembers) {
  std::string z = *GzipCompress("first,") + *GzipCompress("second");
  Result<std::string> out = GzipDecompress(z, 100);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "first,second");
}

TEST(GzipTest, EnforcesOutputLimitWhileInflating) {
  const std::string bomb = *GzipCompress(std::string(50 << 20, '\0'));
  ASSERT_LT(bomb.size(), 100000u);
  Result<std::string> out = GzipDecompress(bomb, 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kResourceExhausted);

  // Exactly at the limit is fine.
  Result<std::string> exact = GzipDecompress(*GzipCompress(std::string(1000, 'q')), 1000);
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(exact->size(), 1000u);
}

TEST(GzipTest, RejectsCorruptInput) {
  const std::string good = *GzipCompress(std::string(10000, 'z') + "tail");
  struct Case {
    const char* name;
    std::string data;
  };
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x55;
  std::string bad_crc = good;
  bad_crc[good.size() - 6] ^= 0x01;
  for (const Case& c : {Case{"empty", ""}, Case{"not gzip", "plain text body"},
                        Case{"truncated", good.substr(0, good.size() - 3)},
                        Case{"truncated header", good.substr(0, 5)}, Case{"corrupt", flipped},
                        Case{"bad crc", bad_crc}, Case{"trailing garbage", good + "garbage!"}}) {
    Result<std::string> out = GzipDecompress(c.data, 1 << 20);
    ASSERT_FALSE(out.ok()) << c.name;
    EXPECT_EQ(out.status().code(), Code::kParseError) << c.name << ": " << out.status().ToString();
  }
}

}  // namespace
}  // namespace infermetry::http
