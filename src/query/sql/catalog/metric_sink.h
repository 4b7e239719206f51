#pragma once
// RowSink: appends a metric table's rows to batches of the requested columns and cuts them at
// ScanRequest::batch_rows. Rows that stand for histogram observations carry the value column's
// HistogramAnnex (with counts under ScanRequest::observation_counts); a batch never mixes them
// with ordinary rows (the annex is all or nothing). Under ScanRequest::observation_merge_ms the
// counted rows are merged per interval and bucket, and come out at Finish().

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "query/sql/catalog/metric_rows.h"
#include "query/sql/catalog/metric_table.h"

namespace infermetry::sql::catalog {

// What the rows of one series share.
struct SeriesContext {
  std::string name;
  std::string metric_type;
  std::string unit;
  // Per schema column: the label value, nullopt for NULL (only label columns are read).
  std::vector<std::optional<std::string>> labels;
};

class RowSink {
 public:
  RowSink(const MetricTable::State& t, const ScanRequest& req);

  // Fills ctx->labels for a series with `labels` (resource attributes joined on job+instance).
  void Prepare(const model::Labels& labels, SeriesContext* ctx) const;

  void Add(const SeriesContext& ctx, int64_t t_ms, std::optional<double> value,
           std::optional<double> raw);
  void AddObservation(const SeriesContext& ctx, const Observation& o);
  // A row with only the timestamp, every other column NULL (ScanRequest::other_names_as_times).
  void AddTimeOnly(int64_t t_ms);
  // Moves the rows not yet in a full batch into one.
  void Finish();

  bool HasReady() const { return !ready_.empty(); }
  Batch PopReady();

 private:
  struct Merged {  // the counted rows of one bucket in one interval
    double lower, upper;
    int64_t t_ms;  // the first merged row's
    int64_t count = 0;
    double value_sum = 0;  // of count * value
    double share_sum = 0;  // of count * sum_share
  };
  Merged& MergedFor(const Observation& o);

  void Start(bool histogram);
  void AppendCommon(const SeriesContext& ctx, int64_t t_ms);
  void AppendObservation(const SeriesContext& ctx, const Observation& o);
  void Cut();

  const MetricTable::State& t_;
  std::vector<size_t> columns_;
  size_t batch_rows_;
  bool counted_;  // ScanRequest::observation_counts
  int64_t merge_ms_;  // ScanRequest::observation_merge_ms (with counted_)
  std::map<int64_t, std::vector<Merged>> merged_;  // by interval
  std::vector<Merged>* interval_ = nullptr;  // the last row's interval in merged_
  int64_t interval_key_ = 0;
  size_t next_ = 0;  // where the next bucket is looked for first (buckets come in order)
  bool wants_value_ = false;
  size_t value_pos_ = 0;
  Batch cur_;
  bool cur_histogram_ = false;
  std::deque<Batch> ready_;
};

}  // namespace infermetry::sql::catalog
