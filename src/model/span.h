#pragma once
// Spans and log records as the stores keep and return them: flattened OTLP (resource and scope
// folded into each item), with typed attribute values. Value types only.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace infermetry::model {

using TraceId = std::array<uint8_t, 16>;
using SpanId = std::array<uint8_t, 8>;

// Lower-case hex, as OTLP/JSON writes ids; ParseHexId is false on a wrong length or digit.
std::string HexId(std::span<const uint8_t> id);
bool ParseHexId(std::string_view hex, std::span<uint8_t> out);

// An OTLP AnyValue. Arrays and key-value lists are kept as their OTLP/JSON text (kJson), bytes
// as base64 text (kBytes): stores compare and print them, they never compute with them.
struct AttrValue {
  enum class Type : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kJson };
  Type type = Type::kEmpty;
  std::string s;   // kString, kBytes, kJson
  int64_t i = 0;   // kInt, kBool (0/1)
  double d = 0;    // kDouble
  bool operator==(const AttrValue&) const = default;

  // The value as a number: kInt and kDouble as they are, kBool as 0/1, a kString that parses
  // completely as a number; nullopt otherwise.
  std::optional<double> AsNumber() const;
  // The value as text: strings as they are, numbers as OTLP/JSON prints them.
  std::string AsString() const;
};

struct Attribute {
  std::string key;
  AttrValue value;
  bool operator==(const Attribute&) const = default;
};
using Attributes = std::vector<Attribute>;

// The first attribute with `key`, or null.
const AttrValue* FindAttr(const Attributes& attrs, std::string_view key);

struct SpanEvent {
  int64_t time_ns = 0;
  std::string name;
  Attributes attributes;
  uint32_t dropped_attributes_count = 0;
  bool operator==(const SpanEvent&) const = default;
};

struct SpanLink {
  TraceId trace_id{};
  SpanId span_id{};
  std::string trace_state;
  Attributes attributes;
  uint32_t flags = 0;
  bool operator==(const SpanLink&) const = default;
};

struct Span {
  TraceId trace_id{};
  SpanId span_id{};
  SpanId parent_span_id{};  // all zero for a root span
  std::string trace_state;
  uint32_t flags = 0;
  std::string name;
  int32_t kind = 0;         // OTLP SpanKind number
  int64_t start_ns = 0;     // Unix epoch nanoseconds
  int64_t end_ns = 0;
  int32_t status_code = 0;  // OTLP StatusCode: 0 unset, 1 ok, 2 error
  std::string status_message;
  std::string service_name;  // resource attribute service.name ("" when absent)
  Attributes attributes;
  Attributes resource_attributes;  // including service.name
  std::string scope_name;
  std::string scope_version;
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;
  uint32_t dropped_attributes_count = 0;
  uint32_t dropped_events_count = 0;
  uint32_t dropped_links_count = 0;
  bool operator==(const Span&) const = default;

  int64_t duration_ns() const { return end_ns - start_ns; }
};

struct LogRecord {
  int64_t time_ns = 0;
  int64_t observed_time_ns = 0;
  int32_t severity_number = 0;  // OTLP SeverityNumber, 0 unspecified .. 24 fatal4
  std::string severity_text;
  AttrValue body;
  std::string service_name;
  Attributes attributes;
  Attributes resource_attributes;
  std::string scope_name;
  std::string scope_version;
  TraceId trace_id{};
  SpanId span_id{};
  uint32_t flags = 0;
  uint32_t dropped_attributes_count = 0;
  bool operator==(const LogRecord&) const = default;
};

}  // namespace infermetry::model
