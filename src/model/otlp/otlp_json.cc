#include "model/otlp/otlp_json.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "common/strconv.h"

namespace infermetry::otlp {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace resource = opentelemetry::proto::resource::v1;
namespace trace = opentelemetry::proto::trace::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
namespace logs = opentelemetry::proto::logs::v1;
namespace ctrace = opentelemetry::proto::collector::trace::v1;
namespace cmetrics = opentelemetry::proto::collector::metrics::v1;
namespace clogs = opentelemetry::proto::collector::logs::v1;

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr size_t kTraceIdBytes = 16;
constexpr size_t kSpanIdBytes = 8;
// Protobuf's default parse limit: a message nested deeper than this cannot be parsed back.
constexpr int kMaxDepth = 100;
// Documents up to this size are parsed with a per-thread parser that keeps its buffers; larger
// ones get a parser of their own so that no thread holds on to a huge buffer.
constexpr size_t kCachedParserMaxBytes = 4 << 20;
constexpr int kMaxJsonNesting = 1024;  // simdjson's default

// ===================================== Decoding =====================================

// The error of a failed decode: the innermost cause, and the path to it collected on the way
// out (innermost segment first).
class Errors {
 public:
  // Records the cause; returns false so that callers can `return e.Fail(...)`.
  bool Fail(std::string what) {
    what_ = std::move(what);
    return false;
  }
  // Adds the field that contained the failure; returns false.
  bool At(std::string_view field) {
    path_.emplace_back(field);
    return false;
  }
  bool At(std::string_view field, size_t index) {
    std::string seg(field);
    seg += '[';
    seg += std::to_string(index);
    seg += ']';
    path_.push_back(std::move(seg));
    return false;
  }

  Status ToStatus() const {
    std::string msg;
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) {
      if (!msg.empty()) msg += '.';
      msg += *it;
    }
    if (!msg.empty()) msg += ": ";
    msg += what_;
    return ParseError(std::move(msg));
  }

 private:
  std::string what_;
  std::vector<std::string> path_;
};

std::string_view TypeName(element v) {
  switch (v.type()) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

bool WrongType(Errors& e, std::string_view want, element v) {
  std::string msg = "expected ";
  msg += want;
  msg += ", got ";
  msg += TypeName(v);
  return e.Fail(std::move(msg));
}

// A JSON string shown in a message: quoted, truncated, non-printable bytes as \xNN.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > kMax) out += "...";
  out += '"';
  return out;
}

inline bool Is(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

// Calls f(key, value) for every member of an object; false if v is not an object or f fails.
template <typename F>
bool ForFields(element v, Errors& e, F&& f) {
  simdjson::dom::object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return WrongType(e, "an object", v);
  for (simdjson::dom::key_value_pair kv : obj) {
    if (!f(kv.key, kv.value)) return false;
  }
  return true;
}

// Decodes a JSON array into a repeated message field with decode(element, T*). A null array is
// empty. On failure the element's index is added to the path under `name`.
template <typename T, typename F>
bool ForEach(element v, google::protobuf::RepeatedPtrField<T>* out, std::string_view name,
             Errors& e, F&& decode) {
  if (v.is_null()) return true;
  simdjson::dom::array arr;
  if (v.get_array().get(arr) != simdjson::SUCCESS) {
    WrongType(e, "an array", v);
    return e.At(name);
  }
  out->Reserve(out->size() + static_cast<int>(arr.size()));
  size_t i = 0;
  for (element x : arr) {
    if (!decode(x, out->Add())) return e.At(name, i);
    ++i;
  }
  return true;
}

bool GetString(element v, std::string* out, Errors& e) {
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) {
    out->assign(s.data(), s.size());
    return true;
  }
  if (v.is_null()) return true;
  return WrongType(e, "a string", v);
}

bool GetBool(element v, bool* out, Errors& e) {
  bool b;
  if (v.get_bool().get(b) == simdjson::SUCCESS) {
    *out = b;
    return true;
  }
  if (v.is_null()) return true;
  return WrongType(e, "true or false", v);
}

// Parses an optionally signed decimal integer of at most 38 digits.
bool ParseDecimal(std::string_view s, __int128* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 38) return false;
  __int128 v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = neg ? -v : v;
  return true;
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u > 0) {
    s += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) s += '-';
  return std::string(s.rbegin(), s.rend());
}

// An integer field of type T, given as a JSON number or a decimal string. *set is false for
// null (field absent).
template <typename T>
bool GetInt(element v, T* out, std::string_view type_name, Errors& e) {
  __int128 x = 0;
  switch (v.type()) {
    case element_type::INT64:
      x = v.get_int64().value_unsafe();
      break;
    case element_type::UINT64:
      x = v.get_uint64().value_unsafe();
      break;
    case element_type::DOUBLE: {
      double d = v.get_double().value_unsafe();
      if (!(d == std::trunc(d)) || std::fabs(d) >= 1.8446744073709552e19) {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof(buf), d);
        return e.Fail("expected an integer, got " + std::string(buf, r.ptr));
      }
      x = static_cast<__int128>(d);
      break;
    }
    case element_type::STRING: {
      std::string_view s = v.get_string().value_unsafe();
      if (!ParseDecimal(s, &x)) return e.Fail("expected an integer, got " + Quote(s));
      break;
    }
    case element_type::NULL_VALUE:
      return true;
    default:
      return WrongType(e, "an integer", v);
  }
  if (x < static_cast<__int128>(std::numeric_limits<T>::min()) ||
      x > static_cast<__int128>(std::numeric_limits<T>::max())) {
    return e.Fail(Int128ToString(x) + " is out of range for " + std::string(type_name));
  }
  *out = static_cast<T>(x);
  return true;
}

bool GetU32(element v, uint32_t* out, Errors& e) { return GetInt<uint32_t>(v, out, "uint32", e); }
bool GetI32(element v, int32_t* out, Errors& e) { return GetInt<int32_t>(v, out, "int32", e); }
bool GetU64(element v, uint64_t* out, Errors& e) { return GetInt<uint64_t>(v, out, "uint64", e); }
bool GetI64(element v, int64_t* out, Errors& e) { return GetInt<int64_t>(v, out, "int64", e); }

bool GetDouble(element v, double* out, Errors& e) {
  switch (v.type()) {
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      *out = v.get_double().value_unsafe();
      return true;
    case element_type::STRING: {
      std::string_view s = v.get_string().value_unsafe();
      if (s == "NaN") {
        *out = std::numeric_limits<double>::quiet_NaN();
        return true;
      }
      if (s == "Infinity" || s == "-Infinity") {
        *out = s[0] == '-' ? -std::numeric_limits<double>::infinity()
                           : std::numeric_limits<double>::infinity();
        return true;
      }
      // A decimal number in a string; from_chars alone would also take "inf" and "nan".
      size_t lead = !s.empty() && s[0] == '-' ? 1 : 0;
      if (s.size() > lead && ((s[lead] >= '0' && s[lead] <= '9') || s[lead] == '.')) {
        double d;
        auto r = std::from_chars(s.data(), s.data() + s.size(), d, std::chars_format::general);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size()) {
          *out = d;
          return true;
        }
      }
      return e.Fail("expected a number, got " + Quote(s));
    }
    case element_type::NULL_VALUE:
      return true;
    default:
      return WrongType(e, "a number", v);
  }
}

// An enum given as an integer or by its value name.
bool GetEnum(element v, const google::protobuf::EnumDescriptor* desc, int* out, Errors& e) {
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) {
    // A decimal string is an integer; anything else must be a value name.
    if (!s.empty() && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-')) {
      int32_t x;
      if (!GetI32(v, &x, e)) return false;
      *out = x;
      return true;
    }
    const google::protobuf::EnumValueDescriptor* val = desc->FindValueByName(std::string(s));
    if (val == nullptr) return e.Fail("unknown " + desc->name() + " " + Quote(s));
    *out = val->number();
    return true;
  }
  int32_t x = *out;
  if (!GetI32(v, &x, e)) return false;
  *out = x;
  return true;
}

