#pragma once
// The paged KV cache of one engine: a pool of fixed-size blocks with reference counts and
// prefix caching, as vLLM's BlockPool does it.
//
// - Block 0 is reserved (vLLM's null block): num_blocks - 1 blocks are usable, and usage is
//   blocks in use / (num_blocks - 1).
// - A block that holds block_size computed tokens may be registered under a hash of all the
//   tokens up to its end (BlockHash: the parent block's hash and the block's own tokens), so
//   equal prefixes map to equal hash chains.
// - Blocks whose reference count drops to 0 go to the tail of the free list but keep their
//   hash: they are "evictable" and can be found and reused by a later request until an
//   allocation takes them from the head of the free list (LRU), which drops the hash.
// - Free() releases a request's blocks in reverse order, so its tail blocks (the least likely to
//   be shared) are evicted first.
//
// Thread-safety: none; owned by one Engine.

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

namespace infermetry::emulator {

using BlockHash = uint64_t;

// Hash of a full block: `parent` (0 for the first block) chained with the block's tokens.
BlockHash HashBlock(BlockHash parent, std::span<const uint32_t> tokens);

class KvCache {
 public:
  // REQUIRES: num_blocks >= 2, block_size >= 1.
  KvCache(int num_blocks, int block_size, bool enable_prefix_caching);

  int block_size() const { return block_size_; }
  int num_blocks() const { return num_blocks_; }
  bool prefix_caching() const { return prefix_caching_; }

  // Blocks an allocation can take now: the free list, cached (evictable) blocks included.
  int num_free_blocks() const { return num_free_; }
  // Blocks referenced by at least one request.
  int num_used_blocks() const { return num_blocks_ - 1 - num_free_; }
  // num_used_blocks / (num_blocks - 1), in [0, 1].
  double Usage() const;

  // Appends to `out` the cached blocks of the longest prefix of `hashes` that is cached
  // (stopping at the first miss) and returns how many it found. Does not take references.
  int FindCachedPrefix(std::span<const BlockHash> hashes, std::vector<int>* out) const;
  // How many of `blocks` (from FindCachedPrefix) have no reference, i.e. sit in the free list.
  int CountEvictable(std::span<const int> blocks) const;
  // Takes one reference on each of `blocks` (from FindCachedPrefix), taking free ones out of
  // the free list.
  void Touch(std::span<const int> blocks);

  // Takes `n` blocks from the head of the free list (evicting their cached hashes), each with
  // one reference, and appends them to `out`. Returns false and takes nothing if fewer than `n`
  // are free.
  bool Allocate(int n, std::vector<int>* out);
  // Drops one reference on each of `blocks`, in reverse order; blocks reaching 0 join the tail
  // of the free list and keep their hash.
  void Free(std::span<const int> blocks);

  // Registers full block `block` under `hash` (no-op with prefix caching off, or when another
  // block is already registered under that hash).
  void Register(int block, BlockHash hash);

  int ref_count(int block) const { return ref_[block]; }
  // Blocks currently registered under a hash (in use or evictable).
  size_t num_cached_blocks() const { return by_hash_.size(); }

 private:
  void ListRemove(int b);
  void ListPushBack(int b);

  int num_blocks_;
  int block_size_;
  bool prefix_caching_;
  int num_free_ = 0;
  std::vector<int> ref_;
  std::vector<BlockHash> hash_;   // 0 = not registered
  std::vector<int> prev_, next_;  // free list links; -1 = none
  std::vector<bool> in_free_;
  int head_ = -1, tail_ = -1;
  std::unordered_map<BlockHash, int> by_hash_;
};

}  // namespace infermetry::emulator
