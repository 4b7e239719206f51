// The head's querier: postings select series, each series' chunk bytes are copied under its
// stripe lock and decoded without it, out-of-order samples merged in by time.

#include <algorithm>
#include <optional>
#include <set>

#include "tsdb/head.h"

namespace infermetry::tsdb {
namespace {

class ErrorSeriesSet final : public storage::SeriesSet {
 public:
  explicit ErrorSeriesSet(Status st) : st_(std::move(st)) {}
  bool Next() override { return false; }
  const model::Labels& labels() const override { return empty_; }
  std::unique_ptr<storage::SampleIterator> Samples() const override { return nullptr; }
  Status status() const override { return st_; }

 private:
  Status st_;
  model::Labels empty_;
};

class SnapshotIterator final : public storage::SampleIterator {
 public:
  SnapshotIterator(SeriesSnapshot snap, int64_t mint, int64_t maxt)
      : snap_(std::move(snap)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    while (Step()) {
      if (t_ < mint_) continue;
      if (t_ > maxt_) break;
      return true;
    }
    done_ = true;
    return false;
  }

  bool Seek(int64_t target) override {
    if (done_) return false;
    if (valid_ && t_ >= target) return true;
    // Linear: a head chunk holds at most a few hundred samples.
    while (Next()) {
      if (t_ >= target) return true;
    }
    return false;
  }

  int64_t t() const override { return t_; }
  double v() const override { return v_; }
  Status status() const override {
    return err_ ? Status(Code::kInternal, "head chunk decode failed") : Status::Ok();
  }
  Status AppendRemaining(std::vector<model::Sample>* out) override {
    while (SnapshotIterator::Next()) out->push_back({t_, v_});
    return SnapshotIterator::status();
  }

 private:
  // Peeks the next chunk sample into (has_c_, ct_, cv_).
  void AdvanceChunk() {
    has_c_ = false;
    while (chunk_ < snap_.chunks.size()) {
      if (!it_) {
        const auto& c = snap_.chunks[chunk_];
        it_.emplace(snap_.bytes.data() + c.offset, c.size, c.count);
      }
      if (it_->Next()) {
        has_c_ = true;
        ct_ = it_->t();
        cv_ = it_->v();
        return;
      }
      if (it_->err()) err_ = true;
      it_.reset();
      ++chunk_;
    }
  }

  bool Step() {
    if (!started_) {
      started_ = true;
      AdvanceChunk();
    }
    bool has_o = oi_ < snap_.ooo.size();
    if (has_c_ && (!has_o || ct_ < snap_.ooo[oi_].t_ms)) {
      t_ = ct_;
      v_ = cv_;
      AdvanceChunk();
    } else if (has_o) {
      t_ = snap_.ooo[oi_].t_ms;
      v_ = snap_.ooo[oi_].v;
      ++oi_;
    } else {
      valid_ = false;
      return false;
    }
    valid_ = true;
    return true;
  }

  SeriesSnapshot snap_;
  int64_t mint_, maxt_;
  size_t chunk_ = 0;
  std::optional<chunkenc::XorIterator> it_;
  bool has_c_ = false;
  int64_t ct_ = 0;
  double cv_ = 0;
  size_t oi_ = 0;
  int64_t t_ = 0;
  double v_ = 0;
  bool started_ = false, valid_ = false, done_ = false, err_ = false;
};

}  // namespace

class HeadSeriesSet final : public storage::SeriesSet {
 public:
  struct Item {
    model::Labels labels;
    uint32_t ref;
  };
  HeadSeriesSet(Head* head, std::vector<Item> items, int64_t mint, int64_t maxt)
      : head_(head), items_(std::move(items)), mint_(mint), maxt_(maxt) {}

