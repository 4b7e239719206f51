#pragma once
// Definitions of Engine<Codec> (see engine.h). Included by engine.h only.

#include <cinttypes>
#include <cstdio>

namespace infermetry::spanstore {

template <typename Codec>
int64_t Engine<Codec>::Now() const {
  if (options_.now_ns) return options_.now_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <typename Codec>
std::string Engine<Codec>::PartPath(uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%016" PRIx64 ".part", seq);
  return PartsDir() + "/" + name;
}

template <typename Codec>
Status Engine<Codec>::LoadParts(uint64_t* max_cut) {
  Env* env = options_.env;
  INFERMETRY_RETURN_IF_ERROR(env->CreateDirs(PartsDir()));
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<std::string> names, env->List(PartsDir()));
  std::vector<std::shared_ptr<Part>> parts;
  for (const std::string& n : names) {
    std::string path = PartsDir() + "/" + n;
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".tmp") == 0) {
      INFERMETRY_RETURN_IF_ERROR(env->Remove(path));  // a part write cut short by a crash
      continue;
    }
    if (n.size() < 5 || n.compare(n.size() - 5, 5, ".part") != 0) continue;
    Result<std::shared_ptr<Part>> p = Part::Open(env, path, Codec::kKind);
    if (!p.ok()) {
      if (p.status().code() == Code::kCorruption) metrics_.corruptions->Inc();
      return p.status();
    }
    parts.push_back(*p);
  }
  std::set<uint64_t> replaced;
  for (const auto& p : parts) {
    for (uint64_t s : p->info().merged_from) replaced.insert(s);
  }
  *max_cut = 0;
  uint64_t max_seq = 0;
  for (const auto& p : parts) {
    max_seq = std::max(max_seq, p->info().seq);
    *max_cut = std::max(*max_cut, p->info().wal_cut);
    if (replaced.count(p->info().seq) != 0) {
      log::Info("spanstore: removing a part replaced by a merge", {{"part", p->path()}});
      INFERMETRY_RETURN_IF_ERROR(env->Remove(p->path()));
      continue;
    }
    parts_.push_back(p);
  }
  next_seq_ = max_seq + 1;
  return env->SyncDir(PartsDir());
}

template <typename Codec>
Result<std::unique_ptr<Engine<Codec>>> Engine<Codec>::Open(const EngineOptions& options) {
  std::unique_ptr<Engine> e(new Engine(options));
  if (e->options_.env == nullptr) e->options_.env = DefaultEnv();
  uint64_t max_cut = 0;
  INFERMETRY_RETURN_IF_ERROR(e->LoadParts(&max_cut));
  wal::Options wo;
  wo.dir = options.dir + "/wal";
  wo.sync = options.sync;
  wo.sync_interval = options.sync_interval;
  wo.env = e->options_.env;
  wal::ReplayStats stats;
  Engine* self = e.get();
  auto replay = [self, max_cut](uint64_t segment, std::string_view rec) -> Status {
    if (segment < max_cut) return Status::Ok();  // already in a part
    std::vector<Item> items;
    Status st = Codec::DecodeBatch(rec, &items);
    if (!st.ok()) {
      return Status(Code::kCorruption, "WAL segment " + std::to_string(segment) + " of " +
                                           self->options_.dir + ": " + st.message());
    }
    self->open_rows_ += items.size();
    self->replayed_rows_ += items.size();
    self->open_.push_back(std::make_shared<const std::vector<Item>>(std::move(items)));
    return Status::Ok();
  };
  INFERMETRY_ASSIGN_OR_RETURN(e->wal_, wal::Wal::Open(wo, replay, &stats));
  // Records appended from now on must land in segments >= every part's cut.
  for (int i = 0; e->wal_->CurrentSegment() < max_cut; ++i) {
    if (i > 1000) return Internal("WAL segment numbers lag the parts' WAL cut");
    INFERMETRY_RETURN_IF_ERROR(e->wal_->Cut().status());
  }
  if (max_cut > 0) INFERMETRY_RETURN_IF_ERROR(e->wal_->TruncateBefore(max_cut));
  if (!e->open_.empty()) e->open_since_ = e->Now();
  std::lock_guard<std::mutex> l(e->mu_);
  e->UpdateGauges();
  return e;
}

