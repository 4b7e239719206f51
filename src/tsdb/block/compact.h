#pragma once
// Compaction and retention of persistent blocks.
//
// Compaction merges blocks into one larger block (fewer files, better compression, cheaper
// queries): every series of the inputs, samples merged by time. The inputs stay on disk until
// the caller deletes them after the output is opened, so a crash at any point leaves either the
// inputs or the output (plus inputs, whose data the output duplicates; Plan* never selects a
// block whose id is in another block's `sources`, and the DB deletes such leftovers at open).

#include <cstdint>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "tsdb/block/block.h"

namespace infermetry::tsdb {

// Writes one block holding the union of `inputs` (level max+1, sources = union of sources, or
// of ids for level-1 inputs) under `parent_dir`.
Result<BlockMeta> CompactBlocks(Env* env, const std::string& parent_dir,
                                const std::vector<const Block*>& inputs);

struct CompactionPlanOptions {
  // Ranges of successive levels, e.g. {2h, 6h, 24h} in ms: blocks that together fill an aligned
  // range of the next size are merged.
  std::vector<int64_t> ranges_ms;
};

// Groups of blocks (by index into `metas`, which is sorted by mint) to compact next.
std::vector<std::vector<size_t>> PlanCompaction(const std::vector<BlockMeta>& metas,
                                                const CompactionPlanOptions& options);

struct RetentionOptions {
  int64_t time_ms = 0;     // 0: unlimited. Blocks whose maxt < newest maxt - time_ms go.
  uint64_t size_bytes = 0;  // 0: unlimited. Oldest blocks go until the total fits.
};

// Indexes (into `metas`, sorted by mint) of blocks that retention deletes. `other_bytes` is what
// the head and WAL use, counted against size_bytes.
std::vector<size_t> PlanRetention(const std::vector<BlockMeta>& metas,
                                  const RetentionOptions& options, uint64_t other_bytes);

}  // namespace infermetry::tsdb
