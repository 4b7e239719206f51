#include "tsdb/block/block_querier.h"

#include <algorithm>
#include <set>

#include "tsdb/block/format.h"

namespace infermetry::tsdb {
namespace {

using blockfmt::Corruption;

// Decoded time columns kept per querier before the cache is dropped and refilled.
constexpr size_t kMaxCachedTimestamps = 1 << 20;

class BlockIterator : public storage::SampleIterator {
 public:
  BlockIterator(BlockQuerier* q, uint32_t id, int64_t mint, int64_t maxt)
      : q_(q), id_(id), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    if (!Load()) return false;
    if (!started_) {
      started_ = true;
    } else if (pos_ < ts_.size()) {
      ++pos_;
    }
    return pos_ < ts_.size();
  }
  bool Seek(int64_t t) override {
    if (!Load()) return false;
    started_ = true;
    if (pos_ >= ts_.size()) return false;
    if (ts_[pos_] >= t) return true;
    pos_ = static_cast<size_t>(std::lower_bound(ts_.begin() + pos_, ts_.end(), t) - ts_.begin());
    return pos_ < ts_.size();
  }
  int64_t t() const override { return ts_[pos_]; }
  double v() const override { return vs_[pos_]; }
  Status status() const override { return status_; }
  Status AppendRemaining(std::vector<model::Sample>* out) override {
    if (!Load()) return status_;
    size_t from = started_ ? std::min(pos_ + 1, ts_.size()) : pos_;
    started_ = true;
    out->reserve(out->size() + ts_.size() - from);
    for (size_t i = from; i < ts_.size(); ++i) out->push_back({ts_[i], vs_[i]});
    pos_ = ts_.size();
    return status_;
  }

 private:
  bool Load() {
    if (!loaded_) {
      loaded_ = true;
      status_ = q_->LoadSeries(id_, mint_, maxt_, &ts_, &vs_);
      if (!status_.ok()) ts_.clear();
    }
    return status_.ok();
  }
  BlockQuerier* q_;
  uint32_t id_;
  int64_t mint_, maxt_;
  bool loaded_ = false, started_ = false;
  size_t pos_ = 0;
  std::vector<int64_t> ts_;
  std::vector<double> vs_;
  Status status_;
};

class BlockSeriesSet : public storage::SeriesSet {
 public:
  BlockSeriesSet(BlockQuerier* q, std::vector<uint32_t> ids, int64_t mint, int64_t maxt, Status st)
      : q_(q), ids_(std::move(ids)), mint_(mint), maxt_(maxt), status_(std::move(st)) {}

  bool Next() override {
    while (status_.ok() && pos_ < ids_.size()) {
      uint32_t id = ids_[pos_++];
      auto in = q_->HasSamples(id, mint_, maxt_);
      if (!in.ok()) {
        status_ = in.status();
        return false;
      }
      if (!*in) continue;
      cur_ = id;
      labels_ = q_->block()->SeriesLabels(id);
      return true;
    }
    return false;
  }
  const model::Labels& labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> Samples() const override {
    return std::make_unique<BlockIterator>(q_, cur_, mint_, maxt_);
  }
  bool TimeSpan(int64_t* mint, int64_t* maxt) const override {
    const auto& ix = q_->block()->index();
    const auto& c = ix.tcols[ix.series[cur_].tcol];
    *mint = std::max(c.mint, mint_);
    *maxt = std::min(c.maxt, maxt_);
    return true;
  }
  Status status() const override { return status_; }

 private:
  BlockQuerier* q_;
  std::vector<uint32_t> ids_;
  int64_t mint_, maxt_;
  Status status_;
  size_t pos_ = 0;
  uint32_t cur_ = 0;
  model::Labels labels_;
};

void Union(std::vector<uint32_t>* acc, const std::vector<uint32_t>& ids) {
  std::vector<uint32_t> out;
  out.reserve(acc->size() + ids.size());
  std::set_union(acc->begin(), acc->end(), ids.begin(), ids.end(), std::back_inserter(out));
  acc->swap(out);
}

}  // namespace

