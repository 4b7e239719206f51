#pragma once
// The `include` / `exclude` item selection of the attributes processor, in the Collector's
// (filterconfig.MatchProperties) form:
//
//   include:
//     match_type: strict            # or regexp (RE2, unanchored); required
//     services: [checkout]          # resource attribute service.name is one of these
//     span_names: ["GET /.*"]       # traces
//     span_kinds: [SPAN_KIND_SERVER]  # traces, always strict
//     metric_names: [vllm:.*]       # metrics
//     log_bodies: [".*health.*"]    # logs (string bodies)
//     log_severity_texts: [DEBUG]   # logs
//     attributes: [{key: http.route, value: /health}]   # the item's attributes
//     resources: [{key: host.name, value: gpu-.*}]      # the resource's attributes
//     libraries: [{name: opentelemetry.instrumentation.openai, version: 0.48b0}]  # the scope
//
// An item matches when every property given matches: one of the names in each name list, one
// of the libraries, and all of the attributes and of the resources. An attribute entry without
// `value` only asks for the key; with match_type strict the value compares with its YAML type
// (42 is an int), with regexp the pattern is matched against the attribute's text (strings, and
// ints, doubles and bools spelled out; other types never match). For metrics, the item is a data
// point: `attributes` are its attributes and metric_names its metric's name.
//
// Properties that do not apply to the signal (span_names in a logs pipeline, ...) and
// log_severity_number are config errors, as are an empty selection and an invalid regexp.

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/yaml.h"
#include "process/telemetry.h"

namespace infermetry::process {

class MatchProperties {
 public:
  // Decodes the mapping at `node` for a pipeline of `signal`.
  static Result<std::shared_ptr<const MatchProperties>> Decode(const config::Document& doc,
                                                               const YAML::Node& node,
                                                               const std::string& where,
                                                               Signal signal);
  ~MatchProperties();

  // The resource and scope around the item, and the item's name-like fields.
  struct Item {
    const opentelemetry::proto::resource::v1::Resource* resource = nullptr;
    const opentelemetry::proto::common::v1::InstrumentationScope* scope = nullptr;
    const google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>*
        attributes = nullptr;
    const opentelemetry::proto::trace::v1::Span* span = nullptr;
    const opentelemetry::proto::metrics::v1::Metric* metric = nullptr;
    const opentelemetry::proto::logs::v1::LogRecord* log_record = nullptr;
  };
  bool Matches(const Item& item) const;

  struct Impl;

 private:
  MatchProperties();
  std::unique_ptr<Impl> impl_;
};

}  // namespace infermetry::process
