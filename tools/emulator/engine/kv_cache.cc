#include "emulator/engine/kv_cache.h"

#include <cassert>

namespace infermetry::emulator {
namespace {

uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

BlockHash HashBlock(BlockHash parent, std::span<const uint32_t> tokens) {
  uint64_t h = Mix64(parent ^ 0x6a09e667f3bcc909ULL);
  for (uint32_t t : tokens) h = Mix64(h ^ (static_cast<uint64_t>(t) + 0x9e3779b97f4a7c15ULL));
  // 0 means "not registered" in KvCache.
  return h == 0 ? 1 : h;
}

KvCache::KvCache(int num_blocks, int block_size, bool enable_prefix_caching)
    : num_blocks_(num_blocks),
      block_size_(block_size),
      prefix_caching_(enable_prefix_caching),
      ref_(num_blocks, 0),
      hash_(num_blocks, 0),
      prev_(num_blocks, -1),
      next_(num_blocks, -1),
      in_free_(num_blocks, false) {
  assert(num_blocks >= 2 && block_size >= 1);
  // Block 0 is the reserved null block: never free, never allocated.
  ref_[0] = 1;
  for (int b = 1; b < num_blocks; ++b) ListPushBack(b);
}

double KvCache::Usage() const {
  return static_cast<double>(num_used_blocks()) / static_cast<double>(num_blocks_ - 1);
}

void KvCache::ListRemove(int b) {
  assert(in_free_[b]);
  if (prev_[b] >= 0)
    next_[prev_[b]] = next_[b];
  else
    head_ = next_[b];
  if (next_[b] >= 0)
    prev_[next_[b]] = prev_[b];
  else
    tail_ = prev_[b];
  prev_[b] = next_[b] = -1;
  in_free_[b] = false;
  --num_free_;
}

void KvCache::ListPushBack(int b) {
  assert(!in_free_[b]);
  prev_[b] = tail_;
  next_[b] = -1;
  if (tail_ >= 0)
    next_[tail_] = b;
  else
    head_ = b;
  tail_ = b;
  in_free_[b] = true;
  ++num_free_;
}

int KvCache::FindCachedPrefix(std::span<const BlockHash> hashes, std::vector<int>* out) const {
  if (!prefix_caching_) return 0;
  int found = 0;
  for (BlockHash h : hashes) {
    auto it = by_hash_.find(h);
    if (it == by_hash_.end()) break;
    out->push_back(it->second);
    ++found;
  }
  return found;
}

int KvCache::CountEvictable(std::span<const int> blocks) const {
  int n = 0;
  for (int b : blocks) n += ref_[b] == 0 ? 1 : 0;
  return n;
}

void KvCache::Touch(std::span<const int> blocks) {
  for (int b : blocks) {
    if (ref_[b] == 0) ListRemove(b);
    ++ref_[b];
  }
}

bool KvCache::Allocate(int n, std::vector<int>* out) {
  if (n > num_free_) return false;
  for (int i = 0; i < n; ++i) {
    const int b = head_;
    ListRemove(b);
    if (hash_[b] != 0) {
      auto it = by_hash_.find(hash_[b]);
      if (it != by_hash_.end() && it->second == b) by_hash_.erase(it);
      hash_[b] = 0;
    }
    ref_[b] = 1;
    out->push_back(b);
  }
  return true;
}

void KvCache::Free(std::span<const int> blocks) {
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
    const int b = *it;
    assert(ref_[b] > 0);
    if (--ref_[b] == 0) ListPushBack(b);
  }
}

void KvCache::Register(int block, BlockHash hash) {
  if (!prefix_caching_ || hash_[block] != 0) return;
  auto [it, inserted] = by_hash_.emplace(hash, block);
  if (inserted) hash_[block] = hash;
}

}  // namespace infermetry::emulator
