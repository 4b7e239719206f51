#include "process/filter_processor.h"

#include <vector>

#include "common/self_metrics.h"
#include "process/filter_expr.h"
#include "process/split.h"

namespace infermetry::process {
namespace {

namespace metrics = opentelemetry::proto::metrics::v1;

struct Conditions {
  std::vector<FilterCondition> span, metric, datapoint, log_record;
};

bool Any(const std::vector<FilterCondition>& conds, const FilterItem& item) {
  for (const FilterCondition& c : conds) {
    if (c.Matches(item)) return true;
  }
  return false;
}

// Removes the elements `drop` says yes to, keeping the others in order; returns how many.
template <typename T, typename Pred>
int64_t RemoveIf(google::protobuf::RepeatedPtrField<T>* list, Pred drop) {
  int out = 0;
  for (int i = 0; i < list->size(); ++i) {
    if (drop(list->Get(i))) continue;
    if (out != i) list->SwapElements(out, i);
    ++out;
  }
  const int removed = list->size() - out;
  list->DeleteSubrange(out, removed);
  return removed;
}

class FilterProcessor final : public Processor {
 public:
  FilterProcessor(const std::string& id, Conditions conds, Consumer* next)
      : conds_(std::move(conds)), next_(next) {
    static auto& spans =
        selfmon::Default().AddCounter("infermetry_processor_filter_dropped_spans_total",
                                      "Spans the filter processor dropped.", {"processor"});
    static auto& points = selfmon::Default().AddCounter(
        "infermetry_processor_filter_dropped_metric_points_total",
        "Metric data points the filter processor dropped.", {"processor"});
    static auto& records =
        selfmon::Default().AddCounter("infermetry_processor_filter_dropped_log_records_total",
                                      "Log records the filter processor dropped.", {"processor"});
    dropped_spans_ = &spans.With({id});
    dropped_points_ = &points.With({id});
    dropped_records_ = &records.With({id});
  }

  Status ConsumeTraces(Traces&& b) override {
    if (conds_.span.empty()) return next_->ConsumeTraces(std::move(b));
    int64_t dropped = 0;
    for (auto& rs : *b.mutable_resource_spans()) {
      for (auto& ss : *rs.mutable_scope_spans()) {
        FilterItem item;
        item.resource = &rs.resource();
        item.scope = &ss.scope();
        dropped += RemoveIf(ss.mutable_spans(), [&](const auto& span) {
          item.span = &span;
          return Any(conds_.span, item);
        });
      }
      RemoveIf(rs.mutable_scope_spans(), [](const auto& ss) { return ss.spans_size() == 0; });
    }
    RemoveIf(b.mutable_resource_spans(), [](const auto& rs) { return rs.scope_spans_size() == 0; });
    if (dropped > 0) dropped_spans_->Inc(static_cast<double>(dropped));
    if (b.resource_spans_size() == 0) return Status::Ok();
    return next_->ConsumeTraces(std::move(b));
  }

  Status ConsumeMetrics(Metrics&& b) override {
    if (conds_.metric.empty() && conds_.datapoint.empty()) {
      return next_->ConsumeMetrics(std::move(b));
    }
    int64_t dropped = 0;
    for (auto& rm : *b.mutable_resource_metrics()) {
      for (auto& sm : *rm.mutable_scope_metrics()) {
        FilterItem item;
        item.resource = &rm.resource();
        item.scope = &sm.scope();
        if (!conds_.metric.empty()) {
          RemoveIf(sm.mutable_metrics(), [&](const metrics::Metric& m) {
            item.metric = &m;
            if (!Any(conds_.metric, item)) return false;
            dropped += PointCount(m);
            return true;
          });
        }
        if (!conds_.datapoint.empty()) {
          for (auto& m : *sm.mutable_metrics()) dropped += FilterPoints(&m, item);
          // As in the Collector, a metric without data points is removed.
          RemoveIf(sm.mutable_metrics(),
                   [](const metrics::Metric& m) { return PointCount(m) == 0; });
        }
      }
      RemoveIf(rm.mutable_scope_metrics(), [](const auto& sm) { return sm.metrics_size() == 0; });
    }
    RemoveIf(b.mutable_resource_metrics(),
             [](const auto& rm) { return rm.scope_metrics_size() == 0; });
    if (dropped > 0) dropped_points_->Inc(static_cast<double>(dropped));
    if (b.resource_metrics_size() == 0) return Status::Ok();
    return next_->ConsumeMetrics(std::move(b));
  }

  Status ConsumeLogs(Logs&& b) override {
    if (conds_.log_record.empty()) return next_->ConsumeLogs(std::move(b));
    int64_t dropped = 0;
    for (auto& rl : *b.mutable_resource_logs()) {
      for (auto& sl : *rl.mutable_scope_logs()) {
        FilterItem item;
        item.resource = &rl.resource();
        item.scope = &sl.scope();
        dropped += RemoveIf(sl.mutable_log_records(), [&](const auto& rec) {
          item.log_record = &rec;
          return Any(conds_.log_record, item);
        });
      }
      RemoveIf(rl.mutable_scope_logs(), [](const auto& sl) { return sl.log_records_size() == 0; });
    }
    RemoveIf(b.mutable_resource_logs(), [](const auto& rl) { return rl.scope_logs_size() == 0; });
    if (dropped > 0) dropped_records_->Inc(static_cast<double>(dropped));
    if (b.resource_logs_size() == 0) return Status::Ok();
    return next_->ConsumeLogs(std::move(b));
  }