  // The bounds of series `ref`'s samples clipped to [lo, hi]; *mint > *maxt when there are none.
  static void Span(Head* head, uint32_t ref, int64_t lo, int64_t hi, int64_t* mint, int64_t* maxt) {
    *mint = 0;
    *maxt = -1;
    Head::Stripe& st = head->RefStripe(ref);
    std::lock_guard l(st.mu);
    const MemSeries* s = st.by_ref.Find(ref);
    if (s == nullptr || s->empty()) return;
    int64_t last = s->open.count() > 0 ? s->open.last_t() : INT64_MIN;
    if (s->num_sealed > 0) last = std::max(last, s->sealed[s->num_sealed - 1].maxt);
    if (s->ooo != nullptr && !s->ooo->empty()) last = std::max(last, s->ooo->back().t_ms);
    *mint = std::max(s->MinTime(), lo);
    *maxt = std::min(last, hi);
  }

  bool Next() override {
    if (pos_ >= items_.size()) return false;
    cur_ = &items_[pos_++];
    return true;
  }
  const model::Labels& labels() const override { return cur_->labels; }
  std::unique_ptr<storage::SampleIterator> Samples() const override {
    SeriesSnapshot snap;
    {
      Head::Stripe& st = head_->RefStripe(cur_->ref);
      std::lock_guard l(st.mu);
      if (MemSeries* s = st.by_ref.Find(cur_->ref)) s->Snapshot(mint_, maxt_, &snap);
    }
    return std::make_unique<SnapshotIterator>(std::move(snap), mint_, maxt_);
  }
  bool TimeSpan(int64_t* mint, int64_t* maxt) const override {
    Span(head_, cur_->ref, mint_, maxt_, mint, maxt);
    return true;
  }

 private:
  Head* head_;
  std::vector<Item> items_;
  int64_t mint_, maxt_;
  size_t pos_ = 0;
  const Item* cur_ = nullptr;
};

class HeadQuerier final : public storage::Querier {
 public:
  HeadQuerier(Head* head, int64_t mint, int64_t maxt) : head_(head), mint_(mint), maxt_(maxt) {
    head_->RegisterReader();
  }
  ~HeadQuerier() override { head_->UnregisterReader(); }

  std::unique_ptr<storage::SeriesSet> Select(const storage::SelectHints& hints,
                                             std::span<const storage::Matcher> matchers) override {
    int64_t mint = std::max(mint_, hints.start_ms), maxt = std::min(maxt_, hints.end_ms);
    auto items = Series(mint, maxt, matchers);
    if (!items.ok()) return std::make_unique<ErrorSeriesSet>(items.status());
    std::sort(items->begin(), items->end(),
              [](const HeadSeriesSet::Item& a, const HeadSeriesSet::Item& b) {
                return a.labels < b.labels;
              });
    return std::make_unique<HeadSeriesSet>(head_, std::move(*items), mint, maxt);
  }

  Result<std::vector<std::string>> LabelValues(std::string_view name,
                                               std::span<const storage::Matcher> matchers) override {
    std::set<std::string> out;
    if (matchers.empty()) {
      uint32_t n = head_->symbols_.Find(name);
      if (n != index::kNoSymbol && Overlaps()) {
        head_->postings_.ForEachValue(n, [&](uint32_t v, const index::Postings&) {
          out.emplace(head_->symbols_.Get(v));
        });
      }
    } else {
      uint32_t n = head_->symbols_.Find(name);
      if (n == index::kNoSymbol) return std::vector<std::string>{};
      std::set<uint32_t> ids;  // symbol ids: no label set is materialized
      auto add = [&](const MemSeries& s, uint32_t) {
        for (const auto& p : s.pairs()) {
          if (p.name == n) ids.insert(p.value);
        }
      };
      INFERMETRY_RETURN_IF_ERROR(ForEachSeries(mint_, maxt_, matchers, add));
      for (uint32_t v : ids) {
        std::string_view s = head_->symbols_.Get(v);
        if (!s.empty()) out.emplace(s);
      }
    }
    return std::vector<std::string>(out.begin(), out.end());
  }

