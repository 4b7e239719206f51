// The promqltest runner (see promqltest.h).

#include "query/promql/promqltest.h"

#include <cctype>
#include <cmath>
#include <sstream>

#include "common/strconv.h"
#include "model/sample.h"
#include "query/promql/ast.h"
#include "query/promql/engine.h"
#include "query/promql/lexer.h"
#include "query/promql/parser.h"

namespace infermetry::promql::testing {
namespace {

class VecIterator : public storage::SampleIterator {
 public:
  VecIterator(const std::vector<Point>* p, int64_t mint, int64_t maxt) : p_(p), mint_(mint), maxt_(maxt) {}
  bool Next() override {
    while (true) {
      ++i_;
      if (i_ >= p_->size() || (*p_)[i_].t_ms > maxt_) return false;
      if ((*p_)[i_].t_ms >= mint_) return true;
    }
  }
  bool Seek(int64_t t) override {
    if (i_ == SIZE_MAX) i_ = 0;
    while (i_ < p_->size() && ((*p_)[i_].t_ms < t || (*p_)[i_].t_ms < mint_)) ++i_;
    return i_ < p_->size() && (*p_)[i_].t_ms <= maxt_;
  }
  int64_t t() const override { return (*p_)[i_].t_ms; }
  double v() const override { return (*p_)[i_].v; }

 private:
  const std::vector<Point>* p_;
  int64_t mint_, maxt_;
  size_t i_ = SIZE_MAX;
};

class VecSeriesSet : public storage::SeriesSet {
 public:
  std::vector<std::pair<const model::Labels*, const std::vector<Point>*>> items;
  int64_t mint = 0, maxt = 0;
  bool Next() override { return ++i_ < items.size(); }
  const model::Labels& labels() const override { return *items[i_].first; }
  std::unique_ptr<storage::SampleIterator> Samples() const override {
    return std::make_unique<VecIterator>(items[i_].second, mint, maxt);
  }

 private:
  size_t i_ = SIZE_MAX;
};

class MemQuerier : public storage::Querier {
 public:
  explicit MemQuerier(const std::map<model::Labels, std::vector<Point>>* s) : s_(s) {}
  std::unique_ptr<storage::SeriesSet> Select(const storage::SelectHints& h,
                                             std::span<const storage::Matcher> ms) override {
    auto set = std::make_unique<VecSeriesSet>();
    set->mint = h.start_ms;
    set->maxt = h.end_ms;
    for (const auto& [ls, pts] : *s_) {
      bool ok = true;
      for (const auto& m : ms) ok = ok && m.Matches(ls.Get(m.name()));
      if (ok) set->items.emplace_back(&ls, &pts);
    }
    return set;
  }
  Result<std::vector<std::string>> LabelValues(std::string_view, std::span<const storage::Matcher>) override {
    return std::vector<std::string>{};
  }
  Result<std::vector<std::string>> LabelNames(std::span<const storage::Matcher>) override {
    return std::vector<std::string>{};
  }

 private:
  const std::map<model::Labels, std::vector<Point>>* s_;
};

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// One number of a value sequence: [+-]digits[.digits][e[+-]digits], Inf, NaN or stale.
bool ScanNumber(std::string_view s, size_t* i, double* v) {
  size_t p = *i;
  bool neg = false;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) neg = s[p++] == '-';
  size_t b = p;
  if (p < s.size() && std::isalpha(static_cast<unsigned char>(s[p]))) {
    while (p < s.size() && std::isalpha(static_cast<unsigned char>(s[p]))) ++p;
    std::string_view w = s.substr(b, p - b);
    if (EqualsIgnoreCase(w, "inf")) *v = HUGE_VAL;
    else if (EqualsIgnoreCase(w, "nan")) *v = std::nan("");
    else if (w == "stale") *v = model::StaleNaN();
    else return false;
  } else {
    while (p < s.size() && (std::isdigit(static_cast<unsigned char>(s[p])) || s[p] == '.')) ++p;
    if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
      size_t q = p + 1;
      if (q < s.size() && (s[q] == '+' || s[q] == '-')) ++q;
      if (q < s.size() && std::isdigit(static_cast<unsigned char>(s[q]))) {
        p = q;
        while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) ++p;
      }
    }
    if (p == b || !ParseGoFloat(s.substr(b, p - b), v)) return false;
  }
  if (neg) *v = -*v;
  *i = p;
  return true;
}