// A trace or span id: "" or exactly 2 * bytes hex digits.
bool GetId(element v, size_t bytes, std::string* out, Errors& e) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) {
    if (v.is_null()) return true;
    return WrongType(e, "a hex string", v);
  }
  if (s.empty()) {
    out->clear();
    return true;
  }
  if (s.size() != 2 * bytes) {
    return e.Fail("expected " + std::to_string(2 * bytes) + " hex characters, got " +
                  std::to_string(s.size()));
  }
  out->resize(bytes);
  for (size_t i = 0; i < bytes; ++i) {
    int hi = HexDigitValue(s[2 * i]), lo = HexDigitValue(s[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      size_t at = hi < 0 ? 2 * i : 2 * i + 1;
      return e.Fail("invalid hex character " + Quote(s.substr(at, 1)) + " at offset " +
                    std::to_string(at) + " in " + Quote(s));
    }
    (*out)[i] = static_cast<char>(hi << 4 | lo);
  }
  return true;
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Standard or URL-safe base64, padding optional.
bool GetBase64(element v, std::string* out, Errors& e) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) {
    if (v.is_null()) return true;
    return WrongType(e, "a base64 string", v);
  }
  std::string_view body = s;
  if (body.size() % 4 == 0) {
    for (int i = 0; i < 2 && !body.empty() && body.back() == '='; ++i) body.remove_suffix(1);
  }
  if (body.size() % 4 == 1) return e.Fail("invalid base64 length in " + Quote(s));
  out->clear();
  out->reserve(body.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    int d = Base64Digit(body[i]);
    if (d < 0) {
      return e.Fail("invalid base64 character " + Quote(body.substr(i, 1)) + " at offset " +
                    std::to_string(i));
    }
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

// ---- common ----

bool DecodeAnyValue(element v, common::AnyValue* out, int depth, Errors& e);

bool CheckDepth(int depth, Errors& e) {
  if (depth <= kMaxDepth) return true;
  return e.Fail("values nested more than " + std::to_string(kMaxDepth) + " messages deep");
}

bool DecodeKeyValue(element v, common::KeyValue* out, int depth, Errors& e) {
  if (!CheckDepth(depth, e)) return false;
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "key") return GetString(val, out->mutable_key(), e) || e.At("key");
    if (key == "value") {
      if (val.is_null()) return true;
      return DecodeAnyValue(val, out->mutable_value(), depth + 1, e) || e.At("value");
    }
    return true;
  });
}

bool DecodeAttributes(element v, google::protobuf::RepeatedPtrField<common::KeyValue>* out,
                      std::string_view name, int depth, Errors& e) {
  return ForEach(v, out, name, e,
                 [&](element x, common::KeyValue* kv) { return DecodeKeyValue(x, kv, depth, e); });
}

bool DecodeAnyValue(element v, common::AnyValue* out, int depth, Errors& e) {
  if (!CheckDepth(depth, e)) return false;
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (val.is_null()) return true;
    if (Is(key, "stringValue", "string_value")) {
      return GetString(val, out->mutable_string_value(), e) || e.At("stringValue");
    }
    if (Is(key, "boolValue", "bool_value")) {
      bool b = false;
      if (!GetBool(val, &b, e)) return e.At("boolValue");
      out->set_bool_value(b);
      return true;
    }
    if (Is(key, "intValue", "int_value")) {
      int64_t x = 0;
      if (!GetI64(val, &x, e)) return e.At("intValue");
      out->set_int_value(x);
      return true;
    }
    if (Is(key, "doubleValue", "double_value")) {
      double d = 0;
      if (!GetDouble(val, &d, e)) return e.At("doubleValue");
      out->set_double_value(d);
      return true;
    }
    if (Is(key, "arrayValue", "array_value")) {
      common::ArrayValue* arr = out->mutable_array_value();
      if (!CheckDepth(depth + 1, e)) return e.At("arrayValue");
      bool ok = ForFields(val, e, [&](std::string_view k, element x) {
        if (k != "values") return true;
        return ForEach(x, arr->mutable_values(), "values", e, [&](element y, common::AnyValue* a) {
          return DecodeAnyValue(y, a, depth + 2, e);
        });
      });
      return ok || e.At("arrayValue");
    }
    if (Is(key, "kvlistValue", "kvlist_value")) {
      common::KeyValueList* list = out->mutable_kvlist_value();
      if (!CheckDepth(depth + 1, e)) return e.At("kvlistValue");
      bool ok = ForFields(val, e, [&](std::string_view k, element x) {
        if (k != "values") return true;
        return DecodeAttributes(x, list->mutable_values(), "values", depth + 2, e);
      });
      return ok || e.At("kvlistValue");
    }
    if (Is(key, "bytesValue", "bytes_value")) {
      return GetBase64(val, out->mutable_bytes_value(), e) || e.At("bytesValue");
    }
    return true;
  });
}

bool DecodeScope(element v, common::InstrumentationScope* out, int depth, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "name") return GetString(val, out->mutable_name(), e) || e.At("name");
    if (key == "version") return GetString(val, out->mutable_version(), e) || e.At("version");
    if (key == "attributes") {
      return DecodeAttributes(val, out->mutable_attributes(), "attributes", depth + 1, e);
    }
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      uint32_t n = out->dropped_attributes_count();
      if (!GetU32(val, &n, e)) return e.At("droppedAttributesCount");
      out->set_dropped_attributes_count(n);
      return true;
    }
    return true;
  });
}

bool DecodeStringList(element v, google::protobuf::RepeatedPtrField<std::string>* out,
                      std::string_view name, Errors& e) {
  return ForEach(v, out, name, e, [&](element x, std::string* s) { return GetString(x, s, e); });
}

bool DecodeEntityRef(element v, common::EntityRef* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "schemaUrl", "schema_url")) {
      return GetString(val, out->mutable_schema_url(), e) || e.At("schemaUrl");
    }
    if (key == "type") return GetString(val, out->mutable_type(), e) || e.At("type");
    if (Is(key, "idKeys", "id_keys"))
      return DecodeStringList(val, out->mutable_id_keys(), "idKeys", e);
    if (Is(key, "descriptionKeys", "description_keys")) {
      return DecodeStringList(val, out->mutable_description_keys(), "descriptionKeys", e);
    }
    return true;
  });
}

// `depth` is the Resource's own depth.
bool DecodeResource(element v, resource::Resource* out, int depth, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "attributes") {
      return DecodeAttributes(val, out->mutable_attributes(), "attributes", depth + 1, e);
    }
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      uint32_t n = out->dropped_attributes_count();
      if (!GetU32(val, &n, e)) return e.At("droppedAttributesCount");
      out->set_dropped_attributes_count(n);
      return true;
    }
    if (Is(key, "entityRefs", "entity_refs")) {
      return ForEach(val, out->mutable_entity_refs(), "entityRefs", e,
                     [&](element x, common::EntityRef* r) { return DecodeEntityRef(x, r, e); });
    }
    return true;
  });
}

// Scalar setters shared by many messages: each reads `val` into the field through the getter
// and setter, adding `name` to the path on failure.
#define INFERMETRY_JSON_SCALAR(getter_fn, msg, field, name) \
  do {                                                      \
    auto x_ = (msg)->field();                               \
    if (!getter_fn(val, &x_, e)) return e.At(name);         \
    (msg)->set_##field(x_);                                 \
    return true;                                            \
  } while (0)

#define INFERMETRY_JSON_ENUM(msg, field, type, name)                   \
  do {                                                                 \
    int x_ = static_cast<int>((msg)->field());                         \
    if (!GetEnum(val, type##_descriptor(), &x_, e)) return e.At(name); \
    (msg)->set_##field(static_cast<type>(x_));                         \
    return true;                                                       \
  } while (0)

// ---- traces ----

bool DecodeStatus(element v, trace::Status* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "message") return GetString(val, out->mutable_message(), e) || e.At("message");
    if (key == "code") INFERMETRY_JSON_ENUM(out, code, trace::Status_StatusCode, "code");
    return true;
  });
}

bool DecodeEvent(element v, trace::Span::Event* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "timeUnixNano", "time_unix_nano")) {
      INFERMETRY_JSON_SCALAR(GetU64, out, time_unix_nano, "timeUnixNano");
    }
    if (key == "name") return GetString(val, out->mutable_name(), e) || e.At("name");
    if (key == "attributes")
      return DecodeAttributes(val, out->mutable_attributes(), "attributes", 5, e);
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      INFERMETRY_JSON_SCALAR(GetU32, out, dropped_attributes_count, "droppedAttributesCount");
    }
    return true;
  });
}

bool DecodeLink(element v, trace::Span::Link* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "traceId", "trace_id")) {
      return GetId(val, kTraceIdBytes, out->mutable_trace_id(), e) || e.At("traceId");
    }
    if (Is(key, "spanId", "span_id")) {
      return GetId(val, kSpanIdBytes, out->mutable_span_id(), e) || e.At("spanId");
    }
    if (Is(key, "traceState", "trace_state")) {
      return GetString(val, out->mutable_trace_state(), e) || e.At("traceState");
    }
    if (key == "attributes")
      return DecodeAttributes(val, out->mutable_attributes(), "attributes", 5, e);
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      INFERMETRY_JSON_SCALAR(GetU32, out, dropped_attributes_count, "droppedAttributesCount");
    }
    if (key == "flags") INFERMETRY_JSON_SCALAR(GetU32, out, flags, "flags");
    return true;
  });
}

