#include "tsdb/block/block_reader.h"

#include <algorithm>

#include "tsdb/block/format.h"

namespace infermetry::tsdb {

using blockfmt::Corruption;

Result<std::unique_ptr<BlockReader>> BlockReader::OpenReader(Env* env, const std::string& dir,
                                                             std::shared_ptr<BlockCache> cache) {
  std::unique_ptr<BlockReader> b(new BlockReader());
  b->dir_ = dir;
  b->cache_ = std::move(cache);
  b->cache_id_ = BlockCache::NewBlockId();
  const std::string meta_path = dir + "/" + blockfmt::kMetaFile;
  const std::string index_path = dir + "/" + blockfmt::kIndexFile;
  b->data_path_ = dir + "/" + blockfmt::kDataFile;

  INFERMETRY_ASSIGN_OR_RETURN(std::string meta_bytes, ReadFile(env, meta_path));
  blockfmt::MetaContents mc;
  INFERMETRY_RETURN_IF_ERROR(blockfmt::DecodeMeta(meta_bytes, meta_path, &mc));
  b->meta_ = std::move(mc.meta);

  INFERMETRY_ASSIGN_OR_RETURN(b->data_, env->Open(b->data_path_, false));
  if (b->data_->Size() != mc.data_size) {
    return Corruption(b->data_path_ + ": size " + std::to_string(b->data_->Size()) +
                      " differs from the " + std::to_string(mc.data_size) + " bytes in meta");
  }
  char header[blockfmt::kFileHeaderBytes];
  if (mc.data_size < sizeof(header)) return Corruption(b->data_path_ + ": file too short");
  INFERMETRY_RETURN_IF_ERROR(b->data_->ReadAt(0, sizeof(header), header));
  INFERMETRY_RETURN_IF_ERROR(blockfmt::CheckFileHeader(std::string_view(header, sizeof(header)),
                                                       blockfmt::kDataMagic, b->data_path_));

  INFERMETRY_ASSIGN_OR_RETURN(std::string index_bytes, ReadFile(env, index_path));
  if (index_bytes.size() != mc.index_size) {
    return Corruption(index_path + ": size " + std::to_string(index_bytes.size()) +
                      " differs from the " + std::to_string(mc.index_size) + " bytes in meta");
  }
  INFERMETRY_RETURN_IF_ERROR(
      blockfmt::DecodeIndex(index_bytes, index_path, mc.data_size, &b->index_));
  uint64_t samples = 0;
  for (const auto& s : b->index_.series) samples += b->index_.tcols[s.tcol].n;
  for (const auto& c : b->index_.tcols) {
    if (c.mint < b->meta_.mint || c.maxt > b->meta_.maxt) {
      return Corruption(index_path + ": time column outside the block's range");
    }
  }
  if (b->index_.series.size() != b->meta_.num_series || samples != b->meta_.num_samples) {
    return Corruption(index_path + ": series or sample count differs from meta");
  }
  return b;
}

Result<std::unique_ptr<Block>> Block::Open(Env* env, const std::string& dir,
                                           std::shared_ptr<BlockCache> cache) {
  INFERMETRY_ASSIGN_OR_RETURN(auto b, BlockReader::OpenReader(env, dir, std::move(cache)));
  return std::unique_ptr<Block>(std::move(b));
}

model::Labels BlockReader::SeriesLabels(uint32_t id) const {
  const blockfmt::SeriesEntry& s = index_.series[id];
  std::vector<model::Label> ls;
  ls.reserve(s.num_labels);
  for (uint32_t i = 0; i < s.num_labels; ++i) {
    ls.push_back({index_.symbols[index_.label_refs[s.labels_begin + 2 * i]],
                  index_.symbols[index_.label_refs[s.labels_begin + 2 * i + 1]]});
  }
  return model::Labels::FromUnsorted(std::move(ls));
}

Status BlockReader::ReadPage(uint32_t page, std::string* raw) const {
  const blockfmt::PageRef& p = index_.pages[page];
  std::string buf(p.length, '\0');
  INFERMETRY_RETURN_IF_ERROR(data_->ReadAt(p.offset, p.length, buf.data()));
  blockfmt::Reader r(buf);
  INFERMETRY_RETURN_IF_ERROR(blockfmt::ReadSection(
      &r, raw, data_path_ + ": page " + std::to_string(page) + " at offset " +
                   std::to_string(p.offset)));
  if (!r.done()) return Corruption(data_path_ + ": page " + std::to_string(page) + " length");
  return Status::Ok();
}

Result<BlockCache::Page> BlockReader::Page(uint32_t page) const {
  if (cache_) {
    if (BlockCache::Page hit = cache_->GetPage(cache_id_, page)) return hit;
  }
  auto raw = std::make_shared<std::string>();
  INFERMETRY_RETURN_IF_ERROR(ReadPage(page, raw.get()));
  if (cache_) cache_->PutPage(cache_id_, page, raw);
  return BlockCache::Page(std::move(raw));
}

BlockCache::Times BlockReader::CachedTimes(uint32_t tcol) const {
  return cache_ ? cache_->GetTimes(cache_id_, tcol) : nullptr;
}

void BlockReader::CacheTimes(uint32_t tcol, BlockCache::Times ts) const {
  if (cache_) cache_->PutTimes(cache_id_, tcol, std::move(ts));
}

std::pair<size_t, size_t> BlockReader::PostingsOfName(std::string_view name) const {
  const auto& syms = index_.symbols;
  auto it = std::lower_bound(syms.begin(), syms.end(), name);
  if (it == syms.end() || *it != name) return {0, 0};
  uint32_t ref = static_cast<uint32_t>(it - syms.begin());
  const auto& ps = index_.postings;
  auto lo = std::lower_bound(ps.begin(), ps.end(), ref,
                             [](const blockfmt::PostingList& p, uint32_t r) { return p.name < r; });
  auto hi = std::upper_bound(lo, ps.end(), ref,
                             [](uint32_t r, const blockfmt::PostingList& p) { return r < p.name; });
  return {static_cast<size_t>(lo - ps.begin()), static_cast<size_t>(hi - ps.begin())};
}

const blockfmt::PostingList* BlockReader::Postings(std::string_view name,
                                                    std::string_view value) const {
  auto [lo, hi] = PostingsOfName(name);
  const auto& syms = index_.symbols;
  auto it = std::lower_bound(index_.postings.begin() + lo, index_.postings.begin() + hi, value,
                             [&](const blockfmt::PostingList& p, std::string_view v) {
                               return syms[p.value] < v;
                             });
  if (it == index_.postings.begin() + hi || syms[it->value] != value) return nullptr;
  return &*it;
}

}  // namespace infermetry::tsdb
