// CompactBlocks: a k-way merge of every input's series (in label order) streamed into a new
// BlockWriter; memory is one series' samples plus the writer's index entries.

#include <algorithm>
#include <set>

#include "tsdb/block/block_querier.h"
#include "tsdb/block/compact.h"
#include "tsdb/block/merge.h"

namespace infermetry::tsdb {

Result<BlockMeta> CompactBlocks(Env* env, const std::string& parent_dir,
                                const std::vector<const Block*>& inputs) {
  if (inputs.empty()) return InvalidArgument("compaction: no input blocks");
  int64_t mint = inputs[0]->meta().mint, maxt = inputs[0]->meta().maxt;
  uint32_t level = 0;
  std::set<std::string> sources;
  std::vector<std::unique_ptr<BlockQuerier>> queriers;
  for (const Block* b : inputs) {
    const auto* reader = dynamic_cast<const BlockReader*>(b);
    if (reader == nullptr) return InvalidArgument("compaction: input is not an opened block");
    const BlockMeta& m = b->meta();
    mint = std::min(mint, m.mint);
    maxt = std::max(maxt, m.maxt);
    level = std::max(level, m.level);
    if (m.sources.empty()) {
      sources.insert(m.id);
    } else {
      sources.insert(m.sources.begin(), m.sources.end());
    }
    queriers.push_back(std::make_unique<BlockQuerier>(reader, m.mint, m.maxt));
  }

  INFERMETRY_ASSIGN_OR_RETURN(auto writer, BlockWriter::Create(env, parent_dir, {mint, maxt}));
  writer->SetLineage(level + 1, std::vector<std::string>(sources.begin(), sources.end()));
  for (auto& q : queriers) {  // later inputs override the metadata of earlier ones
    for (const auto& e : q->Metadata("")) {
      INFERMETRY_RETURN_IF_ERROR(writer->AddMetadata(e.metric, e.metadata));
    }
  }
  std::vector<std::unique_ptr<storage::SeriesSet>> sets;
  for (auto& q : queriers) sets.push_back(q->SelectAll());
  auto merged = MergeSeriesSets(std::move(sets));
  std::vector<model::Sample> samples;
  while (merged->Next()) {
    samples.clear();
    auto it = merged->Samples();
    while (it->Next()) samples.push_back({it->t(), it->v()});
    INFERMETRY_RETURN_IF_ERROR(it->status());
    INFERMETRY_RETURN_IF_ERROR(writer->AddSeries(merged->labels(), samples));
  }
  INFERMETRY_RETURN_IF_ERROR(merged->status());
  return writer->Finish();
}

}  // namespace infermetry::tsdb
