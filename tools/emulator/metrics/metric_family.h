#pragma once
// One registered metric family and its children (one per label set), kept and rendered the
// way prometheus_client keeps and renders them:
// - counters and gauges hold one value per child; histograms hold per-bucket counts (the
//   `_bucket` samples are cumulative, `_count` is the sum of the buckets, so an observed NaN
//   adds to `_sum` only); summaries (no quantiles) hold `_count` and `_sum`;
// - single-process text (generate_latest): HELP/TYPE, every child's samples in child creation
//   order (histogram: buckets ascending with +Inf, `_count`, `_sum`; summary: `_count`,
//   `_sum`), then, if asked, a separate `<base>_created` gauge family with one line per child
//   (counter base = name without `_total`, histogram/summary base = full name). A family with
//   no child yet prints its HELP/TYPE lines only.
// - multiprocess text (MultiProcessCollector): no `_created`; histograms print every child's
//   `_sum` first, then per child its cumulative buckets and `_count`; summaries `_count`, `_sum`
//   per child. A family with no child is absent.
//
// Thread-safety: none; the owner serializes access.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/metrics/exposition.h"
#include "emulator/metrics/vllm_families.h"

namespace infermetry::emulator {

class MetricFamily {
 public:
  // `spec` must outlive the family (the table in vllm_families.cc does). `bounds` are the
  // finite bucket bounds of a histogram (ascending), empty otherwise.
  MetricFamily(const FamilySpec& spec, std::vector<double> bounds);

  const FamilySpec& spec() const { return *spec_; }
  FamilyType type() const { return spec_->type; }

  // Adds a child; returns its index (children are numbered in creation order). `key` is an
  // opaque lookup key for Find() (e.g. the joined label values). `created` is the child's
  // `_created` value, `seq` a registry-wide creation number (multiprocess order).
  int AddChild(std::string key, std::vector<std::pair<std::string, std::string>> labels,
               double created, uint64_t seq);
  // The index of the child added with `key`, or -1.
  int Find(std::string_view key) const;
  int num_children() const { return static_cast<int>(children_.size()); }
  // REQUIRES: num_children() > 0.
  uint64_t first_seq() const { return children_.front().seq; }

  // Counter: adds `amount` (negative amounts are ignored, as the client refuses them).
  void Inc(int child, double amount) noexcept;
  // Gauge: sets the value.
  void Set(int child, double value) noexcept;
  // Histogram or summary: one observation.
  void Observe(int child, double value) noexcept;

  // Counter/gauge value, histogram/summary sum.
  double Value(int child) const { return children_[child].value; }
  // Histogram/summary observation count (for a histogram, the +Inf bucket).
  double Count(int child) const;

  void AppendText(std::string* out, bool with_created) const;
  void AppendMultiprocessText(std::string* out) const;

 private:
  struct Child {
    std::string key;
    RenderedLabels labels;
    double created = 0;
    uint64_t seq = 0;
    double value = 0;             // counter/gauge value; histogram/summary sum
    double count = 0;             // summary count
    std::vector<double> buckets;  // histogram: non-cumulative counts, last = +Inf
  };

  void AppendHistogramChild(std::string* out, const Child& c) const;

  const FamilySpec* spec_;
  std::string name_;          // as on the TYPE line (counters end in _total)
  std::string created_base_;  // <created_base_>_created
  std::string header_;        // HELP + TYPE lines
  std::string created_header_;
  std::vector<double> bounds_;
  std::vector<std::string> le_;  // spelled bounds, then "+Inf"
  std::vector<Child> children_;
};

}  // namespace infermetry::emulator
