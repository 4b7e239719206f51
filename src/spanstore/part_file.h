#pragma once
// One immutable part file of the span store: rows cut into granules of up to kGranuleRows,
// each granule's columns stored as separate zstd blocks with a CRC-32 each, and a footer with
// the part's dictionaries and, per granule, statistics (min/max per statistic), the block
// directory and a bloom filter over the granule's trace ids (kept in memory: a trace lookup
// reads only the trace-id column of the granules whose filter matches). Byte layout:
// docs/format/spanstore.md. The format is independent of what the rows are (spans or logs):
// the row kind is a number in the header and the codecs in span_part.h / log_part.h give the
// columns their meaning.
//
// Writing is atomic: WritePart writes `<path>.tmp`, syncs it, renames it to `path` and syncs
// the directory; a crash leaves either no part or the whole part.
//
// Reading: Part::Open reads and checks the header, trailer and footer (kCorruption naming the
// file on any mismatch, including a format version other than kPartVersion); blocks are read
// on demand and checked against their CRC (kCorruption naming the file, granule and column).
// A Part is immutable after Open; all methods are thread-safe.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "model/span.h"

namespace infermetry::spanstore {

inline constexpr uint32_t kPartVersion = 1;
inline constexpr uint32_t kGranuleRows = 8192;
inline constexpr uint32_t kBloomBitsPerRow = 12;

enum class RowKind : uint32_t { kSpan = 1, kLog = 2 };

// What a codec produces for one granule: column id -> raw column bytes, and statistics.
struct GranuleBuild {
  uint32_t rows = 0;
  std::vector<std::pair<int64_t, int64_t>> stats;  // min, max per statistic (codec-defined)
  std::vector<std::pair<uint32_t, std::string>> columns;
};

struct PartBuild {
  RowKind kind = RowKind::kSpan;
  int64_t min_time = 0;
  int64_t max_time = 0;
  std::vector<std::vector<std::string>> dicts;  // codec-defined dictionaries
  std::vector<GranuleBuild> granules;
  std::vector<model::TraceId> trace_ids;  // per row, in row order
};

struct PartInfo {
  uint64_t seq = 0;                   // unique, increasing part number
  uint64_t wal_cut = 0;               // every WAL record in segments < wal_cut is in some part
  std::vector<uint64_t> merged_from;  // seqs of the parts this one replaces
};

struct BlockRef {
  uint32_t column = 0;
  uint64_t offset = 0;
  uint32_t stored_len = 0;
  uint32_t raw_len = 0;
  uint32_t crc = 0;
};

struct GranuleMeta {
  uint32_t first_row = 0;
  uint32_t rows = 0;
  std::vector<std::pair<int64_t, int64_t>> stats;
  std::vector<BlockRef> blocks;  // sorted by column
  uint32_t bloom_k = 0;
  std::vector<uint64_t> bloom;  // over the granule's trace ids
};

// Writes `build` to `path` atomically. Returns the file size.
Result<uint64_t> WritePart(Env* env, const std::string& path, const PartBuild& build,
                           const PartInfo& info);

class Part {
 public:
  static Result<std::shared_ptr<Part>> Open(Env* env, const std::string& path, RowKind kind);

  const std::string& path() const { return path_; }
  uint64_t file_size() const { return file_size_; }
  uint64_t rows() const { return rows_; }
  int64_t min_time() const { return min_time_; }
  int64_t max_time() const { return max_time_; }
  const PartInfo& info() const { return info_; }
  const std::vector<std::vector<std::string>>& dicts() const { return dicts_; }
  const std::vector<GranuleMeta>& granules() const { return granules_; }

  // The granules that may hold rows of trace `id` (bloom filters, in memory; about 0.3% of
  // the others pass as false positives).
  std::vector<size_t> CandidateGranules(const model::TraceId& id) const;

  // The raw bytes of `column` in granule `g`, nullopt when the granule has no such column.
  Result<std::optional<std::string>> ReadColumn(size_t g, uint32_t column) const;

  // Bytes kept in memory for this part (footer, bloom filters).
  size_t MemoryBytes() const;

 private:
  Status ParseFooter(std::string_view footer);
  Status Corrupt(const std::string& what) const;

  std::string path_;
  std::unique_ptr<File> file_;
  uint64_t file_size_ = 0;
  uint64_t rows_ = 0;
  int64_t min_time_ = 0;
  int64_t max_time_ = 0;
  PartInfo info_;
  std::vector<std::vector<std::string>> dicts_;
  std::vector<GranuleMeta> granules_;
};

}  // namespace infermetry::spanstore
