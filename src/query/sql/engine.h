#pragma once
// The SQL engine's entry point: parse, plan (pushing time ranges and metric names into the
// tables), execute vectorized, within a deadline and a memory budget.
//
//   QueryOptions opts;  opts.timeout = std::chrono::seconds(30);
//   Result<QueryResult> r = ExecuteSql("SELECT ...", catalog, opts);
//
// Errors (Status messages follow error.h): syntax errors (kParseError) and unknown names or
// type errors (kInvalidArgument) carry the position and a hint; a query that needs more than
// memory_limit_bytes fails with kResourceExhausted, one that runs past its timeout with
// kDeadlineExceeded. Thread-safe: any number of queries may run at once on one Catalog.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "query/sql/column.h"
#include "query/sql/table.h"

namespace infermetry::sql {

struct QueryOptions {
  std::chrono::milliseconds timeout{30000};
  size_t memory_limit_bytes = size_t{1} << 30;
  // now() / current_timestamp; 0 means the wall clock when the query starts.
  int64_t now_us = 0;
  // Rows of every table are limited to this time range (inclusive), as Parseable's
  // startTime/endTime limit a query.
  int64_t min_time_us = INT64_MIN;
  int64_t max_time_us = INT64_MAX;
  // Set from another thread to stop the query (kCancelled).
  const std::atomic<bool>* cancel = nullptr;
};

struct QueryStats {
  size_t rows_scanned = 0;
  size_t peak_memory_bytes = 0;
  double elapsed_seconds = 0;
};

struct QueryResult {
  std::vector<ColumnSchema> columns;
  std::vector<Batch> batches;  // rows in order; batch columns match `columns`
  QueryStats stats;
  std::string explain;  // EXPLAIN's plan text (the result then has one text column "QUERY PLAN")
  size_t num_rows() const;
};

Result<QueryResult> ExecuteSql(std::string_view sql, Catalog* catalog, const QueryOptions& opts);

}  // namespace infermetry::sql
