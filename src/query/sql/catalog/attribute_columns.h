#pragma once
// Attribute columns of trace, log and event tables (docs/sql.md): one column per attribute
// key, typed by the values seen, and conversions of attribute values to a column's type.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/span.h"
#include "query/sql/table.h"

namespace infermetry::sql::catalog {

// Collects the keys and value types of attributes; Types() then gives each key's column type:
// bigint when every value was an integer, double precision when every value was numeric,
// boolean when every value was a bool, text otherwise.
class AttributeTypes {
 public:
  void Add(const model::Attributes& attrs);
  std::map<std::string, Type> Types() const;

 private:
  struct Seen {
    bool ints = false, doubles = false, bools = false, other = false;
  };
  std::map<std::string, Seen> seen_;
};

// `v` as a value of type `t`; NULL when it does not convert (docs/sql.md, event tables).
Value ConvertAttribute(const model::AttrValue& v, Type t);

// Microseconds since the epoch of an RFC 3339 / ISO 8601 timestamp text
// (YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]; no zone means UTC); nullopt otherwise.
std::optional<int64_t> ParseIsoTimestamp(std::string_view s);

// Column name for attribute `key` given the table's fixed column names: the key itself, or
// attr_<key> when a fixed column has that name.
std::string AttributeColumnName(const std::vector<ColumnSchema>& fixed, const std::string& key);

}  // namespace infermetry::sql::catalog
