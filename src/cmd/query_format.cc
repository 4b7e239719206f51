#include "cmd/query_format.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "query/sql/parser/interval_text.h"
#include "server/api/parseable_json.h"
#include "server/api/sql_api.h"

namespace infermetry::cmd {
namespace {

using api::JsonValue;

struct Cells {
  std::vector<std::string> columns;
  std::vector<bool> numeric;  // every non-null value of the column is a JSON number
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// A cell's text: strings as they are, other values as their JSON text.
std::optional<std::string> CellText(std::string_view response, const JsonValue* v) {
  if (v == nullptr || v->kind == JsonValue::Kind::kNull) return std::nullopt;
  if (v->kind == JsonValue::Kind::kString) return v->s;
  return std::string(response.substr(v->begin, v->end - v->begin));
}

// Display width: UTF-8 code points.
size_t Width(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string Table(const Cells& c) {
  const size_t n = c.columns.size();
  std::vector<size_t> width(n);
  for (size_t i = 0; i < n; ++i) {
    width[i] = Width(c.columns[i]);
    for (const auto& row : c.rows) width[i] = std::max(width[i], row[i] ? Width(*row[i]) : 0);
  }
  std::string out;
  auto pad = [&](size_t count) { out.append(count, ' '); };
  // Header: names centered, as psql does.
  for (size_t i = 0; i < n; ++i) {
    out += i == 0 ? " " : " | ";
    size_t space = width[i] - Width(c.columns[i]);
    pad(space / 2);
    out += c.columns[i];
    if (i + 1 < n) pad(space - space / 2);
  }
  out += "\n";
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += "+";
    out.append(width[i] + 2, '-');
  }
  out += "\n";
  for (const auto& row : c.rows) {
    for (size_t i = 0; i < n; ++i) {
      out += i == 0 ? " " : " | ";
      std::string_view text = row[i] ? std::string_view(*row[i]) : std::string_view();
      size_t space = width[i] - Width(text);
      if (c.numeric[i]) {
        pad(space);
        out += text;
      } else {
        out += text;
        if (i + 1 < n) pad(space);
      }
    }
    out += "\n";
  }
  out += "(" + std::to_string(c.rows.size()) + (c.rows.size() == 1 ? " row)\n" : " rows)\n");
  return out;
}

void CsvField(std::string* out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char ch : s) {
    if (ch == '"') out->push_back('"');
    out->push_back(ch);
  }
  out->push_back('"');
}

void CsvHeader(std::string* out, const std::vector<std::string>& columns) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out->push_back(',');
    CsvField(out, columns[i]);
  }
  out->push_back('\n');
}

std::string Csv(const Cells& c) {
  std::string out;
  CsvHeader(&out, c.columns);
  for (const auto& row : c.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ",";
      if (row[i]) CsvField(&out, *row[i]);
    }
    out += "\n";
  }
  return out;
}

// One value of a result as the JSON path shows it: strings (timestamps, intervals, and the
// "NaN"/"Infinity" of doubles) without their quotes, other values as their JSON literal.
// False for NULL; *number tells whether the JSON literal is a number.
bool ResultCell(const sql::Column& c, size_t row, std::string* text, bool* number) {
  text->clear();
  *number = false;
  if (c.IsNull(row) || c.type == sql::Type::kNull) return false;
  switch (c.type) {
    case sql::Type::kText:
      text->assign(c.strings[row]);
      return true;
    case sql::Type::kTimestamp:
      text->assign(api::FormatRecordTimestamp(c.ints[row]));
      return true;
    case sql::Type::kInterval:
      text->assign(sql::FormatInterval(c.intervals[row]));
      return true;
    default:
      api::AppendValueJson(c, row, text);
      if (!text->empty() && text->front() == '"') {
        *text = text->substr(1, text->size() - 2);
      } else {
        *number = c.type == sql::Type::kInt64 || c.type == sql::Type::kFloat64;
      }
      return true;
  }
}

