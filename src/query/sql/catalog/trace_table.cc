#include "query/sql/catalog/trace_table.h"

#include <algorithm>
#include <limits>

#include "query/sql/catalog/attribute_columns.h"
#include "query/sql/catalog/materialized_table.h"

namespace infermetry::sql::catalog {

namespace {

int64_t ToNanos(int64_t us) {
  if (us <= std::numeric_limits<int64_t>::min() / 1000) return std::numeric_limits<int64_t>::min();
  if (us >= std::numeric_limits<int64_t>::max() / 1000) return std::numeric_limits<int64_t>::max();
  return us * 1000;
}

// Spans' and logs' times are nanoseconds; SQL timestamps microseconds (truncated).
Value Micros(int64_t ns) { return Value::Timestamp(ns >= 0 ? ns / 1000 : -((-ns + 999) / 1000)); }

std::string_view KindName(int32_t kind) {
  switch (kind) {
    case 1:
      return "INTERNAL";
    case 2:
      return "SERVER";
    case 3:
      return "CLIENT";
    case 4:
      return "PRODUCER";
    case 5:
      return "CONSUMER";
    default:
      return "UNSPECIFIED";
  }
}

std::string_view StatusName(int32_t code) {
  switch (code) {
    case 1:
      return "OK";
    case 2:
      return "ERROR";
    default:
      return "UNSET";
  }
}

template <size_t N>
bool AllZero(const std::array<uint8_t, N>& id) {
  for (uint8_t b : id) {
    if (b) return false;
  }
  return true;
}

template <size_t N>
Value HexOrNull(const std::array<uint8_t, N>& id) {
  return AllZero(id) ? Value::Null(Type::kText) : Value::Text(model::HexId(id));
}

bool HasStream(const model::Attributes& a, const model::Attributes& b, const std::string& stream) {
  for (const auto* attrs : {&a, &b}) {
    const model::AttrValue* v = model::FindAttr(*attrs, "p_stream");
    if (v && v->AsString() == stream) return true;
  }
  return false;
}

// Builds the fixed columns plus one per attribute key, then fills them row by row.
class TableBuilder {
 public:
  TableBuilder(std::vector<ColumnSchema> fixed, const std::map<std::string, Type>& attrs)
      : schema_(std::move(fixed)), fixed_(schema_.size()) {
    for (const auto& [key, type] : attrs) {
      if (key == "p_stream") continue;
      attr_index_[key] = schema_.size();
      schema_.push_back({AttributeColumnName(schema_, key), type});
    }
    for (const auto& c : schema_) columns_.emplace_back(c.type);
  }
  void Fixed(size_t i, const Value& v) { columns_[i].Append(v); }
  // Appends the row's attribute columns: the first attrs list wins over the second.
  void Attributes(const model::Attributes& first, const model::Attributes& second) {
    std::vector<const model::AttrValue*> vals(schema_.size(), nullptr);
    for (const auto* attrs : {&second, &first}) {
      for (const model::Attribute& a : *attrs) {
        auto it = attr_index_.find(a.key);
        if (it != attr_index_.end()) vals[it->second] = &a.value;
      }
    }
    for (size_t i = fixed_; i < schema_.size(); ++i) {
      columns_[i].Append(vals[i] ? ConvertAttribute(*vals[i], schema_[i].type) : Value::Null());
    }
  }
  std::shared_ptr<Table> Build() {
    return std::make_shared<MaterializedTable>(std::move(schema_), std::move(columns_), 0);
  }

