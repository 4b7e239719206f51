// The evaluator (see eval.h).

#include "query/promql/eval.h"

#include <algorithm>
#include <unordered_map>

#include "model/sample.h"
#include "query/promql/functions.h"
#include "query/promql/ops.h"

namespace infermetry::promql {
namespace {

constexpr int64_t kDefaultSubqueryStepMs = 60'000;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

Evaluator::Evaluator(const EngineOptions& opts, int64_t start_ms, int64_t end_ms,
                     const std::atomic<bool>* cancel)
    : opts_(opts), start_ms_(start_ms), end_ms_(end_ms), cancel_(cancel),
      deadline_(std::chrono::steady_clock::now() + opts.timeout) {}

Status Evaluator::CheckAlive() const {
  if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) {
    return Status(Code::kCancelled, "query was canceled in expression evaluation");
  }
  if (std::chrono::steady_clock::now() > deadline_) {
    return DeadlineExceeded("query timed out in expression evaluation");
  }
  return Status::Ok();
}

int64_t Evaluator::RefTime(const TimeModifiers& m, int64_t t) const {
  switch (m.at) {
    case AtKind::kNone: break;
    case AtKind::kTimestamp: t = m.at_ms; break;
    case AtKind::kStart: t = start_ms_; break;
    case AtKind::kEnd: t = end_ms_; break;
  }
  return t - m.offset_ms;
}

namespace {

bool SameMatchers(const std::vector<storage::Matcher>& a, const std::vector<storage::Matcher>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const storage::Matcher& x, const storage::Matcher& y) {
    return x.op() == y.op() && x.name() == y.name() && x.value() == y.value();
  });
}

}  // namespace

void Evaluator::Walk(Node* n, int64_t mint, int64_t maxt) {
  switch (n->kind) {
    case NodeKind::kVectorSelector:
    case NodeKind::kMatrixSelector: {
      const bool range = n->kind == NodeKind::kMatrixSelector;
      auto* vs = range ? static_cast<MatrixSelectorNode*>(n)->vs.get()
                       : static_cast<VectorSelectorNode*>(n);
      const int64_t back = range ? static_cast<MatrixSelectorNode*>(n)->range_ms
                                 : opts_.lookback_delta.count();
      const int64_t lo = RefTime(vs->mods, mint), hi = RefTime(vs->mods, maxt);
      // Selectors with the same matchers (e.g. `x - x offset 1m`) share one load of the
      // samples over the union of their ranges.
      for (size_t j = 0; j < selectors_.size(); ++j) {
        if (selector_is_range_[j] != range || !SameMatchers(selectors_[j]->matchers, vs->matchers)) continue;
        vs->id = static_cast<int>(j);
        selector_ranges_[j] = {std::min(selector_ranges_[j].min, lo - back), std::max(selector_ranges_[j].max, hi)};
        return;
      }
      vs->id = static_cast<int>(selectors_.size());
      selectors_.push_back(vs);
      selector_ranges_.push_back({lo - back, hi});
      selector_is_range_.push_back(range);
      return;
    }
    case NodeKind::kSubquery: {
      auto* sq = static_cast<SubqueryNode*>(n);
      sq->id = subqueries_++;
      const int64_t lo = RefTime(sq->mods, mint), hi = RefTime(sq->mods, maxt);
      Walk(sq->expr.get(), lo - sq->range_ms, hi);
      return;
    }
    case NodeKind::kParen: Walk(static_cast<ParenNode*>(n)->expr.get(), mint, maxt); return;
    case NodeKind::kUnary: Walk(static_cast<UnaryNode*>(n)->expr.get(), mint, maxt); return;
    case NodeKind::kBinary:
      Walk(static_cast<BinaryNode*>(n)->lhs.get(), mint, maxt);
      Walk(static_cast<BinaryNode*>(n)->rhs.get(), mint, maxt);
      return;
    case NodeKind::kAggregate: {
      auto* a = static_cast<AggregateNode*>(n);
      if (a->param) Walk(a->param.get(), mint, maxt);
      Walk(a->expr.get(), mint, maxt);
      return;
    }
    case NodeKind::kCall:
      for (auto& a : static_cast<CallNode*>(n)->args) Walk(a.get(), mint, maxt);
      return;
    case NodeKind::kNumber:
    case NodeKind::kString: return;
  }
}

