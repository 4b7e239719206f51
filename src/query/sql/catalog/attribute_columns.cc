#include "query/sql/catalog/attribute_columns.h"

#include <cmath>

#include "common/strconv.h"

namespace infermetry::sql::catalog {

using AT = model::AttrValue::Type;

void AttributeTypes::Add(const model::Attributes& attrs) {
  for (const model::Attribute& a : attrs) {
    Seen& s = seen_[a.key];
    switch (a.value.type) {
      case AT::kInt:
        s.ints = true;
        break;
      case AT::kDouble:
        s.doubles = true;
        break;
      case AT::kBool:
        s.bools = true;
        break;
      case AT::kEmpty:
        break;  // says nothing about the type
      default:
        s.other = true;
    }
  }
}

std::map<std::string, Type> AttributeTypes::Types() const {
  std::map<std::string, Type> out;
  for (const auto& [k, s] : seen_) {
    Type t = Type::kText;
    if (!s.other && !s.bools && s.ints && !s.doubles)
      t = Type::kInt64;
    else if (!s.other && !s.bools && (s.ints || s.doubles))
      t = Type::kFloat64;
    else if (!s.other && s.bools && !s.ints && !s.doubles)
      t = Type::kBool;
    out[k] = t;
  }
  return out;
}

namespace {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::optional<int64_t> ParseIsoTimestamp(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  size_t p = 19;
  int64_t frac_us = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    int64_t scale = 100000;
    size_t start = p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      frac_us += (s[p] - '0') * scale;
      scale /= 10;
      ++p;
    }
    if (p == start) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (p < s.size()) {
    if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) {
      ++p;
    } else if ((s[p] == '+' || s[p] == '-') && p + 6 == s.size() && s[p + 3] == ':') {
      int oh, om;
      if (!Digits(s, p + 1, 2, &oh) || !Digits(s, p + 4, 2, &om)) return std::nullopt;
      offset_s = (oh * 3600 + om * 60) * (s[p] == '-' ? -1 : 1);
      p = s.size();
    } else {
      return std::nullopt;
    }
  }
  int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  return secs * 1000000 + frac_us;
}

Value ConvertAttribute(const model::AttrValue& v, Type t) {
  switch (t) {
    case Type::kText:
      if (v.type == AT::kEmpty) return Value::Null(t);
      return Value::Text(v.type == AT::kString || v.type == AT::kJson || v.type == AT::kBytes
                             ? v.s
                             : v.AsString());
    case Type::kInt64: {
      if (v.type == AT::kInt) return Value::Int(v.i);
      if (v.type == AT::kDouble && std::trunc(v.d) == v.d && std::fabs(v.d) < 9.2e18)
        return Value::Int(static_cast<int64_t>(v.d));
      int64_t x;
      if (v.type == AT::kString && ParseInt64(v.s, &x)) return Value::Int(x);
      return Value::Null(t);
    }
    case Type::kFloat64: {
      if (v.type == AT::kBool) return Value::Null(t);
      if (auto n = v.AsNumber()) return Value::Float(*n);
      return Value::Null(t);
    }
    case Type::kBool:
      if (v.type == AT::kBool) return Value::Bool(v.i != 0);
      if (v.type == AT::kString && (v.s == "true" || v.s == "false"))
        return Value::Bool(v.s == "true");
      return Value::Null(t);
    case Type::kTimestamp:
      if (v.type == AT::kString) {
        if (auto us = ParseIsoTimestamp(v.s)) return Value::Timestamp(*us);
      }
      return Value::Null(t);
    default:
      return Value::Null(t);
  }
}

std::string AttributeColumnName(const std::vector<ColumnSchema>& fixed, const std::string& key) {
  for (const ColumnSchema& c : fixed) {
    if (c.name == key) return "attr_" + key;
  }
  return key;
}

}  // namespace infermetry::sql::catalog
