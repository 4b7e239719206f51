// A metric table scan in two phases: first every selected series' own rows (samples, with
// counter increases), then, per histogram family whose own name is wanted, the observation
// rows reconstructed from its _bucket/_sum/_count series, one histogram series at a time so
// that only one series' observations are in memory.

#include "query/sql/catalog/metric_reader.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <unordered_set>

#include "common/strconv.h"
#include "query/sql/catalog/metric_family.h"
#include "query/sql/catalog/metric_names.h"
#include "query/sql/catalog/metric_sink.h"
#include "query/sql/catalog/time_coverage.h"

namespace infermetry::sql::catalog {

namespace {

using storage::Matcher;

std::string EscapeRegex(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == ':';
    if (!plain) out += '\\';
    out += c;
  }
  return out;
}

// __name__ =~ "(a|b|...)" over exact stored names (!~ with `negate`).
Result<Matcher> ExactNames(const std::set<std::string>& names, bool negate = false) {
  std::string re = "(";
  bool first = true;
  for (const std::string& n : names) {
    if (!first) re += '|';
    first = false;
    re += EscapeRegex(n);
  }
  re += ")";
  return Matcher::Make(negate ? Matcher::Op::kNre : Matcher::Op::kRe,
                       std::string(model::kMetricName), re);
}

std::vector<model::Sample> ReadSamples(const storage::SeriesSet& set, Status* st) {
  std::vector<model::Sample> out;
  *st = set.Samples()->AppendRemaining(&out);
  return out;
}

// One histogram series (labels without le) as read: its part series' samples.
struct RawHistogram {
  std::string family;    // canonical name
  model::Labels labels;  // without __name__ and le
  std::string unit;
  std::vector<std::pair<double, std::vector<model::Sample>>> buckets;
  std::vector<uint64_t> hashes;  // of every part series, for the older-history check
  std::vector<model::Sample> sum, count;
};

class MetricReader : public BatchReader {
 public:
  MetricReader(std::shared_ptr<const MetricTable::State> t, const ScanRequest& req)
      : t_(std::move(t)), req_(req), sink_(*t_, req_) {}

  Status Init();
  Result<bool> Next(Batch* out) override;

 private:
  Status Step();
  Status EmitSeries(const model::Labels& labels, const std::vector<model::Sample>& samples);
  Status LoadFamily(const std::string& family);
  Status EmitHistogram(const RawHistogram& h);
  Result<bool> OlderHistory(uint64_t hash);
  Status EmitOtherTimes();

  std::shared_ptr<const MetricTable::State> t_;
  ScanRequest req_;
  RowSink sink_;
  int64_t lo_ = 0, hi_ = 0, read_lo_ = 0;
  std::vector<Matcher> scan_matchers_;  // stream + names: every series the scan may read
  std::unique_ptr<storage::Querier> querier_;
  std::unique_ptr<FamilyIndex> families_;
  std::set<std::string> raw_names_;  // stored names whose own rows are wanted
  std::map<std::string, std::set<std::string>> histograms_;  // family -> stored part names
  enum class Phase { kSeries, kHistograms, kOthers, kDone } phase_ = Phase::kSeries;
  std::unique_ptr<storage::SeriesSet> set_;
  std::map<std::string, std::set<std::string>>::const_iterator next_family_;
  std::vector<RawHistogram> pending_;  // the current family's series, emitted back to front
  std::optional<std::unordered_set<uint64_t>> older_;  // series with samples before read_lo_
  // ScanRequest::other_times_granularity_ms: the intervals that hold a row so far.
  std::optional<TimeCoverage> covered_;
};

Status MetricReader::Init() {
  std::tie(lo_, hi_) = MillisBounds(req_.min_time_us, req_.max_time_us);
  if (lo_ > hi_ || (req_.names && req_.names->empty())) {
    phase_ = Phase::kDone;
    return Status::Ok();
  }
  read_lo_ = std::max(lo_ - kCounterLookbackMs, MillisBounds(INT64_MIN, 0).first);
  INFERMETRY_ASSIGN_OR_RETURN(querier_, t_->store->NewQuerier(read_lo_, hi_));
  if (!t_->stream.empty()) {
    INFERMETRY_ASSIGN_OR_RETURN(auto m, Matcher::Make(Matcher::Op::kEq, "p_stream", t_->stream));
    scan_matchers_.push_back(std::move(m));
  }
  if (req_.names) {
    INFERMETRY_ASSIGN_OR_RETURN(auto m, NameMatcher(*req_.names, /*with_histogram_parts=*/true));
    scan_matchers_.push_back(std::move(m));
  }
  if (scan_matchers_.empty()) {
    INFERMETRY_ASSIGN_OR_RETURN(
        auto m, Matcher::Make(Matcher::Op::kRe, std::string(model::kMetricName), ".+"));
    scan_matchers_.push_back(std::move(m));
  }
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<std::string> stored,
                              querier_->LabelValues(model::kMetricName, scan_matchers_));
  families_ = std::make_unique<FamilyIndex>(t_->metadata, stored);
  std::set<std::string> wanted;
  if (req_.names) wanted.insert(req_.names->begin(), req_.names->end());
  for (const std::string& s : stored) {
    if (!req_.names || wanted.count(CanonicalMetricName(s))) raw_names_.insert(s);
    SeriesKind k = families_->Resolve(s, /*has_le=*/true);
    if (!k.histogram.empty() && (!req_.names || wanted.count(k.histogram))) {
      histograms_[k.histogram].insert(s);
    }
  }
  next_family_ = histograms_.begin();
  if (req_.names && req_.other_names_as_times && req_.other_times_granularity_ms > 0) {
    covered_.emplace(req_.other_times_granularity_ms);
  }
  if (raw_names_.empty()) {
    phase_ = Phase::kHistograms;
    return Status::Ok();
  }
  std::vector<Matcher> ms;
  if (!t_->stream.empty()) ms.push_back(scan_matchers_.front());
  if (req_.names) {
    INFERMETRY_ASSIGN_OR_RETURN(auto m, ExactNames(raw_names_));
    ms.push_back(std::move(m));
  } else if (t_->stream.empty()) {
    ms = scan_matchers_;
  }
  set_ = querier_->Select({read_lo_, hi_}, ms);
  return Status::Ok();
}

