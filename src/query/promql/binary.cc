// Binary operators: scalar/scalar, vector/scalar and vector/vector with one-to-one,
// many-to-one and one-to-many matching, and the set operators (and, or, unless).

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "query/promql/ops.h"

namespace infermetry::promql {
namespace {

// Arithmetic operators drop the metric name; atan2 keeps it (as in Prometheus 2.42).
bool IsArithmetic(BinOp op) { return op <= BinOp::kPow; }

// The value of `l op r` and whether a comparison holds (always true for arithmetic).
std::pair<double, bool> Apply(BinOp op, double l, double r) {
  switch (op) {
    case BinOp::kAdd: return {l + r, true};
    case BinOp::kSub: return {l - r, true};
    case BinOp::kMul: return {l * r, true};
    case BinOp::kDiv: return {l / r, true};
    case BinOp::kMod: return {std::fmod(l, r), true};
    case BinOp::kPow: return {std::pow(l, r), true};
    case BinOp::kAtan2: return {std::atan2(l, r), true};
    case BinOp::kEq: return {l, l == r};
    case BinOp::kNe: return {l, l != r};
    case BinOp::kGt: return {l, l > r};
    case BinOp::kLt: return {l, l < r};
    case BinOp::kGe: return {l, l >= r};
    case BinOp::kLe: return {l, l <= r};
    default: return {0, false};
  }
}

bool Contains(const std::vector<std::string>& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

// Hash of the labels a vector match compares: the `on` labels, or all but the `ignoring`
// labels and the metric name.
uint64_t Signature(const model::Labels& ls, const VectorMatching& m) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  };
  for (const auto& l : ls) {
    const bool use = m.on ? Contains(m.labels, l.name)
                          : (l.name != model::kMetricName && !Contains(m.labels, l.name));
    if (!use) continue;
    mix(l.name);
    mix(l.value);
  }
  return h;
}

std::string MatchedLabelsString(const model::Labels& ls, const VectorMatching& m) {
  std::vector<model::Label> out;
  for (const auto& l : ls) {
    const bool use = m.on ? Contains(m.labels, l.name)
                          : (l.name != model::kMetricName && !Contains(m.labels, l.name));
    if (use) out.push_back(l);
  }
  return model::Labels::FromUnsorted(std::move(out)).ToString();
}

LabelsRef ResultMetric(const LabelsRef& lhs, const model::Labels& rhs, const BinaryNode& n,
                       NameDropper* names) {
  const VectorMatching& m = n.matching;
  const bool drop_name = IsArithmetic(n.op) || n.return_bool;
  if (m.card == Card::kOneToOne && !m.on && m.labels.empty()) {
    return drop_name ? names->Drop(lhs) : lhs;
  }
  model::LabelsBuilder b(*lhs);
  if (drop_name) b.Del(model::kMetricName);
  if (m.card == Card::kOneToOne) {
    if (m.on) {
      for (const auto& l : lhs->items()) {
        if (!Contains(m.labels, l.name)) b.Del(l.name);
      }
    } else {
      for (const auto& l : m.labels) b.Del(l);
    }
  }
  for (const auto& l : m.include) b.Set(l, rhs.Get(l));
  return MakeLabels(b.Build());
}

Result<Vector> SetOp(const BinaryNode& n, Vector lhs, Vector rhs, SignatureCache* sigs) {
  auto sig = [&](const Sample& s) {
    return sigs->Get(s.metric, [&](const model::Labels& ls) { return Signature(ls, n.matching); });
  };
  Vector out;
  if (n.op == BinOp::kAnd) {
    std::unordered_set<uint64_t> right;
    for (const Sample& s : rhs) right.insert(sig(s));
    for (Sample& s : lhs) {
      if (right.count(sig(s)) > 0) out.push_back(std::move(s));
    }
  } else if (n.op == BinOp::kOr) {
    std::unordered_set<uint64_t> left;
    for (Sample& s : lhs) {
      left.insert(sig(s));
      out.push_back(std::move(s));
    }
    for (Sample& s : rhs) {
      if (left.count(sig(s)) == 0) out.push_back(std::move(s));
    }
  } else {
    std::unordered_set<uint64_t> right;
    for (const Sample& s : rhs) right.insert(sig(s));
    for (Sample& s : lhs) {
      if (right.count(sig(s)) == 0) out.push_back(std::move(s));
    }
  }
  return out;
}

Result<Vector> VectorVector(const BinaryNode& n, Vector lhs, Vector rhs, int64_t t, NameDropper* names,
                            SignatureCache* sigs) {
  const VectorMatching& m = n.matching;
  auto sig = [&](const Sample& s) {
    return sigs->Get(s.metric, [&](const model::Labels& ls) { return Signature(ls, m); });
  };
  if (m.card == Card::kOneToMany) std::swap(lhs, rhs);
  // rhs is the "one" side, sorted by signature; `matched` says whether an lhs sample already
  // matched it (a sorted vector: no allocation per sample at every step).
  struct One {
    uint64_t sig;
    const Sample* sample;
    bool matched;
  };
  std::vector<One> right;
  right.reserve(rhs.size());
  for (const Sample& s : rhs) right.push_back(One{sig(s), &s, false});
  std::sort(right.begin(), right.end(), [](const One& a, const One& b) { return a.sig < b.sig; });
  for (size_t i = 1; i < right.size(); ++i) {
    if (right[i].sig != right[i - 1].sig) continue;
    const Sample& a = *right[i - 1].sample;
    const Sample& b = *right[i].sample;
    // Name them in the order they came, as Prometheus does.
    const Sample& first = &a < &b ? a : b;
    const Sample& second = &a < &b ? b : a;
    const char* side = m.card == Card::kOneToMany ? "left" : "right";
    return InvalidArgument("found duplicate series for the match group " + MatchedLabelsString(*second.metric, m) +
                           " on the " + side + " hand-side of the operation: [" + second.metric->ToString() + ", " +
                           first.metric->ToString() +
                           "];many-to-many matching not allowed: matching labels must be unique on one side");
  }
  Vector out;
  out.reserve(lhs.size());
  // Many-to-one: match signature -> result label hashes seen.
  std::unordered_map<uint64_t, std::unordered_set<uint64_t>> seen_results;
  for (const Sample& ls : lhs) {
    const uint64_t sig_l = sig(ls);
    auto it = std::lower_bound(right.begin(), right.end(), sig_l, [](const One& o, uint64_t v) { return o.sig < v; });
    if (it == right.end() || it->sig != sig_l) continue;
    const Sample& rs = *it->sample;
    double vl = ls.v, vr = rs.v;
    if (m.card == Card::kOneToMany) std::swap(vl, vr);
    auto [value, keep] = Apply(n.op, vl, vr);
    if (n.return_bool) {
      value = keep ? 1.0 : 0.0;
    } else if (!keep) {
      continue;
    }
    LabelsRef metric = ResultMetric(ls.metric, *rs.metric, n, names);
    if (m.card == Card::kOneToOne) {
      if (it->matched) {
        return InvalidArgument("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
      }
      it->matched = true;
    } else {
      if (!seen_results[sig_l].insert(metric->Hash()).second) {
        return InvalidArgument("multiple matches for labels: grouping labels must ensure unique matches");
      }
    }
    out.push_back(Sample{std::move(metric), value, t});
  }
  return out;
}

}  // namespace

Result<Value> EvalBinary(const BinaryNode& n, Value lhs, Value rhs, int64_t t, NameDropper* names,
                         SignatureCache* signatures) {
  Value out;
  if (lhs.type == ValueType::kScalar && rhs.type == ValueType::kScalar) {
    auto [value, keep] = Apply(n.op, lhs.scalar, rhs.scalar);
    out.type = ValueType::kScalar;
    out.scalar = IsComparison(n.op) ? (keep ? 1.0 : 0.0) : value;
    return out;
  }
  out.type = ValueType::kVector;
  if (lhs.type == ValueType::kVector && rhs.type == ValueType::kVector) {
    if (IsSetOp(n.op)) {
      INFERMETRY_ASSIGN_OR_RETURN(out.vec, SetOp(n, std::move(lhs.vec), std::move(rhs.vec), signatures));
      for (Sample& s : out.vec) s.t = t;
      return out;
    }
    INFERMETRY_ASSIGN_OR_RETURN(out.vec, VectorVector(n, std::move(lhs.vec), std::move(rhs.vec), t, names, signatures));
    return out;
  }
  const bool swap = lhs.type == ValueType::kScalar;
  Vector& vec = swap ? rhs.vec : lhs.vec;
  const double scalar = swap ? lhs.scalar : rhs.scalar;
  const bool drop_name = IsArithmetic(n.op) || n.return_bool;
  for (Sample& s : vec) {
    double l = s.v, r = scalar;
    if (swap) std::swap(l, r);
    auto [value, keep] = Apply(n.op, l, r);
    if (IsComparison(n.op) && swap) value = r;
    if (n.return_bool) {
      value = keep ? 1.0 : 0.0;
      keep = true;
    }
    if (!keep) continue;
    out.vec.push_back(Sample{drop_name ? names->Drop(s.metric) : s.metric, value, t});
  }
  return out;  // the evaluator checks that label sets are unique
}

}  // namespace infermetry::promql
