#include "export/debug_format.h"

#include <charconv>
#include <ctime>

namespace infermetry::exporter::debugfmt {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Time(uint64_t unix_nano) {
  if (unix_nano == 0) return "";
  std::time_t secs = static_cast<std::time_t>(unix_nano / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof(buf) - n, ".%09uZ", static_cast<unsigned>(unix_nano % 1000000000));
  return buf;
}

std::string Double(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, r.ptr);
}

namespace {

std::string Join(const AnyValue& v, bool typed);

std::string Items(const opentelemetry::proto::common::v1::ArrayValue& a, bool typed) {
  std::string out = "[";
  for (int i = 0; i < a.values_size(); ++i) {
    if (i > 0) out += ", ";
    out += Join(a.values(i), typed);
  }
  return out + "]";
}

std::string Join(const AnyValue& v, bool typed) {
  using V = AnyValue;
  auto tag = [typed](const char* t, const std::string& s) {
    return typed ? std::string(t) + "(" + s + ")" : s;
  };
  switch (v.value_case()) {
    case V::kStringValue:
      return tag("Str", v.string_value());
    case V::kBoolValue:
      return tag("Bool", v.bool_value() ? "true" : "false");
    case V::kIntValue:
      return tag("Int", std::to_string(v.int_value()));
    case V::kDoubleValue:
      return tag("Double", Double(v.double_value()));
    case V::kBytesValue:
      return tag("Bytes", Hex(v.bytes_value()));
    case V::kArrayValue:
      return tag("Slice", Items(v.array_value(), typed));
    case V::kKvlistValue:
      return tag("Map", TypedMap(v.kvlist_value().values()));
    default:
      return typed ? "Empty()" : "";
  }
}

}  // namespace

std::string Typed(const AnyValue& v) { return Join(v, true); }
std::string Plain(const AnyValue& v) { return Join(v, false); }

std::string TypedMap(const KeyValues& kvs) {
  std::string out = "{";
  for (int i = 0; i < kvs.size(); ++i) {
    if (i > 0) out += ", ";
    out += kvs[i].key() + "=" + Typed(kvs[i].value());
  }
  return out + "}";
}

std::string PlainMap(const KeyValues& kvs) {
  std::string out;
  for (int i = 0; i < kvs.size(); ++i) {
    if (i > 0) out += " ";
    out += kvs[i].key() + "=" + Plain(kvs[i].value());
  }
  return out;
}

}  // namespace infermetry::exporter::debugfmt
