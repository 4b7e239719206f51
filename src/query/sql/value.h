#pragma once
// SQL values and types, PostgreSQL's subset that infermetry speaks.
//
// Types: boolean, bigint (kInt64), double precision (kFloat64; numeric literals and numeric
// results are computed as doubles), text, timestamp (kTimestamp: microseconds since the Unix
// epoch, UTC, no time zone; printed as PostgreSQL prints `timestamp`), interval (months, days,
// microseconds, as PostgreSQL keeps them). kNull is the type of an untyped NULL literal only;
// every value of any type may be NULL.

#include <cstdint>
#include <string>
#include <string_view>

namespace infermetry::sql {

enum class Type : uint8_t { kNull, kBool, kInt64, kFloat64, kText, kTimestamp, kInterval };

// "boolean", "bigint", "double precision", "text", "timestamp", "interval", "unknown".
std::string_view TypeName(Type t);

struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  bool operator==(const Interval&) const = default;
};

// One value: the type, whether it is NULL, and the payload of that type.
struct Value {
  Type type = Type::kNull;
  bool null = true;
  int64_t i = 0;  // kBool (0/1), kInt64, kTimestamp
  double d = 0;   // kFloat64
  std::string s;  // kText
  Interval iv;    // kInterval

  static Value Null(Type t = Type::kNull) { Value v; v.type = t; return v; }
  static Value Bool(bool b) { Value v; v.type = Type::kBool; v.null = false; v.i = b; return v; }
  static Value Int(int64_t x) { Value v; v.type = Type::kInt64; v.null = false; v.i = x; return v; }
  static Value Float(double x) { Value v; v.type = Type::kFloat64; v.null = false; v.d = x; return v; }
  static Value Text(std::string x) { Value v; v.type = Type::kText; v.null = false; v.s = std::move(x); return v; }
  static Value Timestamp(int64_t us) { Value v; v.type = Type::kTimestamp; v.null = false; v.i = us; return v; }
  static Value Interv(Interval x) { Value v; v.type = Type::kInterval; v.null = false; v.iv = x; return v; }
};

}  // namespace infermetry::sql
