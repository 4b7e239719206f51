#include "emulator/engine/kv_cache.h"

#include <gtest/gtest.h>

#include <vector>

namespace infermetry::emulator {
namespace {

TEST(KvCacheTest, BlockZeroIsReservedAndUsageCountsUsableBlocks) {
  KvCache kv(11, 16, true);
  EXPECT_EQ(kv.num_free_blocks(), 10);
  EXPECT_EQ(kv.Usage(), 0.0);
  std::vector<int> blocks;
  ASSERT_TRUE(kv.Allocate(5, &blocks));
  for (int b : blocks) EXPECT_NE(b, 0);
  EXPECT_DOUBLE_EQ(kv.Usage(), 0.5);
  EXPECT_FALSE(kv.Allocate(6, &blocks));
  EXPECT_EQ(blocks.size(), 5u);  // nothing taken on failure
  ASSERT_TRUE(kv.Allocate(5, &blocks));
  EXPECT_DOUBLE_EQ(kv.Usage(), 1.0);
  kv.Free(blocks);
  EXPECT_EQ(kv.num_free_blocks(), 10);
}

TEST(KvCacheTest, FreedBlocksStayFindableUntilReallocated) {
  KvCache kv(5, 2, true);  // 4 usable blocks
  const uint32_t t1[] = {1, 2}, t2[] = {3, 4};
  const BlockHash h1 = HashBlock(0, t1), h2 = HashBlock(h1, t2);
  std::vector<int> a;
  ASSERT_TRUE(kv.Allocate(2, &a));
  kv.Register(a[0], h1);
  kv.Register(a[1], h2);
  kv.Free(a);
  EXPECT_EQ(kv.num_free_blocks(), 4);
  EXPECT_EQ(kv.num_cached_blocks(), 2u);

  const BlockHash chain[] = {h1, h2, 99};
  std::vector<int> found;
  EXPECT_EQ(kv.FindCachedPrefix(chain, &found), 2);
  EXPECT_EQ(found, a);
  EXPECT_EQ(kv.CountEvictable(found), 2);
  kv.Touch(found);
  EXPECT_EQ(kv.num_free_blocks(), 2);
  EXPECT_EQ(kv.ref_count(a[0]), 1);
  kv.Touch(found);  // a second request shares them
  EXPECT_EQ(kv.ref_count(a[0]), 2);
  kv.Free(found);
  kv.Free(found);

  // Allocating everything evicts the cached hashes.
  std::vector<int> all;
  ASSERT_TRUE(kv.Allocate(4, &all));
  found.clear();
  EXPECT_EQ(kv.FindCachedPrefix(chain, &found), 0);
  EXPECT_EQ(kv.num_cached_blocks(), 0u);
}

TEST(KvCacheTest, EvictsLeastRecentlyFreedAndTailBlocksFirst) {
  KvCache kv(7, 1, true);  // 6 usable blocks
  std::vector<int> a, b;
  ASSERT_TRUE(kv.Allocate(3, &a));
  ASSERT_TRUE(kv.Allocate(3, &b));
  for (int i = 0; i < 3; ++i) kv.Register(a[i], 100 + i);
  for (int i = 0; i < 3; ++i) kv.Register(b[i], 200 + i);
  kv.Free(a);  // a's blocks freed first, tail first
  kv.Free(b);
  std::vector<int> taken;
  ASSERT_TRUE(kv.Allocate(1, &taken));
  EXPECT_EQ(taken[0], a[2]);  // a's last block is the first evicted
  std::vector<int> found;
  const BlockHash a_chain[] = {100, 101, 102};
  EXPECT_EQ(kv.FindCachedPrefix(a_chain, &found), 2);
  found.clear();
  const BlockHash b_chain[] = {200, 201, 202};
  EXPECT_EQ(kv.FindCachedPrefix(b_chain, &found), 3);
}

TEST(KvCacheTest, HashChainsDependOnEveryEarlierToken) {
  const uint32_t x[] = {1, 2, 3}, y[] = {1, 2, 4};
  EXPECT_EQ(HashBlock(0, x), HashBlock(0, x));
  EXPECT_NE(HashBlock(0, x), HashBlock(0, y));
  EXPECT_NE(HashBlock(5, x), HashBlock(6, x));
}

TEST(KvCacheTest, PrefixCachingOffNeverFinds) {
  KvCache kv(5, 2, false);
  std::vector<int> a;
  ASSERT_TRUE(kv.Allocate(1, &a));
  kv.Register(a[0], 42);
  kv.Free(a);
  std::vector<int> found;
  const BlockHash chain[] = {42};
  EXPECT_EQ(kv.FindCachedPrefix(chain, &found), 0);
}

}  // namespace
}  // namespace infermetry::emulator