bool DecodeSpan(element v, trace::Span* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    switch (key.empty() ? 0 : key[0]) {
      case 't':
        if (Is(key, "traceId", "trace_id")) {
          return GetId(val, kTraceIdBytes, out->mutable_trace_id(), e) || e.At("traceId");
        }
        if (Is(key, "traceState", "trace_state")) {
          return GetString(val, out->mutable_trace_state(), e) || e.At("traceState");
        }
        break;
      case 's':
        if (Is(key, "spanId", "span_id")) {
          return GetId(val, kSpanIdBytes, out->mutable_span_id(), e) || e.At("spanId");
        }
        if (Is(key, "startTimeUnixNano", "start_time_unix_nano")) {
          INFERMETRY_JSON_SCALAR(GetU64, out, start_time_unix_nano, "startTimeUnixNano");
        }
        if (key == "status") {
          if (val.is_null()) return true;
          return DecodeStatus(val, out->mutable_status(), e) || e.At("status");
        }
        break;
      case 'p':
        if (Is(key, "parentSpanId", "parent_span_id")) {
          return GetId(val, kSpanIdBytes, out->mutable_parent_span_id(), e) || e.At("parentSpanId");
        }
        break;
      case 'f':
        if (key == "flags") INFERMETRY_JSON_SCALAR(GetU32, out, flags, "flags");
        break;
      case 'n':
        if (key == "name") return GetString(val, out->mutable_name(), e) || e.At("name");
        break;
      case 'k':
        if (key == "kind") INFERMETRY_JSON_ENUM(out, kind, trace::Span_SpanKind, "kind");
        break;
      case 'e':
        if (Is(key, "endTimeUnixNano", "end_time_unix_nano")) {
          INFERMETRY_JSON_SCALAR(GetU64, out, end_time_unix_nano, "endTimeUnixNano");
        }
        if (key == "events") {
          return ForEach(val, out->mutable_events(), "events", e,
                         [&](element x, trace::Span::Event* ev) { return DecodeEvent(x, ev, e); });
        }
        break;
      case 'a':
        if (key == "attributes") {
          return DecodeAttributes(val, out->mutable_attributes(), "attributes", 4, e);
        }
        break;
      case 'd':
        if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
          INFERMETRY_JSON_SCALAR(GetU32, out, dropped_attributes_count, "droppedAttributesCount");
        }
        if (Is(key, "droppedEventsCount", "dropped_events_count")) {
          INFERMETRY_JSON_SCALAR(GetU32, out, dropped_events_count, "droppedEventsCount");
        }
        if (Is(key, "droppedLinksCount", "dropped_links_count")) {
          INFERMETRY_JSON_SCALAR(GetU32, out, dropped_links_count, "droppedLinksCount");
        }
        break;
      case 'l':
        if (key == "links") {
          return ForEach(val, out->mutable_links(), "links", e,
                         [&](element x, trace::Span::Link* l) { return DecodeLink(x, l, e); });
        }
        break;
      default:
        break;
    }
    return true;
  });
}

bool DecodeScopeSpans(element v, trace::ScopeSpans* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "scope") {
      if (val.is_null()) return true;
      return DecodeScope(val, out->mutable_scope(), 3, e) || e.At("scope");
    }
    if (key == "spans") {
      return ForEach(val, out->mutable_spans(), "spans", e,
                     [&](element x, trace::Span* s) { return DecodeSpan(x, s, e); });
    }
    if (Is(key, "schemaUrl", "schema_url")) {
      return GetString(val, out->mutable_schema_url(), e) || e.At("schemaUrl");
    }
    return true;
  });
}

bool DecodeResourceSpans(element v, trace::ResourceSpans* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "resource") {
      if (val.is_null()) return true;
      return DecodeResource(val, out->mutable_resource(), 2, e) || e.At("resource");
    }
    if (Is(key, "scopeSpans", "scope_spans")) {
      return ForEach(val, out->mutable_scope_spans(), "scopeSpans", e,
                     [&](element x, trace::ScopeSpans* s) { return DecodeScopeSpans(x, s, e); });
    }
    if (Is(key, "schemaUrl", "schema_url")) {
      return GetString(val, out->mutable_schema_url(), e) || e.At("schemaUrl");
    }
    return true;
  });
}

bool DecodeTraces(element v, ExportTraceServiceRequest* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "resourceSpans", "resource_spans")) {
      return ForEach(
          val, out->mutable_resource_spans(), "resourceSpans", e,
          [&](element x, trace::ResourceSpans* r) { return DecodeResourceSpans(x, r, e); });
    }
    return true;
  });
}

// ---- metrics ----

bool DecodeExemplar(element v, metrics::Exemplar* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "filteredAttributes", "filtered_attributes")) {
      return DecodeAttributes(val, out->mutable_filtered_attributes(), "filteredAttributes", 7, e);
    }
    if (Is(key, "timeUnixNano", "time_unix_nano")) {
      INFERMETRY_JSON_SCALAR(GetU64, out, time_unix_nano, "timeUnixNano");
    }
    if (val.is_null()) return true;
    if (Is(key, "asDouble", "as_double"))
      INFERMETRY_JSON_SCALAR(GetDouble, out, as_double, "asDouble");
    if (Is(key, "asInt", "as_int")) INFERMETRY_JSON_SCALAR(GetI64, out, as_int, "asInt");
    if (Is(key, "spanId", "span_id")) {
      return GetId(val, kSpanIdBytes, out->mutable_span_id(), e) || e.At("spanId");
    }
    if (Is(key, "traceId", "trace_id")) {
      return GetId(val, kTraceIdBytes, out->mutable_trace_id(), e) || e.At("traceId");
    }
    return true;
  });
}

bool DecodeExemplars(element v, google::protobuf::RepeatedPtrField<metrics::Exemplar>* out,
                     Errors& e) {
  return ForEach(v, out, "exemplars", e,
                 [&](element x, metrics::Exemplar* ex) { return DecodeExemplar(x, ex, e); });
}

// Fields every data point has: attributes (at depth 6), start and end time, flags.
template <typename P>
bool DecodePointCommon(std::string_view key, element val, P* out, Errors& e, bool* handled) {
  *handled = true;
  if (key == "attributes")
    return DecodeAttributes(val, out->mutable_attributes(), "attributes", 6, e);
  if (Is(key, "startTimeUnixNano", "start_time_unix_nano")) {
    INFERMETRY_JSON_SCALAR(GetU64, out, start_time_unix_nano, "startTimeUnixNano");
  }
  if (Is(key, "timeUnixNano", "time_unix_nano")) {
    INFERMETRY_JSON_SCALAR(GetU64, out, time_unix_nano, "timeUnixNano");
  }
  if (key == "flags") INFERMETRY_JSON_SCALAR(GetU32, out, flags, "flags");
  *handled = false;
  return true;
}

bool DecodeNumberPoint(element v, metrics::NumberDataPoint* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    bool handled;
    bool ok = DecodePointCommon(key, val, out, e, &handled);
    if (handled) return ok;
    if (key == "exemplars") return DecodeExemplars(val, out->mutable_exemplars(), e);
    if (val.is_null()) return true;
    if (Is(key, "asDouble", "as_double"))
      INFERMETRY_JSON_SCALAR(GetDouble, out, as_double, "asDouble");
    if (Is(key, "asInt", "as_int")) INFERMETRY_JSON_SCALAR(GetI64, out, as_int, "asInt");
    return true;
  });
}

bool DecodeU64List(element v, google::protobuf::RepeatedField<uint64_t>* out, std::string_view name,
                   Errors& e) {
  if (v.is_null()) return true;
  simdjson::dom::array arr;
  if (v.get_array().get(arr) != simdjson::SUCCESS) {
    WrongType(e, "an array", v);
    return e.At(name);
  }
  out->Reserve(out->size() + static_cast<int>(arr.size()));
  size_t i = 0;
  for (element x : arr) {
    uint64_t n = 0;
    if (!GetU64(x, &n, e)) return e.At(name, i);
    out->Add(n);
    ++i;
  }
  return true;
}