Result<std::vector<uint32_t>> BlockQuerier::Match(std::span<const storage::Matcher> matchers,
                                                  bool allow_all) {
  const auto& ix = block_->index();
  // The ids of series whose value of m.name() satisfies `want(value)`.
  auto collect = [&](const storage::Matcher& m, bool want) {
    std::vector<uint32_t> ids;
    if (m.op() == storage::Matcher::Op::kEq && want) {
      if (const auto* p = block_->Postings(m.name(), m.value())) ids = p->ids;
      return ids;
    }
    auto [lo, hi] = block_->PostingsOfName(m.name());
    for (size_t i = lo; i < hi; ++i) {
      if (m.Matches(ix.symbols[ix.postings[i].value]) == want) Union(&ids, ix.postings[i].ids);
    }
    return ids;
  };
  std::vector<uint32_t> result;
  bool have = false;
  for (const auto& m : matchers) {
    if (m.MatchesEmpty()) continue;
    std::vector<uint32_t> ids = collect(m, true);
    if (!have) {
      result = std::move(ids);
      have = true;
    } else {
      std::vector<uint32_t> out;
      std::set_intersection(result.begin(), result.end(), ids.begin(), ids.end(),
                            std::back_inserter(out));
      result.swap(out);
    }
  }
  if (!have) {
    if (!allow_all) {
      return InvalidArgument("a selector needs at least one matcher that does not match the empty string");
    }
    result.resize(ix.series.size());
    for (size_t i = 0; i < result.size(); ++i) result[i] = static_cast<uint32_t>(i);
  }
  for (const auto& m : matchers) {
    if (!m.MatchesEmpty() || result.empty()) continue;
    std::vector<uint32_t> drop = collect(m, false);  // series with a value the matcher rejects
    std::vector<uint32_t> out;
    std::set_difference(result.begin(), result.end(), drop.begin(), drop.end(),
                        std::back_inserter(out));
    result.swap(out);
  }
  return result;
}

std::unique_ptr<storage::SeriesSet> BlockQuerier::MakeSet(std::vector<uint32_t> ids, int64_t mint,
                                                          int64_t maxt, Status st) {
  return std::make_unique<BlockSeriesSet>(this, std::move(ids), mint, maxt, std::move(st));
}

std::unique_ptr<storage::SeriesSet> BlockQuerier::Select(
    const storage::SelectHints& hints, std::span<const storage::Matcher> matchers) {
  auto ids = Match(matchers, false);
  if (!ids.ok()) return MakeSet({}, 0, -1, ids.status());
  return MakeSet(std::move(*ids), std::max(mint_, hints.start_ms), std::min(maxt_, hints.end_ms),
                 Status::Ok());
}

Result<bool> BlockQuerier::SampleSpans(const storage::SelectHints& hints,
                                       std::span<const storage::Matcher> matchers,
                                       std::vector<std::pair<int64_t, int64_t>>* spans) {
  const int64_t lo = std::max(mint_, hints.start_ms), hi = std::min(maxt_, hints.end_ms);
  if (lo > hi) return true;
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<uint32_t> ids, Match(matchers, false));
  const auto& ix = block_->index();
  for (uint32_t id : ids) {
    const auto& c = ix.tcols[ix.series[id].tcol];
    const int64_t a = std::max(c.mint, lo), b = std::min(c.maxt, hi);
    if (a <= b) spans->push_back({a, b});
  }
  return true;
}

