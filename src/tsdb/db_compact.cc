// Persisting the head into blocks, block compaction, retention, and WAL truncation.
//
// Order of the steps for one head range [a, b] (each crash point is safe):
//   1. Raise the head's minimum valid time to b+1: from now on no sample <= b enters the head
//      (commits in flight finish first). Crash: nothing changed on disk.
//   2. Cut the WAL (with commits blocked) and note (segment, newest timestamp so far): every
//      sample in earlier segments is <= that timestamp.
//   3. Write the block [a, b] from the head (written as <id>.tmp, synced, renamed). Crash before
//      the rename: the .tmp is deleted at open and the WAL still has everything.
//   4. Publish the block to queriers, then truncate the head below b+1. Crash: the block and
//      the WAL both hold [a, b]; replay skips samples <= the newest block maxt.
//   5. If some cut segment S has only samples <= b before it: write checkpoint.S (live series,
//      metadata, next ref, min valid time) atomically, delete older checkpoints, then delete
//      WAL segments < S. Crash after the checkpoint: replay ignores segments < S.
// So at every instant each acknowledged sample is in a complete block or replayable from the
// WAL, and replay admits only samples above what blocks hold: exactly once.

#include <algorithm>
#include <limits>

#include "common/log.h"
#include "tsdb/block/compact.h"
#include "tsdb/checkpoint.h"
#include "tsdb/db.h"