bool DecodeDoubleList(element v, google::protobuf::RepeatedField<double>* out,
                      std::string_view name, Errors& e) {
  if (v.is_null()) return true;
  simdjson::dom::array arr;
  if (v.get_array().get(arr) != simdjson::SUCCESS) {
    WrongType(e, "an array", v);
    return e.At(name);
  }
  out->Reserve(out->size() + static_cast<int>(arr.size()));
  size_t i = 0;
  for (element x : arr) {
    double d = 0;
    if (!GetDouble(x, &d, e)) return e.At(name, i);
    out->Add(d);
    ++i;
  }
  return true;
}

bool DecodeHistogramPoint(element v, metrics::HistogramDataPoint* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    bool handled;
    bool ok = DecodePointCommon(key, val, out, e, &handled);
    if (handled) return ok;
    if (key == "count") INFERMETRY_JSON_SCALAR(GetU64, out, count, "count");
    if (Is(key, "bucketCounts", "bucket_counts")) {
      return DecodeU64List(val, out->mutable_bucket_counts(), "bucketCounts", e);
    }
    if (Is(key, "explicitBounds", "explicit_bounds")) {
      return DecodeDoubleList(val, out->mutable_explicit_bounds(), "explicitBounds", e);
    }
    if (key == "exemplars") return DecodeExemplars(val, out->mutable_exemplars(), e);
    if (val.is_null()) return true;
    if (key == "sum") INFERMETRY_JSON_SCALAR(GetDouble, out, sum, "sum");
    if (key == "min") INFERMETRY_JSON_SCALAR(GetDouble, out, min, "min");
    if (key == "max") INFERMETRY_JSON_SCALAR(GetDouble, out, max, "max");
    return true;
  });
}

bool DecodeBuckets(element v, metrics::ExponentialHistogramDataPoint::Buckets* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "offset") INFERMETRY_JSON_SCALAR(GetI32, out, offset, "offset");
    if (Is(key, "bucketCounts", "bucket_counts")) {
      return DecodeU64List(val, out->mutable_bucket_counts(), "bucketCounts", e);
    }
    return true;
  });
}

bool DecodeExpHistogramPoint(element v, metrics::ExponentialHistogramDataPoint* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    bool handled;
    bool ok = DecodePointCommon(key, val, out, e, &handled);
    if (handled) return ok;
    if (key == "count") INFERMETRY_JSON_SCALAR(GetU64, out, count, "count");
    if (key == "scale") INFERMETRY_JSON_SCALAR(GetI32, out, scale, "scale");
    if (Is(key, "zeroCount", "zero_count"))
      INFERMETRY_JSON_SCALAR(GetU64, out, zero_count, "zeroCount");
    if (Is(key, "zeroThreshold", "zero_threshold")) {
      INFERMETRY_JSON_SCALAR(GetDouble, out, zero_threshold, "zeroThreshold");
    }
    if (key == "exemplars") return DecodeExemplars(val, out->mutable_exemplars(), e);
    if (val.is_null()) return true;
    if (key == "positive")
      return DecodeBuckets(val, out->mutable_positive(), e) || e.At("positive");
    if (key == "negative")
      return DecodeBuckets(val, out->mutable_negative(), e) || e.At("negative");
    if (key == "sum") INFERMETRY_JSON_SCALAR(GetDouble, out, sum, "sum");
    if (key == "min") INFERMETRY_JSON_SCALAR(GetDouble, out, min, "min");
    if (key == "max") INFERMETRY_JSON_SCALAR(GetDouble, out, max, "max");
    return true;
  });
}

bool DecodeQuantile(element v, metrics::SummaryDataPoint::ValueAtQuantile* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "quantile") INFERMETRY_JSON_SCALAR(GetDouble, out, quantile, "quantile");
    if (key == "value") INFERMETRY_JSON_SCALAR(GetDouble, out, value, "value");
    return true;
  });
}

bool DecodeSummaryPoint(element v, metrics::SummaryDataPoint* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    bool handled;
    bool ok = DecodePointCommon(key, val, out, e, &handled);
    if (handled) return ok;
    if (key == "count") INFERMETRY_JSON_SCALAR(GetU64, out, count, "count");
    if (key == "sum") INFERMETRY_JSON_SCALAR(GetDouble, out, sum, "sum");
    if (Is(key, "quantileValues", "quantile_values")) {
      return ForEach(val, out->mutable_quantile_values(), "quantileValues", e,
                     [&](element x, metrics::SummaryDataPoint::ValueAtQuantile* q) {
                       return DecodeQuantile(x, q, e);
                     });
    }
    return true;
  });
}

template <typename P, typename F>
bool DecodePoints(element val, google::protobuf::RepeatedPtrField<P>* out, Errors& e, F&& decode) {
  return ForEach(val, out, "dataPoints", e, [&](element x, P* p) { return decode(x, p, e); });
}

bool DecodeTemporality(element val, metrics::AggregationTemporality* out, Errors& e) {
  int x = *out;
  if (!GetEnum(val, metrics::AggregationTemporality_descriptor(), &x, e)) return false;
  *out = static_cast<metrics::AggregationTemporality>(x);
  return true;
}

bool DecodeGauge(element v, metrics::Gauge* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "dataPoints", "data_points")) {
      return DecodePoints(val, out->mutable_data_points(), e, DecodeNumberPoint);
    }
    return true;
  });
}

bool DecodeSum(element v, metrics::Sum* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "dataPoints", "data_points")) {
      return DecodePoints(val, out->mutable_data_points(), e, DecodeNumberPoint);
    }
    if (Is(key, "aggregationTemporality", "aggregation_temporality")) {
      INFERMETRY_JSON_SCALAR(DecodeTemporality, out, aggregation_temporality,
                             "aggregationTemporality");
    }
    if (Is(key, "isMonotonic", "is_monotonic"))
      INFERMETRY_JSON_SCALAR(GetBool, out, is_monotonic, "isMonotonic");
    return true;
  });
}

bool DecodeHistogram(element v, metrics::Histogram* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "dataPoints", "data_points")) {
      return DecodePoints(val, out->mutable_data_points(), e, DecodeHistogramPoint);
    }
    if (Is(key, "aggregationTemporality", "aggregation_temporality")) {
      INFERMETRY_JSON_SCALAR(DecodeTemporality, out, aggregation_temporality,
                             "aggregationTemporality");
    }
    return true;
  });
}

bool DecodeExpHistogram(element v, metrics::ExponentialHistogram* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "dataPoints", "data_points")) {
      return DecodePoints(val, out->mutable_data_points(), e, DecodeExpHistogramPoint);
    }
    if (Is(key, "aggregationTemporality", "aggregation_temporality")) {
      INFERMETRY_JSON_SCALAR(DecodeTemporality, out, aggregation_temporality,
                             "aggregationTemporality");
    }
    return true;
  });
}

bool DecodeSummary(element v, metrics::Summary* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "dataPoints", "data_points")) {
      return DecodePoints(val, out->mutable_data_points(), e, DecodeSummaryPoint);
    }
    return true;
  });
}

bool DecodeMetric(element v, metrics::Metric* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "name") return GetString(val, out->mutable_name(), e) || e.At("name");
    if (key == "description")
      return GetString(val, out->mutable_description(), e) || e.At("description");
    if (key == "unit") return GetString(val, out->mutable_unit(), e) || e.At("unit");
    if (key == "metadata") return DecodeAttributes(val, out->mutable_metadata(), "metadata", 4, e);
    if (val.is_null()) return true;
    if (key == "gauge") return DecodeGauge(val, out->mutable_gauge(), e) || e.At("gauge");
    if (key == "sum") return DecodeSum(val, out->mutable_sum(), e) || e.At("sum");
    if (key == "histogram")
      return DecodeHistogram(val, out->mutable_histogram(), e) || e.At("histogram");
    if (Is(key, "exponentialHistogram", "exponential_histogram")) {
      return DecodeExpHistogram(val, out->mutable_exponential_histogram(), e) ||
             e.At("exponentialHistogram");
    }
    if (key == "summary") return DecodeSummary(val, out->mutable_summary(), e) || e.At("summary");
    return true;
  });
}

bool DecodeScopeMetrics(element v, metrics::ScopeMetrics* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "scope") {
      if (val.is_null()) return true;
      return DecodeScope(val, out->mutable_scope(), 3, e) || e.At("scope");
    }
    if (key == "metrics") {
      return ForEach(val, out->mutable_metrics(), "metrics", e,
                     [&](element x, metrics::Metric* m) { return DecodeMetric(x, m, e); });
    }
    if (Is(key, "schemaUrl", "schema_url")) {
      return GetString(val, out->mutable_schema_url(), e) || e.At("schemaUrl");
    }
    return true;
  });
}

