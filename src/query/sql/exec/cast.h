#pragma once
// Casts between SQL types and the text form of values, as PostgreSQL does them.

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "query/sql/column.h"
#include "query/sql/value.h"

namespace infermetry::sql::exec {

// The type a cast target names ("bigint", "integer", "double precision", "numeric", "text",
// "varchar", "timestamp", "timestamptz", "date", "interval", "boolean", ...); nullopt when
// unknown. `*date` is set for "date" (timestamps truncated to the day).
std::optional<Type> CastTargetType(std::string_view name, bool* date = nullptr);

// `v` converted to `to`. Errors (kInvalidArgument) name the value and the type:
//   invalid input syntax for type bigint: "abc"; bigint out of range.
// Floats become integers rounding half away from zero.
Result<Value> CastValue(const Value& v, Type to);

// PostgreSQL's output text of a value: booleans "true"/"false", float8 with the shortest
// round-trip digits ("Infinity", "NaN", exponent form below 1e-4 or from 1e15), timestamps
// and intervals as their types print. NULL gives "".
std::string ValueToText(const Value& v);
void AppendFloat8(std::string* out, double d);

// Three-way comparison of two non-NULL values of the same type (text bytewise, intervals by
// their PostgreSQL ordering key, floats with NaN greater than everything).
int CompareValues(const Value& a, const Value& b);

// A byte string that is equal for equal values of the same type (NULLs equal each other):
// for hashing group keys, DISTINCT and set operations.
void AppendKey(std::string* out, const Value& v);
// The same bytes for row `row` of a column, without building a Value.
void AppendCellKey(std::string* out, const Column& c, size_t row);

}  // namespace infermetry::sql::exec
