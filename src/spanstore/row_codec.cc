#include "spanstore/row_codec.h"

#include <cstring>

namespace infermetry::spanstore {

using model::AttrValue;

namespace {

template <size_t N>
void PutId(std::string* out, const std::array<uint8_t, N>& id) {
  out->append(reinterpret_cast<const char*>(id.data()), N);
}
template <size_t N>
void GetId(Decoder* d, std::array<uint8_t, N>* id) {
  std::string_view b = d->Bytes(N);
  if (b.size() == N) std::memcpy(id->data(), b.data(), N);
}
uint32_t GetU32(Decoder* d) {
  uint64_t v = d->Varint();
  if (v > UINT32_MAX) d->Fail();
  return static_cast<uint32_t>(v);
}
int32_t GetI32(Decoder* d) {
  int64_t v = d->Signed();
  if (v < INT32_MIN || v > INT32_MAX) d->Fail();
  return static_cast<int32_t>(v);
}

}  // namespace

void EncodeAttrValue(const AttrValue& v, std::string* out) {
  out->push_back(static_cast<char>(v.type));
  switch (v.type) {
    case AttrValue::Type::kEmpty:
      break;
    case AttrValue::Type::kBool:
    case AttrValue::Type::kInt:
      PutSigned(out, v.i);
      break;
    case AttrValue::Type::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &v.d, 8);
      PutFixed64(out, bits);
      break;
    }
    case AttrValue::Type::kString:
    case AttrValue::Type::kBytes:
    case AttrValue::Type::kJson:
      PutString(out, v.s);
      break;
  }
}

bool DecodeAttrValue(Decoder* d, AttrValue* v) {
  uint8_t t = d->Byte();
  if (t > static_cast<uint8_t>(AttrValue::Type::kJson)) return d->Fail(), false;
  v->type = static_cast<AttrValue::Type>(t);
  switch (v->type) {
    case AttrValue::Type::kEmpty:
      break;
    case AttrValue::Type::kBool:
    case AttrValue::Type::kInt:
      v->i = d->Signed();
      break;
    case AttrValue::Type::kDouble: {
      uint64_t bits = d->Fixed64();
      std::memcpy(&v->d, &bits, 8);
      break;
    }
    default:
      v->s = d->String();
      break;
  }
  return d->ok();
}

void EncodeAttributes(const model::Attributes& attrs, std::string* out) {
  PutVarint(out, attrs.size());
  for (const auto& a : attrs) {
    PutString(out, a.key);
    EncodeAttrValue(a.value, out);
  }
}

bool DecodeAttributes(Decoder* d, model::Attributes* attrs) {
  uint64_t n = d->Count(2);
  attrs->resize(n);
  for (auto& a : *attrs) {
    a.key = d->String();
    if (!DecodeAttrValue(d, &a.value)) return false;
  }
  return d->ok();
}

void EncodeEventsLinks(const model::Span& s, std::string* out) {
  if (s.events.empty() && s.links.empty()) return;
  PutVarint(out, s.events.size());
  for (const auto& e : s.events) {
    PutSigned(out, e.time_ns);
    PutString(out, e.name);
    EncodeAttributes(e.attributes, out);
    PutVarint(out, e.dropped_attributes_count);
  }
  PutVarint(out, s.links.size());
  for (const auto& l : s.links) {
    PutId(out, l.trace_id);
    PutId(out, l.span_id);
    PutString(out, l.trace_state);
    EncodeAttributes(l.attributes, out);
    PutVarint(out, l.flags);
  }
}

namespace {
bool DecodeEventsLinksFrom(Decoder* d, model::Span* s) {
  s->events.resize(d->Count(4));
  for (auto& e : s->events) {
    e.time_ns = d->Signed();
    e.name = d->String();
    if (!DecodeAttributes(d, &e.attributes)) return false;
    e.dropped_attributes_count = GetU32(d);
  }
  s->links.resize(d->Count(26));
  for (auto& l : s->links) {
    GetId(d, &l.trace_id);
    GetId(d, &l.span_id);
    l.trace_state = d->String();
    if (!DecodeAttributes(d, &l.attributes)) return false;
    l.flags = GetU32(d);
  }
  return d->ok();
}
}  // namespace

bool DecodeEventsLinks(std::string_view in, model::Span* s) {
  s->events.clear();
  s->links.clear();
  if (in.empty()) return true;
  Decoder d(in);
  return DecodeEventsLinksFrom(&d, s) && d.done();
}

