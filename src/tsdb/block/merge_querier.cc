#include <algorithm>
#include <limits>
#include <tuple>

#include "tsdb/block/block.h"
#include "tsdb/block/merge.h"

namespace infermetry::tsdb {
namespace {

// Merges sample iterators by time; at equal timestamps the later iterator's sample wins.
// Blocks rarely overlap, so after each full pick the iterator that won keeps advancing on its
// own while it stays below every other iterator's next timestamp: O(1) per sample instead of
// O(number of iterators).
class MergeIterator : public storage::SampleIterator {
 public:
  explicit MergeIterator(std::vector<std::unique_ptr<storage::SampleIterator>> its)
      : its_(std::move(its)), valid_(its_.size(), false) {}

  bool Next() override {
    if (!init_) {
      init_ = true;
      for (size_t i = 0; i < its_.size(); ++i) valid_[i] = Step(i, false, 0);
      return Pick();
    }
    if (!have_) return false;
    if (!tie_) {
      valid_[cur_] = Step(cur_, false, 0);
      if (!err_.ok()) return have_ = false;
      if (valid_[cur_] && its_[cur_]->t() < others_min_) {
        t_ = its_[cur_]->t();
        v_ = its_[cur_]->v();
        return true;
      }
      return Pick();
    }
    for (size_t i = 0; i < its_.size(); ++i) {
      if (valid_[i] && its_[i]->t() == t_) valid_[i] = Step(i, false, 0);
    }
    return Pick();
  }
  bool Seek(int64_t t) override {
    if (init_ && have_ && t_ >= t) return true;
    if (init_ && !have_) return false;
    for (size_t i = 0; i < its_.size(); ++i) {
      if (!init_ || (valid_[i] && its_[i]->t() < t)) valid_[i] = Step(i, true, t);
    }
    init_ = true;
    return Pick();
  }
  int64_t t() const override { return t_; }
  double v() const override { return v_; }
  Status status() const override { return err_; }
  // Each iterator's samples at once, merged pairwise in order (later ones win ties).
  Status AppendRemaining(std::vector<model::Sample>* out) override {
    if (init_) return SampleIterator::AppendRemaining(out);
    init_ = true;
    std::vector<model::Sample> merged, next, both;
    for (size_t i = 0; i < its_.size(); ++i) {
      next.clear();
      err_ = its_[i]->AppendRemaining(&next);
      if (!err_.ok()) return err_;
      if (merged.empty() || next.empty() || merged.back().t_ms < next.front().t_ms) {
        merged.insert(merged.end(), next.begin(), next.end());
        continue;
      }
      both.clear();
      size_t a = 0, b = 0;
      while (a < merged.size() || b < next.size()) {
        if (b == next.size() || (a < merged.size() && merged[a].t_ms < next[b].t_ms)) {
          both.push_back(merged[a++]);
        } else {
          if (a < merged.size() && merged[a].t_ms == next[b].t_ms) ++a;  // the later one wins
          both.push_back(next[b++]);
        }
      }
      merged.swap(both);
    }
    out->insert(out->end(), merged.begin(), merged.end());
    have_ = false;
    return err_;
  }

 private:
  // Advances iterator i (Next, or Seek to t); an error ends the merge with that error.
  bool Step(size_t i, bool seek, int64_t t) {
    bool ok = seek ? its_[i]->Seek(t) : its_[i]->Next();
    if (!ok && err_.ok()) err_ = its_[i]->status();
    return ok;
  }

  // The smallest current timestamp (the later iterator on ties), and the next one of the rest.
  bool Pick() {
    have_ = false;
    tie_ = false;
    others_min_ = std::numeric_limits<int64_t>::max();
    if (!err_.ok()) return false;
    for (size_t i = 0; i < its_.size(); ++i) {
      if (!valid_[i]) continue;
      int64_t t = its_[i]->t();
      if (!have_ || t < t_) {
        if (have_) others_min_ = t_;
        have_ = true;
        tie_ = false;
        t_ = t;
        cur_ = i;
      } else if (t == t_) {
        tie_ = true;
        cur_ = i;  // later iterators win ties
      } else if (t < others_min_) {
        others_min_ = t;
      }
    }
    if (have_) v_ = its_[cur_]->v();
    return have_;
  }

