#pragma once
// The query side of the storage seam for metrics. Query code (PromQL, SQL, the HTTP API) only
// ever sees these interfaces; the TSDB (head + blocks) implements them.
//
//   auto q = queryable->NewQuerier(mint_ms, maxt_ms);
//   auto set = (*q)->Select({mint_ms, maxt_ms}, matchers);
//   while (set->Next()) {
//     const model::Labels& ls = set->labels();
//     auto it = set->Samples();
//     while (it->Next()) use(it->t(), it->v());
//   }
//   if (!set->status().ok()) ...
//
// Lifetimes: a Querier sees a consistent snapshot of what was committed before NewQuerier
// returned (later commits may or may not be visible). A SeriesSet and its iterators stay valid
// while the Querier that made them lives. None of these objects are thread-safe; a Queryable
// is.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "model/labels.h"
#include "model/sample.h"
#include "storage/appender.h"

namespace re2 {
class RE2;
}

namespace infermetry::storage {

// A label matcher as in PromQL selectors: name="v", name!="v", name=~"re", name!~"re". Regexes
// are RE2, fully anchored. A label that is absent matches as the empty string (so {a=""}
// selects series without `a`).
class Matcher {
 public:
  enum class Op { kEq, kNeq, kRe, kNre };
  // kInvalidArgument for a regex that does not compile (the message names it).
  static Result<Matcher> Make(Op op, std::string name, std::string value);

  Op op() const { return op_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }
  bool Matches(std::string_view v) const;
  // True when the matcher also matches the empty string (an absent label).
  bool MatchesEmpty() const { return Matches(""); }
  // `name="v"` etc., as PromQL prints it.
  std::string ToString() const;

 private:
  Op op_ = Op::kEq;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // for kRe/kNre
};

// Samples of one series in increasing time order. Staleness markers (model::StaleNaN) are
// returned as stored; callers decide what they mean.
class SampleIterator {
 public:
  virtual ~SampleIterator() = default;
  // Moves to the next sample; false at the end (or on error: see status()).
  virtual bool Next() = 0;
  // Moves to the first sample with t >= t_ms, never backwards (it may already be there); false
  // when there is none.
  virtual bool Seek(int64_t t_ms) = 0;
  // The current sample; valid after Next() or Seek() returned true.
  virtual int64_t t() const = 0;
  virtual double v() const = 0;
  virtual Status status() const { return Status::Ok(); }
  // Appends every sample the following Next() calls would give, then returns status(); the
  // iterator is at its end afterwards. Engines override it to skip the per-sample calls.
  virtual Status AppendRemaining(std::vector<model::Sample>* out);
};

// Series in label order.
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  // The current series; valid after Next() returned true, until the next Next().
  virtual const model::Labels& labels() const = 0;
  // Its samples within the Select's time range; one iterator per call.
  virtual std::unique_ptr<SampleIterator> Samples() const = 0;
  // Bounds [*mint, *maxt] that hold every sample Samples() would return, known without
  // decoding them (from chunk or block metadata; they may be wider than the samples). False
  // when the implementation cannot tell without decoding.
  virtual bool TimeSpan(int64_t* mint, int64_t* maxt) const { return false; }
  virtual Status status() const { return Status::Ok(); }
};

struct SelectHints {
  int64_t start_ms = 0;  // inclusive
  int64_t end_ms = 0;    // inclusive
};

struct MetadataEntry {
  std::string metric;  // family name
  Metadata metadata;
};

class Querier {
 public:
  virtual ~Querier() = default;
  // Series that match every matcher and have samples in [start_ms, end_ms], sorted by labels.
  // At least one matcher must not match the empty string (as in Prometheus); otherwise
  // the set's status() is kInvalidArgument.
  virtual std::unique_ptr<SeriesSet> Select(const SelectHints& hints,
                                            std::span<const Matcher> matchers) = 0;
  // Sorted, distinct values of label `name` over the series matching `matchers` (all series
  // when empty) with samples in the querier's time range.
  virtual Result<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) = 0;
  // Sorted label names, likewise.
  virtual Result<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) = 0;
  // Family metadata, for one metric family or (empty `metric`) for all of them.
  virtual std::vector<MetadataEntry> Metadata(std::string_view metric) { return {}; }
  // Appends to `spans` bounds [mint, maxt] that hold every sample in [start_ms, end_ms] of
  // every series matching `matchers`, in no order and without labels: a series stored in
  // several places (head, blocks) may give one pair for each. False when some series' bounds
  // are unknown without decoding. The default selects the series and asks each its TimeSpan;
  // engines answer from their index without sorting or materializing series.
  virtual Result<bool> SampleSpans(const SelectHints& hints, std::span<const Matcher> matchers,
                                   std::vector<std::pair<int64_t, int64_t>>* spans);
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  // A querier over samples with mint_ms <= t <= maxt_ms. Thread-safe.
  virtual Result<std::unique_ptr<Querier>> NewQuerier(int64_t mint_ms, int64_t maxt_ms) = 0;
};

}  // namespace infermetry::storage
