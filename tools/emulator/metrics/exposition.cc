#include "emulator/metrics/exposition.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace infermetry::emulator {
namespace {

// The shortest digits that read back to |v| (v finite, non-zero) and the decimal exponent of
// the first digit: |v| = d0.d1d2... * 10^exp10. std::to_chars picks the shortest and, among
// those, the closest digit string, which is what Python's repr (David Gay's mode 0) picks.
struct Digits {
  char d[32];
  int n = 0;
  int exp10 = 0;
};

Digits ShortestDigits(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), std::fabs(v), std::chars_format::scientific);
  Digits out;
  const char* p = buf;
  for (; p < res.ptr && *p != 'e'; ++p) {
    if (*p != '.') out.d[out.n++] = *p;
  }
  ++p;  // 'e'
  bool neg = *p == '-';
  ++p;  // sign
  int e = 0;
  std::from_chars(p, res.ptr, e);
  out.exp10 = neg ? -e : e;
  return out;
}

void AppendExponent(std::string* out, int exp10) {
  // Python's repr writes at least two exponent digits.
  out->push_back('e');
  out->push_back(exp10 < 0 ? '-' : '+');
  int a = exp10 < 0 ? -exp10 : exp10;
  if (a < 10) out->push_back('0');
  char buf[8];
  auto res = std::to_chars(buf, buf + sizeof(buf), a);
  out->append(buf, res.ptr);
}

// Python repr of the digits `g` of a finite non-zero value.
void AppendRepr(std::string* out, bool negative, const Digits& g) {
  if (negative) out->push_back('-');
  // Fixed notation when -4 <= exp10 < 16, else d.ddde+XX.
  if (g.exp10 < -4 || g.exp10 >= 16) {
    out->push_back(g.d[0]);
    if (g.n > 1) {
      out->push_back('.');
      out->append(g.d + 1, g.n - 1);
    }
    AppendExponent(out, g.exp10);
    return;
  }
  int int_digits = g.exp10 + 1;  // digits before the '.' (<= 0: "0.000ddd")
  if (int_digits <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-int_digits), '0');
    out->append(g.d, g.n);
  } else if (int_digits >= g.n) {
    out->append(g.d, g.n);
    out->append(static_cast<size_t>(int_digits - g.n), '0');
    out->append(".0");
  } else {
    out->append(g.d, int_digits);
    out->push_back('.');
    out->append(g.d + int_digits, g.n - int_digits);
  }
}

}  // namespace

void AppendPythonFloatRepr(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("nan");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "inf" : "-inf");
    return;
  }
  if (v == 0) {
    out->append(std::signbit(v) ? "-0.0" : "0.0");
    return;
  }
  AppendRepr(out, v < 0, ShortestDigits(v));
}

void AppendFloatToGoString(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  // Small integers (every count and most bounds) skip the shortest-digits search.
  if (v >= 0 && v < 1e6 && v == static_cast<double>(static_cast<int64_t>(v)) && !std::signbit(v)) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(v));
    out->append(buf, res.ptr);
    out->append(".0");
    return;
  }
  if (v > 0) {
    Digits g = ShortestDigits(v);
    int int_digits = g.exp10 + 1;
    if (g.exp10 < 16 && int_digits > 6) {
      // "Go switches to exponents sooner than Python": the repr's digits as d0.rest with
      // trailing zeros (and a bare '.') stripped, then "e+0" and the exponent, verbatim.
      out->push_back(g.d[0]);
      int n = g.n;
      while (n > 1 && g.d[n - 1] == '0') --n;
      if (n > 1) {
        out->push_back('.');
        out->append(g.d + 1, n - 1);
      }
      out->append("e+0");
      char buf[8];
      auto res = std::to_chars(buf, buf + sizeof(buf), g.exp10);
      out->append(buf, res.ptr);
      return;
    }
    AppendRepr(out, false, g);
    return;
  }
  AppendPythonFloatRepr(out, v);
}

void AppendEscapedHelp(std::string* out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

void AppendEscapedLabelValue(std::string* out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

RenderedLabels RenderLabels(std::vector<std::pair<std::string, std::string>> labels) {
  std::sort(labels.begin(), labels.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  RenderedLabels r;
  for (const auto& [name, value] : labels) {
    std::string one = name + "=\"";
    AppendEscapedLabelValue(&one, value);
    one.push_back('"');
    if (!r.all.empty()) r.all.push_back(',');
    r.all += one;
    if (name < "le") {
      r.before_le += one;
      r.before_le.push_back(',');
    } else {
      r.after_le.push_back(',');
      r.after_le += one;
    }
  }
  return r;
}

void AppendHeader(std::string* out, std::string_view name, std::string_view suffix,
                  std::string_view help, std::string_view type) {
  out->append("# HELP ");
  out->append(name);
  out->append(suffix);
  out->push_back(' ');
  AppendEscapedHelp(out, help);
  out->append("\n# TYPE ");
  out->append(name);
  out->append(suffix);
  out->push_back(' ');
  out->append(type);
  out->push_back('\n');
}

void AppendSample(std::string* out, std::string_view name, std::string_view suffix,
                  std::string_view labels, double value) {
  out->append(name);
  out->append(suffix);
  if (!labels.empty()) {
    out->push_back('{');
    out->append(labels);
    out->push_back('}');
  }
  out->push_back(' ');
  AppendFloatToGoString(out, value);
  out->push_back('\n');
}

void AppendBucket(std::string* out, std::string_view name, const RenderedLabels& labels,
                  std::string_view le, double value) {
  out->append(name);
  out->append("_bucket{");
  out->append(labels.before_le);
  out->append("le=\"");
  out->append(le);
  out->push_back('"');
  out->append(labels.after_le);
  out->append("} ");
  AppendFloatToGoString(out, value);
  out->push_back('\n');
}

std::string_view ExpositionContentType(bool version_1_0_0) {
  return version_1_0_0 ? "text/plain; version=1.0.0; charset=utf-8"
                       : "text/plain; version=0.0.4; charset=utf-8";
}

}  // namespace infermetry::emulator
