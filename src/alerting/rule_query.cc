#include "alerting/rule_query.h"

#include "query/promql/engine.h"
#include "query/sql/engine.h"

namespace infermetry::alerting {
namespace {

Result<std::vector<InstanceSample>> RunPromQL(const RuleQueryOptions& o, const RuleSpec& rule,
                                              int64_t t_ms) {
  if (o.promql == nullptr || o.metrics == nullptr) {
    return Status(Code::kInvalidArgument, "no metrics store for PromQL rules");
  }
  INFERMETRY_ASSIGN_OR_RETURN(promql::QueryResult r, o.promql->Instant(o.metrics, rule.expr, t_ms));
  std::vector<InstanceSample> out;
  switch (r.type) {
    case promql::ValueType::kScalar: out.push_back({model::Labels(), r.scalar.v}); break;
    case promql::ValueType::kVector:
      for (auto& s : r.series) {
        if (!s.points.empty()) out.push_back({std::move(s.labels), s.points.back().v});
      }
      break;
    default:
      return Status(Code::kInvalidArgument,
                    "rule expression must be an instant vector or a scalar, got " +
                        std::string(promql::ValueTypeName(r.type)));
  }
  return out;
}

std::string LabelNameOf(const std::string& column) {
  std::string n = column.empty() ? "_" : column;
  for (char& c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  if (n[0] >= '0' && n[0] <= '9') n = "_" + n;
  return n;
}

Result<std::vector<InstanceSample>> RunSql(const RuleQueryOptions& o, const RuleSpec& rule,
                                           int64_t t_ms) {
  if (o.catalog == nullptr) return Status(Code::kInvalidArgument, "no SQL catalog for SQL rules");
  sql::QueryOptions qo;
  qo.timeout = o.sql_timeout;
  qo.memory_limit_bytes = o.sql_memory_limit_bytes;
  qo.now_us = t_ms * 1000;
  INFERMETRY_ASSIGN_OR_RETURN(sql::QueryResult r, sql::ExecuteSql(rule.expr, o.catalog, qo));
  std::vector<std::string> names;
  for (const auto& c : r.columns) names.push_back(LabelNameOf(c.name));
  std::vector<InstanceSample> out;
  for (const sql::Batch& b : r.batches) {
    for (size_t row = 0; row < b.num_rows; ++row) {
      std::vector<model::Label> labels;
      bool numeric = false, null_value = false;
      double value = 1;
      for (size_t c = 0; c < b.columns.size(); ++c) {
        const sql::Column& col = b.columns[c];
        switch (col.type) {
          case sql::Type::kText:
            if (!col.IsNull(row)) labels.push_back({names[c], col.strings[row]});
            break;
          case sql::Type::kBool:
            if (!col.IsNull(row)) labels.push_back({names[c], col.ints[row] ? "true" : "false"});
            break;
          case sql::Type::kInt64:
          case sql::Type::kFloat64:
            numeric = true;
            null_value = col.IsNull(row);
            if (!null_value) {
              value = col.type == sql::Type::kInt64 ? static_cast<double>(col.ints[row]) : col.doubles[row];
            }
            break;
          default: break;
        }
      }
      if (numeric && null_value) continue;
      out.push_back({model::Labels::FromUnsorted(std::move(labels)), value});
    }
  }
  return out;
}

}  // namespace

RuleQueryFunc MakeRuleQuery(RuleQueryOptions options) {
  return [o = std::move(options)](const RuleSpec& rule, int64_t t_ms) {
    return rule.lang == QueryLanguage::kSql ? RunSql(o, rule, t_ms) : RunPromQL(o, rule, t_ms);
  };
}

}  // namespace infermetry::alerting
