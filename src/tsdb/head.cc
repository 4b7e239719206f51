#include "tsdb/head.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "common/log.h"
#include "tsdb/record/record.h"

namespace infermetry::tsdb {
namespace {
constexpr int64_t kMinT = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxT = std::numeric_limits<int64_t>::max();
}  // namespace

Head::Head(const HeadOptions& options)
    : options_(options), stripes_(new Stripe[kStripes]), min_valid_time_(kMinT),
      min_time_(kMaxT), max_time_(kMinT), next_range_(kMaxT) {
  selfmon::Registry& r = options_.metrics ? *options_.metrics : selfmon::Default();
  m_appended_ = &r.AddCounter("infermetry_tsdb_samples_appended_total",
                              "Samples appended to the head in order.")
                     .With({});
  m_ooo_appended_ = &r.AddCounter("infermetry_tsdb_out_of_order_samples_appended_total",
                                  "Out-of-order samples accepted within the window.")
                         .With({});
  m_ooo_rejected_ = &r.AddCounter("infermetry_tsdb_out_of_order_samples_total",
                                  "Samples refused as out of order (older than the window).")
                         .With({});
  m_duplicate_ = &r.AddCounter("infermetry_tsdb_duplicate_samples_total",
                               "Samples refused: same timestamp as a stored one, other value.")
                      .With({});
  m_too_old_ = &r.AddCounter("infermetry_tsdb_too_old_samples_total",
                             "Samples refused: older than the head's minimum valid time.")
                    .With({});
  m_commit_failed_ = &r.AddCounter("infermetry_tsdb_commit_failures_total",
                                   "Commits that failed (WAL write or sync error).")
                          .With({});
  m_series_created_ = &r.AddCounter("infermetry_tsdb_head_series_created_total",
                                    "Series created in the head.")
                           .With({});
  m_series_removed_ = &r.AddCounter("infermetry_tsdb_head_series_removed_total",
                                    "Series removed from the head by truncation.")
                           .With({});
  m_series_ = &r.AddGauge("infermetry_tsdb_head_series", "Series held by the head.").With({});
}

Head::~Head() {
  for (size_t i = 0; i < kStripes; ++i) {
    stripes_[i].by_ref.ForEach([](MemSeries* s) { MemSeries::Delete(s); });
  }
  m_series_->Add(-static_cast<double>(num_series_.load()));
}

AppendLimits Head::limits() const {
  AppendLimits l;
  l.ooo_window_ms = options_.ooo_window_ms;
  l.chunk_range_ms = options_.chunk_range_ms;
  l.max_chunk_samples = options_.max_chunk_samples;
  l.max_chunk_bytes = options_.max_chunk_bytes;
  return l;
}

void Head::NoteTimes(int64_t mint, int64_t maxt) {
  int64_t cur = min_time_.load(std::memory_order_relaxed);
  while (mint < cur && !min_time_.compare_exchange_weak(cur, mint)) {
  }
  cur = max_time_.load(std::memory_order_relaxed);
  while (maxt > cur && !max_time_.compare_exchange_weak(cur, maxt)) {
  }
}

void Head::SetNextRef(uint64_t r) {
  uint64_t cur = next_ref_.load();
  while (r > cur && !next_ref_.compare_exchange_weak(cur, r)) {
  }
}

MemSeries* Head::GetOrCreate(const model::Labels& labels, uint64_t hash, uint32_t ref, bool pin,
                             bool* created) {
  *created = false;
  auto same = [&](MemSeries* s) { return s->LabelsEqual(labels, symbols_); };
  {
    Stripe& hs = HashStripe(hash);
    std::lock_guard l(hs.mu);
    if (MemSeries* s = hs.by_hash.Find(hash, same)) {
      if (pin) s->pins.fetch_add(1, std::memory_order_relaxed);
      return s;
    }
  }
  // New series: intern its labels and publish it by ref first, so that whoever finds it by
  // hash can also find it by ref.
  if (ref == 0) ref = static_cast<uint32_t>(next_ref_.fetch_add(1));
  MemSeries* s = MemSeries::New(ref, hash, static_cast<uint16_t>(labels.size()));
  index::SymPair* p = s->labels();
  for (const model::Label& l : labels) *p++ = {symbols_.Intern(l.name), symbols_.Intern(l.value)};
  if (pin) s->pins.store(1, std::memory_order_relaxed);
  {
    Stripe& rs = RefStripe(ref);
    std::lock_guard l(rs.mu);
    rs.by_ref.Insert(ref, s);
  }
  MemSeries* winner = nullptr;
  {
    Stripe& hs = HashStripe(hash);
    std::lock_guard l(hs.mu);
    winner = hs.by_hash.Find(hash, same);
    if (winner != nullptr) {
      if (pin) winner->pins.fetch_add(1, std::memory_order_relaxed);
    } else {
      hs.by_hash.Insert(hash, s);
    }
  }
  if (winner != nullptr) {  // another appender created it meanwhile
    Stripe& rs = RefStripe(ref);
    {
      std::lock_guard l(rs.mu);
      rs.by_ref.Erase(ref, s);
    }
    MemSeries::Delete(s);
    return winner;
  }
  postings_.Add(ref, s->pairs());
  num_series_.fetch_add(1);
  m_series_->Add(1);
  m_series_created_->Inc();
  *created = true;
  return s;
}

void Head::RaiseMinValidTime(int64_t t) {
  std::unique_lock l(commit_gate_);
  if (t > min_valid_time_.load()) min_valid_time_.store(t, std::memory_order_release);
}

void Head::SetRangeHook(std::function<void(int64_t)> hook) {
  std::unique_lock l(commit_gate_);
  range_hook_ = std::move(hook);
  next_range_.store(kMinT);
}

void Head::CrossRange(int64_t batch_maxt) {
  std::unique_lock l(commit_gate_);
  if (batch_maxt < next_range_.load() || !range_hook_) return;
  range_hook_(max_time_.load());
  int64_t r = options_.chunk_range_ms;
  if (r <= 0 || batch_maxt > kMaxT - r || batch_maxt < kMinT + r) {
    next_range_.store(kMaxT);  // no range boundary representable: no further cuts
    return;
  }
  int64_t q = batch_maxt / r;
  if (batch_maxt % r != 0 && batch_maxt < 0) --q;
  next_range_.store(q * r + r);
}

void Head::WithAppendsBlocked(const std::function<void()>& fn) {
  std::unique_lock l(commit_gate_);
  fn();
}

Status Head::ReplayRecord(std::string_view rec, int64_t* max_t) {
  record::Type type;
  INFERMETRY_RETURN_IF_ERROR(record::PeekType(rec, &type));
  switch (type) {
    case record::Type::kSeries: {
      std::vector<record::RefSeries> series;
      INFERMETRY_RETURN_IF_ERROR(record::DecodeSeries(rec, &series));
      for (const auto& rs : series) {
        if (rs.ref == 0 || rs.ref > 0xffffffffu) return Status(Code::kCorruption, "bad series ref");
        {
          const Stripe& st = RefStripe(rs.ref);
          std::lock_guard l(st.mu);
          if (st.by_ref.Find(rs.ref) != nullptr) continue;  // re-logged series
        }
        bool created;
        MemSeries* s = GetOrCreate(rs.labels, rs.labels.Hash(), static_cast<uint32_t>(rs.ref),
                                   false, &created);
        s->logged.store(1);
        if (s->ref != rs.ref) replay_alias_[rs.ref] = s->ref;
        SetNextRef(rs.ref + 1);
        ++replay_counts_.series;
      }
      return Status::Ok();
    }
    case record::Type::kSamples: {
      std::vector<record::RefSample> samples;
      INFERMETRY_RETURN_IF_ERROR(record::DecodeSamples(rec, &samples));
      AppendLimits lim = limits();
      int64_t mvt = min_valid_time();
      for (const auto& rs : samples) {
        if (max_t != nullptr && rs.t > *max_t) *max_t = rs.t;
        if (rs.t < mvt) {
          ++replay_counts_.skipped_old;
          continue;
        }
        uint64_t ref = rs.ref;
        if (auto a = replay_alias_.find(ref); a != replay_alias_.end()) ref = a->second;
        Stripe& st = RefStripe(ref);
        std::lock_guard l(st.mu);
        MemSeries* s = st.by_ref.Find(ref);
        if (s == nullptr) {
          ++replay_counts_.unknown_ref;
          continue;
        }
        AppendOutcome o = s->Append(rs.t, rs.v, lim, /*replay=*/true);
        if (o == AppendOutcome::kAppended || o == AppendOutcome::kOutOfOrderAppended) {
          NoteTimes(rs.t, rs.t);
          ++replay_counts_.samples;
        }
      }
      return Status::Ok();
    }
    case record::Type::kMetadata: {
      std::vector<record::RefMetadata> metas;
      INFERMETRY_RETURN_IF_ERROR(record::DecodeMetadata(rec, &metas));
      std::lock_guard l(meta_mu_);
      for (auto& m : metas) metadata_[m.family] = std::move(m.md);
      return Status::Ok();
    }
  }
  return Status(Code::kCorruption, "unknown record type");
}

Status Head::ForEachSeries(
    int64_t mint, int64_t maxt,
    const std::function<Status(const model::Labels&, std::span<const model::Sample>)>& fn) {
  struct Item {
    model::Labels labels;
    uint32_t ref;
  };
  std::vector<Item> items;
  for (size_t i = 0; i < kStripes; ++i) {
    std::lock_guard l(stripes_[i].mu);
    stripes_[i].by_ref.ForEach([&](MemSeries* s) {
      if (!s->empty() && s->MinTime() <= maxt && s->MaxTime() >= mint) {
        items.push_back({s->MaterializeLabels(symbols_), s->ref});
      }
    });
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.labels < b.labels; });
  SeriesSnapshot snap;
  std::vector<model::Sample> samples;
  for (const Item& it : items) {
    {
      Stripe& st = RefStripe(it.ref);
      std::lock_guard l(st.mu);
      MemSeries* s = st.by_ref.Find(it.ref);
      if (s == nullptr) continue;
      s->Snapshot(mint, maxt, &snap);
    }
    samples.clear();
    size_t oi = 0;
    for (const auto& c : snap.chunks) {
      chunkenc::XorIterator ci(snap.bytes.data() + c.offset, c.size, c.count);
      while (ci.Next()) {
        if (ci.t() < mint || ci.t() > maxt) continue;
        while (oi < snap.ooo.size() && snap.ooo[oi].t_ms < ci.t()) samples.push_back(snap.ooo[oi++]);
        samples.push_back({ci.t(), ci.v()});
      }
      if (ci.err()) return Status(Code::kInternal, "head chunk decode failed");
    }
    while (oi < snap.ooo.size()) samples.push_back(snap.ooo[oi++]);
    if (samples.empty()) continue;
    INFERMETRY_RETURN_IF_ERROR(fn(it.labels, samples));
  }
  return Status::Ok();
}