 private:
  // Drops the data points of `m` that match; returns how many.
  int64_t FilterPoints(metrics::Metric* m, FilterItem item) const {
    item.metric = m;
    switch (m->data_case()) {
      case metrics::Metric::kGauge:
        return RemoveIf(m->mutable_gauge()->mutable_data_points(), [&](const auto& p) {
          item.number_point = &p;
          return Any(conds_.datapoint, item);
        });
      case metrics::Metric::kSum:
        return RemoveIf(m->mutable_sum()->mutable_data_points(), [&](const auto& p) {
          item.number_point = &p;
          return Any(conds_.datapoint, item);
        });
      case metrics::Metric::kHistogram:
        return RemoveIf(m->mutable_histogram()->mutable_data_points(), [&](const auto& p) {
          item.histogram_point = &p;
          return Any(conds_.datapoint, item);
        });
      case metrics::Metric::kExponentialHistogram:
        return RemoveIf(m->mutable_exponential_histogram()->mutable_data_points(),
                        [&](const auto& p) {
                          item.exp_histogram_point = &p;
                          return Any(conds_.datapoint, item);
                        });
      case metrics::Metric::kSummary:
        return RemoveIf(m->mutable_summary()->mutable_data_points(), [&](const auto& p) {
          item.summary_point = &p;
          return Any(conds_.datapoint, item);
        });
      default:
        return 0;
    }
  }

  const Conditions conds_;
  Consumer* const next_;
  selfmon::Counter* dropped_spans_;
  selfmon::Counter* dropped_points_;
  selfmon::Counter* dropped_records_;
};

Status DecodeList(const config::Document& doc, config::MapReader* r, std::string_view key,
                  FilterContext ctx, std::vector<FilterCondition>* out) {
  YAML::Node list = r->Child(key);
  if (!list.IsDefined() || list.IsNull()) return Status::Ok();
  const std::string where = r->where() + "." + std::string(key);
  if (!list.IsSequence()) return doc.ErrorAt(list, where + ": expected a list of conditions");
  for (size_t i = 0; i < list.size(); ++i) {
    std::string w = where + "[" + std::to_string(i) + "]";
    INFERMETRY_ASSIGN_OR_RETURN(std::string text, config::ScalarOf(doc, list[i], w));
    auto c = FilterCondition::Parse(text, ctx);
    if (!c.ok()) {
      return doc.ErrorAt(list[i],
                         w + ": unsupported condition '" + text + "': " + c.status().message());
    }
    out->push_back(std::move(c).value());
  }
  return Status::Ok();
}

// Refuses the keys of the Collector's legacy (pre-OTTL) filter form.
Status RefuseLegacy(const config::Document& doc, config::MapReader* r,
                    std::initializer_list<std::string_view> keys, std::string_view instead) {
  for (std::string_view k : keys) {
    if (r->Has(k)) {
      return doc.ErrorAt(r->Child(k), r->where() + "." + std::string(k) +
                                          ": not supported (the legacy filter form); use " +
                                          std::string(instead) + " conditions");
    }
  }
  return Status::Ok();
}

template <typename Fn>
Status DecodeSection(const config::Document& doc, config::MapReader* r, std::string_view key,
                     Fn fn) {
  YAML::Node n = r->Child(key);
  if (!n.IsDefined() || n.IsNull()) return Status::Ok();
  config::MapReader sub(doc, n, r->where() + "." + std::string(key));
  INFERMETRY_RETURN_IF_ERROR(sub.status());
  INFERMETRY_RETURN_IF_ERROR(fn(&sub));
  return sub.Finish();
}

}  // namespace

Result<std::unique_ptr<Processor>> CreateFilterProcessor(const ComponentConfig& cfg, Signal,
                                                         Consumer* next) {
  const config::Document& doc = *cfg.doc;
  Conditions conds;
  config::MapReader r(doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  std::string error_mode;
  INFERMETRY_RETURN_IF_ERROR(r.String("error_mode", &error_mode));
  if (!error_mode.empty() && error_mode != "propagate" && error_mode != "ignore" &&
      error_mode != "silent") {
    return doc.ErrorAt(r.Child("error_mode"), cfg.where + ".error_mode: unknown mode \"" +
                                                  error_mode +
                                                  "\" (expected propagate, ignore or silent)");
  }
  INFERMETRY_RETURN_IF_ERROR(RefuseLegacy(doc, &r, {"spans"}, "traces.span"));
  INFERMETRY_RETURN_IF_ERROR(DecodeSection(doc, &r, "traces", [&](config::MapReader* t) {
    if (t->Has("spanevent")) {
      return doc.ErrorAt(t->Child("spanevent"), t->where() + ".spanevent: not supported");
    }
    return DecodeList(doc, t, "span", FilterContext::kSpan, &conds.span);
  }));
  INFERMETRY_RETURN_IF_ERROR(DecodeSection(doc, &r, "metrics", [&](config::MapReader* m) {
    INFERMETRY_RETURN_IF_ERROR(RefuseLegacy(doc, m, {"include", "exclude", "regexp"},
                                            "metrics.metric / metrics.datapoint"));
    INFERMETRY_RETURN_IF_ERROR(DecodeList(doc, m, "metric", FilterContext::kMetric, &conds.metric));
    return DecodeList(doc, m, "datapoint", FilterContext::kDataPoint, &conds.datapoint);
  }));
  INFERMETRY_RETURN_IF_ERROR(DecodeSection(doc, &r, "logs", [&](config::MapReader* l) {
    INFERMETRY_RETURN_IF_ERROR(RefuseLegacy(doc, l, {"include", "exclude"}, "logs.log_record"));
    return DecodeList(doc, l, "log_record", FilterContext::kLogRecord, &conds.log_record);
  }));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  return std::unique_ptr<Processor>(new FilterProcessor(cfg.id, std::move(conds), next));
}

}  // namespace infermetry::process