namespace infermetry::tsdb {
namespace {

int64_t FloorTo(int64_t t, int64_t r) {
  int64_t q = t / r;
  if (t % r != 0 && t < 0) --q;
  return q * r;
}

}  // namespace

Status DB::Compact() {
  std::lock_guard l(compact_mu_);
  if (closed_ || !wal_) return Status(Code::kCancelled, "tsdb: closed");
  Status st = CompactHead();
  if (st.ok()) st = RunBlockCompaction();
  if (st.ok()) st = ApplyRetention();
  if (!st.ok()) m_compaction_failures_->Inc();
  return st;
}

Status DB::CompactHead() {
  const int64_t r = opts_.block_range_ms;
  for (;;) {
    int64_t mint = head_->MinTime(), maxt = head_->MaxTime();
    if (mint > maxt) return Status::Ok();  // empty
    // Timestamps within two ranges of the int64 limits are never persisted (no overflow).
    if (mint < std::numeric_limits<int64_t>::min() + 2 * r ||
        maxt > std::numeric_limits<int64_t>::max() - 2 * r) {
      return Status::Ok();
    }
    int64_t a = FloorTo(mint, r), b = a + r - 1;
    // Keep a quarter range (at least the out-of-order window) beyond the persisted range for
    // late samples; less head means less RAM.
    if (maxt < a + r + std::max(r / 4, opts_.ooo_window_ms)) return Status::Ok();

    head_->RaiseMinValidTime(b + 1);
    Status cut_st;
    head_->WithAppendsBlocked([&] {
      auto seg = wal_->Cut();
      if (!seg.ok()) {
        cut_st = seg.status();
        return;
      }
      std::lock_guard l(cuts_mu_);
      cuts_.push_back({*seg, head_->MaxTime()});
    });
    INFERMETRY_RETURN_IF_ERROR(cut_st.WithContext("tsdb: cutting the WAL"));

    INFERMETRY_ASSIGN_OR_RETURN(auto w, BlockWriter::Create(env_, opts_.dir, {a, b}));
    for (const auto& e : head_->AllMetadata()) {
      INFERMETRY_RETURN_IF_ERROR(w->AddMetadata(e.metric, e.metadata));
    }
    INFERMETRY_RETURN_IF_ERROR(head_->ForEachSeries(
        a, b, [&](const model::Labels& ls, std::span<const model::Sample> samples) {
          return w->AddSeries(ls, samples);
        }));
    INFERMETRY_ASSIGN_OR_RETURN(BlockMeta meta, w->Finish());
    if (meta.num_series > 0) {
      INFERMETRY_ASSIGN_OR_RETURN(auto block, Block::Open(env_, opts_.dir + "/" + meta.id, block_cache_));
      std::lock_guard l(mu_);
      blocks_.push_back(std::shared_ptr<Block>(std::move(block)));
      std::sort(blocks_.begin(), blocks_.end(), [](const auto& x, const auto& y) {
        return x->meta().mint != y->meta().mint ? x->meta().mint < y->meta().mint
                                                : x->meta().id < y->meta().id;
      });
      m_blocks_->Set(static_cast<double>(blocks_.size()));
    }
    head_->Truncate(b + 1);
    m_compactions_->Inc();
    log::Info("tsdb: persisted head range", {{"mint", a},
                                             {"maxt", b},
                                             {"block", meta.id},
                                             {"series", meta.num_series},
                                             {"samples", meta.num_samples}});
    INFERMETRY_RETURN_IF_ERROR(TruncateWal(b));
  }
}

Status DB::TruncateWal(int64_t persisted_maxt) {
  uint64_t seg = 0;
  {
    std::lock_guard l(cuts_mu_);
    for (const auto& [s, t] : cuts_) {
      if (t <= persisted_maxt) seg = std::max(seg, s);
    }
  }
  if (seg <= checkpoint_segment_.load()) return Status::Ok();
  std::vector<std::string> records;
  head_->CheckpointRecords(&records);
  CheckpointState state;
  state.next_ref = head_->next_ref();
  state.min_valid_time = head_->min_valid_time();
  INFERMETRY_RETURN_IF_ERROR(WriteFileAtomic(env_, opts_.dir + "/" + CheckpointName(seg),
                                             EncodeCheckpoint(state, records))
                                 .WithContext("tsdb: writing the WAL checkpoint"));
  uint64_t old = checkpoint_segment_.exchange(seg);
  if (old != 0) {
    Status st = env_->Remove(opts_.dir + "/" + CheckpointName(old));
    if (!st.ok() && st.code() != Code::kNotFound) return st;
  }
  INFERMETRY_RETURN_IF_ERROR(wal_->TruncateBefore(seg));
  std::lock_guard l(cuts_mu_);
  std::erase_if(cuts_, [&](const auto& c) { return c.first <= seg; });
  return Status::Ok();
}

void DB::RemoveBlockDir(const std::string& id) {
  // Renamed first so that a crash mid-delete leaves a *.tmp that the next open removes,
  // never a half block under a block name.
  std::string from = opts_.dir + "/" + id, to = from + ".deleting.tmp";
  Status st = env_->Rename(from, to);
  if (st.ok()) st = env_->SyncDir(opts_.dir);
  if (st.ok()) st = env_->RemoveAll(to);
  if (!st.ok()) log::Warn("tsdb: deleting block failed", {{"block", id}, {"err", st.ToString()}});
  m_blocks_deleted_->Inc();
}

Status DB::RunBlockCompaction() {
  CompactionPlanOptions po;
  po.ranges_ms = opts_.compaction_ranges_ms;
  for (int round = 0; round < 64; ++round) {
    std::vector<std::shared_ptr<Block>> blocks;
    {
      std::lock_guard l(mu_);
      blocks = blocks_;
    }
    std::vector<BlockMeta> metas;
    for (const auto& b : blocks) metas.push_back(b->meta());
    auto plan = PlanCompaction(metas, po);
    if (plan.empty()) return Status::Ok();
    const auto& group = plan.front();
    std::vector<const Block*> inputs;
    for (size_t i : group) inputs.push_back(blocks[i].get());
    INFERMETRY_ASSIGN_OR_RETURN(BlockMeta out, CompactBlocks(env_, opts_.dir, inputs));
    std::shared_ptr<Block> opened;
    if (out.num_series > 0) {
      INFERMETRY_ASSIGN_OR_RETURN(auto b, Block::Open(env_, opts_.dir + "/" + out.id, block_cache_));
      opened = std::shared_ptr<Block>(std::move(b));
    }
    std::vector<std::string> removed;
    {
      std::lock_guard l(mu_);
      std::erase_if(blocks_, [&](const std::shared_ptr<Block>& b) {
        for (size_t i : group) {
          if (b == blocks[i]) {
            removed.push_back(b->meta().id);
            return true;
          }
        }
        return false;
      });
      if (opened) blocks_.push_back(opened);
      std::sort(blocks_.begin(), blocks_.end(), [](const auto& x, const auto& y) {
        return x->meta().mint != y->meta().mint ? x->meta().mint < y->meta().mint
                                                : x->meta().id < y->meta().id;
      });
      m_blocks_->Set(static_cast<double>(blocks_.size()));
    }
    m_compactions_->Inc();
    log::Info("tsdb: compacted blocks", {{"inputs", group.size()}, {"block", out.id}});
    blocks.clear();
    inputs.clear();
    for (const auto& id : removed) RemoveBlockDir(id);
  }
  return Status::Ok();
}

Status DB::ApplyRetention() {
  if (opts_.retention_ms == 0 && opts_.retention_bytes == 0) return Status::Ok();
  std::vector<std::shared_ptr<Block>> blocks;
  {
    std::lock_guard l(mu_);
    blocks = blocks_;
  }
  std::vector<BlockMeta> metas;
  for (const auto& b : blocks) metas.push_back(b->meta());
  RetentionOptions ro;
  ro.time_ms = opts_.retention_ms;
  ro.size_bytes = opts_.retention_bytes;
  auto drop = PlanRetention(metas, ro, wal_->SizeBytes());
  if (drop.empty()) return Status::Ok();
  std::vector<std::string> ids;
  {
    std::lock_guard l(mu_);
    for (size_t i : drop) {
      ids.push_back(metas[i].id);
      std::erase(blocks_, blocks[i]);
    }
    m_blocks_->Set(static_cast<double>(blocks_.size()));
  }
  blocks.clear();
  for (const auto& id : ids) {
    log::Info("tsdb: retention deletes block", {{"block", id}});
    RemoveBlockDir(id);
  }
  return Status::Ok();
}

}  // namespace infermetry::tsdb