std::vector<storage::MetadataEntry> Head::AllMetadata() const {
  std::lock_guard l(meta_mu_);
  std::vector<storage::MetadataEntry> out;
  out.reserve(metadata_.size());
  for (const auto& [family, md] : metadata_) out.push_back({family, md});
  return out;
}

void Head::RegisterReader() {
  std::lock_guard l(readers_mu_);
  ++readers_;
}

void Head::UnregisterReader() {
  std::lock_guard l(readers_mu_);
  if (--readers_ == 0) readers_cv_.notify_all();
}

void Head::Truncate(int64_t mint) {
  {
    // Queriers opened before now may still read what is about to go; they are short-lived.
    std::unique_lock l(readers_mu_);
    if (!readers_cv_.wait_for(l, std::chrono::seconds(30), [&] { return readers_ == 0; })) {
      log::Warn("head truncation proceeds with queriers still open",
                {{"queriers", readers_}, {"mint", mint}});
    }
  }
  int64_t new_min = kMaxT;
  std::vector<MemSeries*> empty;
  for (size_t i = 0; i < kStripes; ++i) {
    std::lock_guard l(stripes_[i].mu);
    stripes_[i].by_ref.ForEach([&](MemSeries* s) {
      s->TruncateBefore(mint);
      if (s->empty()) {
        if (s->pins.load() == 0) empty.push_back(s);
      } else {
        new_min = std::min(new_min, s->MinTime());
      }
    });
  }
  // Remove empty series: by hash first (under that lock, with the pin re-checked, so no
  // appender can find it afterwards), then by ref.
  index::Postings removed;
  std::vector<index::SymPair> pairs;
  for (MemSeries* s : empty) {
    {
      Stripe& hs = HashStripe(s->hash);
      std::lock_guard l(hs.mu);
      Stripe& rs = RefStripe(s->ref);
      std::unique_lock rl(rs.mu, std::defer_lock);
      if (&rs != &hs) rl.lock();
      if (s->pins.load() != 0 || !s->empty()) continue;
      hs.by_hash.Erase(s->hash, s);
      rs.by_ref.Erase(s->ref, s);
    }
    removed.push_back(s->ref);
    pairs.insert(pairs.end(), s->pairs().begin(), s->pairs().end());
  }
  std::sort(removed.begin(), removed.end());
  std::sort(pairs.begin(), pairs.end(), [](const index::SymPair& a, const index::SymPair& b) {
    return a.name != b.name ? a.name < b.name : a.value < b.value;
  });
  pairs.erase(std::unique(pairs.begin(), pairs.end(),
                          [](const index::SymPair& a, const index::SymPair& b) {
                            return a.name == b.name && a.value == b.value;
                          }),
              pairs.end());
  postings_.Delete(removed, pairs);
  for (MemSeries* s : empty) {
    if (std::binary_search(removed.begin(), removed.end(), s->ref)) MemSeries::Delete(s);
  }
  num_series_.fetch_sub(removed.size());
  m_series_->Add(-static_cast<double>(removed.size()));
  m_series_removed_->Inc(static_cast<double>(removed.size()));
  min_time_.store(new_min);
  if (new_min == kMaxT) max_time_.store(kMinT);
}

