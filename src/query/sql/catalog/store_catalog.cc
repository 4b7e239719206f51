#include "query/sql/catalog/store_catalog.h"

#include <algorithm>

#include "common/strconv.h"
#include "query/sql/catalog/metric_table.h"
#include "query/sql/catalog/trace_table.h"

namespace infermetry::sql {

namespace {

class StoreCatalog : public Catalog {
 public:
  explicit StoreCatalog(const StoreSources& s) : src_(s) {}

  Result<std::shared_ptr<Table>> Find(std::string_view name, int64_t min_time_us,
                                      int64_t max_time_us) override {
    std::optional<StreamInfo> info = Lookup(name);
    if (!info) {
      std::string list;
      for (const std::string& n : TableNames()) list += (list.empty() ? "" : ", ") + n;
      return Status(Code::kNotFound,
                    "no stream named \"" + std::string(name) + "\" (streams: " + list + ")");
    }
    const bool dflt = info->name == StreamKindName(info->kind);
    const std::string stream = dflt ? "" : info->name;
    switch (info->kind) {
      case StreamKind::kMetrics: {
        if (!src_.metrics) return Unavailable(*info);
        INFERMETRY_ASSIGN_OR_RETURN(
            auto t, catalog::MetricTable::Make(src_.metrics, stream, min_time_us, max_time_us));
        return std::shared_ptr<Table>(std::move(t));
      }
      case StreamKind::kTraces:
        if (!src_.spans) return Unavailable(*info);
        return catalog::MakeTraceTable(src_.spans, stream, min_time_us, max_time_us);
      case StreamKind::kLogs:
        if (!src_.logs) return Unavailable(*info);
        return catalog::MakeLogTable(src_.logs, stream, min_time_us, max_time_us);
      case StreamKind::kEvents:
        if (!src_.logs) return Unavailable(*info);
        return catalog::MakeEventTable(src_.logs, *info, min_time_us, max_time_us);
    }
    return Unavailable(*info);
  }

  std::vector<std::string> TableNames() override {
    std::vector<std::string> out;
    if (src_.streams) {
      for (const StreamInfo& s : src_.streams->List()) out.push_back(s.name);
    } else {
      out = {"logs", "metrics", "traces"};
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::optional<StreamInfo> Lookup(std::string_view name) {
    if (src_.streams) return src_.streams->Find(name);
    for (StreamKind k : {StreamKind::kMetrics, StreamKind::kTraces, StreamKind::kLogs}) {
      if (EqualsIgnoreCase(StreamKindName(k), name))
        return StreamInfo{std::string(StreamKindName(k)), k, {}, ""};
    }
    return std::nullopt;
  }

  static Status Unavailable(const StreamInfo& s) {
    return Status(Code::kUnavailable, "stream \"" + s.name + "\": the " +
                                          std::string(StreamKindName(s.kind)) +
                                          " store is not available");
  }

  StoreSources src_;
};

}  // namespace

std::unique_ptr<Catalog> NewStoreCatalog(const StoreSources& sources) {
  return std::make_unique<StoreCatalog>(sources);
}

}  // namespace infermetry::sql
