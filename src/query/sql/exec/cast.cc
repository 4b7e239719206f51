#include "query/sql/exec/cast.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/strconv.h"
#include "query/sql/column.h"
#include "query/sql/exec/datetime.h"
#include "query/sql/parser/interval_text.h"
#include "query/sql/parser/timestamp_text.h"

namespace infermetry::sql::exec {

namespace {

Status BadInput(Type t, std::string_view text) {
  return InvalidArgument("invalid input syntax for type " + std::string(TypeName(t)) + ": \"" +
                         std::string(text) + "\"");
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Result<Value> FromText(const std::string& s, Type to) {
  std::string_view t = Trim(s);
  switch (to) {
    case Type::kInt64: {
      int64_t x;
      if (!ParseInt64(t, &x)) {
        double d;
        if (ParseGoFloat(t, &d) && std::isfinite(d)) return BadInput(to, s);
        return BadInput(to, s);
      }
      return Value::Int(x);
    }
    case Type::kFloat64: {
      std::string lower;
      for (char c : t) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "infinity" || lower == "+infinity" || lower == "inf") return Value::Float(INFINITY);
      if (lower == "-infinity" || lower == "-inf") return Value::Float(-INFINITY);
      if (lower == "nan") return Value::Float(NAN);
      double d;
      if (!ParseGoFloat(t, &d)) return BadInput(to, s);
      return Value::Float(d);
    }
    case Type::kBool: {
      std::string lower;
      for (char c : t) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "t" || lower == "true" || lower == "yes" || lower == "y" || lower == "on" || lower == "1") return Value::Bool(true);
      if (lower == "f" || lower == "false" || lower == "no" || lower == "n" || lower == "off" || lower == "0") return Value::Bool(false);
      return BadInput(to, s);
    }
    case Type::kTimestamp: {
      Result<int64_t> r = ParseTimestampText(t);
      if (!r.ok()) return BadInput(to, s);
      return Value::Timestamp(*r);
    }
    case Type::kInterval: {
      Result<Interval> r = ParseIntervalText(t);
      if (!r.ok()) return BadInput(to, s);
      return Value::Interv(*r);
    }
    case Type::kText: return Value::Text(s);
    case Type::kNull: break;
  }
  return Value::Null(to);
}

}  // namespace

std::optional<Type> CastTargetType(std::string_view n, bool* date) {
  if (date) *date = false;
  if (n == "bigint" || n == "integer" || n == "int" || n == "int4" || n == "int8" ||
      n == "smallint" || n == "int2") {
    return Type::kInt64;
  }
  if (n == "double precision" || n == "float8" || n == "float" || n == "real" || n == "float4" ||
      n == "numeric" || n == "decimal") {
    return Type::kFloat64;
  }
  if (n == "text" || n == "varchar" || n == "character varying" || n == "char" ||
      n == "character" || n == "string") {
    return Type::kText;
  }
  if (n == "timestamp" || n == "timestamptz" || n == "timestamp without time zone" ||
      n == "timestamp with time zone") {
    return Type::kTimestamp;
  }
  if (n == "date") {
    if (date) *date = true;
    return Type::kTimestamp;
  }
  if (n == "interval") return Type::kInterval;
  if (n == "boolean" || n == "bool") return Type::kBool;
  return std::nullopt;
}

Result<Value> CastValue(const Value& v, Type to) {
  if (v.null) return Value::Null(to);
  if (v.type == to || to == Type::kNull) return v;
  if (to == Type::kText) return Value::Text(ValueToText(v));
  if (v.type == Type::kText) return FromText(v.s, to);
  switch (to) {
    case Type::kInt64:
      if (v.type == Type::kBool) return Value::Int(v.i);
      if (v.type == Type::kFloat64) {
        double r = std::round(v.d);  // half away from zero
        if (!std::isfinite(r) || r < -9.223372036854775808e18 || r >= 9.223372036854775808e18) {
          return Status(Code::kOutOfRange, "bigint out of range");
        }
        return Value::Int(static_cast<int64_t>(r));
      }
      break;
    case Type::kFloat64:
      if (v.type == Type::kInt64) return Value::Float(static_cast<double>(v.i));
      break;
    case Type::kBool:
      if (v.type == Type::kInt64) return Value::Bool(v.i != 0);
      break;
    default: break;
  }
  return InvalidArgument("cannot cast type " + std::string(TypeName(v.type)) + " to " +
                         std::string(TypeName(to)));
}