 private:
  std::vector<ColumnSchema> schema_;
  size_t fixed_;
  std::map<std::string, size_t> attr_index_;
  std::vector<Column> columns_;
};

Result<std::vector<model::LogRecord>> ReadLogs(storage::LogQuerier* logs, int64_t min_us,
                                               int64_t max_us, const std::string& stream) {
  storage::LogQuery q;
  q.start_ns = ToNanos(min_us);
  q.end_ns = ToNanos(max_us);
  q.limit = std::numeric_limits<size_t>::max();
  INFERMETRY_ASSIGN_OR_RETURN(auto records, logs->SearchLogs(q));
  if (!stream.empty()) {
    std::erase_if(records, [&](const model::LogRecord& r) {
      return !HasStream(r.attributes, r.resource_attributes, stream);
    });
  }
  std::reverse(records.begin(), records.end());  // oldest first
  return records;
}

}  // namespace

Result<std::shared_ptr<Table>> MakeTraceTable(storage::SpanQuerier* spans,
                                              const std::string& stream, int64_t min_time_us,
                                              int64_t max_time_us) {
  storage::SpanQuery q;
  q.start_ns = ToNanos(min_time_us);
  q.end_ns = ToNanos(max_time_us);
  q.limit = std::numeric_limits<size_t>::max();
  if (!stream.empty()) q.attributes.push_back({"p_stream", stream});
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<model::Span> rows, spans->SearchSpans(q));
  std::reverse(rows.begin(), rows.end());  // oldest first
  AttributeTypes types;
  for (const model::Span& s : rows) {
    types.Add(s.attributes);
    types.Add(s.resource_attributes);
  }
  TableBuilder b({{"p_timestamp", Type::kTimestamp},
                  {"trace_id", Type::kText},
                  {"span_id", Type::kText},
                  {"parent_span_id", Type::kText},
                  {"name", Type::kText},
                  {"kind", Type::kText},
                  {"service_name", Type::kText},
                  {"start_time", Type::kTimestamp},
                  {"end_time", Type::kTimestamp},
                  {"duration_ms", Type::kFloat64},
                  {"status_code", Type::kText},
                  {"status_message", Type::kText}},
                 types.Types());
  for (const model::Span& s : rows) {
    b.Fixed(0, Micros(s.start_ns));
    b.Fixed(1, Value::Text(model::HexId(s.trace_id)));
    b.Fixed(2, Value::Text(model::HexId(s.span_id)));
    b.Fixed(3, HexOrNull(s.parent_span_id));
    b.Fixed(4, Value::Text(s.name));
    b.Fixed(5, Value::Text(std::string(KindName(s.kind))));
    b.Fixed(6, Value::Text(s.service_name));
    b.Fixed(7, Micros(s.start_ns));
    b.Fixed(8, Micros(s.end_ns));
    b.Fixed(9, Value::Float(static_cast<double>(s.duration_ns()) / 1e6));
    b.Fixed(10, Value::Text(std::string(StatusName(s.status_code))));
    b.Fixed(11, Value::Text(s.status_message));
    b.Attributes(s.attributes, s.resource_attributes);
  }
  return b.Build();
}

Result<std::shared_ptr<Table>> MakeLogTable(storage::LogQuerier* logs, const std::string& stream,
                                            int64_t min_time_us, int64_t max_time_us) {
  INFERMETRY_ASSIGN_OR_RETURN(auto rows, ReadLogs(logs, min_time_us, max_time_us, stream));
  AttributeTypes types;
  for (const model::LogRecord& r : rows) {
    types.Add(r.attributes);
    types.Add(r.resource_attributes);
  }
  TableBuilder b({{"p_timestamp", Type::kTimestamp},
                  {"severity_number", Type::kInt64},
                  {"severity_text", Type::kText},
                  {"body", Type::kText},
                  {"trace_id", Type::kText},
                  {"span_id", Type::kText},
                  {"service_name", Type::kText}},
                 types.Types());
  for (const model::LogRecord& r : rows) {
    b.Fixed(0, Micros(r.time_ns));
    b.Fixed(1, Value::Int(r.severity_number));
    b.Fixed(2, Value::Text(r.severity_text));
    b.Fixed(3, ConvertAttribute(r.body, Type::kText));
    b.Fixed(4, HexOrNull(r.trace_id));
    b.Fixed(5, HexOrNull(r.span_id));
    b.Fixed(6, Value::Text(r.service_name));
    b.Attributes(r.attributes, r.resource_attributes);
  }
  return b.Build();
}

Result<std::shared_ptr<Table>> MakeEventTable(storage::LogQuerier* logs, const StreamInfo& info,
                                              int64_t min_time_us, int64_t max_time_us) {
  INFERMETRY_ASSIGN_OR_RETURN(auto rows, ReadLogs(logs, min_time_us, max_time_us, info.name));
  std::vector<ColumnSchema> schema = info.fields;
  size_t time_col = schema.size();
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name == "p_timestamp") time_col = i;
  }
  if (time_col == schema.size()) {
    schema.insert(schema.begin(), {"p_timestamp", Type::kTimestamp});
    time_col = 0;
  }
  std::vector<Column> cols;
  for (const auto& c : schema) cols.emplace_back(c.type);
  for (const model::LogRecord& r : rows) {
    for (size_t i = 0; i < schema.size(); ++i) {
      if (i == time_col) {
        cols[i].Append(Micros(r.time_ns));
        continue;
      }
      const model::AttrValue* v = model::FindAttr(r.attributes, schema[i].name);
      cols[i].Append(v ? ConvertAttribute(*v, schema[i].type) : Value::Null());
    }
  }
  return std::shared_ptr<Table>(
      std::make_shared<MaterializedTable>(std::move(schema), std::move(cols), time_col));
}

}  // namespace infermetry::sql::catalog
