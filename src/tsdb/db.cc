// DB: opening (lock, blocks, checkpoint + WAL replay), appends and queries. Compaction and
// retention are in db_compact.cc; the checkpoint file in checkpoint.cc.

#include "tsdb/db.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <set>

#include "common/log.h"
#include "tsdb/checkpoint.h"

namespace infermetry::tsdb {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Keeps the blocks a merged querier reads alive for as long as it lives.
class DBQuerier final : public storage::Querier {
 public:
  DBQuerier(std::vector<std::shared_ptr<Block>> blocks, std::unique_ptr<storage::Querier> q)
      : blocks_(std::move(blocks)), q_(std::move(q)) {}
  ~DBQuerier() override { q_.reset(); }  // before the blocks
  std::unique_ptr<storage::SeriesSet> Select(const storage::SelectHints& h,
                                             std::span<const storage::Matcher> ms) override {
    return q_->Select(h, ms);
  }
  Result<std::vector<std::string>> LabelValues(std::string_view name,
                                               std::span<const storage::Matcher> ms) override {
    return q_->LabelValues(name, ms);
  }
  Result<std::vector<std::string>> LabelNames(std::span<const storage::Matcher> ms) override {
    return q_->LabelNames(ms);
  }
  std::vector<storage::MetadataEntry> Metadata(std::string_view metric) override {
    return q_->Metadata(metric);
  }
  Result<bool> SampleSpans(const storage::SelectHints& h, std::span<const storage::Matcher> ms,
                           std::vector<std::pair<int64_t, int64_t>>* spans) override {
    return q_->SampleSpans(h, ms, spans);
  }

 private:
  std::vector<std::shared_ptr<Block>> blocks_;
  std::unique_ptr<storage::Querier> q_;
};

}  // namespace

DB::DB(const Options& options) : opts_(options), env_(options.env ? options.env : DefaultEnv()) {
  selfmon::Registry& r = opts_.metrics ? *opts_.metrics : selfmon::Default();
  if (opts_.block_cache_bytes > 0) {
    block_cache_ = std::make_shared<BlockCache>(opts_.block_cache_bytes, &r);
  }
  m_compactions_ = &r.AddCounter("infermetry_tsdb_compactions_total",
                                 "Head ranges persisted as blocks and block compactions.")
                        .With({});
  m_compaction_failures_ =
      &r.AddCounter("infermetry_tsdb_compaction_failures_total", "Compactions that failed.")
           .With({});
  m_blocks_deleted_ = &r.AddCounter("infermetry_tsdb_blocks_deleted_total",
                                    "Blocks deleted by compaction and retention.")
                           .With({});
  m_blocks_ = &r.AddGauge("infermetry_tsdb_blocks", "Persistent blocks open.").With({});
}

Result<std::unique_ptr<DB>> DB::Open(const Options& options) {
  if (options.dir.empty()) return InvalidArgument("tsdb: dir is empty");
  if (options.block_range_ms <= 0) return InvalidArgument("tsdb: block range must be positive");
  if (options.ooo_window_ms < 0 || options.ooo_window_ms > options.block_range_ms / 2) {
    return InvalidArgument("tsdb: out-of-order window must be between 0 and half the block range");
  }
  std::unique_ptr<DB> db(new DB(options));
  Env* env = db->env_;
  const std::string& dir = options.dir;
  INFERMETRY_RETURN_IF_ERROR(env->CreateDirs(dir));
  INFERMETRY_ASSIGN_OR_RETURN(db->lock_, env->Lock(dir + "/LOCK"));

  // Unfinished writes of a previous run (block directories, checkpoint files).
  INFERMETRY_ASSIGN_OR_RETURN(auto files, env->List(dir));
  for (const auto& f : files) {
    if (EndsWith(f, ".tmp")) INFERMETRY_RETURN_IF_ERROR(env->Remove(dir + "/" + f));
  }
  INFERMETRY_ASSIGN_OR_RETURN(auto dirs, env->ListDirs(dir));
  for (const auto& d : dirs) {
    if (EndsWith(d, ".tmp")) {
      log::Info("tsdb: removing unfinished directory", {{"dir", dir + "/" + d}});
      INFERMETRY_RETURN_IF_ERROR(env->RemoveAll(dir + "/" + d));
    }
  }
  INFERMETRY_RETURN_IF_ERROR(db->OpenBlocks());

  HeadOptions ho;
  ho.chunk_range_ms = options.block_range_ms;
  ho.ooo_window_ms = options.ooo_window_ms;
  ho.metrics = options.metrics;
  db->head_ = std::make_unique<Head>(ho);
  {
    std::lock_guard l(db->mu_);
    int64_t persisted = std::numeric_limits<int64_t>::min();
    for (const auto& b : db->blocks_) persisted = std::max(persisted, b->meta().maxt);
    if (!db->blocks_.empty()) db->head_->RaiseMinValidTime(persisted + 1);
  }
  INFERMETRY_RETURN_IF_ERROR(db->ReplayCheckpointAndWal());
  db->head_->SetWal(db->wal_.get());
  db->head_->SetRangeHook([p = db.get()](int64_t head_max_t) {
    auto seg = p->wal_->Cut();
    if (!seg.ok()) {
      log::Warn("tsdb: cutting the WAL at a range boundary failed", {{"err", seg.status().ToString()}});
      return;
    }
    std::lock_guard l(p->cuts_mu_);
    p->cuts_.push_back({*seg, head_max_t});
  });
  if (options.compaction_interval.count() > 0) {
    db->bg_ = std::thread([p = db.get()] { p->BackgroundLoop(); });
  }
  return db;
}

