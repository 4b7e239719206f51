#include "tsdb/block/block_cache.h"

#include <atomic>

namespace infermetry::tsdb {

namespace {
// Bookkeeping per entry beyond its payload (list node, map slot, control block).
constexpr uint64_t kEntryOverhead = 96;
}  // namespace

BlockCache::BlockCache(uint64_t capacity_bytes, selfmon::Registry* metrics)
    : capacity_(capacity_bytes) {
  if (!metrics) return;
  auto& requests = metrics->AddCounter("infermetry_tsdb_block_cache_requests_total",
                                       "Block cache look-ups by kind (page, times) and result.",
                                       {"kind", "result"});
  const char* kinds[2] = {"page", "times"};
  for (int k = 0; k < 2; ++k) {
    m_hits_[k] = &requests.With({kinds[k], "hit"});
    m_misses_[k] = &requests.With({kinds[k], "miss"});
  }
  m_bytes_ = &metrics
                  ->AddGauge("infermetry_tsdb_block_cache_bytes",
                             "Bytes held by the block cache (decoded pages and time columns).")
                  .With({});
}

uint64_t BlockCache::NewBlockId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<const void> BlockCache::Get(uint64_t key, Kind kind) {
  std::shared_ptr<const void> v;
  if (capacity_ > 0) {
    Shard& s = ShardOf(key);
    std::lock_guard l(s.mu);
    auto it = s.map.find(key);
    if (it != s.map.end()) {
      s.lru.splice(s.lru.begin(), s.lru, it->second);
      v = it->second->value;
    }
  }
  if (m_hits_[kind]) (v ? m_hits_[kind] : m_misses_[kind])->Inc();
  return v;
}

void BlockCache::Put(uint64_t key, std::shared_ptr<const void> value, uint64_t charge) {
  charge += kEntryOverhead;
  const uint64_t shard_capacity = capacity_ / kShards;
  if (charge > shard_capacity) return;
  Shard& s = ShardOf(key);
  int64_t delta = 0;
  {
    std::lock_guard l(s.mu);
    auto it = s.map.find(key);
    if (it != s.map.end()) return;  // another querier filled it first
    s.lru.push_front({key, std::move(value), charge});
    s.map.emplace(key, s.lru.begin());
    s.bytes += charge;
    delta += static_cast<int64_t>(charge);
    while (s.bytes > shard_capacity) {
      const Entry& victim = s.lru.back();
      s.bytes -= victim.charge;
      delta -= static_cast<int64_t>(victim.charge);
      s.map.erase(victim.key);
      s.lru.pop_back();
    }
  }
  if (m_bytes_) m_bytes_->Add(static_cast<double>(delta));
}

BlockCache::Page BlockCache::GetPage(uint64_t block, uint32_t page) {
  return std::static_pointer_cast<const std::string>(Get(Key(block, kPage, page), kPage));
}

void BlockCache::PutPage(uint64_t block, uint32_t page, Page raw) {
  const uint64_t charge = raw->capacity();
  Put(Key(block, kPage, page), std::move(raw), charge);
}

BlockCache::Times BlockCache::GetTimes(uint64_t block, uint32_t tcol) {
  return std::static_pointer_cast<const std::vector<int64_t>>(Get(Key(block, kTimes, tcol), kTimes));
}

void BlockCache::PutTimes(uint64_t block, uint32_t tcol, Times ts) {
  const uint64_t charge = ts->capacity() * sizeof(int64_t);
  Put(Key(block, kTimes, tcol), std::move(ts), charge);
}

uint64_t BlockCache::bytes() const {
  uint64_t total = 0;
  for (const Shard& s : shards_) {
    std::lock_guard l(s.mu);
    total += s.bytes;
  }
  return total;
}

}  // namespace infermetry::tsdb
