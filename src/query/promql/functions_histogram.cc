// histogram_quantile over classic histograms: series with an `le` label per bucket.

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common/strconv.h"
#include "query/promql/functions.h"

namespace infermetry::promql {
namespace {

struct Bucket {
  double upper;
  double count;
};

// The q-quantile of cumulative buckets, interpolated linearly within the bucket it falls in.
double BucketQuantile(double q, std::vector<Bucket>* buckets) {
  if (std::isnan(q)) return std::nan("");
  if (q < 0) return -HUGE_VAL;
  if (q > 1) return HUGE_VAL;
  std::sort(buckets->begin(), buckets->end(),
            [](const Bucket& a, const Bucket& b) { return a.upper < b.upper; });
  if (buckets->empty() || !std::isinf(buckets->back().upper) || buckets->back().upper < 0) {
    return std::nan("");
  }
  // Merge buckets with the same upper bound.
  std::vector<Bucket> b;
  for (const Bucket& x : *buckets) {
    if (!b.empty() && b.back().upper == x.upper) {
      b.back().count += x.count;
    } else {
      b.push_back(x);
    }
  }
  // Counts must not decrease with the bound (they can when scrapes race); take the running max.
  double max = -HUGE_VAL;
  for (Bucket& x : b) {
    if (x.count > max) {
      max = x.count;
    } else if (x.count < max) {
      x.count = max;
    }
  }
  if (b.size() < 2) return std::nan("");
  const double observations = b.back().count;
  if (observations == 0) return std::nan("");
  double rank = q * observations;
  size_t i = 0;
  while (i < b.size() - 1 && b[i].count < rank) ++i;
  if (i == b.size() - 1) return b[b.size() - 2].upper;
  if (i == 0 && b[0].upper <= 0) return b[0].upper;
  double start = 0, end = b[i].upper, count = b[i].count;
  if (i > 0) {
    start = b[i - 1].upper;
    count -= b[i - 1].count;
    rank -= b[i - 1].count;
  }
  return start + (end - start) * (rank / count);
}

// Per input label set: its bucket bound and group, kept across steps.
struct BucketInfo {
  bool ok = false;
  double upper = 0;
  uint64_t group = 0;
  LabelsRef out;  // the group's labels: without `le` and __name__
};
struct HistogramState : FuncState {
  std::unordered_map<const model::Labels*, BucketInfo> info;
  std::vector<LabelsRef> keep;
};

BucketInfo Describe(const model::Labels& ls) {
  BucketInfo b;
  if (!ParseGoFloat(ls.Get("le"), &b.upper)) return b;
  b.ok = true;
  // Series differing in name form different groups; both lose the name (and a clash is
  // then an error, as in Prometheus).
  std::vector<model::Label> key;
  key.reserve(ls.size());
  for (const auto& l : ls) {
    if (l.name != "le") key.push_back(l);
  }
  model::Labels k = model::Labels::FromUnsorted(std::move(key));
  b.group = k.Hash();
  b.out = DropMetricName(MakeLabels(std::move(k)));
  return b;
}

}  // namespace

Status FnHistogramQuantile(FuncCall& c) {
  const double q = (*c.args)[0].scalar;
  struct Group {
    LabelsRef labels;
    std::vector<Bucket> buckets;
  };
  std::unordered_map<uint64_t, size_t> index;
  std::vector<Group> groups;
  if (*c.state == nullptr) *c.state = std::make_unique<HistogramState>();
  auto* st = static_cast<HistogramState*>(c.state->get());
  for (const Sample& s : (*c.args)[1].vec) {
    auto cached = st->info.find(s.metric.get());
    if (cached == st->info.end()) {
      if (st->info.size() > 100'000) {
        st->info.clear();
        st->keep.clear();
      }
      cached = st->info.emplace(s.metric.get(), Describe(*s.metric)).first;
      st->keep.push_back(s.metric);
    }
    const BucketInfo& b = cached->second;
    if (!b.ok) continue;
    auto [it, fresh] = index.emplace(b.group, groups.size());
    if (fresh) groups.push_back(Group{b.out, {}});
    groups[it->second].buckets.push_back(Bucket{b.upper, s.v});
  }
  for (Group& g : groups) {
    c.out->vec.push_back(Sample{g.labels, BucketQuantile(q, &g.buckets), c.t});
  }
  return Status::Ok();
}

}  // namespace infermetry::promql
