#pragma once
// Values the evaluator passes between nodes at one evaluation time: scalars, strings, instant
// vectors and range vectors (windows of samples per series).

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "model/labels.h"
#include "query/promql/engine.h"

namespace infermetry::promql {

// Labels are shared between the steps of a query: copying a sample copies a pointer.
using LabelsRef = std::shared_ptr<const model::Labels>;

struct Sample {
  LabelsRef metric;
  double v = 0;
  int64_t t = 0;  // the sample's own timestamp for a selector's output, else the evaluation time
};
using Vector = std::vector<Sample>;

// One series' window of a range vector: points in [start, end] without staleness markers.
struct RangeSeries {
  LabelsRef metric;
  LabelsRef nameless;  // metric without __name__
  const Point* points = nullptr;
  size_t n = 0;
};

struct Value {
  ValueType type = ValueType::kVector;
  double scalar = 0;
  std::string str;
  Vector vec;
  std::vector<RangeSeries> range;  // kMatrix
  std::shared_ptr<std::vector<std::vector<Point>>> owned;  // points of a subquery's windows
  int64_t range_start = 0;  // kMatrix: the window, for extrapolation
  int64_t range_end = 0;
};

// `ls` without __name__ (the same pointer when there is none).
LabelsRef DropMetricName(const LabelsRef& ls);

// DropMetricName with a cache per labels object, so that a node's outputs keep the same label
// objects at every step (cheap uniqueness checks and result assembly). One per query.
class NameDropper {
 public:
  const LabelsRef& Drop(const LabelsRef& ls);

 private:
  // The first member keeps the key alive.
  std::unordered_map<const model::Labels*, std::pair<LabelsRef, LabelsRef>> cache_;
};
LabelsRef MakeLabels(model::Labels ls);

// Vector-matching signatures of one binary operator's operands, by label object: the operands
// usually reuse the same label objects at every step, so each is hashed once per query.
class SignatureCache {
 public:
  template <typename Compute>
  uint64_t Get(const LabelsRef& ls, Compute compute) {
    auto [it, added] = cache_.try_emplace(ls.get(), ls, 0);
    if (added) it->second.second = compute(*ls);
    return it->second.second;
  }

 private:
  // The first member keeps the key alive.
  std::unordered_map<const model::Labels*, std::pair<LabelsRef, uint64_t>> cache_;
};

// "vector cannot contain metrics with the same labelset" when two samples share labels.
Status CheckUniqueLabels(const Vector& v);

// Label sets already known to be distinct, per expression: the outputs of one node usually
// reuse the same label objects at every step, so the check is then a pointer lookup.
struct UniqueCache {
  std::unordered_set<const model::Labels*> ptrs;
  std::unordered_set<uint64_t> hashes;
  std::vector<LabelsRef> keep;  // keeps `ptrs` alive
};
Status CheckUniqueLabelsCached(const Vector& v, UniqueCache* cache);

// Go's math.Max / math.Min (NaN wins; +0 > -0).
double GoMax(double a, double b);
double GoMin(double a, double b);

// Go's strconv.FormatFloat(v, 'f', -1, 64) ("+Inf", "-Inf", "NaN" for the special values).
std::string FormatFloatF(double v);

}  // namespace infermetry::promql