Result<bool> MetricReader::Next(Batch* out) {
  while (!sink_.HasReady() && phase_ != Phase::kDone) INFERMETRY_RETURN_IF_ERROR(Step());
  if (!sink_.HasReady()) return false;
  *out = sink_.PopReady();
  return true;
}

Status MetricReader::Step() {
  if (phase_ == Phase::kSeries) {
    if (set_->Next()) {
      Status st;
      std::vector<model::Sample> samples = ReadSamples(*set_, &st);
      INFERMETRY_RETURN_IF_ERROR(st);
      return EmitSeries(set_->labels(), samples);
    }
    INFERMETRY_RETURN_IF_ERROR(set_->status());
    set_.reset();
    phase_ = Phase::kHistograms;
    return Status::Ok();
  }
  if (!pending_.empty()) {
    RawHistogram h = std::move(pending_.back());
    pending_.pop_back();
    return EmitHistogram(h);
  }
  if (next_family_ != histograms_.end()) {
    const std::string& family = next_family_->first;
    ++next_family_;
    return LoadFamily(family);
  }
  if (phase_ == Phase::kHistograms && req_.names && req_.other_names_as_times) {
    phase_ = Phase::kOthers;
    return EmitOtherTimes();
  }
  sink_.Finish();
  phase_ = Phase::kDone;
  return Status::Ok();
}

// The distinct timestamps of the rows of every series not named in the request: the non-stale
// samples in range (each gives a row under its own name, see SeriesRows).
Status MetricReader::EmitOtherTimes() {
  std::vector<Matcher> ms;
  if (!t_->stream.empty()) {
    ms.push_back(scan_matchers_.front());
  } else {
    INFERMETRY_ASSIGN_OR_RETURN(
        auto m, Matcher::Make(Matcher::Op::kRe, std::string(model::kMetricName), ".+"));
    ms.push_back(std::move(m));
  }
  // Each series' times come sorted; series of one target share them, so merging series by
  // series into one sorted set is cheap (and skipped when equal). With a granularity, a row per
  // interval not yet covered is enough, and a series whose time span lies in covered intervals
  // is not read at all; when the index's spans of all of them lie there, none is.
  if (covered_) {
    std::vector<Matcher> others = ms;
    if (!raw_names_.empty()) {
      INFERMETRY_ASSIGN_OR_RETURN(auto m, ExactNames(raw_names_, /*negate=*/true));
      others.push_back(std::move(m));
    }
    std::vector<std::pair<int64_t, int64_t>> spans;
    INFERMETRY_ASSIGN_OR_RETURN(bool known, querier_->SampleSpans({lo_, hi_}, others, &spans));
    if (known && std::all_of(spans.begin(), spans.end(), [&](const auto& s) {
          return covered_->Covers(s.first, s.second);
        })) {
      return Status::Ok();
    }
  }
  std::vector<int64_t> times, series, merged;
  auto set = querier_->Select({lo_, hi_}, ms);
  while (set->Next()) {
    if (raw_names_.count(std::string(set->labels().MetricName()))) continue;
    int64_t first, last;
    if (covered_ && set->TimeSpan(&first, &last) &&
        (first > last || covered_->Covers(first, last))) {
      continue;
    }
    series.clear();
    auto it = set->Samples();
    while (it->Next()) {
      if (it->t() >= lo_ && it->t() <= hi_ && !model::IsStaleNaN(it->v())) series.push_back(it->t());
    }
    INFERMETRY_RETURN_IF_ERROR(it->status());
    if (covered_) {
      for (int64_t t : series) {
        if (covered_->Mark(t)) sink_.AddTimeOnly(t);
      }
      continue;
    }
    if (series == times) continue;
    merged.clear();
    std::set_union(times.begin(), times.end(), series.begin(), series.end(),
                   std::back_inserter(merged));
    times.swap(merged);
  }
  INFERMETRY_RETURN_IF_ERROR(set->status());
  for (int64_t t : times) sink_.AddTimeOnly(t);
  return Status::Ok();
}

