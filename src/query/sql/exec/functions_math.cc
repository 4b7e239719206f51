// Numeric scalar functions and the conditional ones (COALESCE, NULLIF, GREATEST, LEAST).
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/functions_impl.h"

namespace infermetry::sql::exec {

namespace {

Status Err(std::string msg) { return InvalidArgument(std::move(msg)); }

Value Num(double d, Type ret) {
  if (ret == Type::kInt64) return Value::Int(static_cast<int64_t>(d));
  return Value::Float(d);
}

double AsDouble(const Value& v) { return v.type == Type::kFloat64 ? v.d : static_cast<double>(v.i); }

// Rounds half away from zero (or truncates) at `digits` decimal places of the shortest
// decimal spelling of `x`, as PostgreSQL's numeric rounding does on that decimal.
double RoundTo(double x, int64_t digits, bool trunc) {
  if (!std::isfinite(x) || x == 0) return x;
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
  std::string s(buf, r.ptr);
  bool neg = s[0] == '-';
  if (neg) s.erase(0, 1);
  size_t dot = s.find('.');
  std::string ip = dot == std::string::npos ? s : s.substr(0, dot);
  std::string fp = dot == std::string::npos ? "" : s.substr(dot + 1);
  std::string d = ip + fp;
  int64_t keep = static_cast<int64_t>(ip.size()) + digits;
  if (keep >= static_cast<int64_t>(d.size())) return x;
  if (keep < 0) return neg ? -0.0 : 0.0;
  bool up = !trunc && d[keep] >= '5';
  std::string kept = d.substr(0, keep);
  if (up) {
    int64_t i = keep - 1;
    while (i >= 0 && kept[i] == '9') kept[i--] = '0';
    if (i >= 0) kept[i]++;
    else { kept.insert(kept.begin(), '1'); ++keep; ip.insert(ip.begin(), '0'); }
  }
  // kept holds the digits up to position keep; the point sits after ip.size() digits.
  std::string out;
  int64_t point = static_cast<int64_t>(ip.size());
  if (keep <= point) {
    out = kept + std::string(point - keep, '0');
  } else {
    out = kept.substr(0, point) + "." + kept.substr(point);
  }
  if (out.empty()) out = "0";
  double v = std::strtod(out.c_str(), nullptr);
  return neg ? -v : v;
}

}  // namespace

Result<Value> FnAbs(const Value* a, size_t, Type ret, ExecContext*) {
  if (ret == Type::kInt64) {
    if (a[0].i == INT64_MIN) return Status(Code::kOutOfRange, "bigint out of range");
    return Value::Int(a[0].i < 0 ? -a[0].i : a[0].i);
  }
  return Value::Float(std::fabs(a[0].d));
}
Result<Value> FnCeil(const Value* a, size_t, Type ret, ExecContext*) {
  return ret == Type::kInt64 ? a[0] : Value::Float(std::ceil(a[0].d));
}
Result<Value> FnFloor(const Value* a, size_t, Type ret, ExecContext*) {
  return ret == Type::kInt64 ? a[0] : Value::Float(std::floor(a[0].d));
}
Result<Value> FnRound(const Value* a, size_t n, Type, ExecContext*) {
  return Value::Float(RoundTo(a[0].d, n > 1 ? a[1].i : 0, false));
}
// PostgreSQL's round(double precision): half to even (numbers typed in the query round half
// away from zero, as PostgreSQL's numeric does; the binder picks).
Result<Value> FnRoundHalfEven(const Value* a, size_t, Type, ExecContext*) {
  return Value::Float(std::nearbyint(a[0].d));
}
Result<Value> FnTrunc(const Value* a, size_t n, Type, ExecContext*) {
  return Value::Float(RoundTo(a[0].d, n > 1 ? a[1].i : 0, true));
}
Result<Value> FnSign(const Value* a, size_t, Type ret, ExecContext*) {
  double x = AsDouble(a[0]);
  return Num(x > 0 ? 1 : x < 0 ? -1 : 0, ret);
}
Result<Value> FnLn(const Value* a, size_t, Type, ExecContext*) {
  if (a[0].d == 0) return Err("cannot take logarithm of zero");
  if (a[0].d < 0) return Err("cannot take logarithm of a negative number");
  return Value::Float(std::log(a[0].d));
}
Result<Value> FnLog10(const Value* a, size_t, Type, ExecContext*) {
  if (a[0].d == 0) return Err("cannot take logarithm of zero");
  if (a[0].d < 0) return Err("cannot take logarithm of a negative number");
  return Value::Float(std::log10(a[0].d));
}
Result<Value> FnLog(const Value* a, size_t n, Type ret, ExecContext* ctx) {
  if (n == 1) return FnLog10(a, n, ret, ctx);
  // log(base, x)
  if (a[0].d <= 0 || a[1].d <= 0) {
    return Err(a[0].d == 0 || a[1].d == 0 ? "cannot take logarithm of zero"
                                          : "cannot take logarithm of a negative number");
  }
  if (a[0].d == 1) return Err("division by zero");
  return Value::Float(std::log(a[1].d) / std::log(a[0].d));
}
Result<Value> FnExp(const Value* a, size_t, Type, ExecContext*) {
  double r = std::exp(a[0].d);
  if (std::isinf(r) && std::isfinite(a[0].d)) return Status(Code::kOutOfRange, "value out of range: overflow");
  return Value::Float(r);
}
Result<Value> FnPower(const Value* a, size_t, Type, ExecContext*) {
  if (a[0].d == 0 && a[1].d < 0) return Err("zero raised to a negative power is undefined");
  if (a[0].d < 0 && a[1].d != std::floor(a[1].d)) {
    return Err("a negative number raised to a non-integer power yields a complex result");
  }
  return Value::Float(std::pow(a[0].d, a[1].d));
}
Result<Value> FnSqrt(const Value* a, size_t, Type, ExecContext*) {
  if (a[0].d < 0) return Err("cannot take square root of a negative number");
  return Value::Float(std::sqrt(a[0].d));
}
Result<Value> FnCbrt(const Value* a, size_t, Type, ExecContext*) { return Value::Float(std::cbrt(a[0].d)); }
Result<Value> FnMod(const Value* a, size_t, Type ret, ExecContext*) {
  if (ret == Type::kInt64) {
    if (a[1].i == 0) return Err("division by zero");
    if (a[1].i == -1) return Value::Int(0);
    return Value::Int(a[0].i % a[1].i);
  }
  if (a[1].d == 0) return Err("division by zero");
  return Value::Float(std::fmod(a[0].d, a[1].d));
}
Result<Value> FnPi(const Value*, size_t, Type, ExecContext*) { return Value::Float(M_PI); }

Result<Value> FnGreatest(const Value* a, size_t n, Type ret, ExecContext*) {
  const Value* best = nullptr;
  for (size_t i = 0; i < n; ++i) {
    if (!a[i].null && (best == nullptr || CompareValues(a[i], *best) > 0)) best = &a[i];
  }
  return best ? *best : Value::Null(ret);
}
Result<Value> FnLeast(const Value* a, size_t n, Type ret, ExecContext*) {
  const Value* best = nullptr;
  for (size_t i = 0; i < n; ++i) {
    if (!a[i].null && (best == nullptr || CompareValues(a[i], *best) < 0)) best = &a[i];
  }
  return best ? *best : Value::Null(ret);
}
Result<Value> FnCoalesce(const Value* a, size_t n, Type ret, ExecContext*) {
  for (size_t i = 0; i < n; ++i) {
    if (!a[i].null) return a[i];
  }
  return Value::Null(ret);
}
Result<Value> FnNullIf(const Value* a, size_t, Type ret, ExecContext*) {
  if (!a[0].null && !a[1].null && CompareValues(a[0], a[1]) == 0) return Value::Null(ret);
  return a[0];
}

}  // namespace infermetry::sql::exec
