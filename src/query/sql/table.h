#pragma once
// The seam between the SQL engine and what it reads: a Catalog of Tables (streams), each
// scanned as columnar batches with the predicates the engine could push down.
//
//   INFERMETRY_ASSIGN_OR_RETURN(std::shared_ptr<Table> t, catalog->Find("vLLMmetrics"));
//   ScanRequest req; req.columns = {0, 2}; req.min_time_us = ...;
//   INFERMETRY_ASSIGN_OR_RETURN(auto reader, t->Scan(req));
//   Batch b;
//   while (true) { INFERMETRY_ASSIGN_OR_RETURN(bool more, reader->Next(&b)); if (!more) break; ... }
//
// Pushdown is a hint: a table returns at least the rows that satisfy it and may return more;
// the engine always re-applies the full WHERE clause. Tables are thread-safe; readers are not.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "query/sql/column.h"

namespace infermetry::sql {

struct ColumnSchema {
  std::string name;  // exact spelling; the engine matches unquoted identifiers case-insensitively
  Type type = Type::kNull;
};

struct ScanRequest {
  // Indexes into Table::schema() to produce, in this order (may be empty: rows only).
  std::vector<size_t> columns;
  // Inclusive bounds on the table's time column (Table::time_column()).
  int64_t min_time_us = INT64_MIN;
  int64_t max_time_us = INT64_MAX;
  // From `name = 'x'` / `name IN (...)` on a metric table: only these metric names are needed.
  std::optional<std::vector<std::string>> names;
  // With `names`: the query needs the rows of other names only for the values of the time
  // column (the engine proved the result the same, e.g. sum(CASE WHEN name = 'x' THEN value
  // ELSE 0 END) GROUP BY date_trunc('minute', p_timestamp)). A table that honours `names` must
  // then return, in place of those rows, at least one row per distinct time value among them,
  // with every other requested column NULL.
  bool other_names_as_times = false;
  // With other_names_as_times, when > 0: of those rows the query needs only which intervals
  // [k * g, (k + 1) * g) of milliseconds since the epoch hold one (its GROUP BY keys truncate
  // the time to whole intervals, and its WHERE clause only bounds the time). A table may then
  // return, in place of one row per distinct time, one row (at one of those times) for each
  // such interval that holds none of the named metrics' rows.
  int64_t other_times_granularity_ms = 0;
  // The query reads Table::observation_column() of rows that stand for histogram observations
  // only through aggregates that weigh a counted annex (count, sum, avg, percentile_cont,
  // percentile_disc of the bare column) and counts rows no other way. A table may then return,
  // in place of c such rows that differ only in that column's value, one row with
  // HistogramAnnex::count = c, the annex of those rows, and their mean as its value.
  bool observation_counts = false;
  // With observation_counts, when > 0: the query reads nothing of those rows but the counted
  // annex (through the same aggregates) and which interval [k * g, (k + 1) * g) of milliseconds
  // since the epoch their time falls in (its GROUP BY keys truncate the time to whole
  // intervals, no aggregate reads the time, and its WHERE clause only bounds the time, which
  // min_time_us/max_time_us then hold). A table may then return, for the rows of one interval
  // and one bucket (equal HistogramAnnex lower and upper) inside those bounds, one row at one of
  // their times, counting all their observations, with the count-weighted means of their
  // values and _sum shares.
  int64_t observation_merge_ms = 0;
  size_t batch_rows = 8192;
};

class BatchReader {
 public:
  virtual ~BatchReader() = default;
  // Fills `out` with the next rows (out->columns in ScanRequest::columns order); false at the
  // end. An error ends the scan.
  virtual Result<bool> Next(Batch* out) = 0;
};

class Table {
 public:
  virtual ~Table() = default;
  virtual const std::vector<ColumnSchema>& schema() const = 0;
  // The column time-range pushdown applies to; "" when the table has none.
  virtual std::string_view time_column() const { return "p_timestamp"; }
  // True when ScanRequest::names is honoured (a metric table's `name` column).
  virtual bool supports_name_pushdown() const { return false; }
  // True when a scan with ScanRequest::names and without other_names_as_times returns only
  // rows whose `name` (in its canonical spelling) is one of them, so that the engine need not
  // test the names again.
  virtual bool names_exact() const { return false; }
  // The column ScanRequest::observation_counts applies to; nullopt when the table has no rows
  // that stand for histogram observations.
  virtual std::optional<size_t> observation_column() const { return std::nullopt; }
  // For a comparison of column `column` with a text constant (=, <>, IN, CASE WHEN c = '..'):
  // the constant's canonical spelling when the table treats several spellings as one value, as
  // a metric table's `name` does (vllm:x and vllm_x; names vLLM renamed). The engine rewrites
  // the constant before comparing, and before pushing it down as ScanRequest::names.
  // nullopt: compare as written.
  virtual std::optional<std::string> CanonicalText(size_t column, std::string_view text) const {
    return std::nullopt;
  }
  virtual Result<std::unique_ptr<BatchReader>> Scan(const ScanRequest& req) = 0;
};

class Catalog {
 public:
  virtual ~Catalog() = default;
  // The table named `name`: an exact match first, then a case-insensitive one (unquoted SQL
  // identifiers are folded to lower case, stream names keep their case). kNotFound otherwise.
  // `min_time_us`/`max_time_us` bound the rows the query may read; a table may use them to
  // decide its columns (e.g. label columns seen in that range).
  virtual Result<std::shared_ptr<Table>> Find(std::string_view name, int64_t min_time_us,
                                              int64_t max_time_us) = 0;
  // Names of every table, sorted.
  virtual std::vector<std::string> TableNames() = 0;
};

}  // namespace infermetry::sql
