// Damaged blocks: every flipped byte and every truncation must surface as kCorruption (from
// Open or from the query), never as a crash or as data that differs from what was written.

#include <gtest/gtest.h>

#include <random>

#include "tsdb/block/block.h"
#include "tsdb/block/block_test_util.h"

namespace infermetry::tsdb {
namespace {

using storage::Matcher;
using testing::M;
using testing::TestSeries;

std::vector<TestSeries> SmallSeries() {
  std::mt19937_64 rng(17);
  std::vector<TestSeries> out;
  for (int s = 0; s < 12; ++s) {
    TestSeries ts{model::Labels{{"__name__", s < 6 ? "h_bucket" : "g"}, {"i", std::to_string(s % 3)},
                                {"le", std::to_string(s)}},
                  {}};
    double cum = 0;
    for (int i = 0; i < 40; ++i) {
      cum += static_cast<double>(rng() % 5);
      double v = s == 7 ? static_cast<double>(rng() % 1000) / 997 : cum;
      if (i == 39 && s == 3) v = model::StaleNaN();
      ts.samples.push_back({1000 + i * 5000 + s % 3, v});
    }
    out.push_back(std::move(ts));
  }
  return testing::Sorted(std::move(out));
}

// Opens `dir` and reads everything; OK only when both succeed, and then `*got` holds the data.
Status OpenAndRead(const std::string& dir, std::vector<TestSeries>* got) {
  INFERMETRY_ASSIGN_OR_RETURN(auto b, Block::Open(DefaultEnv(), dir));
  auto q = b->NewQuerier(INT64_MIN, INT64_MAX);
  INFERMETRY_ASSIGN_OR_RETURN(*got, testing::ReadAll(q.get(), {M(Matcher::Op::kRe, "__name__", ".+")}));
  // Label queries read the index only, but must not fail on an intact block either.
  INFERMETRY_ASSIGN_OR_RETURN(auto names, q->LabelNames({}));
  if (names.size() != 3) return Status(Code::kInternal, "label names differ");
  return Status::Ok();
}

class BlockCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    series_ = SmallSeries();
    auto meta = testing::WriteTestBlock(DefaultEnv(), dir_.path(), series_, 0, 1'000'000);
    ASSERT_TRUE(meta.ok());
    block_ = dir_.path() + "/" + meta->id;
    std::vector<TestSeries> got;
    ASSERT_TRUE(OpenAndRead(block_, &got).ok());
    ASSERT_TRUE(testing::SameSeries(got, series_));
  }
  std::string Read(const std::string& file) { return *ReadFile(DefaultEnv(), block_ + "/" + file); }
  void Write(const std::string& file, const std::string& data) {
    ASSERT_TRUE(DefaultEnv()->RemoveAll(block_ + "/" + file).ok());
    auto f = DefaultEnv()->Open(block_ + "/" + file, true);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(data).ok());
  }

  std::vector<TestSeries> series_;
  testing::TempDir dir_;
  std::string block_;
};

TEST_F(BlockCorruptionTest, EveryFlippedByteIsDetected) {
  for (const char* file : {"meta", "index", "data"}) {
    const std::string orig = Read(file);
    ASSERT_GT(orig.size(), 16u);
    size_t detected = 0;
    for (size_t off = 0; off < orig.size(); ++off) {
      for (uint8_t mask : {0x01, 0xff}) {
        std::string bad = orig;
        bad[off] = static_cast<char>(bad[off] ^ mask);
        Write(file, bad);
        std::vector<TestSeries> got;
        Status st = OpenAndRead(block_, &got);
        if (st.ok()) {
          ADD_FAILURE() << file << " byte " << off << " ^" << int(mask) << " went unnoticed"
                        << (testing::SameSeries(got, series_) ? "" : " and returned wrong data");
          continue;
        }
        EXPECT_EQ(st.code(), Code::kCorruption) << file << " byte " << off << ": " << st.ToString();
        EXPECT_NE(st.message().find(file), std::string::npos) << st.message();
        ++detected;
      }
    }
    EXPECT_EQ(detected, 2 * orig.size()) << file;
    Write(file, orig);
  }
}

TEST_F(BlockCorruptionTest, TruncationIsDetected) {
  for (const char* file : {"meta", "index", "data"}) {
    const std::string orig = Read(file);
    for (size_t len : {size_t{0}, size_t{7}, size_t{16}, orig.size() / 3, orig.size() / 2,
                       orig.size() - 5, orig.size() - 1}) {
      Write(file, orig.substr(0, len));
      std::vector<TestSeries> got;
      Status st = OpenAndRead(block_, &got);
      EXPECT_EQ(st.code(), Code::kCorruption) << file << " cut to " << len << ": " << st.ToString();
    }
    // Appended garbage is as wrong as missing bytes.
    Write(file, orig + "xx");
    std::vector<TestSeries> got;
    EXPECT_EQ(OpenAndRead(block_, &got).code(), Code::kCorruption) << file;
    Write(file, orig);
  }
  std::vector<TestSeries> got;
  ASSERT_TRUE(OpenAndRead(block_, &got).ok());
  EXPECT_TRUE(testing::SameSeries(got, series_));
}

TEST_F(BlockCorruptionTest, WrongVersionAndMissingFiles) {
  for (const char* file : {"meta", "index", "data"}) {
    const std::string orig = Read(file);
    std::string v2 = orig;
    v2[8] = 2;  // format version, little-endian at offset 8
    Write(file, v2);
    auto b = Block::Open(DefaultEnv(), block_);
    ASSERT_FALSE(b.ok()) << file;
    EXPECT_EQ(b.status().code(), Code::kCorruption);
    EXPECT_NE(b.status().message().find("version 2"), std::string::npos) << b.status().message();
    Write(file, orig);
  }
  ASSERT_TRUE(DefaultEnv()->Remove(block_ + "/index").ok());
  auto b = Block::Open(DefaultEnv(), block_);
  EXPECT_EQ(b.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace infermetry::tsdb
