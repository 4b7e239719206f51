#include "query/sql/catalog/materialized_table.h"

namespace infermetry::sql::catalog {

namespace {

class MaterializedReader : public BatchReader {
 public:
  MaterializedReader(std::shared_ptr<const std::vector<Column>> cols, size_t time_column,
                     size_t rows, const ScanRequest& req)
      : cols_(std::move(cols)), time_(time_column), rows_(rows), req_(req) {
    if (req_.batch_rows == 0) req_.batch_rows = 8192;
  }

  Result<bool> Next(Batch* out) override {
    const Column& tc = (*cols_)[time_];
    std::vector<uint32_t> sel;
    while (sel.empty() && pos_ < rows_) {
      size_t end = std::min(rows_, pos_ + req_.batch_rows);
      for (size_t r = pos_; r < end; ++r) {
        if (tc.IsNull(r)) continue;
        int64_t t = tc.ints[r];
        if (t >= req_.min_time_us && t <= req_.max_time_us) sel.push_back(static_cast<uint32_t>(r));
      }
      pos_ = end;
    }
    if (sel.empty()) return false;
    *out = Batch();
    for (size_t c : req_.columns) {
      const Column& src = (*cols_)[c];
      Column col(src.type);
      col.Reserve(sel.size());
      for (uint32_t r : sel) col.Append(src.Get(r));
      out->columns.push_back(std::move(col));
    }
    out->num_rows = sel.size();
    return true;
  }

 private:
  std::shared_ptr<const std::vector<Column>> cols_;
  size_t time_;
  size_t rows_;
  ScanRequest req_;
  size_t pos_ = 0;
};

}  // namespace

MaterializedTable::MaterializedTable(std::vector<ColumnSchema> schema, std::vector<Column> columns,
                                     size_t time_column)
    : schema_(std::move(schema)),
      time_column_(time_column),
      rows_(columns.empty() ? 0 : columns[time_column].size()) {
  columns_ = std::make_shared<const std::vector<Column>>(std::move(columns));
}

Result<std::unique_ptr<BatchReader>> MaterializedTable::Scan(const ScanRequest& req) {
  for (size_t c : req.columns) {
    if (c >= schema_.size()) {
      return Status(Code::kInvalidArgument, "table scan: column index " + std::to_string(c) +
                                                " out of range (table has " +
                                                std::to_string(schema_.size()) + " columns)");
    }
  }
  return std::unique_ptr<BatchReader>(
      std::make_unique<MaterializedReader>(columns_, time_column_, rows_, req));
}

}  // namespace infermetry::sql::catalog
