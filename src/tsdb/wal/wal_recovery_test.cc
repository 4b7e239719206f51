// Recovery: torn tails, corrupt frames, bad headers.

#include <gtest/gtest.h>

#include <filesystem>

#include "tsdb/wal/wal.h"
#include "tsdb/wal/wal_test_util.h"

namespace infermetry::wal {
namespace {

using WalRecoveryTest = WalTestBase;

std::vector<std::string> Records(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(Rec(i));
  return out;
}

TEST_F(WalRecoveryTest, TornTailAtEveryLengthKeepsEarlierRecords) {
  Options o = Opts();
  std::vector<std::string> recs = Records(4);
  recs.push_back(std::string(37, 'L'));  // the record whose write is torn
  {
    auto w = OpenOk(o);
    for (const auto& r : recs) ASSERT_TRUE(w->Append(r).ok());
  }
  const std::string pristine = root_ + "/pristine";
  std::filesystem::copy(dir_, pristine);
  const std::string seg = dir_ + "/" + format::SegmentName(0);
  const uint64_t start = FrameOffset(recs, 4);
  const uint64_t frame = format::kFrameHeaderBytes + recs[4].size();
  ASSERT_EQ(FileSize(pristine + "/" + format::SegmentName(0)), start + frame);
  std::vector<std::string> kept(recs.begin(), recs.begin() + 4);

  for (uint64_t k = 1; k < frame; ++k) {
    SCOPED_TRACE("bytes of the last frame on disk: " + std::to_string(k));
    std::filesystem::remove_all(dir_);
    std::filesystem::copy(pristine, dir_);
    TruncateFile(seg, start + k);
    {
      Replayed r;
      auto w = OpenOk(o, &r);
      ASSERT_NE(w, nullptr);
      EXPECT_EQ(r.Strings(), kept);
      EXPECT_EQ(r.stats.torn_bytes, k);
      EXPECT_EQ(r.stats.corrupt_bytes, 0u);
      EXPECT_EQ(FileSize(seg), start);
      ASSERT_TRUE(w->Append("after").ok());
    }
    Replayed again = Reopen(o);
    std::vector<std::string> want = kept;
    want.push_back("after");
    EXPECT_EQ(again.Strings(), want);
    EXPECT_EQ(again.stats.torn_bytes, 0u);
  }
  EXPECT_DOUBLE_EQ(WalCounter("infermetry_wal_torn_bytes_total", o.name),
                   static_cast<double>((frame - 1) * frame / 2));
}

TEST_F(WalRecoveryTest, FlippedByteInTheLastSegmentCutsThere) {
  Options o = Opts();
  std::vector<std::string> recs = Records(10);
  {
    auto w = OpenOk(o);
    for (const auto& r : recs) ASSERT_TRUE(w->Append(r).ok());
  }
  const std::string seg = dir_ + "/" + format::SegmentName(0);
  const uint64_t size = FileSize(seg);
  const uint64_t at = FrameOffset(recs, 5);
  // A byte in the payload of record 5.
  ASSERT_TRUE(CorruptByte(DefaultEnv(), seg, at + format::kFrameHeaderBytes + 3, 0x40).ok());
  Replayed r;
  {
    auto w = OpenOk(o, &r);
    EXPECT_EQ(r.Strings(), std::vector<std::string>(recs.begin(), recs.begin() + 5));
    EXPECT_EQ(r.stats.torn_bytes, size - at);
    EXPECT_EQ(FileSize(seg), at);
    ASSERT_TRUE(w->Append("new").ok());
  }
  std::vector<std::string> want(recs.begin(), recs.begin() + 5);
  want.push_back("new");
  EXPECT_EQ(Reopen(o).Strings(), want);
}

TEST_F(WalRecoveryTest, FlippedLengthOrCrcFieldCutsToo) {
  Options o = Opts();
  std::vector<std::string> recs = Records(6);
  for (uint64_t field_byte : {uint64_t{0}, uint64_t{3}, uint64_t{4}, uint64_t{7}}) {
    SCOPED_TRACE(field_byte);
    std::filesystem::remove_all(dir_);
    {
      auto w = OpenOk(o);
      for (const auto& r : recs) ASSERT_TRUE(w->Append(r).ok());
    }
    const std::string seg = dir_ + "/" + format::SegmentName(0);
    ASSERT_TRUE(CorruptByte(DefaultEnv(), seg, FrameOffset(recs, 2) + field_byte, 0x01).ok());
    Replayed r = Reopen(o);
    EXPECT_EQ(r.Strings(), std::vector<std::string>(recs.begin(), recs.begin() + 2));
    EXPECT_GT(r.stats.torn_bytes, 0u);
  }
}

TEST_F(WalRecoveryTest, FlippedByteInAnEarlierSegmentLosesOnlyTheRestOfIt) {
  Options o = Opts();
  std::vector<std::string> first = Records(5), second = {"b0", "b1", "b2"};
  {
    auto w = OpenOk(o);
    for (const auto& r : first) ASSERT_TRUE(w->Append(r).ok());
    ASSERT_TRUE(w->Cut().ok());
    for (const auto& r : second) ASSERT_TRUE(w->Append(r).ok());
  }
  const std::string seg0 = dir_ + "/" + format::SegmentName(0);
  const uint64_t size0 = FileSize(seg0);
  const uint64_t at = FrameOffset(first, 2);
  ASSERT_TRUE(CorruptByte(DefaultEnv(), seg0, at + format::kFrameHeaderBytes, 0xFF).ok());
  std::vector<std::string> want = {first[0], first[1]};
  want.insert(want.end(), second.begin(), second.end());
  {
    Replayed r;
    auto w = OpenOk(o, &r);
    EXPECT_EQ(r.Strings(), want);
    EXPECT_EQ(r.stats.corrupt_bytes, size0 - at);
    EXPECT_EQ(r.stats.torn_bytes, 0u);
    EXPECT_EQ(r.stats.segments, 2u);
    EXPECT_EQ(r.records.back().first, 1u);
    ASSERT_TRUE(w->Append("c").ok());
  }
  want.push_back("c");
  EXPECT_EQ(Reopen(o).Strings(), want);
  EXPECT_GE(WalCounter("infermetry_wal_corrupt_bytes_total", o.name),
            static_cast<double>(size0 - at));
}

TEST_F(WalRecoveryTest, AnotherFormatVersionFailsOpen) {
  Options o = Opts();
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append("x").ok());
  }
  const std::string seg = dir_ + "/" + format::SegmentName(0);
  ASSERT_TRUE(CorruptByte(DefaultEnv(), seg, 8, 0x03).ok());  // version 1 -> 2
  auto w = Wal::Open(
      o, [](uint64_t, std::string_view) { return Status::Ok(); }, nullptr);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Code::kCorruption);
  const std::string msg = w.status().message();
  EXPECT_NE(msg.find(seg), std::string::npos) << msg;
  EXPECT_NE(msg.find("version 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("version 1"), std::string::npos) << msg;
}

TEST_F(WalRecoveryTest, BadMagicFailsOpen) {
  Options o = Opts();
  { auto w = OpenOk(o); }
  ASSERT_TRUE(CorruptByte(DefaultEnv(), dir_ + "/" + format::SegmentName(0), 0, 0x20).ok());
  auto w = Wal::Open(
      o, [](uint64_t, std::string_view) { return Status::Ok(); }, nullptr);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Code::kCorruption);
}

