#include "server/api/span_json.h"

#include <algorithm>
#include <cmath>

#include "common/strconv.h"

namespace infermetry::api {
namespace {

void Key(std::string* out, std::string_view k, bool first = false) {
  if (!first) out->push_back(',');
  AppendJsonString(out, k);
  out->push_back(':');
}

// Nanosecond times as strings, as OTLP/JSON writes 64-bit integers.
void Nanos(std::string* out, std::string_view k, int64_t ns, bool first = false) {
  Key(out, k, first);
  out->push_back('"');
  out->append(std::to_string(ns));
  out->push_back('"');
}

void Attrs(std::string* out, std::string_view k, const model::Attributes& attrs) {
  Key(out, k);
  out->push_back('{');
  for (size_t i = 0; i < attrs.size(); ++i) {
    Key(out, attrs[i].key, i == 0);
    AppendAttrValueJson(out, attrs[i].value);
  }
  out->push_back('}');
}

}  // namespace

void AppendAttrValueJson(std::string* out, const model::AttrValue& v) {
  using T = model::AttrValue::Type;
  switch (v.type) {
    case T::kEmpty: out->append("null"); return;
    case T::kString:
    case T::kBytes: AppendJsonString(out, v.s); return;
    case T::kJson: out->append(v.s); return;
    case T::kBool: out->append(v.i != 0 ? "true" : "false"); return;
    case T::kInt: out->append(std::to_string(v.i)); return;
    case T::kDouble:
      if (std::isfinite(v.d)) {
        AppendGoFloat(out, v.d);
      } else {
        AppendJsonString(out, FormatGoFloat(v.d));
      }
      return;
  }
}

void AppendSpanJson(std::string* out, const model::Span& s) {
  out->push_back('{');
  Key(out, "traceId", true);
  AppendJsonString(out, model::HexId(s.trace_id));
  Key(out, "spanId");
  AppendJsonString(out, model::HexId(s.span_id));
  Key(out, "parentSpanId");
  bool root = std::all_of(s.parent_span_id.begin(), s.parent_span_id.end(), [](uint8_t b) { return b == 0; });
  AppendJsonString(out, root ? "" : model::HexId(s.parent_span_id));
  Key(out, "name");
  AppendJsonString(out, s.name);
  Key(out, "kind");
  out->append(std::to_string(s.kind));
  Nanos(out, "startTimeUnixNano", s.start_ns);
  Nanos(out, "endTimeUnixNano", s.end_ns);
  Nanos(out, "durationNano", s.duration_ns());
  Key(out, "status");
  out->append("{\"code\":" + std::to_string(s.status_code) + ",\"message\":");
  AppendJsonString(out, s.status_message);
  out->push_back('}');
  Key(out, "serviceName");
  AppendJsonString(out, s.service_name);
  Attrs(out, "attributes", s.attributes);
  Attrs(out, "resource", s.resource_attributes);
  Key(out, "scope");
  out->append("{\"name\":");
  AppendJsonString(out, s.scope_name);
  out->append(",\"version\":");
  AppendJsonString(out, s.scope_version);
  out->push_back('}');
  Key(out, "events");
  out->push_back('[');
  for (size_t i = 0; i < s.events.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('{');
    Nanos(out, "timeUnixNano", s.events[i].time_ns, true);
    Key(out, "name");
    AppendJsonString(out, s.events[i].name);
    Attrs(out, "attributes", s.events[i].attributes);
    out->push_back('}');
  }
  out->push_back(']');
  Key(out, "links");
  out->push_back('[');
  for (size_t i = 0; i < s.links.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('{');
    Key(out, "traceId", true);
    AppendJsonString(out, model::HexId(s.links[i].trace_id));
    Key(out, "spanId");
    AppendJsonString(out, model::HexId(s.links[i].span_id));
    Attrs(out, "attributes", s.links[i].attributes);
    out->push_back('}');
  }
  out->push_back(']');
  out->push_back('}');
}

void AppendLogJson(std::string* out, const model::LogRecord& l) {
  out->push_back('{');
  Nanos(out, "timeUnixNano", l.time_ns, true);
  Nanos(out, "observedTimeUnixNano", l.observed_time_ns);
  Key(out, "severityNumber");
  out->append(std::to_string(l.severity_number));
  Key(out, "severityText");
  AppendJsonString(out, l.severity_text);
  Key(out, "body");
  AppendAttrValueJson(out, l.body);
  Key(out, "serviceName");
  AppendJsonString(out, l.service_name);
  Attrs(out, "attributes", l.attributes);
  Attrs(out, "resource", l.resource_attributes);
  bool traced = std::any_of(l.trace_id.begin(), l.trace_id.end(), [](uint8_t b) { return b != 0; });
  Key(out, "traceId");
  AppendJsonString(out, traced ? model::HexId(l.trace_id) : "");
  Key(out, "spanId");
  AppendJsonString(out, traced ? model::HexId(l.span_id) : "");
  out->push_back('}');
}

}  // namespace infermetry::api
