#include "model/span.h"

#include <cmath>

#include "common/strconv.h"

namespace infermetry::model {

std::string HexId(std::span<const uint8_t> id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(id.size() * 2);
  for (uint8_t b : id) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

bool ParseHexId(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != out.size() * 2) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexDigitValue(hex[2 * i]), lo = HexDigitValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::optional<double> AttrValue::AsNumber() const {
  switch (type) {
    case Type::kInt:
    case Type::kBool:
      return static_cast<double>(i);
    case Type::kDouble:
      return d;
    case Type::kString: {
      double v;
      if (ParseGoFloat(s, &v)) return v;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::string AttrValue::AsString() const {
  switch (type) {
    case Type::kEmpty:
      return "";
    case Type::kBool:
      return i != 0 ? "true" : "false";
    case Type::kInt:
      return std::to_string(i);
    case Type::kDouble: {
      std::string out;
      AppendOtlpDouble(&out, d);
      return out;
    }
    case Type::kString:
    case Type::kBytes:
    case Type::kJson:
      return s;
  }
  return "";
}

const AttrValue* FindAttr(const Attributes& attrs, std::string_view key) {
  for (const Attribute& a : attrs) {
    if (a.key == key) return &a.value;
  }
  return nullptr;
}

}  // namespace infermetry::model