TEST_F(WalRecoveryTest, SegmentTornAtCreationIsRewritten) {
  Options o = Opts();
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append("a").ok());
  }
  // A crash just after the next segment's file was created: part of its header.
  const std::string seg1 = dir_ + "/" + format::SegmentName(1);
  {
    auto f = DefaultEnv()->Open(seg1, true);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("INFMW").ok());
  }
  {
    Replayed r;
    auto w = OpenOk(o, &r);
    EXPECT_EQ(r.Strings(), std::vector<std::string>{"a"});
    EXPECT_EQ(r.stats.torn_bytes, 5u);
    EXPECT_EQ(w->CurrentSegment(), 1u);
    ASSERT_TRUE(w->Append("b").ok());
  }
  EXPECT_EQ(Reopen(o).Strings(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(WalRecoveryTest, OtherFilesAreIgnored) {
  Options o = Opts();
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append("a").ok());
  }
  for (const char* name : {"notes.txt", "0000001", "000000001", "00000002.tmp"}) {
    auto f = DefaultEnv()->Open(dir_ + "/" + name, true);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("junk").ok());
  }
  Replayed r = Reopen(o);
  EXPECT_EQ(r.Strings(), std::vector<std::string>{"a"});
  EXPECT_EQ(r.stats.segments, 1u);
}

// The example in docs/format/wal.md, byte for byte.
TEST_F(WalRecoveryTest, OnDiskBytesMatchTheDocumentedLayout) {
  Options o = Opts();
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append("abc").ok());
  }
  auto data = ReadFile(DefaultEnv(), dir_ + "/00000000");
  ASSERT_TRUE(data.ok());
  const unsigned char want[] = {0x49, 0x4e, 0x46, 0x4d, 0x57, 0x41, 0x4c, 0x0a, 0x01,
                                0x00, 0x00, 0x00, 0x51, 0xe3, 0x5a, 0x5e, 0x03, 0x00,
                                0x00, 0x00, 0xf8, 0x83, 0x14, 0x55, 0x61, 0x62, 0x63};
  EXPECT_EQ(*data, std::string(reinterpret_cast<const char*>(want), sizeof(want)));
}

TEST_F(WalRecoveryTest, StartsAFreshSegmentWhenTheLastIsFull) {
  Options o = Opts();
  o.segment_bytes = 64;
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append(std::string(100, 'q')).ok());
  }
  auto w = OpenOk(o);
  EXPECT_EQ(w->CurrentSegment(), 1u);
}

}  // namespace
}  // namespace infermetry::wal