// Expands one whitespace-separated item into values; nullopt entries are missing samples.
bool ExpandItem(std::string_view item, std::vector<std::optional<double>>* out) {
  if (item == "_") {
    out->push_back(std::nullopt);
    return true;
  }
  if (item.rfind("_x", 0) == 0) {
    int64_t n;
    if (!ParseInt64(item.substr(2), &n)) return false;
    for (int64_t k = 0; k < n; ++k) out->push_back(std::nullopt);
    return true;
  }
  size_t i = 0;
  double start;
  if (!ScanNumber(item, &i, &start)) return false;
  if (i == item.size()) {
    out->push_back(start);
    return true;
  }
  double inc = 0;
  if (item[i] == '+' || item[i] == '-') {
    if (!ScanNumber(item, &i, &inc)) return false;
  }
  if (i >= item.size() || item[i] != 'x') return false;
  int64_t n;
  if (!ParseInt64(item.substr(i + 1), &n)) return false;
  double v = start;
  out->push_back(v);
  for (int64_t k = 1; k <= n; ++k) {
    v += inc;
    out->push_back(v);
  }
  return true;
}

// "metric{a="b"} values..." -> labels and the values text.
Status ParseSeriesLine(const std::string& line, model::Labels* ls, std::string* rest) {
  size_t end;
  size_t brace = line.find('{');
  size_t space = line.find_first_of(" \t");
  if (brace != std::string::npos && (space == std::string::npos || brace < space)) {
    bool quoted = false;
    end = brace;
    for (; end < line.size(); ++end) {
      if (line[end] == '"' && (end == 0 || line[end - 1] != '\\')) quoted = !quoted;
      if (!quoted && line[end] == '}') break;
    }
    if (end == line.size()) return InvalidArgument("unterminated labels in \"" + line + "\"");
    ++end;
  } else {
    end = space == std::string::npos ? line.size() : space;
  }
  std::string desc = line.substr(0, end);
  *rest = line.substr(end);
  std::vector<model::Label> labels;
  if (desc.find('{') == std::string::npos || desc.find("{}") != std::string::npos) {
    // `name` or `name{}` or `{}`: only a metric name, if any.
    std::string name = desc.substr(0, desc.find('{'));
    if (!name.empty()) labels.push_back({std::string(model::kMetricName), name});
    *ls = model::Labels::FromUnsorted(std::move(labels));
    return Status::Ok();
  }
  auto node = Parse(desc);
  if (!node.ok()) return node.status();
  if ((*node)->kind != NodeKind::kVectorSelector) return InvalidArgument("bad series \"" + desc + "\"");
  for (const auto& m : static_cast<const VectorSelectorNode&>(**node).matchers) {
    labels.push_back({m.name(), m.value()});
  }
  *ls = model::Labels::FromUnsorted(std::move(labels));
  return Status::Ok();
}

bool AlmostEqual(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  constexpr double kEpsilon = 1e-6;
  constexpr double kMinNormal = 2.2250738585072014e-308;
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || diff < kMinNormal) return diff < kEpsilon * kMinNormal;
  return diff / (std::fabs(a) + std::fabs(b)) < kEpsilon;
}

struct Expected {
  bool scalar = false;
  model::Labels labels;
  double v = 0;
};

std::string FormatValue(double v) { return FormatGoFloat(v); }

// Compares series (one point each at `t`) with expectations; "" when they match.
std::string Compare(const std::vector<Series>& got, bool got_scalar, double scalar,
                    const std::vector<Expected>& want, bool ordered) {
  if (got_scalar) {
    if (want.size() != 1 || !want[0].scalar) return "got scalar " + FormatValue(scalar);
    if (!AlmostEqual(want[0].v, scalar)) {
      return "expected scalar " + FormatValue(want[0].v) + ", got " + FormatValue(scalar);
    }
    return "";
  }
  if (got.size() != want.size()) {
    std::string s = "expected " + std::to_string(want.size()) + " results, got " + std::to_string(got.size()) + ":";
    for (const auto& g : got) s += " " + g.labels.ToString() + "=" + FormatValue(g.points.empty() ? 0 : g.points[0].v);
    return s;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const Series& g = got[i];
    size_t j = 0;
    for (; j < want.size(); ++j) {
      if (want[j].labels == g.labels) break;
    }
    if (j == want.size()) return "unexpected series " + g.labels.ToString();
    if (ordered && j != i) return "series " + g.labels.ToString() + " at position " + std::to_string(i);
    if (g.points.size() != 1 || !AlmostEqual(want[j].v, g.points[0].v)) {
      return "expected " + FormatValue(want[j].v) + " for " + g.labels.ToString() + ", got " +
             (g.points.empty() ? "nothing" : FormatValue(g.points[0].v));
    }
  }
  return "";
}

}  // namespace

void MemoryStorage::Append(const model::Labels& ls, int64_t t_ms, double v) {
  series_[ls].push_back(Point{t_ms, v});
}

Result<std::unique_ptr<storage::Querier>> MemoryStorage::NewQuerier(int64_t, int64_t) {
  return std::unique_ptr<storage::Querier>(std::make_unique<MemQuerier>(&series_));
}