void AppendFloat8(std::string* out, double d) {
  if (std::isnan(d)) { *out += "NaN"; return; }
  if (std::isinf(d)) { *out += d > 0 ? "Infinity" : "-Infinity"; return; }
  if (d == 0) { *out += std::signbit(d) ? "-0" : "0"; return; }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, r.ptr - buf);
  size_t e = sci.find('e');
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string digits;
  bool neg = sci[0] == '-';
  for (char c : sci.substr(0, e)) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (neg) *out += '-';
  if (exp < -4 || exp >= 15) {
    *out += digits[0];
    if (digits.size() > 1) { *out += '.'; *out += digits.substr(1); }
    *out += exp < 0 ? "e-" : "e+";
    int a = std::abs(exp);
    if (a < 10) *out += '0';
    *out += std::to_string(a);
  } else if (exp < 0) {
    *out += "0.";
    out->append(static_cast<size_t>(-exp - 1), '0');
    *out += digits;
  } else {
    size_t int_len = static_cast<size_t>(exp) + 1;
    if (digits.size() <= int_len) {
      *out += digits;
      out->append(int_len - digits.size(), '0');
    } else {
      *out += digits.substr(0, int_len);
      *out += '.';
      *out += digits.substr(int_len);
    }
  }
}

std::string ValueToText(const Value& v) {
  if (v.null) return "";
  switch (v.type) {
    case Type::kBool: return v.i ? "true" : "false";
    case Type::kInt64: return std::to_string(v.i);
    case Type::kFloat64: { std::string s; AppendFloat8(&s, v.d); return s; }
    case Type::kText: return v.s;
    case Type::kTimestamp: return FormatTimestamp(v.i);
    case Type::kInterval: return FormatInterval(v.iv);
    case Type::kNull: break;
  }
  return "";
}

int CompareValues(const Value& a, const Value& b) {
  switch (a.type) {
    case Type::kBool:
    case Type::kInt64:
    case Type::kTimestamp:
      if (b.type == Type::kFloat64) {
        double x = static_cast<double>(a.i);
        return x < b.d ? -1 : x > b.d ? 1 : 0;
      }
      return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    case Type::kFloat64: {
      double y = b.type == Type::kFloat64 ? b.d : static_cast<double>(b.i);
      if (std::isnan(a.d) || std::isnan(y)) return std::isnan(a.d) - std::isnan(y);
      return a.d < y ? -1 : a.d > y ? 1 : 0;
    }
    case Type::kText: { int c = a.s.compare(b.s); return c < 0 ? -1 : c > 0 ? 1 : 0; }
    case Type::kInterval: {
      __int128 x = IntervalKey(a.iv), y = IntervalKey(b.iv);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Type::kNull: break;
  }
  return 0;
}

void AppendKey(std::string* out, const Value& v) {
  if (v.null) { *out += '\0'; return; }
  *out += '\1';
  char buf[16];
  switch (v.type) {
    case Type::kBool:
    case Type::kInt64:
    case Type::kTimestamp: std::memcpy(buf, &v.i, 8); out->append(buf, 8); break;
    case Type::kFloat64: {
      double d = v.d == 0 ? 0.0 : v.d;  // -0 equals 0
      if (std::isnan(d)) d = NAN;
      std::memcpy(buf, &d, 8);
      out->append(buf, 8);
      break;
    }
    case Type::kText: {
      uint32_t n = static_cast<uint32_t>(v.s.size());
      std::memcpy(buf, &n, 4);
      out->append(buf, 4);
      *out += v.s;
      break;
    }
    case Type::kInterval: {
      __int128 k = IntervalKey(v.iv);
      std::memcpy(buf, &k, 16);
      out->append(buf, 16);
      break;
    }
    case Type::kNull: break;
  }
}

void AppendCellKey(std::string* out, const Column& c, size_t row) {
  if (c.type == Type::kNull || c.IsNull(row)) { *out += '\0'; return; }
  switch (c.type) {
    case Type::kBool: case Type::kInt64: case Type::kTimestamp: {
      char buf[9];
      buf[0] = '\1';
      std::memcpy(buf + 1, &c.ints[row], 8);
      out->append(buf, 9);
      return;
    }
    case Type::kText: {
      char buf[5];
      buf[0] = '\1';
      uint32_t n = static_cast<uint32_t>(c.strings[row].size());
      std::memcpy(buf + 1, &n, 4);
      out->append(buf, 5);
      *out += c.strings[row];
      return;
    }
    default: AppendKey(out, c.Get(row));
  }
}

}  // namespace infermetry::sql::exec