Status DB::OpenBlocks() {
  INFERMETRY_ASSIGN_OR_RETURN(auto dirs, env_->ListDirs(opts_.dir));
  std::vector<std::shared_ptr<Block>> blocks;
  for (const auto& d : dirs) {
    if (d == "wal" || EndsWith(d, ".tmp")) continue;
    auto b = Block::Open(env_, opts_.dir + "/" + d, block_cache_);
    if (!b.ok()) return b.status().WithContext("tsdb: opening block " + d);
    blocks.push_back(std::shared_ptr<Block>(std::move(*b)));
  }
  // A compaction that crashed before deleting its inputs leaves blocks whose data another
  // block holds: a level-1 block named in another's sources, or a compacted block whose
  // sources are all covered by a higher-level block.
  std::set<std::string> redundant;
  for (const auto& x : blocks) {
    const BlockMeta& mx = x->meta();
    if (mx.level <= 1) continue;
    std::set<std::string> src(mx.sources.begin(), mx.sources.end());
    for (const auto& b : blocks) {
      const BlockMeta& mb = b->meta();
      if (b == x) continue;
      bool covered = mb.level <= 1 ? src.count(mb.id) > 0
                                   : (mb.level < mx.level && !mb.sources.empty() &&
                                      std::all_of(mb.sources.begin(), mb.sources.end(),
                                                  [&](const std::string& s) { return src.count(s); }));
      if (covered) redundant.insert(mb.id);
    }
  }
  for (auto& b : blocks) {
    if (redundant.count(b->meta().id)) {
      log::Info("tsdb: removing block compacted into another", {{"block", b->meta().id}});
      std::string id = b->meta().id;
      b.reset();
      RemoveBlockDir(id);
    }
  }
  std::erase(blocks, nullptr);
  std::sort(blocks.begin(), blocks.end(), [](const auto& a, const auto& b) {
    return a->meta().mint != b->meta().mint ? a->meta().mint < b->meta().mint
                                            : a->meta().id < b->meta().id;
  });
  std::lock_guard l(mu_);
  blocks_ = std::move(blocks);
  m_blocks_->Set(static_cast<double>(blocks_.size()));
  return Status::Ok();
}

