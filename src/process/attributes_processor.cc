#include "process/attributes_processor.h"

#include "process/attr_action.h"
#include "process/match_properties.h"

namespace infermetry::process {
namespace {

namespace metrics = opentelemetry::proto::metrics::v1;

using Selector = std::shared_ptr<const MatchProperties>;

class AttributesProcessor final : public Processor {
 public:
  AttributesProcessor(std::vector<AttrAction> actions, Selector include, Selector exclude,
                      Consumer* next)
      : actions_(std::move(actions)),
        include_(std::move(include)),
        exclude_(std::move(exclude)),
        next_(next) {}

  Status ConsumeTraces(Traces&& b) override {
    for (auto& rs : *b.mutable_resource_spans()) {
      for (auto& ss : *rs.mutable_scope_spans()) {
        MatchProperties::Item item{&rs.resource(), &ss.scope()};
        for (auto& span : *ss.mutable_spans()) {
          item.span = &span;
          Apply(&item, span.mutable_attributes());
        }
      }
    }
    return next_->ConsumeTraces(std::move(b));
  }

  Status ConsumeMetrics(Metrics&& b) override {
    for (auto& rm : *b.mutable_resource_metrics()) {
      for (auto& sm : *rm.mutable_scope_metrics()) {
        MatchProperties::Item item{&rm.resource(), &sm.scope()};
        for (auto& m : *sm.mutable_metrics()) {
          item.metric = &m;
          ApplyToPoints(&item, &m);
        }
      }
    }
    return next_->ConsumeMetrics(std::move(b));
  }

  Status ConsumeLogs(Logs&& b) override {
    for (auto& rl : *b.mutable_resource_logs()) {
      for (auto& sl : *rl.mutable_scope_logs()) {
        MatchProperties::Item item{&rl.resource(), &sl.scope()};
        for (auto& rec : *sl.mutable_log_records()) {
          item.log_record = &rec;
          Apply(&item, rec.mutable_attributes());
        }
      }
    }
    return next_->ConsumeLogs(std::move(b));
  }

 private:
  // Applies the actions to `attrs` when the item is selected.
  void Apply(MatchProperties::Item* item, KeyValues* attrs) const {
    if (include_ || exclude_) {
      item->attributes = attrs;
      if (include_ && !include_->Matches(*item)) return;
      if (exclude_ && exclude_->Matches(*item)) return;
    }
    ApplyAttrActions(actions_, attrs);
  }

  template <typename Points>
  void ApplyAll(MatchProperties::Item* item, Points* points) const {
    for (auto& p : *points) Apply(item, p.mutable_attributes());
  }

  void ApplyToPoints(MatchProperties::Item* item, metrics::Metric* m) const {
    switch (m->data_case()) {
      case metrics::Metric::kGauge:
        ApplyAll(item, m->mutable_gauge()->mutable_data_points());
        break;
      case metrics::Metric::kSum:
        ApplyAll(item, m->mutable_sum()->mutable_data_points());
        break;
      case metrics::Metric::kHistogram:
        ApplyAll(item, m->mutable_histogram()->mutable_data_points());
        break;
      case metrics::Metric::kExponentialHistogram:
        ApplyAll(item, m->mutable_exponential_histogram()->mutable_data_points());
        break;
      case metrics::Metric::kSummary:
        ApplyAll(item, m->mutable_summary()->mutable_data_points());
        break;
      default:
        break;
    }
  }

  const std::vector<AttrAction> actions_;
  const Selector include_;
  const Selector exclude_;
  Consumer* const next_;
};

}  // namespace

Result<std::unique_ptr<Processor>> CreateAttributesProcessor(const ComponentConfig& cfg,
                                                             Signal signal, Consumer* next) {
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  Selector sel[2];
  const char* const keys[2] = {"include", "exclude"};
  for (int i = 0; i < 2; ++i) {
    YAML::Node n = r.Child(keys[i]);
    if (!n.IsDefined() || n.IsNull()) continue;
    INFERMETRY_ASSIGN_OR_RETURN(
        sel[i], MatchProperties::Decode(*cfg.doc, n, cfg.where + "." + keys[i], signal));
  }
  YAML::Node list = r.Child("actions");
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<AttrAction> actions,
                              DecodeAttrActions(*cfg.doc, list, cfg.where + ".actions"));
  if (actions.empty()) {
    return cfg.doc->ErrorAt(list.IsDefined() ? list : cfg.node,
                            cfg.where + ": actions must list at least one action");
  }
  return std::unique_ptr<Processor>(
      new AttributesProcessor(std::move(actions), std::move(sel[0]), std::move(sel[1]), next));
}

}  // namespace infermetry::process