ScriptResult RunScript(std::string_view text, const std::string& name) {
  ScriptResult res;
  std::vector<std::string> lines;
  {
    std::istringstream in{std::string(text)};
    std::string l;
    while (std::getline(in, l)) {
      l = Trim(l);
      if (!l.empty() && l[0] == '#') l.clear();
      lines.push_back(l);
    }
  }
  MemoryStorage storage;
  Engine engine;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty()) continue;
    const std::string where = name + ":" + std::to_string(i + 1);
    if (l == "clear") {
      storage.Clear();
      continue;
    }
    if (l.rfind("load ", 0) == 0) {
      int64_t interval;
      if (!ParsePromDuration(Trim(l.substr(5)), &interval)) {
        res.error = InvalidArgument(where + ": bad load interval");
        return res;
      }
      for (; i + 1 < lines.size() && !lines[i + 1].empty(); ++i) {
        model::Labels ls;
        std::string rest;
        Status st = ParseSeriesLine(lines[i + 1], &ls, &rest);
        std::vector<std::optional<double>> vals;
        std::istringstream items(rest);
        std::string item;
        while (st.ok() && items >> item) {
          if (!ExpandItem(item, &vals)) st = InvalidArgument("bad value \"" + item + "\"");
        }
        if (!st.ok()) {
          res.error = InvalidArgument(name + ":" + std::to_string(i + 2) + ": " + st.message());
          return res;
        }
        for (size_t k = 0; k < vals.size(); ++k) {
          if (vals[k]) storage.Append(ls, static_cast<int64_t>(k) * interval, *vals[k]);
        }
      }
      continue;
    }
    std::istringstream head(l);
    std::string cmd, kind, at, when;
    head >> cmd >> kind >> at >> when;
    if ((cmd != "eval" && cmd != "eval_fail" && cmd != "eval_ordered") || kind != "instant" || at != "at") {
      res.error = InvalidArgument(where + ": unknown command \"" + l + "\"");
      return res;
    }
    int64_t t = 0;
    if (when != "0" && !ParsePromDuration(when, &t)) {
      res.error = InvalidArgument(where + ": bad time \"" + when + "\"");
      return res;
    }
    std::string expr;
    std::getline(head, expr);
    expr = Trim(expr);
    std::vector<Expected> want;
    for (; i + 1 < lines.size() && !lines[i + 1].empty(); ++i) {
      const std::string& e = lines[i + 1];
      Expected x;
      size_t p = 0;
      if (ScanNumber(e, &p, &x.v) && p == e.size()) {
        x.scalar = true;
      } else {
        std::string rest;
        std::vector<std::optional<double>> vals;
        Status st = ParseSeriesLine(e, &x.labels, &rest);
        if (st.ok() && (!ExpandItem(Trim(rest), &vals) || vals.empty() || !vals[0])) {
          st = InvalidArgument("bad expected value in \"" + e + "\"");
        }
        if (!st.ok()) {
          res.error = InvalidArgument(name + ":" + std::to_string(i + 2) + ": " + st.message());
          return res;
        }
        x.v = *vals[0];
      }
      want.push_back(std::move(x));
    }
    res.evals++;
    auto r = engine.Instant(&storage, expr, t);
    std::string why;
    if (cmd == "eval_fail") {
      if (r.ok()) why = "expected an error";
    } else if (!r.ok()) {
      why = "error: " + r.status().ToString();
    } else if (r->type == ValueType::kMatrix || r->type == ValueType::kString) {
      why = "unexpected result type " + std::string(ValueTypeName(r->type));
    } else {
      why = Compare(r->series, r->type == ValueType::kScalar, r->scalar.v, want, cmd == "eval_ordered");
      if (why.empty() && cmd != "eval_ordered") {
        // The same query as a range query must agree at time t.
        auto rr = engine.Range(&storage, expr, t - 60'000, t + 60'000, 60'000);
        if (!rr.ok()) {
          why = "range query error: " + rr.status().ToString();
        } else {
          std::vector<Series> at_t;
          for (const Series& s : rr->series) {
            for (const Point& p : s.points) {
              if (p.t_ms == t) at_t.push_back(Series{s.labels, {p}});
            }
          }
          const bool scalar = r->type == ValueType::kScalar;
          why = Compare(at_t, scalar, scalar && !at_t.empty() ? at_t[0].points[0].v : 0, want, false);
          if (!why.empty()) why = "range query: " + why;
        }
      }
    }
    if (why.empty()) {
      res.passed++;
    } else {
      res.failures.push_back(where + ": " + expr + ": " + why);
    }
  }
  return res;
}

}  // namespace infermetry::promql::testing
