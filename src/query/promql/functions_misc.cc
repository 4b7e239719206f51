// time, vector, scalar, timestamp, the date functions, absent, absent_over_time, sort,
// sort_desc, label_replace, label_join.

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "query/promql/functions.h"

namespace infermetry::promql {
namespace {

// absent()'s labels: the equality matchers of a selector argument, except __name__ and names
// matched more than once or by another operator.
LabelsRef AbsentLabels(const Node* arg) {
  arg = Unparen(arg);
  const VectorSelectorNode* vs = nullptr;
  if (arg->kind == NodeKind::kVectorSelector) vs = static_cast<const VectorSelectorNode*>(arg);
  if (arg->kind == NodeKind::kMatrixSelector) vs = static_cast<const MatrixSelectorNode*>(arg)->vs.get();
  model::LabelsBuilder b;
  if (vs != nullptr) {
    std::vector<std::string> drop;
    for (const auto& m : vs->matchers) {
      if (m.name() == model::kMetricName) continue;
      if (m.op() == storage::Matcher::Op::kEq && b.Get(m.name()).empty()) {
        b.Set(m.name(), m.value());
      } else {
        drop.push_back(m.name());
      }
    }
    for (const auto& d : drop) b.Del(d);
  }
  return MakeLabels(b.Build());
}

bool SortLess(double a, double b, bool desc) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return desc ? a > b : a < b;
}

// Go's Regexp.Expand: $1, ${1}, $name, ${name}; $$ is a literal $.
std::string Expand(const std::string& tmpl, const RE2& re, const std::vector<re2::StringPiece>& groups) {
  std::string out;
  const auto& named = re.NamedCapturingGroups();
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '$' || i + 1 >= tmpl.size()) {
      out.push_back(tmpl[i]);
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool brace = tmpl[j] == '{';
    if (brace) ++j;
    size_t k = j;
    while (k < tmpl.size() && (std::isalnum(static_cast<unsigned char>(tmpl[k])) || tmpl[k] == '_')) ++k;
    std::string name = tmpl.substr(j, k - j);
    if (name.empty() || (brace && (k >= tmpl.size() || tmpl[k] != '}'))) {
      out.push_back('$');
      continue;
    }
    i = brace ? k : k - 1;
    int idx = -1;
    if (std::all_of(name.begin(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      idx = name.size() > 9 ? -1 : std::stoi(name);
    } else if (auto it = named.find(name); it != named.end()) {
      idx = it->second;
    }
    if (idx >= 0 && static_cast<size_t>(idx) < groups.size() && groups[idx].data() != nullptr) {
      out.append(groups[idx].data(), groups[idx].size());
    }
  }
  return out;
}

}  // namespace

Status FnTime(FuncCall& c) {
  c.out->scalar = static_cast<double>(c.t) / 1000.0;
  return Status::Ok();
}

Status FnVector(FuncCall& c) {
  c.out->vec.push_back(Sample{MakeLabels(model::Labels()), (*c.args)[0].scalar, c.t});
  return Status::Ok();
}

Status FnScalar(FuncCall& c) {
  const Vector& v = (*c.args)[0].vec;
  c.out->scalar = v.size() == 1 ? v[0].v : std::nan("");
  return Status::Ok();
}

Status FnTimestamp(FuncCall& c) {
  for (const Sample& s : (*c.args)[0].vec) {
    c.out->vec.push_back(Sample{c.names->Drop(s.metric), static_cast<double>(s.t) / 1000.0, c.t});
  }
  return Status::Ok();
}

Status FnDate(FuncCall& c) {
  Vector in;
  if (c.args->empty()) {
    in.push_back(Sample{MakeLabels(model::Labels()), static_cast<double>(c.t) / 1000.0, c.t});
  }
  const Vector& vec = c.args->empty() ? in : (*c.args)[0].vec;
  const std::string_view name = c.node->func->name;
  for (const Sample& s : vec) {
    if (std::isnan(s.v) || std::isinf(s.v)) continue;
    const time_t secs = static_cast<time_t>(s.v);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    double v = 0;
    if (name == "minute") v = tm.tm_min;
    else if (name == "hour") v = tm.tm_hour;
    else if (name == "day_of_month") v = tm.tm_mday;
    else if (name == "day_of_week") v = tm.tm_wday;
    else if (name == "day_of_year") v = tm.tm_yday + 1;
    else if (name == "month") v = tm.tm_mon + 1;
    else if (name == "year") v = tm.tm_year + 1900;
    else if (name == "days_in_month") {
      static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      const int y = tm.tm_year + 1900;
      const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
      v = kDays[tm.tm_mon] + (tm.tm_mon == 1 && leap ? 1 : 0);
    }
    c.out->vec.push_back(Sample{c.names->Drop(s.metric), v, c.t});
  }
  return Status::Ok();
}

Status FnAbsent(FuncCall& c) {
  if (!(*c.args)[0].vec.empty()) return Status::Ok();
  c.out->vec.push_back(Sample{AbsentLabels(c.node->args[0].get()), 1, c.t});
  return Status::Ok();
}

Status FnAbsentOverTime(FuncCall& c) {
  for (const RangeSeries& rs : (*c.args)[0].range) {
    if (rs.n > 0) return Status::Ok();
  }
  c.out->vec.push_back(Sample{AbsentLabels(c.node->args[0].get()), 1, c.t});
  return Status::Ok();
}

Status FnSort(FuncCall& c) {
  c.out->vec = (*c.args)[0].vec;
  std::stable_sort(c.out->vec.begin(), c.out->vec.end(),
                   [](const Sample& a, const Sample& b) { return SortLess(a.v, b.v, false); });
  for (Sample& s : c.out->vec) s.t = c.t;
  return Status::Ok();
}

Status FnSortDesc(FuncCall& c) {
  c.out->vec = (*c.args)[0].vec;
  std::stable_sort(c.out->vec.begin(), c.out->vec.end(),
                   [](const Sample& a, const Sample& b) { return SortLess(a.v, b.v, true); });
  for (Sample& s : c.out->vec) s.t = c.t;
  return Status::Ok();
}

Status FnLabelReplace(FuncCall& c) {
  const std::string& dst = (*c.args)[1].str;
  const std::string& repl = (*c.args)[2].str;
  const std::string& src = (*c.args)[3].str;
  const std::string& regex = (*c.args)[4].str;
  RE2::Options o;
  o.set_log_errors(false);
  RE2 re("^(?:" + regex + ")$", o);
  if (!re.ok()) {
    return InvalidArgument("invalid regular expression in label_replace(): " + regex);
  }
  if (!model::IsValidLabelName(dst)) {
    return InvalidArgument("invalid destination label name in label_replace(): " + dst);
  }
  std::vector<re2::StringPiece> groups(static_cast<size_t>(re.NumberOfCapturingGroups()) + 1);
  for (const Sample& s : (*c.args)[0].vec) {
    const std::string_view sv = s.metric->Get(src);
    const re2::StringPiece text(sv.data(), sv.size());
    if (!re.Match(text, 0, text.size(), RE2::UNANCHORED, groups.data(), static_cast<int>(groups.size()))) {
      c.out->vec.push_back(Sample{s.metric, s.v, c.t});
      continue;
    }
    model::LabelsBuilder b(*s.metric);
    b.Set(dst, Expand(repl, re, groups));  // an empty value deletes the label
    c.out->vec.push_back(Sample{MakeLabels(b.Build()), s.v, c.t});
  }
  return Status::Ok();
}

Status FnLabelJoin(FuncCall& c) {
  const std::string& dst = (*c.args)[1].str;
  const std::string& sep = (*c.args)[2].str;
  std::vector<std::string> srcs;
  for (size_t i = 3; i < c.args->size(); ++i) {
    if (!model::IsValidLabelName((*c.args)[i].str)) {
      return InvalidArgument("invalid source label name in label_join(): " + (*c.args)[i].str);
    }
    srcs.push_back((*c.args)[i].str);
  }
  if (!model::IsValidLabelName(dst)) {
    return InvalidArgument("invalid destination label name in label_join(): " + dst);
  }
  for (const Sample& s : (*c.args)[0].vec) {
    std::string joined;
    for (size_t i = 0; i < srcs.size(); ++i) {
      if (i > 0) joined += sep;
      joined += s.metric->Get(srcs[i]);
    }
    model::LabelsBuilder b(*s.metric);
    b.Set(dst, joined);
    c.out->vec.push_back(Sample{MakeLabels(b.Build()), s.v, c.t});
  }
  return Status::Ok();
}

}  // namespace infermetry::promql
