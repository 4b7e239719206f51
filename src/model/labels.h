#pragma once
// Labels: a series' identity, a set of (name, value) pairs sorted by name with unique names.
// The metric name is the label "__name__". Value type: copyable, comparable, hashable.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace infermetry::model {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
};

class Labels {
 public:
  Labels() = default;
  // Sorts; on duplicate names the last one wins. Empty values are dropped (an empty label
  // value is the same as an absent label in Prometheus).
  Labels(std::initializer_list<Label> labels);
  static Labels FromUnsorted(std::vector<Label> labels);

  // "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricName); }

  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  const std::vector<Label>& items() const { return labels_; }
  auto begin() const { return labels_.begin(); }
  auto end() const { return labels_.end(); }

  // Stable 64-bit hash of names and values (xxhash-like mixing; not cryptographic).
  uint64_t Hash() const;

  // name{a="1",b="2"} with Prometheus label-value escaping; {a="1"} when there is no name.
  std::string ToString() const;

  bool operator==(const Labels& o) const { return labels_ == o.labels_; }
  bool operator<(const Labels& o) const;

 private:
  std::vector<Label> labels_;
};

// Builds a Labels by setting and deleting names; used by relabeling and target labels.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base);
  void Reset(const Labels& base);
  // Setting an empty value deletes the label.
  void Set(std::string_view name, std::string_view value);
  void Del(std::string_view name);
  std::string_view Get(std::string_view name) const;
  Labels Build() const;
  const std::vector<Label>& items() const { return labels_; }

 private:
  std::vector<Label> labels_;  // kept sorted by name
};

// Appends `v` with Prometheus label-value escaping (\\, \", \n).
void AppendEscapedLabelValue(std::string* out, std::string_view v);
// Appends the labels as a JSON object {"name":"value",...} in label order.
void AppendLabelsJson(std::string* out, const Labels& labels);

// Names: [a-zA-Z_:][a-zA-Z0-9_:]* for metrics, [a-zA-Z_][a-zA-Z0-9_]* for labels.
bool IsValidMetricName(std::string_view s);
bool IsValidLabelName(std::string_view s);

}  // namespace infermetry::model