template <typename Codec>
Status Engine<Codec>::Ingest(std::vector<Item> items) {
  if (items.empty()) return Status::Ok();
  const std::string rec = Codec::EncodeBatch(items);
  const size_t n = items.size();
  // Appends are not serialized here: concurrent ingests share the WAL's group commit. The rows
  // join the open part before LeaveAppend, so a freeze (which waits for the appends inside the
  // gate) never cuts the WAL after a record whose rows are not yet in the open part.
  if (!gate_.EnterAppend()) return Status(Code::kCancelled, "span store closed");
  Status st = wal_->Append(rec);
  bool freeze = false;
  if (st.ok()) {
    auto chunk = std::make_shared<const std::vector<Item>>(std::move(items));
    std::lock_guard<std::mutex> l(mu_);
    if (open_.empty()) open_since_ = Now();
    open_.push_back(std::move(chunk));
    open_rows_ += n;
    freeze = open_rows_ >= options_.flush_rows;
  }
  gate_.LeaveAppend();
  INFERMETRY_RETURN_IF_ERROR(st);
  metrics_.ingested->Inc(static_cast<double>(n));
  if (!freeze) return Status::Ok();
  // The rows are durable in the WAL either way; a failed cut only delays the flush.
  st = Freeze(options_.flush_rows);
  if (!st.ok()) {
    if (st.code() != Code::kCancelled)
      log::Warn("spanstore: cannot cut the WAL", {{"dir", options_.dir}, {"err", st.ToString()}});
    return Status::Ok();
  }
  st = FlushFrozen(/*wait=*/false);
  if (!st.ok())
    log::Warn("spanstore: flush failed", {{"dir", options_.dir}, {"err", st.ToString()}});
  return Status::Ok();
}

template <typename Codec>
Status Engine<Codec>::Freeze(size_t min_rows) {
  if (!gate_.EnterCut()) return Status(Code::kCancelled, "span store closed");
  // No append is in flight now: every record before the cut has its rows in open_, and every
  // later record lands in a segment >= the cut.
  Status st;
  bool due;
  {
    std::lock_guard<std::mutex> l(mu_);
    due = !open_.empty() && open_rows_ >= min_rows;  // another ingest may have frozen already
  }
  if (due) {
    Result<uint64_t> cut = wal_->Cut();
    st = cut.status();
    if (cut.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      frozen_.push_back(Frozen{std::move(open_), open_rows_, *cut});
      open_.clear();
      open_rows_ = 0;
    }
  }
  gate_.LeaveCut();
  return st;
}

template <typename Codec>
typename Engine<Codec>::Snapshot Engine<Codec>::GetSnapshot() const {
  Snapshot s;
  std::lock_guard<std::mutex> l(mu_);
  for (const Frozen& f : frozen_) s.memory.insert(s.memory.end(), f.chunks.begin(), f.chunks.end());
  s.memory.insert(s.memory.end(), open_.begin(), open_.end());
  s.parts = parts_;
  return s;
}

template <typename Codec>
Result<std::shared_ptr<Part>> Engine<Codec>::WriteRows(std::vector<const Item*> rows,
                                                       PartInfo info) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Item* a, const Item* b) { return Codec::Less(*a, *b); });
  PartBuild build = Codec::Build(rows);
  info.seq = next_seq_++;
  std::string path = PartPath(info.seq);
  INFERMETRY_RETURN_IF_ERROR(WritePart(options_.env, path, build, info).status());
  return Part::Open(options_.env, path, Codec::kKind);
}

template <typename Codec>
Status Engine<Codec>::FlushFrozen(bool wait) {
  std::unique_lock<std::mutex> ml(maintenance_mu_, std::defer_lock);
  if (wait) {
    ml.lock();
  } else if (!ml.try_lock()) {
    return Status::Ok();  // a merge is running; the background flush picks the rows up
  }
  for (;;) {
    Frozen f;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (frozen_.empty()) return Status::Ok();
      f = frozen_.front();
    }
    std::vector<const Item*> rows;
    rows.reserve(f.rows);
    for (const Chunk& c : f.chunks) {
      for (const Item& it : *c) rows.push_back(&it);
    }
    PartInfo info;
    info.wal_cut = f.wal_cut;
    INFERMETRY_ASSIGN_OR_RETURN(std::shared_ptr<Part> part, WriteRows(std::move(rows), info));
    {
      std::lock_guard<std::mutex> l(mu_);
      parts_.push_back(part);
      frozen_.pop_front();
      UpdateGauges();
    }
    metrics_.flushes->Inc();
    INFERMETRY_RETURN_IF_ERROR(wal_->TruncateBefore(f.wal_cut));
  }
}

template <typename Codec>
Status Engine<Codec>::Flush() {
  INFERMETRY_RETURN_IF_ERROR(Freeze(/*min_rows=*/1));
  return FlushFrozen(/*wait=*/true);
}

template <typename Codec>
Status Engine<Codec>::MaybeFlush() {
  bool due;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.flush_interval);
    due = !frozen_.empty() || (!open_.empty() && Now() - open_since_ >= interval.count());
  }
  return due ? Flush() : Status::Ok();
}

