#pragma once
// Columnar batches: the unit the executor and the tables exchange.
//
// A Column holds `size()` values of one type in the vector that type uses (ints for kBool,
// kInt64 and kTimestamp; doubles for kFloat64; strings for kText; intervals for kInterval);
// `nulls` is empty when no value is NULL, else one byte per row (1 = NULL, payload unspecified).
// A Batch is columns of equal length.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "query/sql/value.h"

namespace infermetry::sql {

// Per-row histogram facts on a metric table's `value` column for rows that stand for a
// histogram's observations (docs/sql.md): the bounds of the row's bucket, (lower, upper] with
// upper = +Inf for the +Inf bucket, and the row's share of the _sum increase of its series and
// interval. Empty vectors: the column holds ordinary values.
// `count`, when not empty, is the number of observations each row stands for (a table returns
// such rows only when asked: ScanRequest::observation_counts); empty: one each.
struct HistogramAnnex {
  std::vector<double> lower;
  std::vector<double> upper;
  std::vector<double> sum_share;
  std::vector<int64_t> count;
  bool empty() const { return upper.empty(); }
  int64_t Count(size_t row) const { return count.empty() ? 1 : count[row]; }
  // Appends row `r` of `src`, which must be non-empty and counted the same way as this annex
  // (or this annex empty).
  void AppendRow(const HistogramAnnex& src, size_t r);
  // Appends every row of `src`, likewise.
  void Append(const HistogramAnnex& src);
  size_t MemoryBytes() const;
};

struct Column {
  Type type = Type::kNull;
  std::vector<uint8_t> nulls;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string> strings;
  std::vector<Interval> intervals;
  // Kept by operators that move rows unchanged (filter, sort, gather, projection of the bare
  // column); dropped by any computation on the column. percentile_cont/percentile_disc then
  // equal Prometheus's histogram_quantile over the merged buckets of the group, and sum/avg use
  // the exact _sum increase.
  HistogramAnnex hist;

  explicit Column(Type t = Type::kNull) : type(t) {}
  size_t size() const;
  bool IsNull(size_t row) const { return !nulls.empty() && nulls[row] != 0; }
  Value Get(size_t row) const;
  // Appends `v` (which must be of this column's type, or NULL).
  void Append(const Value& v);
  void AppendNull();
  void Reserve(size_t n);
  // Bytes held, for the memory limit.
  size_t MemoryBytes() const;
};

struct Batch {
  std::vector<Column> columns;
  size_t num_rows = 0;
};

}  // namespace infermetry::sql
