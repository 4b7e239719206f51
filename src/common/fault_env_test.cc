#include "common/fault_env.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace infermetry {
namespace {

class FaultEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/fault_env_XXXXXX";
    dir_ = ::mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Content(const std::string& name) {
    auto r = ReadFile(DefaultEnv(), Path(name));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : "";
  }

  std::string dir_;
  FaultEnv env_{DefaultEnv()};
};

TEST_F(FaultEnvTest, ForwardsAndCounts) {
  auto f = env_.Open(Path("a"), true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("hello").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ((*f)->Size(), 5u);
  EXPECT_EQ(env_.appends(), 1u);
  EXPECT_EQ(env_.syncs(), 1u);
  EXPECT_EQ(env_.syncs_of("/a"), 1u);
  EXPECT_EQ(env_.syncs_of("/b"), 0u);
  EXPECT_EQ(Content("a"), "hello");
}

TEST_F(FaultEnvTest, FailsTheNextNSyncsOfMatchingFiles) {
  auto a = env_.Open(Path("x.wal"), true);
  auto b = env_.Open(Path("y.log"), true);
  ASSERT_TRUE(a.ok() && b.ok());
  env_.FailSyncs(2, ".wal");
  EXPECT_TRUE((*b)->Sync().ok());  // not matching
  Status s1 = (*a)->Sync();
  EXPECT_EQ(s1.code(), Code::kIoError);
  EXPECT_NE(s1.message().find("x.wal"), std::string::npos);
  EXPECT_FALSE((*a)->Sync().ok());
  EXPECT_TRUE((*a)->Sync().ok());  // only two
  EXPECT_EQ(env_.failed_syncs(), 2u);
  EXPECT_EQ(env_.syncs(), 2u);
}

TEST_F(FaultEnvTest, FailAllSyncsUntilCleared) {
  auto a = env_.Open(Path("a"), true);
  ASSERT_TRUE(a.ok());
  env_.FailAllSyncs();
  for (int i = 0; i < 5; ++i) EXPECT_FALSE((*a)->Sync().ok());
  env_.ClearFaults();
  EXPECT_TRUE((*a)->Sync().ok());
  EXPECT_EQ(env_.failed_syncs(), 5u);
}

TEST_F(FaultEnvTest, ShortWriteWritesAPrefixOnce) {
  auto a = env_.Open(Path("seg"), true);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE((*a)->Append("abc").ok());
  env_.ShortWrite(2, "seg");
  Status st = (*a)->Append("defgh");
  EXPECT_EQ(st.code(), Code::kIoError);
  ASSERT_TRUE((*a)->Append("XY").ok());  // disarmed after one
  EXPECT_EQ(Content("seg"), "abcdeXY");
  EXPECT_EQ(env_.short_writes(), 1u);
}

TEST_F(FaultEnvTest, DropUnsyncedDataKeepsOnlySyncedBytes) {
  {
    auto pre = DefaultEnv()->Open(Path("old"), true);
    ASSERT_TRUE(pre.ok());
    ASSERT_TRUE((*pre)->Append("existing").ok());
  }
  {
    auto a = env_.Open(Path("a"), true);
    auto n = env_.Open(Path("never_synced"), true);
    auto o = env_.Open(Path("old"), false);
    ASSERT_TRUE(a.ok() && n.ok() && o.ok());
    ASSERT_TRUE((*a)->Append("durable").ok());
    ASSERT_TRUE((*a)->Sync().ok());
    ASSERT_TRUE((*a)->Append("-lost").ok());
    ASSERT_TRUE((*n)->Append("gone").ok());
    ASSERT_TRUE((*o)->Append("+more").ok());
    env_.FailAllSyncs();
    EXPECT_FALSE((*a)->Sync().ok());  // a failed sync makes nothing durable
  }
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Content("a"), "durable");
  EXPECT_EQ(Content("never_synced"), "");
  EXPECT_EQ(Content("old"), "existing");
  EXPECT_EQ(env_.dropped_bytes(), 5u + 4u + 5u);
}

TEST_F(FaultEnvTest, RenameCarriesTheSyncedSize) {
  {
    auto a = env_.Open(Path("a.tmp"), true);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE((*a)->Append("12345").ok());
    ASSERT_TRUE((*a)->Sync().ok());
    ASSERT_TRUE((*a)->Append("678").ok());
  }
  ASSERT_TRUE(env_.Rename(Path("a.tmp"), Path("a")).ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Content("a"), "12345");
}

TEST_F(FaultEnvTest, CorruptByteFlipsExactlyOneByte) {
  {
    auto a = DefaultEnv()->Open(Path("c"), true);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE((*a)->Append("abcdef").ok());
  }
  ASSERT_TRUE(CorruptByte(DefaultEnv(), Path("c"), 2, 0x20).ok());
  EXPECT_EQ(Content("c"), "abCdef");
  EXPECT_EQ(CorruptByte(DefaultEnv(), Path("c"), 6, 1).code(), Code::kOutOfRange);
  EXPECT_EQ(CorruptByte(DefaultEnv(), Path("missing"), 0, 1).code(), Code::kNotFound);
}

}  // namespace
}  // namespace infermetry