Status MetricReader::EmitSeries(const model::Labels& labels,
                                const std::vector<model::Sample>& samples) {
  std::string_view stored = labels.MetricName();
  if (!raw_names_.count(std::string(stored))) return Status::Ok();
  SeriesKind k = families_->Resolve(stored, labels.Has("le"));
  bool older = false;
  if (k.increase && !samples.empty() && samples.front().t_ms >= lo_) {
    INFERMETRY_ASSIGN_OR_RETURN(older, OlderHistory(labels.Hash()));
  }
  std::vector<RowPoint> rows = SeriesRows(samples, lo_, hi_, k.increase, older);
  if (rows.empty()) return Status::Ok();
  SeriesContext ctx{CanonicalMetricName(stored), k.metric_type, k.unit, {}};
  sink_.Prepare(labels, &ctx);
  for (const RowPoint& p : rows) {
    sink_.Add(ctx, p.t_ms, p.value, p.raw);
    if (covered_) covered_->Mark(p.t_ms);
  }
  return Status::Ok();
}

Status MetricReader::LoadFamily(const std::string& family) {
  std::vector<Matcher> ms;
  if (!t_->stream.empty()) ms.push_back(scan_matchers_.front());
  INFERMETRY_ASSIGN_OR_RETURN(auto m, ExactNames(histograms_.at(family)));
  ms.push_back(std::move(m));
  auto set = querier_->Select({read_lo_, hi_}, ms);
  std::map<model::Labels, RawHistogram> groups;
  while (set->Next()) {
    const model::Labels& ls = set->labels();
    SeriesKind k = families_->Resolve(ls.MetricName(), ls.Has("le"));
    if (k.histogram != family) continue;
    model::LabelsBuilder b(ls);
    b.Del(model::kMetricName);
    b.Del("le");
    model::Labels key = b.Build();
    RawHistogram& h = groups[key];
    h.family = family;
    h.labels = key;
    h.unit = k.unit;
    h.hashes.push_back(ls.Hash());
    Status st;
    std::vector<model::Sample> samples = ReadSamples(*set, &st);
    INFERMETRY_RETURN_IF_ERROR(st);
    if (k.part == "_bucket") {
      double upper;
      if (!ParseGoFloat(ls.Get("le"), &upper)) continue;  // not a bucket bound: no observations
      h.buckets.push_back({upper, std::move(samples)});
    } else if (k.part == "_sum") {
      h.sum = std::move(samples);
    } else {
      h.count = std::move(samples);
    }
  }
  INFERMETRY_RETURN_IF_ERROR(set->status());
  for (auto it = groups.rbegin(); it != groups.rend(); ++it)
    pending_.push_back(std::move(it->second));
  return Status::Ok();
}

Status MetricReader::EmitHistogram(const RawHistogram& raw) {
  bool older = false;
  for (uint64_t hash : raw.hashes) {
    INFERMETRY_ASSIGN_OR_RETURN(bool o, OlderHistory(hash));
    older = older || o;
  }
  HistogramSeries h;
  for (const auto& [upper, samples] : raw.buckets) {
    h.buckets.push_back({upper, SeriesRows(samples, lo_, hi_, true, older)});
  }
  std::sort(h.buckets.begin(), h.buckets.end(),
            [](const auto& a, const auto& b) { return a.upper < b.upper; });
  h.sum = SeriesRows(raw.sum, lo_, hi_, true, older);
  h.count = SeriesRows(raw.count, lo_, hi_, true, older);
  SeriesContext ctx{raw.family, "histogram", raw.unit, {}};
  sink_.Prepare(raw.labels, &ctx);
  ReconstructObservations(h, req_.observation_counts, [&](const Observation& o) {
    sink_.AddObservation(ctx, o);
    if (covered_) covered_->Mark(o.t_ms);
  });
  return Status::Ok();
}

Result<bool> MetricReader::OlderHistory(uint64_t hash) {
  const int64_t floor = MillisBounds(INT64_MIN, 0).first;
  if (read_lo_ <= floor) return false;  // the scan reads from the beginning
  if (!older_) {
    older_.emplace();
    INFERMETRY_ASSIGN_OR_RETURN(auto q, t_->store->NewQuerier(floor, read_lo_ - 1));
    auto set = q->Select({floor, read_lo_ - 1}, scan_matchers_);
    while (set->Next()) older_->insert(set->labels().Hash());
    INFERMETRY_RETURN_IF_ERROR(set->status());
  }
  return older_->count(hash) > 0;
}

}  // namespace

Result<std::unique_ptr<BatchReader>> NewMetricReader(std::shared_ptr<const MetricTable::State> t,
                                                     const ScanRequest& req) {
  auto r = std::make_unique<MetricReader>(std::move(t), req);
  INFERMETRY_RETURN_IF_ERROR(r->Init());
  return std::unique_ptr<BatchReader>(std::move(r));
}

}  // namespace infermetry::sql::catalog
