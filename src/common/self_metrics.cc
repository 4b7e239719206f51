#include "common/self_metrics.h"

#include <algorithm>

#include "common/strconv.h"

namespace infermetry::selfmon {
namespace {

void AppendEscaped(std::string* out, std::string_view v, bool quote_escape) {
  for (char c : v) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && quote_escape) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kCounter: return "counter";
    case Kind::kGauge: return "gauge";
    case Kind::kHistogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

uint64_t Histogram::CumulativeCount(size_t i) const {
  uint64_t c = 0;
  for (size_t j = 0; j <= i && j <= bounds_.size(); ++j) c += counts_[j].load(std::memory_order_relaxed);
  return c;
}

void FamilyBase::WriteText(std::string* out) const {
  out->append("# HELP ").append(name_).push_back(' ');
  AppendEscaped(out, help_, false);
  out->append("\n# TYPE ").append(name_).push_back(' ');
  out->append(KindName(kind_)).push_back('\n');
  std::lock_guard<std::mutex> l(mu_);
  WriteChildren(out);
}

void FamilyBase::AppendSeries(std::string* out, std::string_view suffix,
                              const std::vector<std::string>& values, std::string_view extra_name,
                              std::string_view extra_value, double v) const {
  out->append(name_).append(suffix);
  if (!values.empty() || !extra_name.empty()) {
    out->push_back('{');
    bool first = true;
    auto label = [&](std::string_view n, std::string_view val) {
      if (!first) out->push_back(',');
      first = false;
      out->append(n).append("=\"");
      AppendEscaped(out, val, true);
      out->push_back('"');
    };
    for (size_t i = 0; i < values.size() && i < label_names_.size(); ++i) label(label_names_[i], values[i]);
    if (!extra_name.empty()) label(extra_name, extra_value);
    out->push_back('}');
  }
  out->push_back(' ');
  AppendGoFloat(out, v);
  out->push_back('\n');
}

template <>
std::unique_ptr<Counter> Family<Counter>::NewChild() const { return std::make_unique<Counter>(); }
template <>
std::unique_ptr<Gauge> Family<Gauge>::NewChild() const { return std::make_unique<Gauge>(); }
template <>
std::unique_ptr<Histogram> Family<Histogram>::NewChild() const {
  return std::make_unique<Histogram>(bounds_);
}

template <>
void Family<Counter>::WriteChildren(std::string* out) const {
  for (const auto& [values, c] : children_) AppendSeries(out, "", values, "", "", c->Value());
}
template <>
void Family<Gauge>::WriteChildren(std::string* out) const {
  for (const auto& [values, g] : children_) AppendSeries(out, "", values, "", "", g->Value());
}
template <>
void Family<Histogram>::WriteChildren(std::string* out) const {
  for (const auto& [values, h] : children_) {
    const auto& b = h->bounds();
    for (size_t i = 0; i <= b.size(); ++i) {
      std::string le = i < b.size() ? FormatGoFloat(b[i]) : "+Inf";
      AppendSeries(out, "_bucket", values, "le", le, static_cast<double>(h->CumulativeCount(i)));
    }
    AppendSeries(out, "_sum", values, "", "", h->Sum());
    AppendSeries(out, "_count", values, "", "", static_cast<double>(h->Count()));
  }
}

namespace {
template <typename F, typename... Args>
F& GetOrAdd(std::mutex& mu, std::map<std::string, std::unique_ptr<FamilyBase>>& families,
            const std::string& name, Args&&... args) {
  std::lock_guard<std::mutex> l(mu);
  auto it = families.find(name);
  if (it == families.end()) {
    it = families.emplace(name, std::make_unique<F>(std::forward<Args>(args)...)).first;
  }
  return static_cast<F&>(*it->second);
}
}  // namespace

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                   std::vector<std::string> label_names) {
  std::string key = name;
  return GetOrAdd<Family<selfmon::Counter>>(mu_, families_, key, std::move(name), std::move(help),
                                            std::move(label_names), Kind::kCounter);
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                               std::vector<std::string> label_names) {
  std::string key = name;
  return GetOrAdd<Family<selfmon::Gauge>>(mu_, families_, key, std::move(name), std::move(help),
                                          std::move(label_names), Kind::kGauge);
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> bounds) {
  std::string key = name;
  auto& f = GetOrAdd<Family<selfmon::Histogram>>(mu_, families_, key, std::move(name),
                                                 std::move(help), std::move(label_names),
                                                 Kind::kHistogram);
  std::lock_guard<std::mutex> l(f.mu_);
  if (f.bounds_.empty()) f.bounds_ = std::move(bounds);
  return f;
}

void Registry::WriteText(std::string* out) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [name, family] : families_) family->WriteText(out);
}

Registry& Default() {
  static Registry* r = new Registry();
  return *r;
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace infermetry::selfmon
