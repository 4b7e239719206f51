#pragma once
// What a stored series is, for a metric table: its family's type (from the store's metadata,
// with suffix handling) and therefore whether its `value` is the sample itself or the increase
// since the previous sample, and which histogram it belongs to (docs/sql.md, "Metric types").

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/querier.h"

namespace infermetry::sql::catalog {

struct SeriesKind {
  std::string metric_type = "unknown";  // counter, gauge, histogram, summary, unknown
  bool increase = false;                // value = reset-aware increase (counters, parts)
  std::string unit;
  // A histogram's _bucket/_sum/_count series: the histogram's canonical name and the part.
  std::string histogram;
  std::string_view part;  // "_bucket", "_sum", "_count" (histogram parts only)
};

class FamilyIndex {
 public:
  // `metadata`: the store's family metadata; `stored_names`: every stored metric name in
  // the scan (to recognise histograms that have no metadata by their _bucket series).
  FamilyIndex(const std::vector<storage::MetadataEntry>& metadata,
              const std::vector<std::string>& stored_names);

  // The kind of series named `stored_name` (as stored); `has_le`: it has an `le` label.
  SeriesKind Resolve(std::string_view stored_name, bool has_le) const;

 private:
  struct Family {
    model::MetricType type;
    std::string unit;
  };
  std::map<std::string, Family> families_;  // by canonical family name
  std::set<std::string> bucket_bases_;      // canonical X of stored X_bucket names
};

}  // namespace infermetry::sql::catalog
