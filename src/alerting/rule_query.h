#pragma once
// How a rule's query runs at an evaluation time: PromQL as an instant query (a scalar result is
// one sample without labels), SQL with now() pinned to the evaluation time, each result row an
// instance:
//   - text and boolean columns become labels (column name -> label name, invalid characters
//     replaced by '_'; NULL or empty values are left out);
//   - the value is the row's last numeric column (bigint or double; NULL rows are skipped);
//     a row without numeric columns has value 1;
//   - timestamp and interval columns are ignored.
// So the guide's HAVING queries fire while they return a row, and GROUP BY queries give one
// alert per group.

#include <atomic>
#include <chrono>
#include <functional>
#include <vector>

#include "alerting/alerting_rule.h"
#include "common/result.h"

namespace infermetry::storage {
class Queryable;
}
namespace infermetry::promql {
class Engine;
}
namespace infermetry::sql {
class Catalog;
}

namespace infermetry::alerting {

// Evaluates `rule`'s query at `t_ms`. Thread-safe when the engines are.
using RuleQueryFunc =
    std::function<Result<std::vector<InstanceSample>>(const RuleSpec& rule, int64_t t_ms)>;

struct RuleQueryOptions {
  const promql::Engine* promql = nullptr;  // required for PromQL rules
  storage::Queryable* metrics = nullptr;   // required for PromQL rules
  sql::Catalog* catalog = nullptr;         // required for SQL rules
  std::chrono::milliseconds sql_timeout{30000};
  size_t sql_memory_limit_bytes = size_t{256} << 20;
};

// A query function over the given engines; a rule whose language has no engine gets
// kInvalidArgument.
RuleQueryFunc MakeRuleQuery(RuleQueryOptions options);

}  // namespace infermetry::alerting