bool DecodeResourceMetrics(element v, metrics::ResourceMetrics* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "resource") {
      if (val.is_null()) return true;
      return DecodeResource(val, out->mutable_resource(), 2, e) || e.At("resource");
    }
    if (Is(key, "scopeMetrics", "scope_metrics")) {
      return ForEach(
          val, out->mutable_scope_metrics(), "scopeMetrics", e,
          [&](element x, metrics::ScopeMetrics* s) { return DecodeScopeMetrics(x, s, e); });
    }
    if (Is(key, "schemaUrl", "schema_url")) {
      return GetString(val, out->mutable_schema_url(), e) || e.At("schemaUrl");
    }
    return true;
  });
}

bool DecodeMetrics(element v, ExportMetricsServiceRequest* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "resourceMetrics", "resource_metrics")) {
      return ForEach(
          val, out->mutable_resource_metrics(), "resourceMetrics", e,
          [&](element x, metrics::ResourceMetrics* r) { return DecodeResourceMetrics(x, r, e); });
    }
    return true;
  });
}

// ---- logs ----

bool DecodeLogRecord(element v, logs::LogRecord* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "timeUnixNano", "time_unix_nano")) {
      INFERMETRY_JSON_SCALAR(GetU64, out, time_unix_nano, "timeUnixNano");
    }
    if (Is(key, "observedTimeUnixNano", "observed_time_unix_nano")) {
      INFERMETRY_JSON_SCALAR(GetU64, out, observed_time_unix_nano, "observedTimeUnixNano");
    }
    if (Is(key, "severityNumber", "severity_number")) {
      INFERMETRY_JSON_ENUM(out, severity_number, logs::SeverityNumber, "severityNumber");
    }
    if (Is(key, "severityText", "severity_text")) {
      return GetString(val, out->mutable_severity_text(), e) || e.At("severityText");
    }
    if (key == "body") {
      if (val.is_null()) return true;
      return DecodeAnyValue(val, out->mutable_body(), 4, e) || e.At("body");
    }
    if (key == "attributes")
      return DecodeAttributes(val, out->mutable_attributes(), "attributes", 4, e);
    if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      INFERMETRY_JSON_SCALAR(GetU32, out, dropped_attributes_count, "droppedAttributesCount");
    }
    if (key == "flags") INFERMETRY_JSON_SCALAR(GetU32, out, flags, "flags");
    if (Is(key, "traceId", "trace_id")) {
      return GetId(val, kTraceIdBytes, out->mutable_trace_id(), e) || e.At("traceId");
    }
    if (Is(key, "spanId", "span_id")) {
      return GetId(val, kSpanIdBytes, out->mutable_span_id(), e) || e.At("spanId");
    }
    if (Is(key, "eventName", "event_name")) {
      return GetString(val, out->mutable_event_name(), e) || e.At("eventName");
    }
    return true;
  });
}

bool DecodeScopeLogs(element v, logs::ScopeLogs* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "scope") {
      if (val.is_null()) return true;
      return DecodeScope(val, out->mutable_scope(), 3, e) || e.At("scope");
    }
    if (Is(key, "logRecords", "log_records")) {
      return ForEach(val, out->mutable_log_records(), "logRecords", e,
                     [&](element x, logs::LogRecord* r) { return DecodeLogRecord(x, r, e); });
    }
    if (Is(key, "schemaUrl", "schema_url")) {
      return GetString(val, out->mutable_schema_url(), e) || e.At("schemaUrl");
    }
    return true;
  });
}

bool DecodeResourceLogs(element v, logs::ResourceLogs* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "resource") {
      if (val.is_null()) return true;
      return DecodeResource(val, out->mutable_resource(), 2, e) || e.At("resource");
    }
    if (Is(key, "scopeLogs", "scope_logs")) {
      return ForEach(val, out->mutable_scope_logs(), "scopeLogs", e,
                     [&](element x, logs::ScopeLogs* s) { return DecodeScopeLogs(x, s, e); });
    }
    if (Is(key, "schemaUrl", "schema_url")) {
      return GetString(val, out->mutable_schema_url(), e) || e.At("schemaUrl");
    }
    return true;
  });
}

bool DecodeLogs(element v, ExportLogsServiceRequest* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "resourceLogs", "resource_logs")) {
      return ForEach(val, out->mutable_resource_logs(), "resourceLogs", e,
                     [&](element x, logs::ResourceLogs* r) { return DecodeResourceLogs(x, r, e); });
    }
    return true;
  });
}

// ---- responses ----

// partialSuccess of any of the three responses: `count_camel`/`count_snake` name its int64.
template <typename P>
bool DecodePartialSuccess(element v, P* out, std::string_view count_camel,
                          std::string_view count_snake, void (P::*set_count)(int64_t), Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, count_camel, count_snake)) {
      int64_t n = 0;
      if (!GetI64(val, &n, e)) return e.At(count_camel);
      (out->*set_count)(n);
      return true;
    }
    if (Is(key, "errorMessage", "error_message")) {
      return GetString(val, out->mutable_error_message(), e) || e.At("errorMessage");
    }
    return true;
  });
}

template <typename R, typename P>
bool DecodeResponse(element v, R* out, P* (R::*mutable_ps)(), std::string_view count_camel,
                    std::string_view count_snake, void (P::*set_count)(int64_t), Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (Is(key, "partialSuccess", "partial_success")) {
      if (val.is_null()) return true;
      return DecodePartialSuccess(val, (out->*mutable_ps)(), count_camel, count_snake, set_count,
                                  e) ||
             e.At("partialSuccess");
    }
    return true;
  });
}

bool DecodeTraceResponse(element v, ExportTraceServiceResponse* out, Errors& e) {
  return DecodeResponse(v, out, &ExportTraceServiceResponse::mutable_partial_success,
                        "rejectedSpans", "rejected_spans",
                        &ctrace::ExportTracePartialSuccess::set_rejected_spans, e);
}

bool DecodeMetricsResponse(element v, ExportMetricsServiceResponse* out, Errors& e) {
  return DecodeResponse(v, out, &ExportMetricsServiceResponse::mutable_partial_success,
                        "rejectedDataPoints", "rejected_data_points",
                        &cmetrics::ExportMetricsPartialSuccess::set_rejected_data_points, e);
}

bool DecodeLogsResponse(element v, ExportLogsServiceResponse* out, Errors& e) {
  return DecodeResponse(v, out, &ExportLogsServiceResponse::mutable_partial_success,
                        "rejectedLogRecords", "rejected_log_records",
                        &clogs::ExportLogsPartialSuccess::set_rejected_log_records, e);
}

bool DecodeRpcStatus(element v, RpcStatus* out, Errors& e) {
  return ForFields(v, e, [&](std::string_view key, element val) {
    if (key == "code") INFERMETRY_JSON_SCALAR(GetI32, out, code, "code");
    if (key == "message") return GetString(val, out->mutable_message(), e) || e.At("message");
    return true;
  });
}

#undef INFERMETRY_JSON_SCALAR
#undef INFERMETRY_JSON_ENUM

// ---- syntax errors ----

// Finds the first syntax error of a document simdjson rejected, for a message with a position.
// Checks what simdjson checks: RFC 8259 grammar, UTF-8, escapes (paired surrogates), control
// characters in strings, integers that fit 64 bits, finite numbers, nesting depth.
class SyntaxChecker {
 public:
  explicit SyntaxChecker(std::string_view s) : s_(s) {}

  // False with offset() and reason() set at the first error.
  bool Check() {
    SkipSpace();
    if (!Value(1)) return false;
    SkipSpace();
    if (pos_ != s_.size()) return Fail("unexpected data after the top-level value");
    return true;
  }
  size_t offset() const { return pos_; }
  const std::string& reason() const { return reason_; }

