#pragma once
// In-memory tables for tests, benchmarks and differential tests: any schema, rows appended as
// Values, an optional time column and optional name pushdown, both honoured by filtering.
//
//   MemoryCatalog cat;
//   MemoryTable* t = cat.AddTable("m", {{"p_timestamp", Type::kTimestamp},
//                                      {"name", Type::kText}, {"value", Type::kFloat64}},
//                                 "p_timestamp");
//   t->AppendRow({Value::Timestamp(0), Value::Text("x"), Value::Float(1)});
//   ExecuteSql("SELECT ...", &cat, opts);
//
// Appending is not synchronized with scans: fill the tables, then query (any number of queries
// at once).

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/sql/table.h"

namespace infermetry::sql::exec {

class MemoryTable : public Table {
 public:
  // `time_column` ("" for none) must name a kTimestamp column; `name_pushdown` makes the
  // table honour ScanRequest::names on its column called "name" and offer its column called
  // "value" as observation_column() (it never returns counted rows).
  MemoryTable(std::vector<ColumnSchema> schema, std::string time_column,
              bool name_pushdown = false);

  const std::vector<ColumnSchema>& schema() const override { return schema_; }
  std::string_view time_column() const override { return time_column_; }
  bool supports_name_pushdown() const override { return name_pushdown_; }
  std::optional<size_t> observation_column() const override;
  Result<std::unique_ptr<BatchReader>> Scan(const ScanRequest& req) override;

  // Appends one row; values must match the schema's types (or be NULL). Integers are accepted
  // for double columns.
  Status AppendRow(std::vector<Value> row);
  // Sets the histogram annex of column `col` (same length as the table): for tests of
  // histogram semantics.
  void SetHistogram(size_t col, HistogramAnnex hist) { hists_[col] = std::move(hist); }
  size_t num_rows() const { return rows_; }
  // A copy of the last ScanRequest seen (for pushdown tests).
  ScanRequest last_request() const {
    std::lock_guard<std::mutex> l(mu_);
    return last_request_;
  }

 private:
  friend class MemoryReader;
  std::vector<ColumnSchema> schema_;
  std::string time_column_;
  int time_index_ = -1;
  int name_index_ = -1;
  bool name_pushdown_;
  std::vector<Column> columns_;
  std::map<size_t, HistogramAnnex> hists_;
  size_t rows_ = 0;
  mutable std::mutex mu_;
  ScanRequest last_request_;
};

class MemoryCatalog : public Catalog {
 public:
  // Adds (or replaces) a table and returns it; the catalog owns it.
  MemoryTable* AddTable(const std::string& name, std::vector<ColumnSchema> schema,
                        std::string time_column = "", bool name_pushdown = false);
  Result<std::shared_ptr<Table>> Find(std::string_view name, int64_t min_time_us,
                                      int64_t max_time_us) override;
  std::vector<std::string> TableNames() override;
  MemoryTable* Get(const std::string& name);

 private:
  std::map<std::string, std::shared_ptr<MemoryTable>> tables_;
};

}  // namespace infermetry::sql::exec