Status Evaluator::Prepare(storage::Queryable* q, Node* root) {
  Walk(root, start_ms_, end_ms_);
  subquery_memo_.resize(static_cast<size_t>(subqueries_));
  data_.resize(selectors_.size());
  if (selectors_.empty()) return Status::Ok();
  int64_t mint = selector_ranges_[0].min, maxt = selector_ranges_[0].max;
  for (const auto& r : selector_ranges_) {
    mint = std::min(mint, r.min);
    maxt = std::max(maxt, r.max);
  }
  INFERMETRY_ASSIGN_OR_RETURN(auto querier, q->NewQuerier(mint, maxt));
  int64_t samples = 0;
  for (size_t i = 0; i < selectors_.size(); ++i) {
    const Interval r = selector_ranges_[i];
    auto set = querier->Select({r.min, r.max}, selectors_[i]->matchers);
    size_t expect = 0;  // series of one selector tend to have as many samples as the previous one
    while (set->Next()) {
      SeriesData sd;
      sd.points.reserve(expect);
      auto it = set->Samples();
      if (it->Seek(r.min)) {
        do {
          if (it->t() > r.max) break;
          if (selector_is_range_[i] && model::IsStaleNaN(it->v())) continue;
          sd.points.push_back(Point{it->t(), it->v()});
        } while (it->Next());
      }
      INFERMETRY_RETURN_IF_ERROR(it->status());
      if (sd.points.empty()) continue;
      expect = sd.points.size();
      samples += static_cast<int64_t>(sd.points.size());
      if (samples > opts_.max_samples) {
        return ResourceExhausted("query processing would load too many samples into memory in query execution");
      }
      sd.labels = MakeLabels(set->labels());
      sd.nameless = DropMetricName(sd.labels);
      data_[i].push_back(std::move(sd));
    }
    INFERMETRY_RETURN_IF_ERROR(set->status());
    INFERMETRY_RETURN_IF_ERROR(CheckAlive());
  }
  return Status::Ok();
}

Value Evaluator::EvalVectorSelector(const VectorSelectorNode& vs, int64_t t) {
  Value out;
  out.type = ValueType::kVector;
  const int64_t ref = RefTime(vs.mods, t);
  const int64_t min = ref - opts_.lookback_delta.count();
  const std::vector<SeriesData>& series = data_[static_cast<size_t>(vs.id)];
  // Where each series' last sample at or before the previous step was: steps usually move
  // forward a little, so the next one is found by stepping from there.
  std::vector<size_t>& cursor = cursors_[&vs];
  cursor.resize(series.size());
  out.vec.reserve(series.size());
  for (size_t i = 0; i < series.size(); ++i) {
    const std::vector<Point>& pts = series[i].points;
    size_t& c = cursor[i];  // index + 1 of the sample found; 0: none
    if (c > 0 && pts[c - 1].t_ms <= ref) {
      for (int hops = 0; c < pts.size() && pts[c].t_ms <= ref; ++hops) {
        if (hops == 64) {  // far ahead: search the rest
          c = static_cast<size_t>(std::upper_bound(pts.begin() + c, pts.end(), ref,
                                                   [](int64_t v, const Point& p) { return v < p.t_ms; }) -
                                  pts.begin());
          break;
        }
        ++c;
      }
    } else {
      c = static_cast<size_t>(
          std::upper_bound(pts.begin(), pts.end(), ref, [](int64_t v, const Point& p) { return v < p.t_ms; }) -
          pts.begin());
    }
    if (c == 0) continue;
    const Point& p = pts[c - 1];
    if (p.t_ms < min || model::IsStaleNaN(p.v)) continue;
    out.vec.push_back(Sample{series[i].labels, p.v, p.t_ms});
  }
  return out;
}

