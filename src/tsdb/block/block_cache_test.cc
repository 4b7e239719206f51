#include "tsdb/block/block_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace infermetry::tsdb {
namespace {

std::string Metrics(const selfmon::Registry& r) {
  std::string out;
  r.WriteText(&out);
  return out;
}

TEST(BlockCacheTest, HitsMissesAndKindsAreSeparate) {
  selfmon::Registry r;
  BlockCache cache(1 << 20, &r);
  const uint64_t a = BlockCache::NewBlockId(), b = BlockCache::NewBlockId();
  EXPECT_NE(a, b);
  EXPECT_EQ(cache.GetPage(a, 1), nullptr);
  cache.PutPage(a, 1, std::make_shared<const std::string>("page a1"));
  ASSERT_NE(cache.GetPage(a, 1), nullptr);
  EXPECT_EQ(*cache.GetPage(a, 1), "page a1");
  EXPECT_EQ(cache.GetPage(b, 1), nullptr);   // another block
  EXPECT_EQ(cache.GetTimes(a, 1), nullptr);  // another kind, same index
  cache.PutTimes(a, 1, std::make_shared<const std::vector<int64_t>>(std::vector<int64_t>{1, 2}));
  EXPECT_EQ(cache.GetTimes(a, 1)->size(), 2u);
  const std::string m = Metrics(r);
  EXPECT_NE(m.find("infermetry_tsdb_block_cache_requests_total{kind=\"page\",result=\"hit\"} 2"),
            std::string::npos) << m;
  EXPECT_NE(m.find("infermetry_tsdb_block_cache_requests_total{kind=\"page\",result=\"miss\"} 2"),
            std::string::npos) << m;
  EXPECT_NE(m.find("infermetry_tsdb_block_cache_requests_total{kind=\"times\",result=\"hit\"} 1"),
            std::string::npos) << m;
  EXPECT_GT(cache.bytes(), 0u);
}

TEST(BlockCacheTest, StaysWithinCapacityEvictingLeastRecentlyUsed) {
  const uint64_t capacity = 16 * 64 * 1024;  // 64 KiB per shard
  BlockCache cache(capacity, nullptr);
  const uint64_t id = BlockCache::NewBlockId();
  auto held = std::make_shared<const std::string>(20000, 'x');
  cache.PutPage(id, 0, held);
  for (uint32_t p = 1; p < 2000; ++p) {
    cache.PutPage(id, p, std::make_shared<const std::string>(20000, 'y'));
    ASSERT_LE(cache.bytes(), capacity);
    // Page 1 is used after every insertion: it stays while older pages go.
    if (p > 1) {
      ASSERT_NE(cache.GetPage(id, 1), nullptr) << p;
    }
  }
  EXPECT_EQ(cache.GetPage(id, 0), nullptr);
  EXPECT_EQ(cache.GetPage(id, 2), nullptr);
  EXPECT_EQ(*held, std::string(20000, 'x'));  // an evicted value lives on with its holder
  // Larger than a shard: never kept.
  cache.PutPage(id, 5000, std::make_shared<const std::string>(capacity, 'z'));
  EXPECT_EQ(cache.GetPage(id, 5000), nullptr);
}

TEST(BlockCacheTest, ZeroCapacityKeepsNothing) {
  BlockCache cache(0, nullptr);
  const uint64_t id = BlockCache::NewBlockId();
  cache.PutPage(id, 0, std::make_shared<const std::string>("p"));
  EXPECT_EQ(cache.GetPage(id, 0), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace infermetry::tsdb