 private:
  bool Fail(std::string reason) {
    reason_ = std::move(reason);
    return false;
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  void SkipSpace() {
    while (!AtEnd() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Unexpected() {
    if (AtEnd()) return Fail("unexpected end of input");
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c >= 0x20 && c < 0x7f) return Fail(std::string("unexpected character '") + s_[pos_] + "'");
    return Fail("unexpected byte " + Quote(s_.substr(pos_, 1)));
  }

  bool Value(int depth) {
    if (AtEnd()) return Unexpected();
    switch (s_[pos_]) {
      case '{':
        return Object(depth);
      case '[':
        return Array(depth);
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        if (s_[pos_] == '-' || (s_[pos_] >= '0' && s_[pos_] <= '9')) return Number();
        return Unexpected();
    }
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return Unexpected();
    pos_ += word.size();
    return true;
  }

  bool Object(int depth) {
    if (depth > kMaxJsonNesting) return Fail("nested too deeply");
    ++pos_;
    SkipSpace();
    if (!AtEnd() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (AtEnd() || s_[pos_] != '"') return AtEnd() ? Unexpected() : Fail("expected a string key");
      if (!String()) return false;
      SkipSpace();
      if (AtEnd() || s_[pos_] != ':')
        return AtEnd() ? Unexpected() : Fail("expected ':' after a key");
      ++pos_;
      SkipSpace();
      if (!Value(depth + 1)) return false;
      SkipSpace();
      if (AtEnd()) return Unexpected();
      if (s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      if (s_[pos_] != ',') return Fail("expected ',' or '}' in an object");
      ++pos_;
    }
  }

  bool Array(int depth) {
    if (depth > kMaxJsonNesting) return Fail("nested too deeply");
    ++pos_;
    SkipSpace();
    if (!AtEnd() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (!Value(depth + 1)) return false;
      SkipSpace();
      if (AtEnd()) return Unexpected();
      if (s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      if (s_[pos_] != ',') return Fail("expected ',' or ']' in an array");
      ++pos_;
    }
  }

  // Reads 4 hex digits after "\u".
  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return Fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int d = HexDigitValue(s_[pos_ + i]);
      if (d < 0) return Fail("invalid \\u escape");
      v = v << 4 | static_cast<uint32_t>(d);
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  bool String() {
    ++pos_;  // opening quote
    while (!AtEnd()) {
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("control character in a string");
      if (c == '\\') {
        ++pos_;
        if (AtEnd()) break;
        char esc = s_[pos_];
        if (esc == 'u') {
          size_t at = pos_ - 1;
          ++pos_;
          uint32_t u;
          if (!Hex4(&u)) return false;
          if (u >= 0xDC00 && u <= 0xDFFF) {
            pos_ = at;
            return Fail("unpaired surrogate in a \\u escape");
          }
          if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t lo;
            if (s_.substr(pos_, 2) != "\\u") {
              pos_ = at;
              return Fail("unpaired surrogate in a \\u escape");
            }
            pos_ += 2;
            if (!Hex4(&lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) {
              pos_ = at;
              return Fail("unpaired surrogate in a \\u escape");
            }
          }
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(esc) == std::string_view::npos) {
          --pos_;
          return Fail("invalid escape in a string");
        }
        ++pos_;
        continue;
      }
      if (c < 0x80) {
        ++pos_;
        continue;
      }
      size_t n = Utf8SequenceLength(s_.substr(pos_));
      if (n == 0) return Fail("invalid UTF-8 in a string");
      pos_ += n;
    }
    return Fail("unterminated string");
  }

  bool Number() {
    size_t start = pos_;
    bool neg = false, integral = true;
    if (s_[pos_] == '-') {
      neg = true;
      ++pos_;
    }
    if (AtEnd() || s_[pos_] < '0' || s_[pos_] > '9') return Fail("invalid number");
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    }
    if (!AtEnd() && s_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (AtEnd() || s_[pos_] < '0' || s_[pos_] > '9') return Fail("invalid number");
      while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    }
    if (!AtEnd() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (!AtEnd() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (AtEnd() || s_[pos_] < '0' || s_[pos_] > '9') return Fail("invalid number");
      while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    }
    std::string_view text = s_.substr(start, pos_ - start);
    if (integral) {
      __int128 v;
      bool fits = ParseDecimal(text, &v) &&
                  (neg ? v >= std::numeric_limits<int64_t>::min()
                       : v <= static_cast<__int128>(std::numeric_limits<uint64_t>::max()));
      if (!fits) {
        pos_ = start;
        return Fail("integer out of 64-bit range");
      }
    } else {
      std::string copy(text);
      double d = std::strtod(copy.c_str(), nullptr);
      if (std::isinf(d)) {
        pos_ = start;
        return Fail("number out of range");
      }
    }
    return true;
  }

 public:
  // Length of the valid UTF-8 sequence at the start of `s` (non-empty, first byte >= 0x80),
  // or 0 when it is invalid.
  static size_t Utf8SequenceLength(std::string_view s) {
    auto b = [&](size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
    unsigned c = b(0);
    auto cont = [&](size_t i) { return (b(i) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      return b(1) >= lo && b(1) <= hi && cont(2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      return b(1) >= lo && b(1) <= hi && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  std::string reason_;
};

Status SyntaxError(std::string_view json, simdjson::error_code err) {
  SyntaxChecker checker(json);
  if (checker.Check()) {
    return ParseError(std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  size_t line = 1, col = 1;
  for (size_t i = 0; i < checker.offset() && i < json.size(); ++i) {
    if (json[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return ParseError("invalid JSON at line " + std::to_string(line) + ", column " +
                    std::to_string(col) + ": " + checker.reason());
}

simdjson::dom::parser& CachedParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

template <typename M>
Status DecodeDocument(std::string_view json, M& out, bool (*decode)(element, M*, Errors&)) {
  out.Clear();
  std::unique_ptr<simdjson::dom::parser> own;
  simdjson::dom::parser* parser = &CachedParser();
  if (json.size() > kCachedParserMaxBytes) {
    own = std::make_unique<simdjson::dom::parser>();
    parser = own.get();
  }
  element root;
  simdjson::error_code err = parser->parse(json.data(), json.size(), true).get(root);
  if (err != simdjson::SUCCESS) return SyntaxError(json, err);
  Errors e;
  if (root.type() != element_type::OBJECT) {
    WrongType(e, "an object at the top level", root);
    return e.ToStatus();
  }
  if (!decode(root, &out, e)) return e.ToStatus();
  return Status::Ok();
}

// ===================================== Encoding =====================================

constexpr char kHexDigits[] = "0123456789abcdef";

// A JSON string literal; invalid UTF-8 bytes become U+FFFD.
void AppendString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t n = SyntaxChecker::Utf8SequenceLength(s.substr(i));
      if (n > 0) {
        i += n;
        continue;
      }
    }
    out->append(s.data() + run, i - run);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHexDigits[c >> 4]);
          out->push_back(kHexDigits[c & 15]);
        } else {
          out->append("\xEF\xBF\xBD");  // U+FFFD for an invalid UTF-8 byte
        }
    }
    ++i;
    run = i;
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

template <typename T>
void AppendInt(std::string* out, T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

void AppendDouble(std::string* out, double v) {
  bool quote = !std::isfinite(v);  // JSON has no literal for NaN and the infinities
  if (quote) out->push_back('"');
  AppendOtlpDouble(out, v);
  if (quote) out->push_back('"');
}

void AppendHex(std::string* out, std::string_view bytes) {
  out->push_back('"');
  for (char ch : bytes) {
    unsigned char c = static_cast<unsigned char>(ch);
    out->push_back(kHexDigits[c >> 4]);
    out->push_back(kHexDigits[c & 15]);
  }
  out->push_back('"');
}

void AppendBase64(std::string* out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out->push_back('"');
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16 |
                 static_cast<unsigned char>(bytes[i + 1]) << 8 |
                 static_cast<unsigned char>(bytes[i + 2]);
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
  out->push_back('"');
}

// One JSON object being written: '{' on construction, '}' on destruction, commas between keys.
class Obj {
 public:
  explicit Obj(std::string* out) : out_(out) { out_->push_back('{'); }
  ~Obj() { out_->push_back('}'); }
  Obj(const Obj&) = delete;
  Obj& operator=(const Obj&) = delete;

  // Writes `"key":` and returns the buffer for the value.
  std::string* Key(std::string_view key) {
    if (!first_) out_->push_back(',');
    first_ = false;
    out_->push_back('"');
    out_->append(key);
    out_->append("\":");
    return out_;
  }

  // Fields with proto3 default-omission.
  void Str(std::string_view key, const std::string& v) {
    if (!v.empty()) AppendString(Key(key), v);
  }
  void Id(std::string_view key, const std::string& v) {
    if (!v.empty()) AppendHex(Key(key), v);
  }
  void U32(std::string_view key, uint32_t v) {
    if (v != 0) AppendInt(Key(key), v);
  }
  void I32(std::string_view key, int32_t v) {
    if (v != 0) AppendInt(Key(key), v);
  }
  void U64(std::string_view key, uint64_t v) {
    if (v != 0) Quoted(key, v);
  }
  void I64(std::string_view key, int64_t v) {
    if (v != 0) Quoted(key, v);
  }
  void Bool(std::string_view key, bool v) {
    if (v) Key(key)->append("true");
  }
  void Double(std::string_view key, double v) {
    if (v != 0 || std::signbit(v)) AppendDouble(Key(key), v);
  }
  template <typename T>
  void Quoted(std::string_view key, T v) {
    std::string* out = Key(key);
    out->push_back('"');
    AppendInt(out, v);
    out->push_back('"');
  }

 private:
  std::string* out_;
  bool first_ = true;
};

// Writes a non-empty repeated field as an array of each(out, element).
template <typename R, typename F>
void List(Obj& o, std::string_view key, const R& items, F&& each) {
  if (items.empty()) return;
  std::string* out = o.Key(key);
  out->push_back('[');
  bool first = true;
  for (const auto& x : items) {
    if (!first) out->push_back(',');
    first = false;
    each(out, x);
  }
  out->push_back(']');
}

void EncodeAnyValue(std::string* out, const common::AnyValue& v);

void EncodeKeyValue(std::string* out, const common::KeyValue& kv) {
  Obj o(out);
  o.Str("key", kv.key());
  if (kv.has_value()) EncodeAnyValue(o.Key("value"), kv.value());
}

void EncodeAttributes(Obj& o, std::string_view key,
                      const google::protobuf::RepeatedPtrField<common::KeyValue>& attrs) {
  List(o, key, attrs, EncodeKeyValue);
}

void EncodeAnyValue(std::string* out, const common::AnyValue& v) {
  Obj o(out);
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      AppendString(o.Key("stringValue"), v.string_value());
      break;
    case common::AnyValue::kBoolValue:
      o.Key("boolValue")->append(v.bool_value() ? "true" : "false");
      break;
    case common::AnyValue::kIntValue:
      o.Quoted("intValue", v.int_value());
      break;
    case common::AnyValue::kDoubleValue:
      AppendDouble(o.Key("doubleValue"), v.double_value());
      break;
    case common::AnyValue::kArrayValue: {
      Obj arr(o.Key("arrayValue"));
      List(arr, "values", v.array_value().values(), EncodeAnyValue);
      break;
    }
    case common::AnyValue::kKvlistValue: {
      Obj list(o.Key("kvlistValue"));
      EncodeAttributes(list, "values", v.kvlist_value().values());
      break;
    }
    case common::AnyValue::kBytesValue:
      AppendBase64(o.Key("bytesValue"), v.bytes_value());
      break;
    case common::AnyValue::VALUE_NOT_SET:
      break;
  }
}

void EncodeScope(std::string* out, const common::InstrumentationScope& s) {
  Obj o(out);
  o.Str("name", s.name());
  o.Str("version", s.version());
  EncodeAttributes(o, "attributes", s.attributes());
  o.U32("droppedAttributesCount", s.dropped_attributes_count());
}

void EncodeStringList(Obj& o, std::string_view key,
                      const google::protobuf::RepeatedPtrField<std::string>& items) {
  List(o, key, items, [](std::string* out, const std::string& s) { AppendString(out, s); });
}

void EncodeResource(std::string* out, const resource::Resource& r) {
  Obj o(out);
  EncodeAttributes(o, "attributes", r.attributes());
  o.U32("droppedAttributesCount", r.dropped_attributes_count());
  List(o, "entityRefs", r.entity_refs(), [](std::string* out, const common::EntityRef& ref) {
    Obj e(out);
    e.Str("schemaUrl", ref.schema_url());
    e.Str("type", ref.type());
    EncodeStringList(e, "idKeys", ref.id_keys());
    EncodeStringList(e, "descriptionKeys", ref.description_keys());
  });
}

// ---- traces ----

void EncodeSpan(std::string* out, const trace::Span& s) {
  Obj o(out);
  o.Id("traceId", s.trace_id());
  o.Id("spanId", s.span_id());
  o.Str("traceState", s.trace_state());
  o.Id("parentSpanId", s.parent_span_id());
  o.U32("flags", s.flags());
  o.Str("name", s.name());
  o.I32("kind", s.kind());
  o.U64("startTimeUnixNano", s.start_time_unix_nano());
  o.U64("endTimeUnixNano", s.end_time_unix_nano());
  EncodeAttributes(o, "attributes", s.attributes());
  o.U32("droppedAttributesCount", s.dropped_attributes_count());
  List(o, "events", s.events(), [](std::string* out, const trace::Span::Event& ev) {
    Obj e(out);
    e.U64("timeUnixNano", ev.time_unix_nano());
    e.Str("name", ev.name());
    EncodeAttributes(e, "attributes", ev.attributes());
    e.U32("droppedAttributesCount", ev.dropped_attributes_count());
  });
  o.U32("droppedEventsCount", s.dropped_events_count());
  List(o, "links", s.links(), [](std::string* out, const trace::Span::Link& l) {
    Obj e(out);
    e.Id("traceId", l.trace_id());
    e.Id("spanId", l.span_id());
    e.Str("traceState", l.trace_state());
    EncodeAttributes(e, "attributes", l.attributes());
    e.U32("droppedAttributesCount", l.dropped_attributes_count());
    e.U32("flags", l.flags());
  });
  o.U32("droppedLinksCount", s.dropped_links_count());
  if (s.has_status()) {
    Obj st(o.Key("status"));
    st.Str("message", s.status().message());
    st.I32("code", s.status().code());
  }
}

void EncodeTraces(std::string* out, const ExportTraceServiceRequest& req) {
  Obj o(out);
  List(o, "resourceSpans", req.resource_spans(),
       [](std::string* out, const trace::ResourceSpans& rs) {
         Obj r(out);
         if (rs.has_resource()) EncodeResource(r.Key("resource"), rs.resource());
         List(r, "scopeSpans", rs.scope_spans(), [](std::string* out, const trace::ScopeSpans& ss) {
           Obj s(out);
           if (ss.has_scope()) EncodeScope(s.Key("scope"), ss.scope());
           List(s, "spans", ss.spans(), EncodeSpan);
           s.Str("schemaUrl", ss.schema_url());
         });
         r.Str("schemaUrl", rs.schema_url());
       });
}

// ---- metrics ----

void EncodeExemplar(std::string* out, const metrics::Exemplar& ex) {
  Obj o(out);
  EncodeAttributes(o, "filteredAttributes", ex.filtered_attributes());
  o.U64("timeUnixNano", ex.time_unix_nano());
  if (ex.value_case() == metrics::Exemplar::kAsDouble)
    AppendDouble(o.Key("asDouble"), ex.as_double());
  if (ex.value_case() == metrics::Exemplar::kAsInt) o.Quoted("asInt", ex.as_int());
  o.Id("spanId", ex.span_id());
  o.Id("traceId", ex.trace_id());
}

template <typename P>
void EncodePointStart(Obj& o, const P& p) {
  EncodeAttributes(o, "attributes", p.attributes());
  o.U64("startTimeUnixNano", p.start_time_unix_nano());
  o.U64("timeUnixNano", p.time_unix_nano());
}

void EncodeNumberPoint(std::string* out, const metrics::NumberDataPoint& p) {
  Obj o(out);
  EncodePointStart(o, p);
  if (p.value_case() == metrics::NumberDataPoint::kAsDouble)
    AppendDouble(o.Key("asDouble"), p.as_double());
  if (p.value_case() == metrics::NumberDataPoint::kAsInt) o.Quoted("asInt", p.as_int());
  List(o, "exemplars", p.exemplars(), EncodeExemplar);
  o.U32("flags", p.flags());
}

void EncodeU64List(Obj& o, std::string_view key,
                   const google::protobuf::RepeatedField<uint64_t>& v) {
  List(o, key, v, [](std::string* out, uint64_t n) {
    out->push_back('"');
    AppendInt(out, n);
    out->push_back('"');
  });
}

void EncodeHistogramPoint(std::string* out, const metrics::HistogramDataPoint& p) {
  Obj o(out);
  EncodePointStart(o, p);
  o.U64("count", p.count());
  if (p.has_sum()) AppendDouble(o.Key("sum"), p.sum());
  EncodeU64List(o, "bucketCounts", p.bucket_counts());
  List(o, "explicitBounds", p.explicit_bounds(), AppendDouble);
  List(o, "exemplars", p.exemplars(), EncodeExemplar);
  o.U32("flags", p.flags());
  if (p.has_min()) AppendDouble(o.Key("min"), p.min());
  if (p.has_max()) AppendDouble(o.Key("max"), p.max());
}

void EncodeBuckets(std::string* out, const metrics::ExponentialHistogramDataPoint::Buckets& b) {
  Obj o(out);
  o.I32("offset", b.offset());
  EncodeU64List(o, "bucketCounts", b.bucket_counts());
}

void EncodeExpHistogramPoint(std::string* out, const metrics::ExponentialHistogramDataPoint& p) {
  Obj o(out);
  EncodePointStart(o, p);
  o.U64("count", p.count());
  if (p.has_sum()) AppendDouble(o.Key("sum"), p.sum());
  o.I32("scale", p.scale());
  o.U64("zeroCount", p.zero_count());
  if (p.has_positive()) EncodeBuckets(o.Key("positive"), p.positive());
  if (p.has_negative()) EncodeBuckets(o.Key("negative"), p.negative());
  o.U32("flags", p.flags());
  List(o, "exemplars", p.exemplars(), EncodeExemplar);
  if (p.has_min()) AppendDouble(o.Key("min"), p.min());
  if (p.has_max()) AppendDouble(o.Key("max"), p.max());
  o.Double("zeroThreshold", p.zero_threshold());
}

void EncodeSummaryPoint(std::string* out, const metrics::SummaryDataPoint& p) {
  Obj o(out);
  EncodePointStart(o, p);
  o.U64("count", p.count());
  o.Double("sum", p.sum());
  List(o, "quantileValues", p.quantile_values(),
       [](std::string* out, const metrics::SummaryDataPoint::ValueAtQuantile& q) {
         Obj v(out);
         v.Double("quantile", q.quantile());
         v.Double("value", q.value());
       });
  o.U32("flags", p.flags());
}

void EncodeMetric(std::string* out, const metrics::Metric& m) {
  Obj o(out);
  o.Str("name", m.name());
  o.Str("description", m.description());
  o.Str("unit", m.unit());
  switch (m.data_case()) {
    case metrics::Metric::kGauge: {
      Obj d(o.Key("gauge"));
      List(d, "dataPoints", m.gauge().data_points(), EncodeNumberPoint);
      break;
    }
    case metrics::Metric::kSum: {
      Obj d(o.Key("sum"));
      List(d, "dataPoints", m.sum().data_points(), EncodeNumberPoint);
      d.I32("aggregationTemporality", m.sum().aggregation_temporality());
      d.Bool("isMonotonic", m.sum().is_monotonic());
      break;
    }
    case metrics::Metric::kHistogram: {
      Obj d(o.Key("histogram"));
      List(d, "dataPoints", m.histogram().data_points(), EncodeHistogramPoint);
      d.I32("aggregationTemporality", m.histogram().aggregation_temporality());
      break;
    }
    case metrics::Metric::kExponentialHistogram: {
      Obj d(o.Key("exponentialHistogram"));
      List(d, "dataPoints", m.exponential_histogram().data_points(), EncodeExpHistogramPoint);
      d.I32("aggregationTemporality", m.exponential_histogram().aggregation_temporality());
      break;
    }
    case metrics::Metric::kSummary: {
      Obj d(o.Key("summary"));
      List(d, "dataPoints", m.summary().data_points(), EncodeSummaryPoint);
      break;
    }
    case metrics::Metric::DATA_NOT_SET:
      break;
  }
  EncodeAttributes(o, "metadata", m.metadata());
}

void EncodeMetrics(std::string* out, const ExportMetricsServiceRequest& req) {
  Obj o(out);
  List(o, "resourceMetrics", req.resource_metrics(),
       [](std::string* out, const metrics::ResourceMetrics& rm) {
         Obj r(out);
         if (rm.has_resource()) EncodeResource(r.Key("resource"), rm.resource());
         List(r, "scopeMetrics", rm.scope_metrics(),
              [](std::string* out, const metrics::ScopeMetrics& sm) {
                Obj s(out);
                if (sm.has_scope()) EncodeScope(s.Key("scope"), sm.scope());
                List(s, "metrics", sm.metrics(), EncodeMetric);
                s.Str("schemaUrl", sm.schema_url());
              });
         r.Str("schemaUrl", rm.schema_url());
       });
}

// ---- logs ----

void EncodeLogRecord(std::string* out, const logs::LogRecord& l) {
  Obj o(out);
  o.U64("timeUnixNano", l.time_unix_nano());
  o.U64("observedTimeUnixNano", l.observed_time_unix_nano());
  o.I32("severityNumber", l.severity_number());
  o.Str("severityText", l.severity_text());
  if (l.has_body()) EncodeAnyValue(o.Key("body"), l.body());
  EncodeAttributes(o, "attributes", l.attributes());
  o.U32("droppedAttributesCount", l.dropped_attributes_count());
  o.U32("flags", l.flags());
  o.Id("traceId", l.trace_id());
  o.Id("spanId", l.span_id());
  o.Str("eventName", l.event_name());
}

void EncodeLogs(std::string* out, const ExportLogsServiceRequest& req) {
  Obj o(out);
  List(o, "resourceLogs", req.resource_logs(), [](std::string* out, const logs::ResourceLogs& rl) {
    Obj r(out);
    if (rl.has_resource()) EncodeResource(r.Key("resource"), rl.resource());
    List(r, "scopeLogs", rl.scope_logs(), [](std::string* out, const logs::ScopeLogs& sl) {
      Obj s(out);
      if (sl.has_scope()) EncodeScope(s.Key("scope"), sl.scope());
      List(s, "logRecords", sl.log_records(), EncodeLogRecord);
      s.Str("schemaUrl", sl.schema_url());
    });
    r.Str("schemaUrl", rl.schema_url());
  });
}

template <typename R>
std::string EncodeResponse(const R& resp, std::string_view count_key, int64_t count) {
  std::string out;
  {
    Obj o(&out);
    if (resp.has_partial_success()) {
      Obj p(o.Key("partialSuccess"));
      p.I64(count_key, count);
      p.Str("errorMessage", resp.partial_success().error_message());
    }
  }
  return out;
}

// A first guess at the encoded size, to avoid most reallocations.
template <typename M>
std::string Reserved(const M& msg) {
  std::string out;
  out.reserve(msg.ByteSizeLong() * 2 + 64);
  return out;
}

}  // namespace

Status DecodeJson(std::string_view json, ExportTraceServiceRequest& out) {
  return DecodeDocument(json, out, DecodeTraces);
}
Status DecodeJson(std::string_view json, ExportMetricsServiceRequest& out) {
  return DecodeDocument(json, out, DecodeMetrics);
}
Status DecodeJson(std::string_view json, ExportLogsServiceRequest& out) {
  return DecodeDocument(json, out, DecodeLogs);
}
Status DecodeJson(std::string_view json, ExportTraceServiceResponse& out) {
  return DecodeDocument(json, out, DecodeTraceResponse);
}
Status DecodeJson(std::string_view json, ExportMetricsServiceResponse& out) {
  return DecodeDocument(json, out, DecodeMetricsResponse);
}
Status DecodeJson(std::string_view json, ExportLogsServiceResponse& out) {
  return DecodeDocument(json, out, DecodeLogsResponse);
}
Status DecodeJson(std::string_view json, RpcStatus& out) {
  return DecodeDocument(json, out, DecodeRpcStatus);
}

std::string EncodeJson(const ExportTraceServiceRequest& msg) {
  std::string out = Reserved(msg);
  EncodeTraces(&out, msg);
  return out;
}
std::string EncodeJson(const ExportMetricsServiceRequest& msg) {
  std::string out = Reserved(msg);
  EncodeMetrics(&out, msg);
  return out;
}
std::string EncodeJson(const ExportLogsServiceRequest& msg) {
  std::string out = Reserved(msg);
  EncodeLogs(&out, msg);
  return out;
}
std::string EncodeJson(const ExportTraceServiceResponse& msg) {
  return EncodeResponse(msg, "rejectedSpans", msg.partial_success().rejected_spans());
}
std::string EncodeJson(const ExportMetricsServiceResponse& msg) {
  return EncodeResponse(msg, "rejectedDataPoints", msg.partial_success().rejected_data_points());
}
std::string EncodeJson(const ExportLogsServiceResponse& msg) {
  return EncodeResponse(msg, "rejectedLogRecords", msg.partial_success().rejected_log_records());
}
std::string EncodeJson(const RpcStatus& msg) {
  std::string out;
  {
    Obj o(&out);
    o.I32("code", msg.code());
    o.Str("message", msg.message());
  }
  return out;
}

}  // namespace infermetry::otlp
