#pragma once
// Metric names as a metric table's `name` column shows them (docs/sql.md, "Metric names"):
// colons become underscores and names vLLM renamed become the current name, through the one
// alias table below. Also the reverse: every stored spelling of a canonical name, for pushing
// a name filter into the store as a __name__ matcher.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/querier.h"

namespace infermetry::sql::catalog {

struct MetricAlias {
  std::string_view old_name;      // canonical spelling (underscores) of the retired name
  std::string_view current_name;  // canonical spelling of the name that replaced it
};

// The alias table: old family name -> current family name. A series name matches an entry
// when it equals the family name or the family name plus one of _total, _bucket, _sum,
// _count, _created; the suffix is kept.
const std::vector<MetricAlias>& MetricAliases();

// `name` with ':' replaced by '_' and an old vLLM name replaced by its current one.
std::string CanonicalMetricName(std::string_view name);

// Every spelling under which series of canonical name `canonical` may be stored: the name
// and its aliases, each with any mix of ':' and '_' where the canonical has '_'. As an RE2
// alternative list (fully anchored by the matcher), optionally followed by
// (_bucket|_sum|_count) when `with_histogram_parts`.
std::string SpellingsRegex(const std::vector<std::string>& canonical_names,
                           bool with_histogram_parts);

// A __name__ matcher selecting every stored spelling of the names.
Result<storage::Matcher> NameMatcher(const std::vector<std::string>& canonical_names,
                                     bool with_histogram_parts);

}  // namespace infermetry::sql::catalog
