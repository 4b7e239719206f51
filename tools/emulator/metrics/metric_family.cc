#include "emulator/metrics/metric_family.h"

#include <algorithm>
#include <cmath>

namespace infermetry::emulator {

MetricFamily::MetricFamily(const FamilySpec& spec, std::vector<double> bounds)
    : spec_(&spec), bounds_(std::move(bounds)) {
  name_ = ExposedName(spec);
  created_base_ = std::string(spec.name);  // counters are registered without _total
  AppendHeader(&header_, name_, "", spec.help, FamilyTypeName(spec.type));
  AppendHeader(&created_header_, created_base_, "_created", spec.help, "gauge");
  for (double b : bounds_) {
    std::string s;
    AppendFloatToGoString(&s, b);
    le_.push_back(std::move(s));
  }
  if (spec.type == FamilyType::kHistogram) le_.push_back("+Inf");
}

int MetricFamily::AddChild(std::string key, std::vector<std::pair<std::string, std::string>> labels,
                           double created, uint64_t seq) {
  Child c;
  c.key = std::move(key);
  c.labels = RenderLabels(std::move(labels));
  c.created = created;
  c.seq = seq;
  if (spec_->type == FamilyType::kHistogram) c.buckets.assign(le_.size(), 0.0);
  children_.push_back(std::move(c));
  return num_children() - 1;
}

int MetricFamily::Find(std::string_view key) const {
  for (size_t i = 0; i < children_.size(); ++i) {
    if (children_[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

void MetricFamily::Inc(int child, double amount) noexcept {
  if (amount < 0) return;
  children_[child].value += amount;
}

void MetricFamily::Set(int child, double value) noexcept { children_[child].value = value; }

void MetricFamily::Observe(int child, double value) noexcept {
  Child& c = children_[child];
  c.value += value;
  if (spec_->type == FamilyType::kSummary) {
    c.count += 1;
    return;
  }
  // The first bucket whose bound is >= value (le semantics); NaN lands in none.
  if (std::isnan(value)) return;
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  c.buckets[i] += 1;
}

double MetricFamily::Count(int child) const {
  const Child& c = children_[child];
  if (spec_->type == FamilyType::kSummary) return c.count;
  double acc = 0;
  for (double b : c.buckets) acc += b;
  return acc;
}

void MetricFamily::AppendHistogramChild(std::string* out, const Child& c) const {
  double acc = 0;
  for (size_t i = 0; i < le_.size(); ++i) {
    acc += c.buckets[i];
    AppendBucket(out, name_, c.labels, le_[i], acc);
  }
  AppendSample(out, name_, "_count", c.labels.all, acc);
}

void MetricFamily::AppendText(std::string* out, bool with_created) const {
  out->append(header_);
  for (const Child& c : children_) {
    switch (spec_->type) {
      case FamilyType::kCounter:
      case FamilyType::kGauge:
        AppendSample(out, name_, "", c.labels.all, c.value);
        break;
      case FamilyType::kHistogram:
        AppendHistogramChild(out, c);
        // The client omits _sum when the first bound is negative; no vLLM bound is.
        AppendSample(out, name_, "_sum", c.labels.all, c.value);
        break;
      case FamilyType::kSummary:
        AppendSample(out, name_, "_count", c.labels.all, c.count);
        AppendSample(out, name_, "_sum", c.labels.all, c.value);
        break;
    }
  }
  if (!with_created || spec_->type == FamilyType::kGauge || children_.empty()) return;
  out->append(created_header_);
  for (const Child& c : children_)
    AppendSample(out, created_base_, "_created", c.labels.all, c.created);
}

void MetricFamily::AppendMultiprocessText(std::string* out) const {
  if (children_.empty()) return;
  out->append(header_);
  switch (spec_->type) {
    case FamilyType::kCounter:
    case FamilyType::kGauge:
      for (const Child& c : children_) AppendSample(out, name_, "", c.labels.all, c.value);
      break;
    case FamilyType::kHistogram:
      // The collector files hold `_sum` and the buckets; merging puts every `_sum` first and
      // derives `_count` from the accumulated buckets.
      for (const Child& c : children_) AppendSample(out, name_, "_sum", c.labels.all, c.value);
      for (const Child& c : children_) AppendHistogramChild(out, c);
      break;
    case FamilyType::kSummary:
      for (const Child& c : children_) {
        AppendSample(out, name_, "_count", c.labels.all, c.count);
        AppendSample(out, name_, "_sum", c.labels.all, c.value);
      }
      break;
  }
}

}  // namespace infermetry::emulator