  std::vector<std::unique_ptr<storage::SampleIterator>> its_;
  std::vector<bool> valid_;
  bool init_ = false, have_ = false, tie_ = false;
  size_t cur_ = 0;
  int64_t t_ = 0, others_min_ = 0;
  double v_ = 0;
  Status err_;
};

class MergedSeriesSet : public storage::SeriesSet {
 public:
  explicit MergedSeriesSet(std::vector<std::unique_ptr<storage::SeriesSet>> sets)
      : sets_(std::move(sets)), valid_(sets_.size(), false) {}

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < sets_.size(); ++i) valid_[i] = sets_[i]->Next();
    } else {
      for (size_t i : members_) valid_[i] = sets_[i]->Next();
    }
    members_.clear();
    if (!status().ok()) return false;
    const model::Labels* min = nullptr;
    for (size_t i = 0; i < sets_.size(); ++i) {
      if (valid_[i] && (min == nullptr || sets_[i]->labels() < *min)) min = &sets_[i]->labels();
    }
    if (min == nullptr) return false;
    for (size_t i = 0; i < sets_.size(); ++i) {
      if (valid_[i] && sets_[i]->labels() == *min) members_.push_back(i);
    }
    labels_ = *min;
    return true;
  }
  const model::Labels& labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> Samples() const override {
    if (members_.size() == 1) return sets_[members_[0]]->Samples();
    std::vector<std::unique_ptr<storage::SampleIterator>> its;
    for (size_t i : members_) its.push_back(sets_[i]->Samples());
    return std::make_unique<MergeIterator>(std::move(its));
  }
  bool TimeSpan(int64_t* mint, int64_t* maxt) const override {
    *mint = INT64_MAX;
    *maxt = INT64_MIN;
    for (size_t i : members_) {
      int64_t a, b;
      if (!sets_[i]->TimeSpan(&a, &b)) return false;
      if (a > b) continue;  // empty
      *mint = std::min(*mint, a);
      *maxt = std::max(*maxt, b);
    }
    return true;
  }
  Status status() const override {
    for (const auto& s : sets_) {
      if (!s->status().ok()) return s->status();
    }
    return Status::Ok();
  }

 private:
  std::vector<std::unique_ptr<storage::SeriesSet>> sets_;
  std::vector<bool> valid_;
  std::vector<size_t> members_;
  bool started_ = false;
  model::Labels labels_;
};

template <typename F>
Result<std::vector<std::string>> UnionStrings(
    std::vector<std::unique_ptr<storage::Querier>>& qs, F f) {
  std::vector<std::string> out;
  for (auto& q : qs) {
    auto r = f(*q);
    if (!r.ok()) return r.status();
    std::vector<std::string> merged;
    std::set_union(out.begin(), out.end(), r->begin(), r->end(), std::back_inserter(merged));
    out.swap(merged);
  }
  return out;
}

class MergedQuerier : public storage::Querier {
 public:
  explicit MergedQuerier(std::vector<std::unique_ptr<storage::Querier>> qs) : qs_(std::move(qs)) {}

  std::unique_ptr<storage::SeriesSet> Select(const storage::SelectHints& hints,
                                             std::span<const storage::Matcher> matchers) override {
    std::vector<std::unique_ptr<storage::SeriesSet>> sets;
    for (auto& q : qs_) sets.push_back(q->Select(hints, matchers));
    return MergeSeriesSets(std::move(sets));
  }
  Result<std::vector<std::string>> LabelValues(
      std::string_view name, std::span<const storage::Matcher> matchers) override {
    return UnionStrings(qs_, [&](storage::Querier& q) { return q.LabelValues(name, matchers); });
  }
  Result<std::vector<std::string>> LabelNames(std::span<const storage::Matcher> matchers) override {
    return UnionStrings(qs_, [&](storage::Querier& q) { return q.LabelNames(matchers); });
  }
  std::vector<storage::MetadataEntry> Metadata(std::string_view metric) override {
    std::vector<storage::MetadataEntry> out;
    for (auto& q : qs_) {
      for (auto& e : q->Metadata(metric)) out.push_back(std::move(e));
    }
    auto key = [](const storage::MetadataEntry& e) {
      return std::tie(e.metric, e.metadata.type, e.metadata.help, e.metadata.unit);
    };
    std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
    out.erase(std::unique(out.begin(), out.end(),
                          [&](const auto& a, const auto& b) { return key(a) == key(b); }),
              out.end());
    return out;
  }
  Result<bool> SampleSpans(const storage::SelectHints& hints,
                           std::span<const storage::Matcher> matchers,
                           std::vector<std::pair<int64_t, int64_t>>* spans) override {
    for (auto& q : qs_) {
      INFERMETRY_ASSIGN_OR_RETURN(bool known, q->SampleSpans(hints, matchers, spans));
      if (!known) return false;
    }
    return true;
  }

 private:
  std::vector<std::unique_ptr<storage::Querier>> qs_;
};

}  // namespace

std::unique_ptr<storage::SampleIterator> MergeIterators(
    std::vector<std::unique_ptr<storage::SampleIterator>> its) {
  return std::make_unique<MergeIterator>(std::move(its));
}

std::unique_ptr<storage::SeriesSet> MergeSeriesSets(
    std::vector<std::unique_ptr<storage::SeriesSet>> sets) {
  return std::make_unique<MergedSeriesSet>(std::move(sets));
}

std::unique_ptr<storage::Querier> MergeQueriers(
    std::vector<std::unique_ptr<storage::Querier>> queriers) {
  if (queriers.size() == 1) return std::move(queriers[0]);
  return std::make_unique<MergedQuerier>(std::move(queriers));
}

}  // namespace infermetry::tsdb