void EncodeSpan(const model::Span& s, std::string* out) {
  PutId(out, s.trace_id);
  PutId(out, s.span_id);
  PutId(out, s.parent_span_id);
  PutString(out, s.trace_state);
  PutVarint(out, s.flags);
  PutString(out, s.name);
  PutSigned(out, s.kind);
  PutSigned(out, s.start_ns);
  PutSigned(out, s.end_ns);
  PutSigned(out, s.status_code);
  PutString(out, s.status_message);
  PutString(out, s.service_name);
  EncodeAttributes(s.attributes, out);
  EncodeAttributes(s.resource_attributes, out);
  PutString(out, s.scope_name);
  PutString(out, s.scope_version);
  std::string el;
  EncodeEventsLinks(s, &el);
  PutString(out, el);
  PutVarint(out, s.dropped_attributes_count);
  PutVarint(out, s.dropped_events_count);
  PutVarint(out, s.dropped_links_count);
}

bool DecodeSpan(Decoder* d, model::Span* s) {
  GetId(d, &s->trace_id);
  GetId(d, &s->span_id);
  GetId(d, &s->parent_span_id);
  s->trace_state = d->String();
  s->flags = GetU32(d);
  s->name = d->String();
  s->kind = GetI32(d);
  s->start_ns = d->Signed();
  s->end_ns = d->Signed();
  s->status_code = GetI32(d);
  s->status_message = d->String();
  s->service_name = d->String();
  if (!DecodeAttributes(d, &s->attributes)) return false;
  if (!DecodeAttributes(d, &s->resource_attributes)) return false;
  s->scope_name = d->String();
  s->scope_version = d->String();
  if (!DecodeEventsLinks(d->String(), s)) return d->Fail(), false;
  s->dropped_attributes_count = GetU32(d);
  s->dropped_events_count = GetU32(d);
  s->dropped_links_count = GetU32(d);
  return d->ok();
}

void EncodeLog(const model::LogRecord& r, std::string* out) {
  PutSigned(out, r.time_ns);
  PutSigned(out, r.observed_time_ns);
  PutSigned(out, r.severity_number);
  PutString(out, r.severity_text);
  EncodeAttrValue(r.body, out);
  PutString(out, r.service_name);
  EncodeAttributes(r.attributes, out);
  EncodeAttributes(r.resource_attributes, out);
  PutString(out, r.scope_name);
  PutString(out, r.scope_version);
  PutId(out, r.trace_id);
  PutId(out, r.span_id);
  PutVarint(out, r.flags);
  PutVarint(out, r.dropped_attributes_count);
}

bool DecodeLog(Decoder* d, model::LogRecord* r) {
  r->time_ns = d->Signed();
  r->observed_time_ns = d->Signed();
  r->severity_number = GetI32(d);
  r->severity_text = d->String();
  if (!DecodeAttrValue(d, &r->body)) return false;
  r->service_name = d->String();
  if (!DecodeAttributes(d, &r->attributes)) return false;
  if (!DecodeAttributes(d, &r->resource_attributes)) return false;
  r->scope_name = d->String();
  r->scope_version = d->String();
  GetId(d, &r->trace_id);
  GetId(d, &r->span_id);
  r->flags = GetU32(d);
  r->dropped_attributes_count = GetU32(d);
  return d->ok();
}

namespace {
template <typename T, typename F>
std::string EncodeBatch(const std::vector<T>& items, uint8_t kind, F encode) {
  std::string out;
  out.push_back(static_cast<char>(kind));
  PutVarint(&out, items.size());
  for (const T& it : items) encode(it, &out);
  return out;
}
}  // namespace

std::string EncodeSpanBatch(const std::vector<model::Span>& spans) {
  return EncodeBatch(spans, kSpanBatchRecord, EncodeSpan);
}
std::string EncodeLogBatch(const std::vector<model::LogRecord>& logs) {
  return EncodeBatch(logs, kLogBatchRecord, EncodeLog);
}

namespace {
template <typename T, typename F>
Status DecodeBatch(std::string_view rec, uint8_t kind, F decode, std::vector<T>* out) {
  Decoder d(rec);
  if (d.Byte() != kind) return Status(Code::kCorruption, "WAL record of an unexpected kind");
  uint64_t n = d.Count(8);
  out->reserve(out->size() + n);
  for (uint64_t i = 0; i < n; ++i) {
    if (!decode(&d, &out->emplace_back())) break;
  }
  if (!d.ok() || !d.done()) return Status(Code::kCorruption, "malformed WAL batch record");
  return Status::Ok();
}
}  // namespace

Status DecodeSpanBatch(std::string_view rec, std::vector<model::Span>* out) {
  return DecodeBatch(rec, kSpanBatchRecord, DecodeSpan, out);
}
Status DecodeLogBatch(std::string_view rec, std::vector<model::LogRecord>* out) {
  return DecodeBatch(rec, kLogBatchRecord, DecodeLog, out);
}

}  // namespace infermetry::spanstore
