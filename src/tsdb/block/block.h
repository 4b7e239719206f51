#pragma once
// Persistent blocks of the metrics TSDB: immutable directories that hold every sample of a time
// range [mint, maxt] for a set of series, with their label index and family metadata. The byte
// layout is specified in docs/format/tsdb-block.md (with the format version the reader checks).
//
//   auto w = BlockWriter::Create(env, "data/metrics", {mint, maxt});
//   w->AddMetadata("vllm:num_requests_running", md);
//   w->AddSeries(labels_a, samples_a);   // in increasing label order
//   auto meta = w->Finish();             // durable and renamed into place when OK
//   auto b = Block::Open(env, "data/metrics/" + meta->id);
//   auto q = (*b)->NewQuerier(mint, maxt);
//
// A block directory appears under its final name only once complete and synced (written under
// "<id>.tmp", then renamed), so a crash never leaves a half block that looks whole; Open on a
// damaged block returns kCorruption naming the file and what failed, never crashes.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "model/labels.h"
#include "model/sample.h"
#include "storage/appender.h"
#include "storage/querier.h"

namespace infermetry::tsdb {

struct BlockMeta {
  std::string id;      // directory name; sortable by creation (time-ordered, unique)
  int64_t mint = 0;    // inclusive, ms
  int64_t maxt = 0;    // inclusive, ms
  uint64_t num_series = 0;
  uint64_t num_samples = 0;
  uint64_t size_bytes = 0;  // of all the block's files
  uint32_t level = 1;       // 1 for a block cut from the head; +1 per compaction
  std::vector<std::string> sources;  // ids of the level-1 blocks it was compacted from
};

class BlockWriter {
 public:
  struct Range {
    int64_t mint;
    int64_t maxt;
  };
  // Prepares a new block under `parent_dir`. The samples added must lie in [mint, maxt].
  static Result<std::unique_ptr<BlockWriter>> Create(Env* env, const std::string& parent_dir,
                                                     Range range);
  virtual ~BlockWriter() = default;
  // Series must come in strictly increasing label order; `samples` in increasing time order
  // (staleness markers included). A series with no samples is skipped.
  virtual Status AddSeries(const model::Labels& labels,
                           std::span<const model::Sample> samples) = 0;
  virtual Status AddMetadata(const std::string& family, const storage::Metadata& md) = 0;
  // Level and sources for compaction output; defaults: level 1, no sources.
  virtual void SetLineage(uint32_t level, std::vector<std::string> sources) = 0;
  // Writes, syncs and renames the block into place. A block with no series writes nothing and
  // returns a meta with num_series 0 and an empty id.
  virtual Result<BlockMeta> Finish() = 0;
};

class BlockCache;

class Block {
 public:
  // `cache` (nullable, shared by the blocks of a DB) holds decoded pages and time columns
  // across queriers; without one each querier decodes what it reads.
  static Result<std::unique_ptr<Block>> Open(Env* env, const std::string& dir,
                                             std::shared_ptr<BlockCache> cache = nullptr);
  virtual ~Block() = default;
  virtual const BlockMeta& meta() const = 0;
  virtual const std::string& dir() const = 0;
  // A querier over this block's samples in [mint, maxt]. Thread-safe; several queriers may be
  // open at once; the Block must outlive them.
  virtual std::unique_ptr<storage::Querier> NewQuerier(int64_t mint, int64_t maxt) const = 0;
};

// Merges queriers over overlapping or adjacent data into one: series with equal labels are
// merged by time; at equal timestamps the sample of the later querier in `queriers` wins.
std::unique_ptr<storage::Querier> MergeQueriers(
    std::vector<std::unique_ptr<storage::Querier>> queriers);

}  // namespace infermetry::tsdb