std::vector<std::string> ResultColumns(const sql::QueryResult& r) {
  std::vector<std::string> names;
  for (const sql::ColumnSchema& c : r.columns) names.push_back(c.name);
  return names;
}

// CSV straight from the batches: no copy of the rows on the way.
std::string ResultCsv(const sql::QueryResult& r) {
  std::string out, text;
  CsvHeader(&out, ResultColumns(r));
  bool number;
  for (const sql::Batch& b : r.batches) {
    const size_t n = std::min(r.columns.size(), b.columns.size());
    for (size_t row = 0; row < b.num_rows; ++row) {
      for (size_t i = 0; i < n; ++i) {
        if (i > 0) out.push_back(',');
        if (ResultCell(b.columns[i], row, &text, &number)) CsvField(&out, text);
      }
      out.push_back('\n');
    }
  }
  return out;
}

Cells ResultCells(const sql::QueryResult& r) {
  Cells c;
  c.columns = ResultColumns(r);
  c.numeric.assign(c.columns.size(), true);
  std::string text;
  bool number;
  for (const sql::Batch& b : r.batches) {
    for (size_t row = 0; row < b.num_rows; ++row) {
      std::vector<std::optional<std::string>> cells(c.columns.size());
      for (size_t i = 0; i < c.columns.size() && i < b.columns.size(); ++i) {
        if (!ResultCell(b.columns[i], row, &text, &number)) continue;
        if (!number) c.numeric[i] = false;
        cells[i] = text;
      }
      c.rows.push_back(std::move(cells));
    }
  }
  return c;
}

}  // namespace

Result<QueryFormat> ParseQueryFormat(std::string_view name) {
  if (name == "table") return QueryFormat::kTable;
  if (name == "csv") return QueryFormat::kCsv;
  if (name == "json") return QueryFormat::kJson;
  return InvalidArgument("--format: want table, csv or json, got \"" + std::string(name) + "\"");
}

Result<std::string> FormatQueryResponse(std::string_view response, QueryFormat format) {
  auto parsed = api::ParseJson(response);
  if (!parsed.ok()) return parsed.status();
  const JsonValue* fields = parsed->Find("fields");
  const JsonValue* records = parsed->Find("records");
  if (fields == nullptr || records == nullptr || fields->kind != JsonValue::Kind::kArray ||
      records->kind != JsonValue::Kind::kArray) {
    return ParseError("the response is not {\"fields\": [...], \"records\": [...]}");
  }
  if (format == QueryFormat::kJson) {
    return std::string(response.substr(records->begin, records->end - records->begin)) + "\n";
  }
  Cells c;
  for (const JsonValue& f : fields->items) {
    if (f.kind != JsonValue::Kind::kString) return ParseError("the response's fields are not strings");
    c.columns.push_back(f.s);
  }
  c.numeric.assign(c.columns.size(), true);
  for (const JsonValue& r : records->items) {
    if (r.kind != JsonValue::Kind::kObject) return ParseError("a record of the response is not an object");
    std::vector<std::optional<std::string>> row;
    // Members in column order; a duplicate column name reads the member at the same position.
    for (size_t i = 0; i < c.columns.size(); ++i) {
      const JsonValue* v = i < r.members.size() && r.members[i].first == c.columns[i] ? &r.members[i].second
                                                                                       : r.Find(c.columns[i]);
      if (v != nullptr && v->kind != JsonValue::Kind::kNull && !v->is_number()) c.numeric[i] = false;
      row.push_back(CellText(response, v));
    }
    c.rows.push_back(std::move(row));
  }
  return format == QueryFormat::kCsv ? Csv(c) : Table(c);
}

std::string FormatQueryResult(const sql::QueryResult& result, QueryFormat format) {
  switch (format) {
    case QueryFormat::kJson: {
      std::string out;
      api::AppendRecordsJson(result, /*with_fields=*/false, &out);
      return out + "\n";
    }
    case QueryFormat::kCsv:
      return ResultCsv(result);
    case QueryFormat::kTable:
      break;
  }
  return Table(ResultCells(result));
}

}  // namespace infermetry::cmd
