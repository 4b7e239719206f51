// Engine: parses, prepares and evaluates instant and range queries (see engine.h).

#include "query/promql/engine.h"

#include <algorithm>
#include <unordered_map>

#include "query/promql/eval.h"
#include "query/promql/parser.h"

namespace infermetry::promql {

Engine::Engine(EngineOptions opts) : opts_(opts) {}

Result<QueryResult> Engine::Instant(storage::Queryable* q, std::string_view expr, int64_t t_ms,
                                    const std::atomic<bool>* cancel) const {
  INFERMETRY_ASSIGN_OR_RETURN(NodePtr root, Parse(expr));
  Evaluator ev(opts_, t_ms, t_ms, cancel);
  INFERMETRY_RETURN_IF_ERROR(ev.Prepare(q, root.get()));
  INFERMETRY_ASSIGN_OR_RETURN(Value v, ev.Eval(root.get(), t_ms));
  QueryResult r;
  r.type = v.type;
  switch (v.type) {
    case ValueType::kScalar:
      r.scalar = Point{t_ms, v.scalar};
      break;
    case ValueType::kString:
      r.string = std::move(v.str);
      r.string_t_ms = t_ms;
      break;
    case ValueType::kVector:
      r.series.reserve(v.vec.size());
      for (const Sample& s : v.vec) r.series.push_back(Series{*s.metric, {Point{t_ms, s.v}}});
      break;
    case ValueType::kMatrix:
      for (const RangeSeries& rs : v.range) {
        r.series.push_back(Series{*rs.metric, std::vector<Point>(rs.points, rs.points + rs.n)});
      }
      break;
  }
  return r;
}

Result<QueryResult> Engine::Range(storage::Queryable* q, std::string_view expr, int64_t start_ms,
                                  int64_t end_ms, int64_t step_ms,
                                  const std::atomic<bool>* cancel) const {
  if (step_ms <= 0) {
    return InvalidArgument("zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  if (end_ms < start_ms) return InvalidArgument("end timestamp must not be before start time");
  INFERMETRY_ASSIGN_OR_RETURN(NodePtr root, Parse(expr));
  const ValueType type = TypeOf(*root);
  if (type != ValueType::kScalar && type != ValueType::kVector) {
    return InvalidArgument("invalid expression type \"" + std::string(DocumentedType(type)) +
                           "\" for range query, must be Scalar or instant Vector");
  }
  Evaluator ev(opts_, start_ms, end_ms, cancel);
  INFERMETRY_RETURN_IF_ERROR(ev.Prepare(q, root.get()));
  QueryResult r;
  r.type = ValueType::kMatrix;
  std::unordered_map<const model::Labels*, size_t> by_ptr;  // fast path: same labels object
  std::unordered_map<uint64_t, std::vector<size_t>> by_hash;
  std::vector<LabelsRef> keep_alive;
  int64_t points = 0;
  for (int64_t t = start_ms; t <= end_ms; t += step_ms) {
    INFERMETRY_RETURN_IF_ERROR(ev.CheckAlive());
    INFERMETRY_ASSIGN_OR_RETURN(Value v, ev.Eval(root.get(), t));
    if (v.type == ValueType::kScalar) {
      if (r.series.empty()) r.series.push_back(Series{});
      r.series[0].points.push_back(Point{t, v.scalar});
      continue;
    }
    points += static_cast<int64_t>(v.vec.size());
    if (points > opts_.max_samples) {
      return ResourceExhausted("query processing would load too many samples into memory in query execution");
    }
    for (const Sample& s : v.vec) {
      size_t idx;
      auto pit = by_ptr.find(s.metric.get());
      if (pit != by_ptr.end()) {
        idx = pit->second;
      } else {
        auto& cands = by_hash[s.metric->Hash()];
        idx = r.series.size();
        for (size_t c : cands) {
          if (r.series[c].labels == *s.metric) idx = c;
        }
        if (idx == r.series.size()) {
          cands.push_back(idx);
          r.series.push_back(Series{*s.metric, {}});
        }
        by_ptr.emplace(s.metric.get(), idx);
        keep_alive.push_back(s.metric);
      }
      r.series[idx].points.push_back(Point{t, s.v});
    }
  }
  std::sort(r.series.begin(), r.series.end(),
            [](const Series& a, const Series& b) { return a.labels < b.labels; });
  return r;
}

}  // namespace infermetry::promql
