#pragma once
// A table whose rows were read into columns when it was found (trace, log and event tables):
// scans filter them by the time column and project the requested columns.

#include <memory>
#include <string>
#include <vector>

#include "query/sql/table.h"

namespace infermetry::sql::catalog {

class MaterializedTable : public Table {
 public:
  // `columns` match `schema` and have equal length; `time_column` indexes a kTimestamp column.
  MaterializedTable(std::vector<ColumnSchema> schema, std::vector<Column> columns,
                    size_t time_column);

  const std::vector<ColumnSchema>& schema() const override { return schema_; }
  Result<std::unique_ptr<BatchReader>> Scan(const ScanRequest& req) override;
  size_t num_rows() const { return rows_; }

 private:
  std::vector<ColumnSchema> schema_;
  std::shared_ptr<const std::vector<Column>> columns_;
  size_t time_column_;
  size_t rows_;
};

}  // namespace infermetry::sql::catalog
