#pragma once
// The reader side of a block: the index held in memory (symbols, series as symbol references,
// postings, time column and page tables), sample and time pages read lazily with File::ReadAt
// and checked against their CRC on every read (once per read into the block cache, when the
// block has one). Internal to src/tsdb/block.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/block/block.h"
#include "tsdb/block/block_cache.h"
#include "tsdb/block/index_codec.h"

namespace infermetry::tsdb {

class BlockReader : public Block {
 public:
  static Result<std::unique_ptr<BlockReader>> OpenReader(Env* env, const std::string& dir,
                                                         std::shared_ptr<BlockCache> cache = nullptr);

  const BlockMeta& meta() const override { return meta_; }
  const std::string& dir() const override { return dir_; }
  std::unique_ptr<storage::Querier> NewQuerier(int64_t mint, int64_t maxt) const override;

  const blockfmt::IndexContents& index() const { return index_; }
  std::string_view Symbol(uint32_t ref) const { return index_.symbols[ref]; }
  model::Labels SeriesLabels(uint32_t id) const;
  // The raw (decompressed, CRC-checked) bytes of page `page`, read from the file.
  Status ReadPage(uint32_t page, std::string* raw) const;
  // The same through the block cache.
  Result<BlockCache::Page> Page(uint32_t page) const;
  // Time column `tcol` decoded by the caller, looked up in / added to the block cache (no-ops
  // without a cache).
  BlockCache::Times CachedTimes(uint32_t tcol) const;
  void CacheTimes(uint32_t tcol, BlockCache::Times ts) const;
  // Postings of (name, value) or nullptr; all lists of label `name` as [begin, end).
  const blockfmt::PostingList* Postings(std::string_view name, std::string_view value) const;
  std::pair<size_t, size_t> PostingsOfName(std::string_view name) const;
  const std::string& data_path() const { return data_path_; }

 private:
  BlockReader() = default;
  std::string dir_;
  std::string data_path_;
  BlockMeta meta_;
  blockfmt::IndexContents index_;
  std::unique_ptr<File> data_;
  std::shared_ptr<BlockCache> cache_;
  uint64_t cache_id_ = 0;
};

}  // namespace infermetry::tsdb