  Result<std::vector<std::string>> LabelNames(std::span<const storage::Matcher> matchers) override {
    std::set<std::string> out;
    if (matchers.empty()) {
      if (Overlaps()) {
        for (uint32_t n : head_->postings_.Names()) out.emplace(head_->symbols_.Get(n));
      }
    } else {
      std::set<uint32_t> ids;
      auto add = [&](const MemSeries& s, uint32_t) {
        for (const auto& p : s.pairs()) ids.insert(p.name);
      };
      INFERMETRY_RETURN_IF_ERROR(ForEachSeries(mint_, maxt_, matchers, add));
      for (uint32_t n : ids) out.emplace(head_->symbols_.Get(n));
    }
    return std::vector<std::string>(out.begin(), out.end());
  }

  Result<bool> SampleSpans(const storage::SelectHints& hints,
                           std::span<const storage::Matcher> matchers,
                           std::vector<std::pair<int64_t, int64_t>>* spans) override {
    int64_t lo = std::max(mint_, hints.start_ms), hi = std::min(maxt_, hints.end_ms);
    if (lo > hi || !Overlaps()) return true;
    INFERMETRY_ASSIGN_OR_RETURN(index::Postings refs,
                                index::PostingsForMatchers(head_->symbols_, head_->postings_,
                                                           matchers));
    for (uint32_t ref : refs) {
      int64_t a, b;
      HeadSeriesSet::Span(head_, ref, lo, hi, &a, &b);
      if (a <= b) spans->push_back({a, b});
    }
    return true;
  }

  std::vector<storage::MetadataEntry> Metadata(std::string_view metric) override {
    auto all = head_->AllMetadata();
    if (metric.empty()) return all;
    std::erase_if(all, [&](const storage::MetadataEntry& e) { return e.metric != metric; });
    return all;
  }

 private:
  bool Overlaps() const {
    return head_->min_time_.load() <= maxt_ && head_->max_time_.load() >= mint_;
  }

  // Calls fn(label pairs) for each series matching `matchers` with samples in the querier's
  // range, under its stripe lock.
  // Calls fn(series, ref) for each series matching `matchers` with samples in [mint, maxt],
  // under its stripe lock.
  template <typename Fn>
  Status ForEachSeries(int64_t mint, int64_t maxt, std::span<const storage::Matcher> matchers,
                       Fn&& fn) {
    INFERMETRY_ASSIGN_OR_RETURN(index::Postings refs,
                                index::PostingsForMatchers(head_->symbols_, head_->postings_,
                                                           matchers));
    // When the range holds the whole head, every series is in it: no look at its chunks.
    const bool whole = head_->min_time_.load() >= mint && head_->max_time_.load() <= maxt;
    for (uint32_t ref : refs) {
      Head::Stripe& st = head_->RefStripe(ref);
      std::lock_guard l(st.mu);
      MemSeries* s = st.by_ref.Find(ref);
      if (s == nullptr || s->empty()) continue;
      if (!whole && (s->MinTime() > maxt || s->MaxTime() < mint)) continue;
      fn(*s, ref);
    }
    return Status::Ok();
  }

  Result<std::vector<HeadSeriesSet::Item>> Series(int64_t mint, int64_t maxt,
                                                  std::span<const storage::Matcher> matchers) {
    std::vector<HeadSeriesSet::Item> items;
    auto add = [&](const MemSeries& s, uint32_t ref) {
      items.push_back({s.MaterializeLabels(head_->symbols_), ref});
    };
    INFERMETRY_RETURN_IF_ERROR(ForEachSeries(mint, maxt, matchers, add));
    return items;
  }

  Head* head_;
  int64_t mint_, maxt_;
};

Result<std::unique_ptr<storage::Querier>> Head::NewQuerier(int64_t mint, int64_t maxt) {
  return std::unique_ptr<storage::Querier>(new HeadQuerier(this, mint, maxt));
}

}  // namespace infermetry::tsdb
