#include "query/sql/value.h"

namespace infermetry::sql {

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kNull: return "unknown";
    case Type::kBool: return "boolean";
    case Type::kInt64: return "bigint";
    case Type::kFloat64: return "double precision";
    case Type::kText: return "text";
    case Type::kTimestamp: return "timestamp";
    case Type::kInterval: return "interval";
  }
  return "unknown";
}

}  // namespace infermetry::sql
