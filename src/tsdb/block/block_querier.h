#pragma once
// The querier over one block: matchers evaluated on the in-memory postings, samples decoded on
// demand. Keeps one decoded sample page, one time page and recently decoded time columns, so
// that walking series in order reads every page once; the block's cache (if any) keeps them
// across queriers. Not thread-safe (one per query).
// Internal to src/tsdb/block.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/querier.h"
#include "tsdb/block/block_reader.h"
#include "tsdb/block/series_codec.h"

namespace infermetry::tsdb {

class BlockQuerier : public storage::Querier {
 public:
  BlockQuerier(const BlockReader* block, int64_t mint, int64_t maxt)
      : block_(block), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<storage::SeriesSet> Select(const storage::SelectHints& hints,
                                             std::span<const storage::Matcher> matchers) override;
  Result<std::vector<std::string>> LabelValues(
      std::string_view name, std::span<const storage::Matcher> matchers) override;
  Result<std::vector<std::string>> LabelNames(std::span<const storage::Matcher> matchers) override;
  std::vector<storage::MetadataEntry> Metadata(std::string_view metric) override;
  // From the time columns' first and last timestamps in the index.
  Result<bool> SampleSpans(const storage::SelectHints& hints,
                           std::span<const storage::Matcher> matchers,
                           std::vector<std::pair<int64_t, int64_t>>* spans) override;

  // Every series with samples in the querier's range (compaction).
  std::unique_ptr<storage::SeriesSet> SelectAll();

  // The samples of series `id` with mint <= t <= maxt.
  Status LoadSeries(uint32_t id, int64_t mint, int64_t maxt, std::vector<int64_t>* ts,
                    std::vector<double>* vs);
  // Whether series `id` has a sample in [mint, maxt].
  Result<bool> HasSamples(uint32_t id, int64_t mint, int64_t maxt);
  const BlockReader* block() const { return block_; }

 private:
  // Series ids matching every matcher, increasing. With no matcher that rejects the empty
  // string: all series when `allow_all`, else kInvalidArgument.
  Result<std::vector<uint32_t>> Match(std::span<const storage::Matcher> matchers, bool allow_all);
  Result<const std::vector<int64_t>*> Timestamps(uint32_t tcol);
  std::unique_ptr<storage::SeriesSet> MakeSet(std::vector<uint32_t> ids, int64_t mint,
                                              int64_t maxt, Status st);

  const BlockReader* block_;
  int64_t mint_, maxt_;
  uint32_t sample_page_ = UINT32_MAX;
  blockfmt::PageDecoder decoder_;
  uint32_t time_page_ = UINT32_MAX;
  BlockCache::Page time_raw_;
  std::unordered_map<uint32_t, BlockCache::Times> tcols_;
  size_t tcols_cached_ = 0;
};

}  // namespace infermetry::tsdb
