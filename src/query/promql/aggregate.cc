// Aggregations: sum, avg, min, max, count, group, stddev, stdvar, topk, bottomk, quantile,
// count_values, with by/without grouping. Groups come out in order of first appearance.

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "query/promql/functions.h"
#include "query/promql/ops.h"

namespace infermetry::promql {
namespace {

struct Group {
  LabelsRef labels;
  double value = 0;
  double mean = 0;
  double count = 0;
  std::vector<Sample> heap;  // topk/bottomk candidates, quantile values
};

bool InList(const std::vector<std::string>& sorted, std::string_view n) {
  return std::binary_search(sorted.begin(), sorted.end(), n,
                            [](const auto& a, const auto& b) { return std::string_view(a) < std::string_view(b); });
}

bool UseLabel(const AggregateNode& n, std::string_view name) {
  if (n.without) return name != model::kMetricName && !InList(n.grouping, name);
  return InList(n.grouping, name);
}

uint64_t GroupHash(const AggregateNode& n, const model::Labels& ls) {
  uint64_t h = 1469598103934665603ULL;
  for (const auto& l : ls) {
    if (!UseLabel(n, l.name)) continue;
    for (unsigned char c : l.name) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (unsigned char c : l.value) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  }
  return h;
}

LabelsRef GroupLabels(const AggregateNode& n, const LabelsRef& ls) {
  std::vector<model::Label> out;
  for (const auto& l : *ls) {
    if (UseLabel(n, l.name)) out.push_back(l);
  }
  if (out.size() == ls->size()) return ls;
  return MakeLabels(model::Labels::FromUnsorted(std::move(out)));
}

// Heap order of topk (NaN lowest) and bottomk (NaN highest, i.e. evicted first).
bool TopLess(double a, double b) { return std::isnan(a) || a < b; }
bool BottomLess(double a, double b) { return std::isnan(a) || a > b; }

// A binary min-heap under `less` with the sift-up/sift-down order of Prometheus's heap, so
// that ties between equal values are resolved the same way.
template <typename Less>
void HeapUp(std::vector<Sample>* h, size_t j, Less less) {
  while (j > 0) {
    const size_t i = (j - 1) / 2;
    if (!less((*h)[j].v, (*h)[i].v)) break;
    std::swap((*h)[i], (*h)[j]);
    j = i;
  }
}

template <typename Less>
void HeapDown(std::vector<Sample>* h, size_t i, size_t n, Less less) {
  while (true) {
    const size_t j1 = 2 * i + 1;
    if (j1 >= n) break;
    size_t j = j1;
    if (j1 + 1 < n && less((*h)[j1 + 1].v, (*h)[j1].v)) j = j1 + 1;
    if (!less((*h)[j].v, (*h)[i].v)) break;
    std::swap((*h)[i], (*h)[j]);
    i = j;
  }
}

// Offers `s` to a topk (top) or bottomk heap of at most k samples.
void OfferK(std::vector<Sample>* h, const Sample& s, int64_t k, bool top) {
  auto less = top ? TopLess : BottomLess;
  const double root = (*h)[0].v;
  const bool better = top ? root < s.v : root > s.v;
  if (!(static_cast<int64_t>(h->size()) < k || better || std::isnan(root))) return;
  if (static_cast<int64_t>(h->size()) == k) {
    if (k == 1) {
      (*h)[0] = s;
      return;
    }
    const size_t n = h->size() - 1;
    std::swap((*h)[0], (*h)[n]);
    HeapDown(h, 0, n, less);
    h->pop_back();
  }
  h->push_back(s);
  HeapUp(h, h->size() - 1, less);
}

}  // namespace

Result<Vector> EvalAggregation(const AggregateNode& n, const Value& param, Vector in, int64_t t,
                               AggregationCache* cache) {
  int64_t k = 0;
  double q = 0;
  std::string value_label;
  if (n.op == AggOp::kTopk || n.op == AggOp::kBottomk) {
    const double p = param.scalar;
    if (std::isnan(p) || p < 1) return Vector{};
    k = p >= 9.2e18 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(p);
  } else if (n.op == AggOp::kQuantile) {
    q = param.scalar;
  } else if (n.op == AggOp::kCountValues) {
    value_label = param.str;
    if (!model::IsValidLabelName(value_label)) {
      return InvalidArgument("invalid label name \"" + value_label + "\"");
    }
  }
  AggregateNode grouping_copy;
  const AggregateNode* g = &n;
  if (n.op == AggOp::kCountValues && !n.without) {
    grouping_copy.without = false;
    grouping_copy.grouping = n.grouping;
    grouping_copy.grouping.push_back(value_label);
    std::sort(grouping_copy.grouping.begin(), grouping_copy.grouping.end());
    g = &grouping_copy;
  }
  std::unordered_map<uint64_t, size_t> index;
  std::vector<Group> groups;
  for (Sample& s : in) {
    if (n.op == AggOp::kCountValues) {
      model::LabelsBuilder b(*s.metric);
      b.Set(value_label, FormatFloatF(s.v));
      s.metric = MakeLabels(b.Build());
    }
    uint64_t h;
    if (n.op == AggOp::kCountValues) {  // fresh labels at every step: nothing to reuse
      h = GroupHash(*g, *s.metric);
    } else if (auto c = cache->hashes.find(s.metric.get()); c != cache->hashes.end()) {
      h = c->second.second;
    } else {
      h = GroupHash(*g, *s.metric);
      if (cache->hashes.size() < 100'000) cache->hashes.emplace(s.metric.get(), std::make_pair(s.metric, h));
    }
    auto [it, fresh] = index.emplace(h, groups.size());
    if (fresh) {
      Group gr;
      if (n.op == AggOp::kTopk || n.op == AggOp::kBottomk) {
        gr.labels = s.metric;  // unused: these keep the samples' labels
      } else if (auto c = cache->labels.find(h); c != cache->labels.end()) {
        gr.labels = c->second;
      } else {
        gr.labels = GroupLabels(*g, s.metric);
        if (cache->labels.size() < 100'000) cache->labels.emplace(h, gr.labels);
      }
      gr.value = s.v;
      gr.mean = s.v;
      gr.count = 1;
      if (n.op == AggOp::kStddev || n.op == AggOp::kStdvar) gr.value = 0;
      if (n.op == AggOp::kGroup) gr.value = 1;
      if (n.op == AggOp::kTopk || n.op == AggOp::kBottomk || n.op == AggOp::kQuantile) {
        gr.heap.push_back(s);
      }
      groups.push_back(std::move(gr));
      continue;
    }
    Group& gr = groups[it->second];
    switch (n.op) {
      case AggOp::kSum: gr.value += s.v; break;
      case AggOp::kAvg:
        gr.count++;
        if (std::isinf(gr.mean)) {
          if (std::isinf(s.v) && (gr.mean > 0) == (s.v > 0)) break;
          if (!std::isinf(s.v) && !std::isnan(s.v)) break;
        }
        gr.mean += s.v / gr.count - gr.mean / gr.count;
        break;
      case AggOp::kGroup: break;
      case AggOp::kMax:
        if (gr.value < s.v || std::isnan(gr.value)) gr.value = s.v;
        break;
      case AggOp::kMin:
        if (gr.value > s.v || std::isnan(gr.value)) gr.value = s.v;
        break;
      case AggOp::kCount:
      case AggOp::kCountValues: gr.count++; break;
      case AggOp::kStddev:
      case AggOp::kStdvar: {
        gr.count++;
        const double delta = s.v - gr.mean;
        gr.mean += delta / gr.count;
        gr.value += delta * (s.v - gr.mean);
        break;
      }
      case AggOp::kTopk:
      case AggOp::kBottomk:
        OfferK(&gr.heap, s, k, n.op == AggOp::kTopk);
        break;
      case AggOp::kQuantile: gr.heap.push_back(s); break;
    }
  }
  Vector out;
  for (Group& gr : groups) {
    switch (n.op) {
      case AggOp::kAvg: gr.value = gr.mean; break;
      case AggOp::kCount:
      case AggOp::kCountValues: gr.value = gr.count; break;
      case AggOp::kStdvar: gr.value = gr.value / gr.count; break;
      case AggOp::kStddev: gr.value = std::sqrt(gr.value / gr.count); break;
      case AggOp::kTopk:
      case AggOp::kBottomk: {
        auto less = n.op == AggOp::kTopk ? TopLess : BottomLess;
        std::stable_sort(gr.heap.begin(), gr.heap.end(),
                         [&](const Sample& a, const Sample& b) { return less(b.v, a.v); });
        for (Sample& s : gr.heap) out.push_back(Sample{s.metric, s.v, t});
        continue;
      }
      case AggOp::kQuantile: {
        std::vector<double> vals;
        vals.reserve(gr.heap.size());
        for (const Sample& s : gr.heap) vals.push_back(s.v);
        gr.value = Quantile(q, &vals);
        break;
      }
      default: break;
    }
    out.push_back(Sample{gr.labels, gr.value, t});
  }
  return out;
}

}  // namespace infermetry::promql
