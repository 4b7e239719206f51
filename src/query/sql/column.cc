#include "query/sql/column.h"

namespace infermetry::sql {

size_t Column::size() const {
  switch (type) {
    case Type::kBool:
    case Type::kInt64:
    case Type::kTimestamp: return ints.size();
    case Type::kFloat64: return doubles.size();
    case Type::kText: return strings.size();
    case Type::kInterval: return intervals.size();
    case Type::kNull: return nulls.size();
  }
  return 0;
}

Value Column::Get(size_t row) const {
  if (type == Type::kNull || IsNull(row)) return Value::Null(type);
  switch (type) {
    case Type::kBool: return Value::Bool(ints[row] != 0);
    case Type::kInt64: return Value::Int(ints[row]);
    case Type::kTimestamp: return Value::Timestamp(ints[row]);
    case Type::kFloat64: return Value::Float(doubles[row]);
    case Type::kText: return Value::Text(strings[row]);
    case Type::kInterval: return Value::Interv(intervals[row]);
    case Type::kNull: break;
  }
  return Value::Null(type);
}

void Column::AppendNull() {
  // A NULL-typed column keeps its length in `nulls` alone.
  if (nulls.empty() && type != Type::kNull) nulls.assign(size(), 0);
  nulls.push_back(1);
  switch (type) {
    case Type::kBool:
    case Type::kInt64:
    case Type::kTimestamp: ints.push_back(0); break;
    case Type::kFloat64: doubles.push_back(0); break;
    case Type::kText: strings.emplace_back(); break;
    case Type::kInterval: intervals.emplace_back(); break;
    case Type::kNull: break;
  }
}

void Column::Append(const Value& v) {
  if (v.null || type == Type::kNull) {
    AppendNull();
    return;
  }
  if (!nulls.empty()) nulls.push_back(0);
  switch (type) {
    case Type::kBool:
    case Type::kInt64:
    case Type::kTimestamp: ints.push_back(v.i); break;
    case Type::kFloat64: doubles.push_back(v.d); break;
    case Type::kText: strings.push_back(v.s); break;
    case Type::kInterval: intervals.push_back(v.iv); break;
    case Type::kNull: break;
  }
}

void Column::Reserve(size_t n) {
  switch (type) {
    case Type::kBool:
    case Type::kInt64:
    case Type::kTimestamp: ints.reserve(n); break;
    case Type::kFloat64: doubles.reserve(n); break;
    case Type::kText: strings.reserve(n); break;
    case Type::kInterval: intervals.reserve(n); break;
    case Type::kNull: nulls.reserve(n); break;
  }
}

size_t Column::MemoryBytes() const {
  size_t bytes = nulls.capacity() + ints.capacity() * sizeof(int64_t) +
                 doubles.capacity() * sizeof(double) + intervals.capacity() * sizeof(Interval) +
                 strings.capacity() * sizeof(std::string);
  for (const std::string& s : strings) {
    if (s.capacity() > 15) bytes += s.capacity();  // beyond the small-string buffer
  }
  return bytes;
}

}  // namespace infermetry::sql

namespace infermetry::sql {

void HistogramAnnex::AppendRow(const HistogramAnnex& src, size_t r) {
  const size_t n = upper.size();
  lower.push_back(src.lower[r]);
  upper.push_back(src.upper[r]);
  sum_share.push_back(src.sum_share[r]);
  if (!src.count.empty() || !count.empty()) {
    if (count.empty()) count.assign(n, 1);
    count.push_back(src.Count(r));
  }
}

void HistogramAnnex::Append(const HistogramAnnex& src) {
  const size_t n = upper.size();
  lower.insert(lower.end(), src.lower.begin(), src.lower.end());
  upper.insert(upper.end(), src.upper.begin(), src.upper.end());
  sum_share.insert(sum_share.end(), src.sum_share.begin(), src.sum_share.end());
  if (!src.count.empty() || !count.empty()) {
    if (count.empty()) count.assign(n, 1);
    if (src.count.empty()) {
      count.insert(count.end(), src.upper.size(), 1);
    } else {
      count.insert(count.end(), src.count.begin(), src.count.end());
    }
  }
}

size_t HistogramAnnex::MemoryBytes() const {
  return (lower.capacity() + upper.capacity() + sum_share.capacity()) * sizeof(double) +
         count.capacity() * sizeof(int64_t);
}

}  // namespace infermetry::sql
