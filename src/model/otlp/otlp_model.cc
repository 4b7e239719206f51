#include "model/otlp/otlp_model.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/strconv.h"

namespace infermetry::otlp {

namespace common = opentelemetry::proto::common::v1;
namespace trace = opentelemetry::proto::trace::v1;
namespace logs = opentelemetry::proto::logs::v1;
using model::AttrValue;

namespace {

void AppendBase64(std::string* out, std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v =
        uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  size_t rest = in.size() - i;
  if (rest == 0) return;
  uint32_t v = uint32_t(uint8_t(in[i])) << 16;
  if (rest == 2) v |= uint32_t(uint8_t(in[i + 1])) << 8;
  out->push_back(kAlphabet[v >> 18]);
  out->push_back(kAlphabet[(v >> 12) & 63]);
  out->push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
  out->push_back('=');
}

// Doubles as OTLP/JSON writes them: shortest round-trip decimal; special values quoted.
void AppendJsonDouble(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else if (v == 0) {
    out->append(std::signbit(v) ? "-0.0" : "0");
  } else {
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    if (r.ptr - buf > 15 &&
        std::string_view(buf, r.ptr - buf).find_first_of(".e") == std::string_view::npos) {
      r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
    }
    out->append(buf, r.ptr);
  }
}

void AppendJsonAnyValue(std::string* out, const common::AnyValue& v);

void AppendJsonKeyValues(std::string* out,
                         const google::protobuf::RepeatedPtrField<common::KeyValue>& kvs) {
  out->append("{");
  if (!kvs.empty()) {
    out->append("\"values\":[");
    for (int i = 0; i < kvs.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append("{");
      bool any = false;
      if (!kvs[i].key().empty()) {
        out->append("\"key\":");
        AppendJsonString(out, kvs[i].key());
        any = true;
      }
      if (kvs[i].has_value()) {
        if (any) out->push_back(',');
        out->append("\"value\":");
        AppendJsonAnyValue(out, kvs[i].value());
      }
      out->append("}");
    }
    out->append("]");
  }
  out->append("}");
}

void AppendJsonAnyValue(std::string* out, const common::AnyValue& v) {
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      out->append("{\"stringValue\":");
      AppendJsonString(out, v.string_value());
      break;
    case common::AnyValue::kBoolValue:
      out->append(v.bool_value() ? "{\"boolValue\":true" : "{\"boolValue\":false");
      break;
    case common::AnyValue::kIntValue:
      out->append("{\"intValue\":\"" + std::to_string(v.int_value()) + "\"");
      break;
    case common::AnyValue::kDoubleValue:
      out->append("{\"doubleValue\":");
      AppendJsonDouble(out, v.double_value());
      break;
    case common::AnyValue::kBytesValue:
      out->append("{\"bytesValue\":\"");
      AppendBase64(out, v.bytes_value());
      out->append("\"");
      break;
    case common::AnyValue::kArrayValue: {
      out->append("{\"arrayValue\":{");
      const auto& vals = v.array_value().values();
      if (!vals.empty()) {
        out->append("\"values\":[");
        for (int i = 0; i < vals.size(); ++i) {
          if (i > 0) out->push_back(',');
          AppendJsonAnyValue(out, vals[i]);
        }
        out->append("]");
      }
      out->append("}");
      break;
    }
    case common::AnyValue::kKvlistValue:
      out->append("{\"kvlistValue\":");
      AppendJsonKeyValues(out, v.kvlist_value().values());
      break;
    case common::AnyValue::VALUE_NOT_SET:
      out->append("{");
      break;
  }
  out->append("}");
}

template <size_t N>
void CopyId(const std::string& bytes, std::array<uint8_t, N>* out) {
  if (bytes.size() == N) std::memcpy(out->data(), bytes.data(), N);
}

std::string ServiceName(const model::Attributes& resource) {
  const AttrValue* v = model::FindAttr(resource, "service.name");
  return v == nullptr ? std::string() : v->AsString();
}

void ConvertSpan(const trace::Span& s, model::Span* m) {
  CopyId(s.trace_id(), &m->trace_id);
  CopyId(s.span_id(), &m->span_id);
  CopyId(s.parent_span_id(), &m->parent_span_id);
  m->trace_state = s.trace_state();
  m->flags = s.flags();
  m->name = s.name();
  m->kind = s.kind();
  m->start_ns = static_cast<int64_t>(s.start_time_unix_nano());
  m->end_ns = static_cast<int64_t>(s.end_time_unix_nano());
  m->status_code = s.status().code();
  m->status_message = s.status().message();
  m->attributes = ToAttributes(s.attributes());
  m->dropped_attributes_count = s.dropped_attributes_count();
  m->dropped_events_count = s.dropped_events_count();
  m->dropped_links_count = s.dropped_links_count();
  m->events.reserve(s.events_size());
  for (const auto& e : s.events()) {
    model::SpanEvent& me = m->events.emplace_back();
    me.time_ns = static_cast<int64_t>(e.time_unix_nano());
    me.name = e.name();
    me.attributes = ToAttributes(e.attributes());
    me.dropped_attributes_count = e.dropped_attributes_count();
  }
  m->links.reserve(s.links_size());
  for (const auto& l : s.links()) {
    model::SpanLink& ml = m->links.emplace_back();
    CopyId(l.trace_id(), &ml.trace_id);
    CopyId(l.span_id(), &ml.span_id);
    ml.trace_state = l.trace_state();
    ml.attributes = ToAttributes(l.attributes());
    ml.flags = l.flags();
  }
}

}  // namespace