Value Evaluator::EvalMatrixSelector(const MatrixSelectorNode& ms, int64_t t) {
  Value out;
  out.type = ValueType::kMatrix;
  const int64_t end = RefTime(ms.vs->mods, t);
  const int64_t start = end - ms.range_ms;
  out.range_start = start;
  out.range_end = end;
  for (const SeriesData& s : data_[static_cast<size_t>(ms.vs->id)]) {
    auto lo = std::lower_bound(s.points.begin(), s.points.end(), start,
                               [](const Point& p, int64_t v) { return p.t_ms < v; });
    auto hi = std::upper_bound(lo, s.points.end(), end,
                               [](int64_t v, const Point& p) { return v < p.t_ms; });
    if (lo == hi) continue;
    out.range.push_back(RangeSeries{s.labels, s.nameless, &*lo, static_cast<size_t>(hi - lo)});
  }
  return out;
}

Result<Value> Evaluator::EvalSubquery(const SubqueryNode& sq, int64_t t) {
  const int64_t end = RefTime(sq.mods, t);
  const int64_t start = end - sq.range_ms;
  const int64_t step = sq.step_ms > 0 ? sq.step_ms : kDefaultSubqueryStepMs;
  int64_t first = FloorDiv(start, step) * step;
  if (first < start) first += step;
  auto& memo = subquery_memo_[static_cast<size_t>(sq.id)];
  auto owned = std::make_shared<std::vector<std::vector<Point>>>();
  std::vector<LabelsRef> labels;
  std::unordered_map<const model::Labels*, size_t> by_ptr;  // fast path: same labels object
  std::unordered_map<uint64_t, std::vector<size_t>> index;  // labels hash -> series
  auto series_for = [&](const LabelsRef& ls) -> size_t {
    if (auto p = by_ptr.find(ls.get()); p != by_ptr.end()) return p->second;
    const size_t n = labels.size();
    const size_t found = [&] {
      auto& cands = index[ls->Hash()];
      for (size_t c : cands) {
        if (*labels[c] == *ls) return c;
      }
      cands.push_back(n);
      return n;
    }();
    by_ptr.emplace(ls.get(), found);
    if (found == n) {
      labels.push_back(ls);
      owned->emplace_back();
    }
    return found;
  };
  for (int64_t ti = first; ti <= end; ti += step) {
    auto it = memo.find(ti);
    if (it == memo.end()) {
      INFERMETRY_RETURN_IF_ERROR(CheckAlive());
      INFERMETRY_ASSIGN_OR_RETURN(Value v, Eval(sq.expr.get(), ti));
      it = memo.emplace(ti, std::move(v)).first;
    }
    const Value& v = it->second;
    if (v.type == ValueType::kScalar) {
      if (empty_labels_ == nullptr) empty_labels_ = MakeLabels(model::Labels());
      (*owned)[series_for(empty_labels_)].push_back(Point{ti, v.scalar});
      continue;
    }
    for (const Sample& s : v.vec) (*owned)[series_for(s.metric)].push_back(Point{ti, s.v});
  }
  Value out;
  out.type = ValueType::kMatrix;
  out.range_start = start;
  out.range_end = end;
  for (size_t i = 0; i < labels.size(); ++i) {
    out.range.push_back(RangeSeries{labels[i], names_.Drop(labels[i]), (*owned)[i].data(),
                                    (*owned)[i].size()});
  }
  out.owned = std::move(owned);
  return out;
}