void Head::CheckpointRecords(std::vector<std::string>* out) const {
  std::vector<std::string_view> names, values;
  std::vector<record::SeriesView> views;
  std::vector<std::pair<size_t, size_t>> spans;  // offsets into names/values per series
  for (size_t i = 0; i < kStripes; ++i) {
    std::lock_guard l(stripes_[i].mu);
    stripes_[i].by_ref.ForEach([&](MemSeries* s) {
      spans.push_back({names.size(), s->num_labels});
      for (const index::SymPair& p : s->pairs()) {
        names.push_back(symbols_.Get(p.name));
        values.push_back(symbols_.Get(p.value));
      }
      views.push_back({s->ref, {}, {}});
    });
  }
  // Spans are taken after the vectors stopped growing.
  for (size_t i = 0; i < views.size(); ++i) {
    views[i].names = std::span(names).subspan(spans[i].first, spans[i].second);
    views[i].values = std::span(values).subspan(spans[i].first, spans[i].second);
  }
  std::sort(views.begin(), views.end(),
            [](const record::SeriesView& a, const record::SeriesView& b) { return a.ref < b.ref; });
  for (size_t i = 0; i < views.size(); i += 4096) {
    size_t n = std::min<size_t>(4096, views.size() - i);
    out->emplace_back();
    record::EncodeSeries(std::span(views).subspan(i, n), &out->back());
  }
  std::vector<record::RefMetadata> metas;
  for (const auto& e : AllMetadata()) metas.push_back({e.metric, e.metadata});
  if (!metas.empty()) {
    out->emplace_back();
    record::EncodeMetadata(metas, &out->back());
  }
}

HeadStats Head::Stats() const {
  HeadStats st;
  st.min_time = min_time_.load();
  st.max_time = max_time_.load();
  size_t mem = sizeof(Head) + kStripes * sizeof(Stripe);
  for (size_t i = 0; i < kStripes; ++i) {
    std::lock_guard l(stripes_[i].mu);
    mem += stripes_[i].by_hash.MemoryBytes() + stripes_[i].by_ref.MemoryBytes();
    stripes_[i].by_ref.ForEach([&](MemSeries* s) {
      ++st.series;
      st.samples += s->NumSamples();
      st.chunks += s->num_sealed + (s->open.count() > 0 ? 1 : 0);
      st.chunk_bytes += s->open.size();
      for (uint16_t c = 0; c < s->num_sealed; ++c) st.chunk_bytes += s->sealed[c].size;
      mem += s->MemoryBytes();
    });
  }
  mem += symbols_.MemoryBytes() + postings_.MemoryBytes();
  st.memory_bytes = mem;
  return st;
}

}  // namespace infermetry::tsdb
