#include "telemetry/span_encoder.h"

namespace infermetry::telemetry {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace trace = opentelemetry::proto::trace::v1;

void SetString(common::KeyValue* kv, const std::string& key, const std::string& value) {
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

void SetValue(const model::AttrValue& v, common::AnyValue* out) {
  using Type = model::AttrValue::Type;
  switch (v.type) {
    case Type::kEmpty:
      break;
    case Type::kString:
    case Type::kBytes:
    case Type::kJson:
      out->set_string_value(v.s);
      break;
    case Type::kBool:
      out->set_bool_value(v.i != 0);
      break;
    case Type::kInt:
      out->set_int_value(v.i);
      break;
    case Type::kDouble:
      out->set_double_value(v.d);
      break;
  }
}

void AddAttributes(const model::Attributes& attrs,
                   google::protobuf::RepeatedPtrField<common::KeyValue>* out) {
  for (const model::Attribute& a : attrs) {
    common::KeyValue* kv = out->Add();
    kv->set_key(a.key);
    SetValue(a.value, kv->mutable_value());
  }
}

template <size_t N>
std::string Bytes(const std::array<uint8_t, N>& id) {
  return std::string(reinterpret_cast<const char*>(id.data()), N);
}

template <size_t N>
bool IsZero(const std::array<uint8_t, N>& id) {
  for (uint8_t b : id) {
    if (b != 0) return false;
  }
  return true;
}

void EncodeSpan(const model::Span& s, trace::Span* out) {
  out->set_trace_id(Bytes(s.trace_id));
  out->set_span_id(Bytes(s.span_id));
  if (!IsZero(s.parent_span_id)) out->set_parent_span_id(Bytes(s.parent_span_id));
  out->set_trace_state(s.trace_state);
  out->set_flags(s.flags);
  out->set_name(s.name);
  out->set_kind(static_cast<trace::Span::SpanKind>(s.kind));
  out->set_start_time_unix_nano(static_cast<uint64_t>(s.start_ns));
  out->set_end_time_unix_nano(static_cast<uint64_t>(s.end_ns));
  AddAttributes(s.attributes, out->mutable_attributes());
  out->set_dropped_attributes_count(s.dropped_attributes_count);
  for (const model::SpanEvent& e : s.events) {
    trace::Span::Event* ev = out->add_events();
    ev->set_time_unix_nano(static_cast<uint64_t>(e.time_ns));
    ev->set_name(e.name);
    AddAttributes(e.attributes, ev->mutable_attributes());
    ev->set_dropped_attributes_count(e.dropped_attributes_count);
  }
  out->set_dropped_events_count(s.dropped_events_count);
  for (const model::SpanLink& l : s.links) {
    trace::Span::Link* link = out->add_links();
    link->set_trace_id(Bytes(l.trace_id));
    link->set_span_id(Bytes(l.span_id));
    link->set_trace_state(l.trace_state);
    link->set_flags(l.flags);
    AddAttributes(l.attributes, link->mutable_attributes());
  }
  out->set_dropped_links_count(s.dropped_links_count);
  if (s.status_code != 0 || !s.status_message.empty()) {
    out->mutable_status()->set_code(static_cast<trace::Status::StatusCode>(s.status_code));
    out->mutable_status()->set_message(s.status_message);
  }
}

}  // namespace

process::Traces EncodeSpans(const ResourceInfo& resource, const std::vector<model::Span>& spans) {
  process::Traces req;
  trace::ResourceSpans* rs = req.add_resource_spans();
  auto* attrs = rs->mutable_resource()->mutable_attributes();
  SetString(attrs->Add(), "service.name", resource.service_name);
  SetString(attrs->Add(), "telemetry.sdk.language", "cpp");
  SetString(attrs->Add(), "telemetry.sdk.name", "infermetry");
  SetString(attrs->Add(), "telemetry.sdk.version", INFERMETRY_VERSION);
  for (const auto& [k, v] : resource.attributes) SetString(attrs->Add(), k, v);
  trace::ScopeSpans* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name(resource.scope_name);
  ss->mutable_scope()->set_version(resource.scope_version);
  for (const model::Span& s : spans) EncodeSpan(s, ss->add_spans());
  return req;
}

}  // namespace infermetry::telemetry