Result<Value> Evaluator::EvalCall(const CallNode& c, int64_t t) {
  std::vector<Value> args;
  args.reserve(c.args.size());
  for (const auto& a : c.args) {
    INFERMETRY_ASSIGN_OR_RETURN(Value v, Eval(a.get(), t));
    args.push_back(std::move(v));
  }
  if (c.func->name == "timestamp" && Unparen(c.args[0].get())->kind != NodeKind::kVectorSelector) {
    for (Sample& s : args[0].vec) s.t = t;
  }
  Value out;
  out.type = c.func->ret;
  FuncCall fc{t, &c, &args, &out, &func_state_[&c], &names_};
  INFERMETRY_RETURN_IF_ERROR(c.func->impl(fc));
  if (out.type == ValueType::kVector) {
    INFERMETRY_RETURN_IF_ERROR(CheckUniqueLabelsCached(out.vec, &unique_cache_[&c]));
  }
  return out;
}

Result<Value> Evaluator::EvalAggregate(const AggregateNode& a, int64_t t) {
  Value param;
  if (a.param) {
    INFERMETRY_ASSIGN_OR_RETURN(param, Eval(a.param.get(), t));
  }
  INFERMETRY_ASSIGN_OR_RETURN(Value in, Eval(a.expr.get(), t));
  Value out;
  out.type = ValueType::kVector;
  INFERMETRY_ASSIGN_OR_RETURN(out.vec, EvalAggregation(a, param, std::move(in.vec), t, &group_labels_[&a]));
  return out;
}

Result<Value> Evaluator::Eval(const Node* n, int64_t t) {
  switch (n->kind) {
    case NodeKind::kNumber: {
      Value v;
      v.type = ValueType::kScalar;
      v.scalar = static_cast<const NumberNode*>(n)->value;
      return v;
    }
    case NodeKind::kString: {
      Value v;
      v.type = ValueType::kString;
      v.str = static_cast<const StringNode*>(n)->value;
      return v;
    }
    case NodeKind::kVectorSelector:
      return EvalVectorSelector(*static_cast<const VectorSelectorNode*>(n), t);
    case NodeKind::kMatrixSelector:
      return EvalMatrixSelector(*static_cast<const MatrixSelectorNode*>(n), t);
    case NodeKind::kSubquery: return EvalSubquery(*static_cast<const SubqueryNode*>(n), t);
    case NodeKind::kParen: return Eval(static_cast<const ParenNode*>(n)->expr.get(), t);
    case NodeKind::kUnary: {
      const auto* u = static_cast<const UnaryNode*>(n);
      INFERMETRY_ASSIGN_OR_RETURN(Value v, Eval(u->expr.get(), t));
      if (!u->negate) return v;
      if (v.type == ValueType::kScalar) {
        v.scalar = -v.scalar;
        return v;
      }
      for (Sample& s : v.vec) {
        s.metric = names_.Drop(s.metric);
        s.v = -s.v;
        s.t = t;
      }
      INFERMETRY_RETURN_IF_ERROR(CheckUniqueLabelsCached(v.vec, &unique_cache_[n]));
      return v;
    }
    case NodeKind::kBinary: {
      const auto* b = static_cast<const BinaryNode*>(n);
      INFERMETRY_ASSIGN_OR_RETURN(Value l, Eval(b->lhs.get(), t));
      INFERMETRY_ASSIGN_OR_RETURN(Value r, Eval(b->rhs.get(), t));
      INFERMETRY_ASSIGN_OR_RETURN(Value v, EvalBinary(*b, std::move(l), std::move(r), t, &names_, &signatures_[b]));
      if (v.type == ValueType::kVector) {
        INFERMETRY_RETURN_IF_ERROR(CheckUniqueLabelsCached(v.vec, &unique_cache_[n]));
      }
      return v;
    }
    case NodeKind::kAggregate: return EvalAggregate(*static_cast<const AggregateNode*>(n), t);
    case NodeKind::kCall: return EvalCall(*static_cast<const CallNode*>(n), t);
  }
  return Internal("unknown node");
}

}  // namespace infermetry::promql
