#pragma once
// The PromQL parser: query text -> type-checked syntax tree (ast.h), Prometheus 2.42's grammar.
// Errors are kParseError with Prometheus's spelling: "1:5: parse error: unexpected ...".

#include <string_view>

#include "common/result.h"
#include "query/promql/ast.h"

namespace infermetry::promql {

Result<NodePtr> Parse(std::string_view input);

// "instant vector", "range vector", "scalar", "string": the names type errors use.
std::string_view DocumentedType(ValueType t);

}  // namespace infermetry::promql