template <typename Codec>
Result<int> Engine<Codec>::Merge() {
  std::lock_guard<std::mutex> ml(maintenance_mu_);
  std::map<int64_t, std::vector<std::shared_ptr<Part>>> partitions;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& p : parts_) {
      if (p->rows() >= options_.max_part_rows / 2) continue;
      int64_t t = p->min_time();
      int64_t key = t / options_.partition_ns - (t % options_.partition_ns < 0 ? 1 : 0);
      partitions[key].push_back(p);
    }
  }
  int merges = 0;
  const int64_t now = Now();
  for (auto& [key, parts] : partitions) {
    // Tiered: merge once 4 small parts have gathered, or everything small in a partition
    // that is no longer written to (its end is a flush interval in the past).
    int64_t end = (key + 1) * options_.partition_ns;
    bool closed =
        now - end >
        std::chrono::duration_cast<std::chrono::nanoseconds>(options_.flush_interval).count();
    if (parts.size() < 2 || (parts.size() < 4 && !closed)) continue;
    std::sort(parts.begin(), parts.end(), [](auto& a, auto& b) { return a->rows() < b->rows(); });
    std::vector<std::shared_ptr<Part>> chosen;
    size_t total = 0;
    for (const auto& p : parts) {
      if (total + p->rows() > options_.max_part_rows || chosen.size() >= 16) break;
      chosen.push_back(p);
      total += p->rows();
    }
    if (chosen.size() < 2) continue;
    std::vector<Item> items;
    items.reserve(total);
    PartInfo info;
    for (const auto& p : chosen) {
      INFERMETRY_RETURN_IF_ERROR(Codec::ReadAll(*p, &items));
      info.merged_from.push_back(p->info().seq);
      info.wal_cut = std::max(info.wal_cut, p->info().wal_cut);
    }
    std::vector<const Item*> rows;
    rows.reserve(items.size());
    for (const Item& it : items) rows.push_back(&it);
    INFERMETRY_ASSIGN_OR_RETURN(std::shared_ptr<Part> merged, WriteRows(std::move(rows), info));
    {
      std::lock_guard<std::mutex> l(mu_);
      parts_.push_back(merged);
    }
    INFERMETRY_RETURN_IF_ERROR(DropParts(chosen));
    metrics_.merges->Inc();
    ++merges;
  }
  return merges;
}

template <typename Codec>
Status Engine<Codec>::DropParts(const std::vector<std::shared_ptr<Part>>& victims) {
  {
    std::lock_guard<std::mutex> l(mu_);
    std::erase_if(parts_, [&](const std::shared_ptr<Part>& p) {
      return std::find(victims.begin(), victims.end(), p) != victims.end();
    });
    UpdateGauges();
  }
  // Open snapshots keep their file handles; the data goes when the last one is released.
  for (const auto& p : victims) INFERMETRY_RETURN_IF_ERROR(options_.env->Remove(p->path()));
  return options_.env->SyncDir(PartsDir());
}

template <typename Codec>
Result<int> Engine<Codec>::ApplyRetention() {
  std::lock_guard<std::mutex> ml(maintenance_mu_);
  std::vector<std::shared_ptr<Part>> parts, victims;
  {
    std::lock_guard<std::mutex> l(mu_);
    parts = parts_;
  }
  std::sort(parts.begin(), parts.end(),
            [](auto& a, auto& b) { return a->max_time() < b->max_time(); });
  uint64_t total = 0;
  for (const auto& p : parts) total += p->file_size();
  const int64_t cutoff = options_.retention_ns > 0 ? Now() - options_.retention_ns : INT64_MIN;
  for (const auto& p : parts) {
    bool too_old = p->max_time() < cutoff;
    bool too_big = options_.retention_bytes > 0 && total > options_.retention_bytes;
    if (!too_old && !too_big) break;
    victims.push_back(p);
    total -= p->file_size();
  }
  if (victims.empty()) return 0;
  INFERMETRY_RETURN_IF_ERROR(DropParts(victims));
  metrics_.dropped_parts->Inc(static_cast<double>(victims.size()));
  return static_cast<int>(victims.size());
}

template <typename Codec>
Status Engine<Codec>::Close() {
  if (!gate_.Close()) return Status::Ok();
  // Unflushed rows stay in the WAL and are replayed by the next Open.
  return wal_ != nullptr ? wal_->Close() : Status::Ok();
}

template <typename Codec>
void Engine<Codec>::UpdateGauges() {
  uint64_t bytes = 0;
  for (const auto& p : parts_) bytes += p->file_size();
  metrics_.parts->Set(static_cast<double>(parts_.size()));
  metrics_.bytes->Set(static_cast<double>(bytes));
}

template <typename Codec>
size_t Engine<Codec>::part_count() const {
  std::lock_guard<std::mutex> l(mu_);
  return parts_.size();
}

template <typename Codec>
uint64_t Engine<Codec>::part_bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t bytes = 0;
  for (const auto& p : parts_) bytes += p->file_size();
  return bytes;
}

template <typename Codec>
size_t Engine<Codec>::memory_rows() const {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = open_rows_;
  for (const Frozen& f : frozen_) n += f.rows;
  return n;
}

}  // namespace infermetry::spanstore
