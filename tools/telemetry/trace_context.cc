// W3C Trace Context (traceparent) parsing and formatting, and the span attribute helpers.

#include <chrono>

#include "telemetry/tracer.h"

namespace infermetry::telemetry {
namespace {

// The spec's HEXDIGLC: digits and lower-case a-f only.
int LowerHexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool ParseLowerHex(std::string_view hex, uint8_t* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  for (size_t i = 0; i < n; ++i) {
    const int hi = LowerHexValue(hex[2 * i]);
    const int lo = LowerHexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

template <size_t N>
bool AllZero(const std::array<uint8_t, N>& id) {
  for (uint8_t b : id) {
    if (b != 0) return false;
  }
  return true;
}

constexpr size_t kVersion00Length = 55;  // 2 + 1 + 32 + 1 + 16 + 1 + 2

model::Attribute* FindOrAdd(model::Span* span, std::string_view key) {
  for (model::Attribute& a : span->attributes) {
    if (a.key == key) {
      a.value = model::AttrValue();
      return &a;
    }
  }
  span->attributes.push_back(model::Attribute{std::string(key), {}});
  return &span->attributes.back();
}

}  // namespace

std::optional<TraceContext> ParseTraceparent(std::string_view h) {
  while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
  while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
  if (h.size() < kVersion00Length) return std::nullopt;
  uint8_t version = 0;
  if (!ParseLowerHex(h.substr(0, 2), &version, 1) || version == 0xff) return std::nullopt;
  if (version == 0 && h.size() != kVersion00Length) return std::nullopt;
  // A later version may append fields, but only after another '-'.
  if (h.size() > kVersion00Length && h[kVersion00Length] != '-') return std::nullopt;
  if (h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  TraceContext ctx;
  if (!ParseLowerHex(h.substr(3, 32), ctx.trace_id.data(), ctx.trace_id.size()) ||
      !ParseLowerHex(h.substr(36, 16), ctx.span_id.data(), ctx.span_id.size()) ||
      !ParseLowerHex(h.substr(53, 2), &ctx.flags, 1)) {
    return std::nullopt;
  }
  if (AllZero(ctx.trace_id) || AllZero(ctx.span_id)) return std::nullopt;
  return ctx;
}

std::string FormatTraceparent(const TraceContext& ctx) {
  const uint8_t flags[1] = {ctx.flags};
  return "00-" + model::HexId(ctx.trace_id) + "-" + model::HexId(ctx.span_id) + "-" +
         model::HexId(flags);
}

int64_t NowUnixNano() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SetStringAttr(model::Span* span, std::string_view key, std::string_view value) {
  model::Attribute* a = FindOrAdd(span, key);
  a->value.type = model::AttrValue::Type::kString;
  a->value.s = std::string(value);
}

void SetIntAttr(model::Span* span, std::string_view key, int64_t value) {
  model::Attribute* a = FindOrAdd(span, key);
  a->value.type = model::AttrValue::Type::kInt;
  a->value.i = value;
}

void SetDoubleAttr(model::Span* span, std::string_view key, double value) {
  model::Attribute* a = FindOrAdd(span, key);
  a->value.type = model::AttrValue::Type::kDouble;
  a->value.d = value;
}

void SetBoolAttr(model::Span* span, std::string_view key, bool value) {
  model::Attribute* a = FindOrAdd(span, key);
  a->value.type = model::AttrValue::Type::kBool;
  a->value.i = value ? 1 : 0;
}

void SetError(model::Span* span, std::string_view message) {
  span->status_code = kStatusError;
  span->status_message = std::string(message);
}

}  // namespace infermetry::telemetry
