#pragma once
// A byte-bounded LRU of decoded block data, shared by every block of a DB and every querier of
// those blocks: decompressed sample and time pages, and decoded time columns. Blocks are
// immutable, so an entry is never stale; keys carry the reader's unique id, so a block that is
// deleted and a new one opened never share entries (the old ones age out).
//
// Values are handed out as shared_ptr: an entry evicted while a querier uses it stays alive
// until that querier lets go. Thread-safe (16 shards, one mutex each).
//
//   BlockCache cache(256 << 20, &selfmon::Default());
//   auto page = cache.GetPage(block_id, 7);       // nullptr on a miss
//   if (!page) cache.PutPage(block_id, 7, page = std::make_shared<std::string>(raw));

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/self_metrics.h"

namespace infermetry::tsdb {

class BlockCache {
 public:
  using Page = std::shared_ptr<const std::string>;
  using Times = std::shared_ptr<const std::vector<int64_t>>;

  // `capacity_bytes` 0 disables caching (every Get misses, Put keeps nothing). `metrics`
  // (nullable) receives infermetry_tsdb_block_cache_{requests_total{kind,result},bytes}.
  BlockCache(uint64_t capacity_bytes, selfmon::Registry* metrics);
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // A process-unique id for a block reader's keys.
  static uint64_t NewBlockId();

  Page GetPage(uint64_t block, uint32_t page);
  void PutPage(uint64_t block, uint32_t page, Page raw);
  Times GetTimes(uint64_t block, uint32_t tcol);
  void PutTimes(uint64_t block, uint32_t tcol, Times ts);

  uint64_t capacity_bytes() const { return capacity_; }
  uint64_t bytes() const;

 private:
  enum Kind : uint64_t { kPage = 0, kTimes = 1 };
  struct Entry {
    uint64_t key;
    std::shared_ptr<const void> value;
    uint64_t charge;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recent first
    std::unordered_map<uint64_t, std::list<Entry>::iterator> map;
    uint64_t bytes = 0;
  };
  static uint64_t Key(uint64_t block, Kind kind, uint32_t index) {
    return (block << 33) | (static_cast<uint64_t>(kind) << 32) | index;
  }
  Shard& ShardOf(uint64_t key) { return shards_[(key * 0x9E3779B97F4A7C15ull) >> 60]; }
  std::shared_ptr<const void> Get(uint64_t key, Kind kind);
  void Put(uint64_t key, std::shared_ptr<const void> value, uint64_t charge);

  static constexpr size_t kShards = 16;
  const uint64_t capacity_;
  Shard shards_[kShards];
  selfmon::Counter* m_hits_[2] = {};
  selfmon::Counter* m_misses_[2] = {};
  selfmon::Gauge* m_bytes_ = nullptr;
};

}  // namespace infermetry::tsdb