AttrValue ToAttrValue(const common::AnyValue& v) {
  AttrValue out;
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      out.type = AttrValue::Type::kString;
      out.s = v.string_value();
      break;
    case common::AnyValue::kBoolValue:
      out.type = AttrValue::Type::kBool;
      out.i = v.bool_value() ? 1 : 0;
      break;
    case common::AnyValue::kIntValue:
      out.type = AttrValue::Type::kInt;
      out.i = v.int_value();
      break;
    case common::AnyValue::kDoubleValue:
      out.type = AttrValue::Type::kDouble;
      out.d = v.double_value();
      break;
    case common::AnyValue::kBytesValue:
      out.type = AttrValue::Type::kBytes;
      AppendBase64(&out.s, v.bytes_value());
      break;
    case common::AnyValue::kArrayValue:
    case common::AnyValue::kKvlistValue:
      out.type = AttrValue::Type::kJson;
      AppendJsonAnyValue(&out.s, v);
      break;
    case common::AnyValue::VALUE_NOT_SET:
      break;
  }
  return out;
}

model::Attributes ToAttributes(const google::protobuf::RepeatedPtrField<common::KeyValue>& kvs) {
  model::Attributes out;
  out.reserve(kvs.size());
  for (const auto& kv : kvs) out.push_back({kv.key(), ToAttrValue(kv.value())});
  return out;
}

void AppendSpans(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req,
                 std::vector<model::Span>* out) {
  for (const auto& rs : req.resource_spans()) {
    model::Attributes resource = ToAttributes(rs.resource().attributes());
    std::string service = ServiceName(resource);
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& s : ss.spans()) {
        model::Span& m = out->emplace_back();
        m.service_name = service;
        m.resource_attributes = resource;
        m.scope_name = ss.scope().name();
        m.scope_version = ss.scope().version();
        ConvertSpan(s, &m);
      }
    }
  }
}

std::vector<model::Span> ToSpans(
    const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req) {
  std::vector<model::Span> out;
  AppendSpans(req, &out);
  return out;
}

void AppendLogs(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& req,
                std::vector<model::LogRecord>* out) {
  for (const auto& rl : req.resource_logs()) {
    model::Attributes resource = ToAttributes(rl.resource().attributes());
    std::string service = ServiceName(resource);
    for (const auto& sl : rl.scope_logs()) {
      for (const logs::LogRecord& r : sl.log_records()) {
        model::LogRecord& m = out->emplace_back();
        m.time_ns = static_cast<int64_t>(r.time_unix_nano());
        m.observed_time_ns = static_cast<int64_t>(r.observed_time_unix_nano());
        m.severity_number = r.severity_number();
        m.severity_text = r.severity_text();
        if (r.has_body()) m.body = ToAttrValue(r.body());
        m.service_name = service;
        m.attributes = ToAttributes(r.attributes());
        m.resource_attributes = resource;
        m.scope_name = sl.scope().name();
        m.scope_version = sl.scope().version();
        CopyId(r.trace_id(), &m.trace_id);
        CopyId(r.span_id(), &m.span_id);
        m.flags = r.flags();
        m.dropped_attributes_count = r.dropped_attributes_count();
      }
    }
  }
}

std::vector<model::LogRecord> ToLogs(
    const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& req) {
  std::vector<model::LogRecord> out;
  AppendLogs(req, &out);
  return out;
}

}  // namespace infermetry::otlp