std::unique_ptr<storage::SeriesSet> BlockQuerier::SelectAll() {
  std::vector<uint32_t> ids(block_->index().series.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<uint32_t>(i);
  return MakeSet(std::move(ids), mint_, maxt_, Status::Ok());
}

Result<std::vector<std::string>> BlockQuerier::LabelValues(
    std::string_view name, std::span<const storage::Matcher> matchers) {
  const auto& ix = block_->index();
  std::vector<std::string> out;
  if (matchers.empty()) {
    auto [lo, hi] = block_->PostingsOfName(name);
    for (size_t i = lo; i < hi; ++i) {
      for (uint32_t id : ix.postings[i].ids) {
        INFERMETRY_ASSIGN_OR_RETURN(bool in, HasSamples(id, mint_, maxt_));
        if (in) {
          out.push_back(ix.symbols[ix.postings[i].value]);
          break;
        }
      }
    }
    return out;  // postings are sorted by value
  }
  INFERMETRY_ASSIGN_OR_RETURN(auto ids, Match(matchers, true));
  std::set<std::string_view> values;
  for (uint32_t id : ids) {
    INFERMETRY_ASSIGN_OR_RETURN(bool in, HasSamples(id, mint_, maxt_));
    if (!in) continue;
    const auto& s = ix.series[id];
    for (uint32_t i = 0; i < s.num_labels; ++i) {
      if (ix.symbols[ix.label_refs[s.labels_begin + 2 * i]] == name) {
        values.insert(ix.symbols[ix.label_refs[s.labels_begin + 2 * i + 1]]);
      }
    }
  }
  out.assign(values.begin(), values.end());
  return out;
}

Result<std::vector<std::string>> BlockQuerier::LabelNames(
    std::span<const storage::Matcher> matchers) {
  const auto& ix = block_->index();
  INFERMETRY_ASSIGN_OR_RETURN(auto ids, Match(matchers, true));
  std::set<uint32_t> names;  // symbol refs sort like the strings
  for (uint32_t id : ids) {
    const auto& s = ix.series[id];
    bool all_known = true;
    for (uint32_t i = 0; i < s.num_labels; ++i) {
      all_known &= names.count(ix.label_refs[s.labels_begin + 2 * i]) > 0;
    }
    if (all_known) continue;
    INFERMETRY_ASSIGN_OR_RETURN(bool in, HasSamples(id, mint_, maxt_));
    if (!in) continue;
    for (uint32_t i = 0; i < s.num_labels; ++i) names.insert(ix.label_refs[s.labels_begin + 2 * i]);
  }
  std::vector<std::string> out;
  for (uint32_t n : names) out.push_back(ix.symbols[n]);
  return out;
}

std::vector<storage::MetadataEntry> BlockQuerier::Metadata(std::string_view metric) {
  std::vector<storage::MetadataEntry> out;
  for (const auto& e : block_->index().metadata) {
    if (metric.empty() || e.metric == metric) out.push_back(e);
  }
  return out;
}

Result<const std::vector<int64_t>*> BlockQuerier::Timestamps(uint32_t tcol) {
  auto it = tcols_.find(tcol);
  if (it != tcols_.end()) return it->second.get();
  const auto& c = block_->index().tcols[tcol];
  if (tcols_cached_ + c.n > kMaxCachedTimestamps) {
    tcols_.clear();
    tcols_cached_ = 0;
  }
  BlockCache::Times times = block_->CachedTimes(tcol);
  if (!times) {
    if (time_page_ != c.page) {
      time_page_ = UINT32_MAX;
      INFERMETRY_ASSIGN_OR_RETURN(time_raw_, block_->Page(c.page));
      time_page_ = c.page;
    }
    auto ts = std::make_shared<std::vector<int64_t>>();
    const std::string what = block_->data_path() + ": time column " + std::to_string(tcol);
    if (c.offset > time_raw_->size()) return Corruption(what + ": offset out of range");
    blockfmt::Reader r(std::string_view(*time_raw_).substr(c.offset));
    if (!blockfmt::DecodeTimestamps(&r, c.n, ts.get()) || ts->front() != c.mint ||
        ts->back() != c.maxt) {
      return Corruption(what + ": malformed");
    }
    block_->CacheTimes(tcol, ts);
    times = std::move(ts);
  }
  tcols_cached_ += c.n;
  return (tcols_[tcol] = std::move(times)).get();
}

Result<bool> BlockQuerier::HasSamples(uint32_t id, int64_t mint, int64_t maxt) {
  const auto& c = block_->index().tcols[block_->index().series[id].tcol];
  if (c.maxt < mint || c.mint > maxt || mint > maxt) return false;
  if (c.mint >= mint && c.maxt <= maxt) return true;
  INFERMETRY_ASSIGN_OR_RETURN(const std::vector<int64_t>* ts, Timestamps(block_->index().series[id].tcol));
  auto it = std::lower_bound(ts->begin(), ts->end(), mint);
  return it != ts->end() && *it <= maxt;
}

Status BlockQuerier::LoadSeries(uint32_t id, int64_t mint, int64_t maxt, std::vector<int64_t>* ts,
                                std::vector<double>* vs) {
  const auto& s = block_->index().series[id];
  INFERMETRY_ASSIGN_OR_RETURN(const std::vector<int64_t>* all_ts, Timestamps(s.tcol));
  if (sample_page_ != s.page) {
    sample_page_ = UINT32_MAX;
    INFERMETRY_ASSIGN_OR_RETURN(BlockCache::Page raw, block_->Page(s.page));
    INFERMETRY_RETURN_IF_ERROR(decoder_.Init(
        std::move(raw), block_->data_path() + ": page " + std::to_string(s.page)));
    if (decoder_.num_series() != block_->index().pages[s.page].num_series) {
      return Corruption(block_->data_path() + ": page " + std::to_string(s.page) +
                        ": series count differs from the index");
    }
    sample_page_ = s.page;
  }
  INFERMETRY_RETURN_IF_ERROR(decoder_.Values(s.slot, all_ts->size(), vs));
  size_t lo = static_cast<size_t>(std::lower_bound(all_ts->begin(), all_ts->end(), mint) - all_ts->begin());
  size_t hi = static_cast<size_t>(std::upper_bound(all_ts->begin(), all_ts->end(), maxt) - all_ts->begin());
  if (lo >= hi) {
    ts->clear();
    vs->clear();
    return Status::Ok();
  }
  ts->assign(all_ts->begin() + lo, all_ts->begin() + hi);
  if (hi < vs->size()) vs->resize(hi);
  vs->erase(vs->begin(), vs->begin() + lo);
  return Status::Ok();
}

std::unique_ptr<storage::Querier> BlockReader::NewQuerier(int64_t mint, int64_t maxt) const {
  return std::make_unique<BlockQuerier>(this, mint, maxt);
}

}  // namespace infermetry::tsdb
