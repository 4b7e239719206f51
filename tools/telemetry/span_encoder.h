#pragma once
// model::Span values -> one OTLP ExportTraceServiceRequest (process::Traces), the form every
// infermetry exporter takes. Used by the Tracer's export thread.
//
// All spans go under one ResourceSpans whose resource attributes are, in order: service.name,
// telemetry.sdk.language ("cpp"), telemetry.sdk.name ("infermetry"), telemetry.sdk.version
// (infermetry's version), then `resource.attributes`; and one ScopeSpans for `resource.scope_*`.
// The spans' own service_name, resource_attributes and scope fields are not consulted.
// Attribute values keep their types; kBytes and kJson values (kept as text by the model) are
// sent as strings, kEmpty as an unset AnyValue. A zero parent id is sent as an empty one.
//
// Pure function; thread-safe.

#include <string>
#include <utility>
#include <vector>

#include "model/span.h"
#include "process/telemetry.h"

namespace infermetry::telemetry {

struct ResourceInfo {
  std::string service_name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string scope_name;
  std::string scope_version;
};

process::Traces EncodeSpans(const ResourceInfo& resource, const std::vector<model::Span>& spans);

}  // namespace infermetry::telemetry
