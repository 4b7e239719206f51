// HeadAppender: buffers appends, then on Commit logs one WAL batch (new series, metadata,
// samples) and only after the WAL accepted it applies the samples to the head.

#include <algorithm>
#include <limits>

#include "tsdb/head.h"
#include "tsdb/record/record.h"
#include "tsdb/wal/wal.h"

namespace infermetry::tsdb {

class HeadAppender final : public storage::Appender {
 public:
  explicit HeadAppender(Head* head) : head_(head) {}
  ~HeadAppender() override { Rollback(); }

  Status Append(const model::Labels& labels, int64_t t, double v) override;
  Status UpdateMetadata(const model::Labels& labels, const storage::Metadata& md) override;
  Status Commit() override;
  void Rollback() override;

 private:
  struct Pending {
    MemSeries* series;  // pinned until Commit/Rollback
    int64_t t;
    double v;
  };
  void Unpin();

  Head* head_;
  std::vector<Pending> pending_;
  std::vector<record::RefMetadata> metas_;
  // Reused between commits: no allocation in steady state.
  std::vector<MemSeries*> unlogged_;
  std::vector<record::RefSample> ref_samples_;
  std::vector<std::string_view> names_, values_;
  std::vector<record::SeriesView> views_;
  std::string series_rec_, samples_rec_, meta_rec_;
};

std::unique_ptr<storage::Appender> Head::NewAppender() {
  return std::make_unique<HeadAppender>(this);
}

Status HeadAppender::Append(const model::Labels& labels, int64_t t, double v) {
  if (labels.MetricName().empty()) {
    return InvalidArgument("series without a metric name: " + labels.ToString());
  }
  if (t < head_->min_valid_time()) {
    head_->m_too_old_->Inc();
    return Status(Code::kTooOld, "sample at " + std::to_string(t) +
                                     " is older than the head's minimum valid time " +
                                     std::to_string(head_->min_valid_time()));
  }
  bool created;
  MemSeries* s = head_->GetOrCreate(labels, labels.Hash(), 0, /*pin=*/true, &created);
  if (!created) {
    AppendOutcome o;
    {
      Head::Stripe& st = head_->RefStripe(s->ref);
      std::lock_guard l(st.mu);
      o = s->Check(t, v, head_->limits());
    }
    if (o == AppendOutcome::kOutOfOrder || o == AppendOutcome::kDuplicate) {
      s->pins.fetch_sub(1, std::memory_order_relaxed);
      if (o == AppendOutcome::kOutOfOrder) {
        head_->m_ooo_rejected_->Inc();
        return Status(Code::kOutOfOrder, "sample at " + std::to_string(t) +
                                             " is out of order for " + labels.ToString());
      }
      head_->m_duplicate_->Inc();
      return Status(Code::kDuplicate, "sample at " + std::to_string(t) +
                                          " has another value than the one stored for " +
                                          labels.ToString());
    }
  }
  pending_.push_back({s, t, v});
  return Status::Ok();
}

Status HeadAppender::UpdateMetadata(const model::Labels& labels, const storage::Metadata& md) {
  std::string_view family = md.family.empty() ? labels.MetricName() : std::string_view(md.family);
  if (family.empty()) return Status::Ok();
  {
    std::lock_guard l(head_->meta_mu_);
    auto it = head_->metadata_.find(family);
    if (it != head_->metadata_.end() && it->second.type == md.type && it->second.help == md.help &&
        it->second.unit == md.unit) {
      return Status::Ok();  // unchanged: nothing to log
    }
  }
  for (const auto& m : metas_) {
    if (m.family == family && m.md.type == md.type && m.md.help == md.help && m.md.unit == md.unit) {
      return Status::Ok();
    }
  }
  metas_.push_back({std::string(family), md});
  metas_.back().md.family = std::string(family);
  return Status::Ok();
}

void HeadAppender::Unpin() {
  for (const Pending& p : pending_) p.series->pins.fetch_sub(1, std::memory_order_relaxed);
}

void HeadAppender::Rollback() {
  Unpin();
  pending_.clear();
  metas_.clear();
}

Status HeadAppender::Commit() {
  if (pending_.empty() && metas_.empty()) return Status::Ok();
  int64_t batch_maxt = std::numeric_limits<int64_t>::min();
  for (const Pending& p : pending_) batch_maxt = std::max(batch_maxt, p.t);
  if (!pending_.empty() && batch_maxt >= head_->next_range_.load(std::memory_order_relaxed)) {
    head_->CrossRange(batch_maxt);
  }
  std::shared_lock gate(head_->commit_gate_);
  // Samples that fell below the minimum valid time since Append (a compaction started) are
  // dropped here: the block being written may not contain them.
  int64_t mvt = head_->min_valid_time();
  size_t kept = 0;
  for (const Pending& p : pending_) {
    if (p.t < mvt) {
      head_->m_too_old_->Inc();
      p.series->pins.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    pending_[kept++] = p;
  }
  pending_.resize(kept);

  if (head_->wal_ != nullptr) {
    unlogged_.clear();
    ref_samples_.clear();
    for (const Pending& p : pending_) {
      if (p.series->logged.load(std::memory_order_acquire) == 0) unlogged_.push_back(p.series);
      ref_samples_.push_back({p.series->ref, p.t, p.v});
    }
    std::sort(unlogged_.begin(), unlogged_.end());
    unlogged_.erase(std::unique(unlogged_.begin(), unlogged_.end()), unlogged_.end());
    std::string_view recs[3];
    size_t n = 0;
    if (!unlogged_.empty()) {
      names_.clear();
      values_.clear();
      views_.clear();
      for (MemSeries* s : unlogged_) {
        for (const index::SymPair& p : s->pairs()) {
          names_.push_back(head_->symbols_.Get(p.name));
          values_.push_back(head_->symbols_.Get(p.value));
        }
      }
      size_t off = 0;
      for (MemSeries* s : unlogged_) {
        views_.push_back({s->ref, std::span(names_).subspan(off, s->num_labels),
                          std::span(values_).subspan(off, s->num_labels)});
        off += s->num_labels;
      }
      series_rec_.clear();
      record::EncodeSeries(views_, &series_rec_);
      recs[n++] = series_rec_;
    }
    if (!metas_.empty()) {
      meta_rec_.clear();
      record::EncodeMetadata(metas_, &meta_rec_);
      recs[n++] = meta_rec_;
    }
    if (!ref_samples_.empty()) {
      samples_rec_.clear();
      record::EncodeSamples(ref_samples_, &samples_rec_);
      recs[n++] = samples_rec_;
    }
    Status st = head_->wal_->Append(std::span<const std::string_view>(recs, n));
    if (!st.ok()) {
      head_->m_commit_failed_->Inc();
      gate.unlock();
      Rollback();
      return st.WithContext("commit");
    }
    for (MemSeries* s : unlogged_) s->logged.store(1, std::memory_order_release);
  }

  if (!metas_.empty()) {
    std::lock_guard l(head_->meta_mu_);
    for (auto& m : metas_) head_->metadata_[m.family] = std::move(m.md);
  }
  // Apply. Concurrent commits to the same series can reorder here (the WAL keeps both); what
  // the head then refuses is counted like at Append.
  AppendLimits lim = head_->limits();
  int64_t mint = std::numeric_limits<int64_t>::max(), maxt = std::numeric_limits<int64_t>::min();
  uint64_t appended = 0, ooo = 0, ooo_rejected = 0, dup = 0;
  for (const Pending& p : pending_) {
    AppendOutcome o;
    {
      Head::Stripe& st = head_->RefStripe(p.series->ref);
      std::lock_guard l(st.mu);
      o = p.series->Append(p.t, p.v, lim, false);
    }
    switch (o) {
      case AppendOutcome::kAppended: ++appended; break;
      case AppendOutcome::kOutOfOrderAppended: ++ooo; break;
      case AppendOutcome::kNoop: break;
      case AppendOutcome::kOutOfOrder: ++ooo_rejected; break;
      case AppendOutcome::kDuplicate: ++dup; break;
    }
    mint = std::min(mint, p.t);
    maxt = std::max(maxt, p.t);
  }
  if (!pending_.empty()) head_->NoteTimes(mint, maxt);
  gate.unlock();
  if (appended) head_->m_appended_->Inc(static_cast<double>(appended));
  if (ooo) head_->m_ooo_appended_->Inc(static_cast<double>(ooo));
  if (ooo_rejected) head_->m_ooo_rejected_->Inc(static_cast<double>(ooo_rejected));
  if (dup) head_->m_duplicate_->Inc(static_cast<double>(dup));
  Unpin();
  pending_.clear();
  metas_.clear();
  return Status::Ok();
}

}  // namespace infermetry::tsdb
