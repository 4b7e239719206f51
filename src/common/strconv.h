#pragma once
// Number spellings shared by every text format: Prometheus exposition, the HTTP API, logs.

#include <cstdint>
#include <string>
#include <string_view>

namespace infermetry {

// Parses a float the way Prometheus's text parsers do (Go's strconv.ParseFloat without hex
// floats or underscores): optional sign, decimal digits with optional fraction and exponent,
// and case-insensitive "Inf"/"Infinity" (optionally signed) and "NaN" (unsigned).
// Returns false on any other input, including overflow to infinity and trailing bytes.
// Allocation-free.
bool ParseGoFloat(std::string_view s, double* out) noexcept;

// ASCII case-insensitive equality (header names, protocol tokens).
bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept;

// Parses a decimal int64 with optional sign; false on overflow or stray bytes.
bool ParseInt64(std::string_view s, int64_t* out) noexcept;

// Appends `v` as Go's strconv.FormatFloat(v, 'g', -1, 64) would, with "+Inf", "-Inf" and
// "NaN" for the special values: the shortest digits that read back to the same double, in
// exponent form when the decimal exponent is < -4 or >= 6 (Go's rule for shortest 'g').
// Examples: 1 -> "1", 0.5 -> "0.5", 1e+06 -> "1e+06", 123456 -> "123456", 1e-05 -> "1e-05".
void AppendGoFloat(std::string* out, double v);
std::string FormatGoFloat(double v);

// Appends the UTF-8 encoding of code point `cp` (<= 0x10FFFF).
void AppendUtf8(std::string* out, uint32_t cp);

// Percent-encodes everything but RFC 3986's unreserved characters (A-Z a-z 0-9 - _ . ~), for
// URL query parameters.
std::string UrlEscape(std::string_view s);

// Appends `v` as OTLP/JSON spells a double, without the quotes JSON puts around the special
// values: "NaN", "Infinity", "-Infinity", "-0.0", otherwise the shortest form that reads back to
// the same double, in exponent form where a long digit run would read back as an integer.
void AppendOtlpDouble(std::string* out, double v);

// The value of one hexadecimal digit (either case), or -1.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends `s` as a JSON string literal: quotes, with \" \\ \n \r \t and \u00XX escapes for the
// other control bytes. Bytes >= 0x80 are copied as they are (UTF-8 passes through).
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace infermetry
