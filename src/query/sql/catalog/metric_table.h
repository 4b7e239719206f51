#pragma once
// A metric stream as a SQL table (docs/sql.md, "Metric tables"): one row per stored sample
// (and, under a histogram's own name, one per observation its buckets stand for), with
// columns p_timestamp, name, value, raw_value, metric_type, unit, then one text column per
// label name and resource attribute seen in the table's time range, sorted by name.
//
// The default stream ("metrics", `stream` = "") holds every series; another holds the series
// labelled p_stream=<stream>. Scans honour the time range, ScanRequest::names (canonical
// names; every stored spelling and alias is selected) and the requested columns.
// Thread-safe: scans share the table's immutable state; each reader is used by one thread.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "query/sql/table.h"
#include "storage/querier.h"

namespace infermetry::sql::catalog {

// Fixed columns, in schema order.
enum MetricColumn : size_t {
  kMetricTimestamp = 0,
  kMetricName,
  kMetricValue,
  kMetricRawValue,
  kMetricType,
  kMetricUnit,
  kMetricFixedColumns,
};

class MetricTable : public Table {
 public:
  // Reads the label names, the resource attributes (target_info series) and the family
  // metadata in [min_time_us, max_time_us].
  static Result<std::shared_ptr<MetricTable>> Make(storage::Queryable* store, std::string stream,
                                                   int64_t min_time_us, int64_t max_time_us);

  const std::vector<ColumnSchema>& schema() const override { return schema_; }
  bool supports_name_pushdown() const override { return true; }
  bool names_exact() const override { return true; }
  std::optional<size_t> observation_column() const override { return kMetricValue; }
  std::optional<std::string> CanonicalText(size_t column, std::string_view text) const override;
  Result<std::unique_ptr<BatchReader>> Scan(const ScanRequest& req) override;

  // Shared with readers.
  struct State {
    storage::Queryable* store = nullptr;
    std::string stream;  // "" for the default stream
    std::vector<ColumnSchema> schema;
    std::vector<std::string> label_of;  // per schema column >= kMetricFixedColumns: label
    std::vector<storage::MetadataEntry> metadata;
    // (job, instance) -> resource attributes, from the target_info series.
    std::map<std::pair<std::string, std::string>, model::Labels> resources;
  };

 private:
  explicit MetricTable(std::shared_ptr<const State> s)
      : state_(std::move(s)), schema_(state_->schema) {}
  std::shared_ptr<const State> state_;
  std::vector<ColumnSchema> schema_;
};

// Converts a scan's inclusive microsecond bounds to inclusive millisecond bounds, kept within
// a range the store's arithmetic cannot overflow.
std::pair<int64_t, int64_t> MillisBounds(int64_t min_time_us, int64_t max_time_us);

}  // namespace infermetry::sql::catalog