Status DB::ReplayCheckpointAndWal() {
  auto start = std::chrono::steady_clock::now();
  INFERMETRY_ASSIGN_OR_RETURN(auto files, env_->List(opts_.dir));
  std::vector<uint64_t> checkpoints;
  for (const auto& f : files) {
    uint64_t seg;
    if (ParseCheckpointName(f, &seg)) checkpoints.push_back(seg);
  }
  std::sort(checkpoints.begin(), checkpoints.end());
  if (!checkpoints.empty()) {
    uint64_t seg = checkpoints.back();
    std::string path = opts_.dir + "/" + CheckpointName(seg);
    INFERMETRY_ASSIGN_OR_RETURN(std::string data, ReadFile(env_, path));
    CheckpointState state;
    INFERMETRY_RETURN_IF_ERROR(ReadCheckpoint(data, &state, [&](std::string_view rec) {
      return head_->ReplayRecord(rec);
    }).WithContext(path));
    head_->SetNextRef(state.next_ref);
    head_->RaiseMinValidTime(state.min_valid_time);
    checkpoint_segment_ = seg;
    for (size_t i = 0; i + 1 < checkpoints.size(); ++i) {
      INFERMETRY_RETURN_IF_ERROR(env_->Remove(opts_.dir + "/" + CheckpointName(checkpoints[i])));
    }
  }

  std::map<uint64_t, int64_t> seg_max;
  wal::Options wo;
  wo.dir = opts_.dir + "/wal";
  wo.name = "tsdb";
  wo.segment_bytes = opts_.wal_segment_bytes;
  wo.sync = opts_.wal_sync;
  wo.sync_interval = opts_.wal_sync_interval;
  wo.env = env_;
  wal::ReplayStats rs;
  uint64_t skipped_segments = 0;
  auto w = wal::Wal::Open(
      wo,
      [&](uint64_t segment, std::string_view rec) -> Status {
        if (segment < checkpoint_segment_) {
          ++skipped_segments;  // deleted after the checkpoint was written; its crash left it
          return Status::Ok();
        }
        auto [it, inserted] = seg_max.emplace(segment, std::numeric_limits<int64_t>::min());
        return head_->ReplayRecord(rec, &it->second);
      },
      &rs);
  if (!w.ok()) return w.status().WithContext("tsdb: opening the WAL");
  wal_ = std::move(*w);
  // Later appends go to a fresh segment, so every replayed segment is complete and its
  // newest timestamp known: record where the WAL may be truncated later.
  INFERMETRY_ASSIGN_OR_RETURN(uint64_t cut, wal_->Cut());
  int64_t running = std::numeric_limits<int64_t>::min();
  for (const auto& [seg, mx] : seg_max) {
    running = std::max(running, mx);
    cuts_.push_back({seg + 1, running});
  }
  cuts_.push_back({cut, std::max(running, head_->MaxTime())});
  auto counts = head_->replay_counts();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start).count();
  log::Info("tsdb: replayed WAL", {{"dir", opts_.dir},
                                   {"segments", rs.segments},
                                   {"records", rs.records},
                                   {"bytes", rs.bytes},
                                   {"series", counts.series},
                                   {"samples", counts.samples},
                                   {"samples_in_blocks", counts.skipped_old},
                                   {"unknown_series_samples", counts.unknown_ref},
                                   {"torn_bytes", rs.torn_bytes},
                                   {"corrupt_bytes", rs.corrupt_bytes},
                                   {"checkpoint_segment", checkpoint_segment_.load()},
                                   {"duration_ms", ms}});
  return Status::Ok();
}

DB::~DB() {
  {
    std::lock_guard l(bg_mu_);
    stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_.joinable()) bg_.join();
  head_.reset();
  wal_.reset();
  {
    std::lock_guard l(mu_);
    blocks_.clear();
  }
  lock_.reset();
}

Status DB::Close() {
  if (closed_) return Status::Ok();
  closed_ = true;
  {
    std::lock_guard l(bg_mu_);
    stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_.joinable()) bg_.join();
  Status st = wal_ ? wal_->Close() : Status::Ok();
  lock_.reset();
  return st;
}

std::unique_ptr<storage::Appender> DB::NewAppender() { return head_->NewAppender(); }

Result<std::unique_ptr<storage::Querier>> DB::NewQuerier(int64_t mint, int64_t maxt) {
  std::vector<std::shared_ptr<Block>> used;
  std::vector<std::unique_ptr<storage::Querier>> qs;
  // Under mu_: a compaction adds its block under mu_ before truncating the head, and the
  // truncation waits for head queriers opened before it, so no sample is missed.
  std::lock_guard l(mu_);
  for (const auto& b : blocks_) {
    if (b->meta().maxt < mint || b->meta().mint > maxt) continue;
    used.push_back(b);
    qs.push_back(b->NewQuerier(mint, maxt));
  }
  INFERMETRY_ASSIGN_OR_RETURN(auto hq, head_->NewQuerier(mint, maxt));
  if (qs.empty()) return hq;
  qs.push_back(std::move(hq));
  return std::unique_ptr<storage::Querier>(
      new DBQuerier(std::move(used), MergeQueriers(std::move(qs))));
}

std::vector<BlockMeta> DB::Blocks() const {
  std::lock_guard l(mu_);
  std::vector<BlockMeta> out;
  for (const auto& b : blocks_) out.push_back(b->meta());
  return out;
}

DBStats DB::Stats() const {
  DBStats st;
  st.head = head_->Stats();
  for (const auto& m : Blocks()) {
    ++st.blocks;
    st.block_samples += m.num_samples;
    st.block_bytes += m.size_bytes;
  }
  st.wal_bytes = wal_ ? wal_->SizeBytes() : 0;
  st.bytes_on_disk = st.block_bytes + st.wal_bytes;
  if (checkpoint_segment_ != 0) {
    auto f = env_->Open(opts_.dir + "/" + CheckpointName(checkpoint_segment_), false);
    if (f.ok()) st.bytes_on_disk += (*f)->Size();
  }
  return st;
}

void DB::BackgroundLoop() {
  std::unique_lock l(bg_mu_);
  while (!stop_) {
    bg_cv_.wait_for(l, opts_.compaction_interval, [&] { return stop_; });
    if (stop_) break;
    l.unlock();
    Status st = Compact();
    if (!st.ok()) log::Warn("tsdb: compaction failed", {{"err", st.ToString()}});
    l.lock();
  }
}

}  // namespace infermetry::tsdb
