#include "process/resource_processor.h"

#include "process/attr_action.h"

namespace infermetry::process {
namespace {

class ResourceProcessor final : public Processor {
 public:
  ResourceProcessor(std::vector<AttrAction> actions, Consumer* next)
      : actions_(std::move(actions)), next_(next) {}

  Status ConsumeTraces(Traces&& b) override {
    for (auto& r : *b.mutable_resource_spans()) Apply(r.mutable_resource());
    return next_->ConsumeTraces(std::move(b));
  }
  Status ConsumeMetrics(Metrics&& b) override {
    for (auto& r : *b.mutable_resource_metrics()) Apply(r.mutable_resource());
    return next_->ConsumeMetrics(std::move(b));
  }
  Status ConsumeLogs(Logs&& b) override {
    for (auto& r : *b.mutable_resource_logs()) Apply(r.mutable_resource());
    return next_->ConsumeLogs(std::move(b));
  }

 private:
  void Apply(opentelemetry::proto::resource::v1::Resource* r) const {
    ApplyAttrActions(actions_, r->mutable_attributes());
  }

  const std::vector<AttrAction> actions_;
  Consumer* const next_;
};

}  // namespace

Result<std::unique_ptr<Processor>> CreateResourceProcessor(const ComponentConfig& cfg, Signal,
                                                           Consumer* next) {
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  YAML::Node attrs = r.Child("attributes");
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  INFERMETRY_ASSIGN_OR_RETURN(std::vector<AttrAction> actions,
                              DecodeAttrActions(*cfg.doc, attrs, cfg.where + ".attributes"));
  if (actions.empty()) {
    return cfg.doc->ErrorAt(attrs.IsDefined() ? attrs : cfg.node,
                            cfg.where + ": attributes must list at least one action");
  }
  return std::unique_ptr<Processor>(new ResourceProcessor(std::move(actions), next));
}

}  // namespace infermetry::process
