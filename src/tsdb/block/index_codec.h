#pragma once
// The block's index file and meta file as in-memory structures, and their encoding
// (docs/format/tsdb-block.md, "index" and "meta"). Internal to src/tsdb/block.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/querier.h"
#include "tsdb/block/block.h"

namespace infermetry::tsdb::blockfmt {

enum class PageKind : uint8_t { kSamples = 0, kTimes = 1 };

struct PageRef {
  PageKind kind = PageKind::kSamples;
  uint64_t offset = 0;       // in the data file
  uint32_t length = 0;       // of the whole section
  uint32_t num_series = 0;   // sample pages: series stored in it, in series order
  uint32_t first_series = 0; // derived when decoding
};

struct TimeColumn {
  uint32_t page = 0;    // a kTimes page
  uint32_t offset = 0;  // of the column in the page's raw bytes
  uint32_t n = 0;       // number of timestamps
  int64_t mint = 0;
  int64_t maxt = 0;
};

struct SeriesEntry {
  uint32_t labels_begin = 0;  // into IndexContents::label_refs, pairs of (name, value) symbols
  uint32_t num_labels = 0;
  uint32_t tcol = 0;
  uint32_t page = 0;  // derived: the sample page holding the series
  uint32_t slot = 0;  // derived: its position in that page
};

struct PostingList {
  uint32_t name = 0;   // symbol
  uint32_t value = 0;  // symbol
  std::vector<uint32_t> ids;  // series ids, increasing
};

struct IndexContents {
  std::vector<std::string> symbols;  // sorted, distinct
  std::vector<uint32_t> label_refs;
  std::vector<SeriesEntry> series;   // in label order
  std::vector<TimeColumn> tcols;
  std::vector<PageRef> pages;
  std::vector<PostingList> postings;  // sorted by (name, value)
  std::vector<storage::MetadataEntry> metadata;  // sorted by family
};

std::string EncodeIndex(const IndexContents& index);
// Decodes and validates an index file (cross references, counts, page bounds against
// `data_size`). kCorruption naming `path` and the section on any failure.
Status DecodeIndex(std::string_view file, const std::string& path, uint64_t data_size,
                   IndexContents* index);

struct MetaContents {
  BlockMeta meta;
  uint64_t index_size = 0;
  uint64_t data_size = 0;
};

std::string EncodeMeta(const MetaContents& meta);
Status DecodeMeta(std::string_view file, const std::string& path, MetaContents* meta);

}  // namespace infermetry::tsdb::blockfmt
