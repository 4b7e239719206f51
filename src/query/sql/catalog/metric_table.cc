#include "query/sql/catalog/metric_table.h"

#include <algorithm>
#include <set>

#include "query/sql/catalog/metric_names.h"
#include "query/sql/catalog/metric_reader.h"

namespace infermetry::sql::catalog {

namespace {

// Far enough from the int64 limits that store arithmetic (t + range, t - lookback) is safe.
constexpr int64_t kMaxMillis = int64_t{1} << 60;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsInternalLabel(std::string_view n) { return n == model::kMetricName || n == "p_stream"; }

}  // namespace

std::pair<int64_t, int64_t> MillisBounds(int64_t min_time_us, int64_t max_time_us) {
  int64_t lo = min_time_us == INT64_MIN ? -kMaxMillis : -FloorDiv(-min_time_us, 1000);
  int64_t hi = max_time_us == INT64_MAX ? kMaxMillis : FloorDiv(max_time_us, 1000);
  return {std::clamp(lo, -kMaxMillis, kMaxMillis), std::clamp(hi, -kMaxMillis, kMaxMillis)};
}

Result<std::shared_ptr<MetricTable>> MetricTable::Make(storage::Queryable* store,
                                                       std::string stream, int64_t min_time_us,
                                                       int64_t max_time_us) {
  auto st = std::make_shared<State>();
  st->store = store;
  st->stream = std::move(stream);
  auto [lo, hi] = MillisBounds(min_time_us, max_time_us);
  INFERMETRY_ASSIGN_OR_RETURN(auto q, store->NewQuerier(lo, hi));
  std::vector<storage::Matcher> ms;
  if (!st->stream.empty()) {
    INFERMETRY_ASSIGN_OR_RETURN(
        auto m, storage::Matcher::Make(storage::Matcher::Op::kEq, "p_stream", st->stream));
    ms.push_back(std::move(m));
  }
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<std::string> labels, q->LabelNames(ms));
  std::set<std::string> columns;
  for (const std::string& n : labels) {
    if (!IsInternalLabel(n)) columns.insert(n);
  }

  // Resource attributes: the labels of target_info beyond job and instance.
  INFERMETRY_ASSIGN_OR_RETURN(
      auto ti, storage::Matcher::Make(storage::Matcher::Op::kEq, std::string(model::kMetricName),
                                      "target_info"));
  std::vector<storage::Matcher> tms{ti};
  auto set = q->Select({lo, hi}, tms);
  while (set->Next()) {
    const model::Labels& ls = set->labels();
    auto key = std::make_pair(std::string(ls.Get("job")), std::string(ls.Get("instance")));
    model::LabelsBuilder b(st->resources[key]);
    for (const model::Label& l : ls) {
      if (IsInternalLabel(l.name) || l.name == "job" || l.name == "instance") continue;
      b.Set(l.name, l.value);
      columns.insert(l.name);
    }
    st->resources[key] = b.Build();
  }
  INFERMETRY_RETURN_IF_ERROR(set->status());
  st->metadata = q->Metadata("");

  st->schema = {{"p_timestamp", Type::kTimestamp}, {"name", Type::kText},
                {"value", Type::kFloat64},         {"raw_value", Type::kFloat64},
                {"metric_type", Type::kText},      {"unit", Type::kText}};
  std::set<std::string> taken;
  for (const auto& c : st->schema) taken.insert(c.name);
  st->label_of.assign(kMetricFixedColumns, "");
  for (const std::string& n : columns) {
    // A label named like a fixed column is shown as label_<name>.
    std::string col = taken.count(n) ? "label_" + n : n;
    st->schema.push_back({col, Type::kText});
    st->label_of.push_back(n);
  }
  return std::shared_ptr<MetricTable>(new MetricTable(std::move(st)));
}

std::optional<std::string> MetricTable::CanonicalText(size_t column, std::string_view text) const {
  if (column != kMetricName) return std::nullopt;
  return CanonicalMetricName(text);
}

Result<std::unique_ptr<BatchReader>> MetricTable::Scan(const ScanRequest& req) {
  for (size_t c : req.columns) {
    if (c >= schema_.size()) {
      return Status(Code::kInvalidArgument, "metric table scan: column index " + std::to_string(c) +
                                                " out of range (table has " +
                                                std::to_string(schema_.size()) + " columns)");
    }
  }
  return NewMetricReader(state_, req);
}

}  // namespace infermetry::sql::catalog
