#include "model/labels.h"

#include "common/strconv.h"

#include <algorithm>

namespace infermetry::model {
namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;

uint64_t Mix(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kPrime1;
  }
  h ^= 0xff;  // separator so ("ab","c") != ("a","bc")
  h *= kPrime2;
  return h;
}

bool LessByName(const Label& a, const Label& b) { return a.name < b.name; }

void SortDedup(std::vector<Label>* v) {
  std::stable_sort(v->begin(), v->end(), LessByName);
  // Keep the last of equal names.
  std::vector<Label> out;
  out.reserve(v->size());
  for (auto& l : *v) {
    if (!out.empty() && out.back().name == l.name) {
      out.back() = std::move(l);
    } else {
      out.push_back(std::move(l));
    }
  }
  std::erase_if(out, [](const Label& l) { return l.value.empty(); });
  *v = std::move(out);
}

}  // namespace

Labels::Labels(std::initializer_list<Label> labels) : labels_(labels) { SortDedup(&labels_); }

Labels Labels::FromUnsorted(std::vector<Label> labels) {
  Labels l;
  l.labels_ = std::move(labels);
  SortDedup(&l.labels_);
  return l;
}

std::string_view Labels::Get(std::string_view name) const {
  for (const auto& l : labels_) {
    if (l.name == name) return l.value;
  }
  return {};
}

bool Labels::Has(std::string_view name) const {
  for (const auto& l : labels_) {
    if (l.name == name) return true;
  }
  return false;
}

uint64_t Labels::Hash() const {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const auto& l : labels_) {
    h = Mix(h, l.name);
    h = Mix(h, l.value);
  }
  return h ^ (h >> 29);
}

std::string Labels::ToString() const {
  std::string out(MetricName());
  out.push_back('{');
  bool first = true;
  for (const auto& l : labels_) {
    if (l.name == kMetricName) continue;
    if (!first) out.push_back(',');
    first = false;
    out.append(l.name).append("=\"");
    AppendEscapedLabelValue(&out, l.value);
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

bool Labels::operator<(const Labels& o) const {
  size_t n = std::min(labels_.size(), o.labels_.size());
  for (size_t i = 0; i < n; ++i) {
    if (labels_[i].name != o.labels_[i].name) return labels_[i].name < o.labels_[i].name;
    if (labels_[i].value != o.labels_[i].value) return labels_[i].value < o.labels_[i].value;
  }
  return labels_.size() < o.labels_.size();
}

LabelsBuilder::LabelsBuilder(const Labels& base) { Reset(base); }

void LabelsBuilder::Reset(const Labels& base) { labels_ = base.items(); }

void LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) {
    Del(name);
    return;
  }
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels_.end() && it->name == name) {
    it->value.assign(value);
  } else {
    labels_.insert(it, Label{std::string(name), std::string(value)});
  }
}

void LabelsBuilder::Del(std::string_view name) {
  std::erase_if(labels_, [&](const Label& l) { return l.name == name; });
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  for (const auto& l : labels_) {
    if (l.name == name) return l.value;
  }
  return {};
}

Labels LabelsBuilder::Build() const { return Labels::FromUnsorted(labels_); }

void AppendEscapedLabelValue(std::string* out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '"': out->append("\\\""); break;
      case '\n': out->append("\\n"); break;
      default: out->push_back(c);
    }
  }
}

bool IsValidMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void AppendLabelsJson(std::string* out, const Labels& labels) {
  out->push_back('{');
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, l.name);
    out->push_back(':');
    AppendJsonString(out, l.value);
  }
  out->push_back('}');
}

}  // namespace infermetry::model
