#include "query/sql/exec/memory_table.h"

#include <algorithm>

#include "common/strconv.h"

namespace infermetry::sql::exec {

MemoryTable::MemoryTable(std::vector<ColumnSchema> schema, std::string time_column,
                         bool name_pushdown)
    : schema_(std::move(schema)), time_column_(std::move(time_column)),
      name_pushdown_(name_pushdown) {
  for (size_t i = 0; i < schema_.size(); ++i) {
    columns_.emplace_back(schema_[i].type);
    if (schema_[i].name == time_column_ && schema_[i].type == Type::kTimestamp) time_index_ = i;
    if (schema_[i].name == "name" && schema_[i].type == Type::kText) name_index_ = i;
  }
  if (time_index_ < 0) time_column_.clear();
  if (name_index_ < 0) name_pushdown_ = false;
}

std::optional<size_t> MemoryTable::observation_column() const {
  if (!name_pushdown_) return std::nullopt;
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (schema_[i].name == "value") return i;
  }
  return std::nullopt;
}

Status MemoryTable::AppendRow(std::vector<Value> row) {
  if (row.size() != schema_.size()) {
    return InvalidArgument("row has " + std::to_string(row.size()) + " values, table has " +
                           std::to_string(schema_.size()) + " columns");
  }
  for (size_t i = 0; i < row.size(); ++i) {
    Value& v = row[i];
    if (!v.null && v.type != schema_[i].type) {
      if (v.type == Type::kInt64 && schema_[i].type == Type::kFloat64) {
        v = Value::Float(static_cast<double>(v.i));
      } else {
        return InvalidArgument("column \"" + schema_[i].name + "\" is " +
                               std::string(TypeName(schema_[i].type)) + ", value is " +
                               std::string(TypeName(v.type)));
      }
    }
  }
  for (size_t i = 0; i < row.size(); ++i) columns_[i].Append(row[i]);
  ++rows_;
  return Status::Ok();
}

class MemoryReader : public BatchReader {
 public:
  MemoryReader(const MemoryTable* t, ScanRequest req) : t_(t), req_(std::move(req)) {}

  Result<bool> Next(Batch* out) override {
    out->columns.clear();
    out->num_rows = 0;
    std::vector<uint32_t> sel;
    while (pos_ < t_->rows_ && sel.empty()) {
      size_t end = std::min(t_->rows_, pos_ + std::max<size_t>(1, req_.batch_rows));
      for (size_t r = pos_; r < end; ++r) {
        if (t_->time_index_ >= 0) {
          const Column& tc = t_->columns_[t_->time_index_];
          if (tc.IsNull(r) || tc.ints[r] < req_.min_time_us || tc.ints[r] > req_.max_time_us) {
            continue;
          }
        }
        if (req_.names && t_->name_pushdown_) {
          const Column& nc = t_->columns_[t_->name_index_];
          if (nc.IsNull(r) ||
              std::find(req_.names->begin(), req_.names->end(), nc.strings[r]) ==
                  req_.names->end()) {
            if (req_.other_names_as_times && t_->time_index_ >= 0) {
              other_times_.push_back(t_->columns_[t_->time_index_].ints[r]);
            }
            continue;
          }
        }
        sel.push_back(static_cast<uint32_t>(r));
      }
      pos_ = end;
    }
    if (sel.empty()) return OtherTimes(out);
    for (size_t c : req_.columns) {
      const Column& src = t_->columns_[c];
      Column col(src.type);
      if (!src.nulls.empty()) {
        col.nulls.reserve(sel.size());
        for (uint32_t r : sel) col.nulls.push_back(src.nulls[r]);
      }
      switch (src.type) {
        case Type::kBool: case Type::kInt64: case Type::kTimestamp:
          col.ints.reserve(sel.size());
          for (uint32_t r : sel) col.ints.push_back(src.ints[r]);
          break;
        case Type::kFloat64:
          col.doubles.reserve(sel.size());
          for (uint32_t r : sel) col.doubles.push_back(src.doubles[r]);
          break;
        case Type::kText:
          col.strings.reserve(sel.size());
          for (uint32_t r : sel) col.strings.push_back(src.strings[r]);
          break;
        case Type::kInterval:
          for (uint32_t r : sel) col.intervals.push_back(src.intervals[r]);
          break;
        case Type::kNull: break;
      }
      auto h = t_->hists_.find(c);
      if (h != t_->hists_.end()) {
        for (uint32_t r : sel) col.hist.AppendRow(h->second, r);
      }
      out->columns.push_back(std::move(col));
    }
    out->num_rows = sel.size();
    return true;
  }

 private:
  // ScanRequest::other_names_as_times: after the named rows, one row per distinct time of the
  // others, every other column NULL.
  Result<bool> OtherTimes(Batch* out) {
    if (other_times_.empty()) return false;
    std::sort(other_times_.begin(), other_times_.end());
    other_times_.erase(std::unique(other_times_.begin(), other_times_.end()), other_times_.end());
    for (size_t c : req_.columns) {
      Column col(t_->schema_[c].type);
      for (int64_t t : other_times_) {
        if (static_cast<int>(c) == t_->time_index_) {
          col.Append(Value::Timestamp(t));
        } else {
          col.AppendNull();
        }
      }
      out->columns.push_back(std::move(col));
    }
    out->num_rows = other_times_.size();
    other_times_.clear();
    return true;
  }

  const MemoryTable* t_;
  ScanRequest req_;
  size_t pos_ = 0;
  std::vector<int64_t> other_times_;
};

Result<std::unique_ptr<BatchReader>> MemoryTable::Scan(const ScanRequest& req) {
  for (size_t c : req.columns) {
    if (c >= schema_.size()) return InvalidArgument("scan of column " + std::to_string(c));
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    last_request_ = req;
  }
  return std::unique_ptr<BatchReader>(new MemoryReader(this, req));
}

MemoryTable* MemoryCatalog::AddTable(const std::string& name, std::vector<ColumnSchema> schema,
                                     std::string time_column, bool name_pushdown) {
  auto t = std::make_shared<MemoryTable>(std::move(schema), std::move(time_column),
                                         name_pushdown);
  tables_[name] = t;
  return t.get();
}

MemoryTable* MemoryCatalog::Get(const std::string& name) {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second.get();
}

Result<std::shared_ptr<Table>> MemoryCatalog::Find(std::string_view name, int64_t, int64_t) {
  auto it = tables_.find(std::string(name));
  if (it != tables_.end()) return std::shared_ptr<Table>(it->second);
  for (auto& [n, t] : tables_) {
    if (EqualsIgnoreCase(n, name)) return std::shared_ptr<Table>(t);
  }
  return NotFound("relation \"" + std::string(name) + "\" does not exist");
}

std::vector<std::string> MemoryCatalog::TableNames() {
  std::vector<std::string> out;
  for (auto& [n, t] : tables_) out.push_back(n);
  return out;
}

}  // namespace infermetry::sql::exec
