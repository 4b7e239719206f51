#pragma once
// Internal byte-level helpers shared by the Parser and Writer. Not part of the public API.
// Everything here works on bounded ranges (never relies on NUL termination) and is
// allocation-free unless a std::string output is passed.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/textparse/format.h"
#include "model/metric_type.h"

namespace infermetry::textparse::internal {

inline constexpr std::string_view kCarriageReturnMessage =
    "unexpected carriage return: lines must end with \"\\n\" only";

// Byte classes, one bit per class.
inline constexpr uint8_t kMetricNameStart = 1;  // [a-zA-Z_:]
inline constexpr uint8_t kMetricNameChar = 2;   // [a-zA-Z0-9_:]
inline constexpr uint8_t kLabelNameStart = 4;   // [a-zA-Z_]
inline constexpr uint8_t kLabelNameChar = 8;    // [a-zA-Z0-9_]
inline constexpr uint8_t kLabelValueStop = 16;  // '"', '\\' and every byte >= 0x80
inline constexpr uint8_t kBlank = 32;           // ' ', '\t'

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    uint8_t v = 0;
    if (alpha || c == ':') v |= kMetricNameStart;
    if (alpha || digit || c == ':') v |= kMetricNameChar;
    if (alpha) v |= kLabelNameStart;
    if (alpha || digit) v |= kLabelNameChar;
    if (c == '"' || c == '\\' || c >= 0x80) v |= kLabelValueStop;
    if (c == ' ' || c == '\t') v |= kBlank;
    t[static_cast<size_t>(c)] = v;
  }
  return t;
}

inline constexpr std::array<uint8_t, 256> kByteClass = MakeByteClasses();

inline bool Is(char c, uint8_t cls) { return (kByteClass[static_cast<uint8_t>(c)] & cls) != 0; }

// Returns the first position in [p, end) whose byte is not in `cls`.
inline const char* SkipClass(const char* p, const char* end, uint8_t cls) {
  while (p < end && Is(*p, cls)) ++p;
  return p;
}

// True if `s` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool ValidUtf8(std::string_view s);

// Number of UTF-8 code points in `s` (counts lead bytes; `s` is assumed valid).
size_t CountCodePoints(std::string_view s);

// Human-readable rendering of the byte at `p` for "found ..." in error messages:
// "'x'", "'\\r'", "'\\x01'", or "end of line" when p == line_end.
std::string DescribeByte(const char* p, const char* line_end);

// `s` in double quotes for error messages, with non-printable bytes as \xNN and at most
// 64 bytes shown (then "...").
std::string QuoteForMessage(std::string_view s);

// Label values and OpenMetrics HELP: "\\" -> '\', "\"" -> '"', "\n" -> newline; any other
// backslash pair is kept as both bytes. A trailing lone backslash is kept.
// Writes to `out` (room for raw.size() bytes required); returns the number written.
size_t UnescapeLabelValue(std::string_view raw, char* out);

// Text-format HELP: "\\" -> '\', "\n" -> newline; anything else is kept verbatim.
size_t UnescapeTextHelp(std::string_view raw, char* out);

// Appends `s` escaping '\' and newline, and '"' too when `quote` is set.
void AppendEscaped(std::string* out, std::string_view s, bool quote);

// OpenMetrics timestamps: float seconds to integer milliseconds, rounded to the nearest
// millisecond. Plain decimals ([+-]digits[.digits]) are converted exactly, other float
// spellings through a double. False for NaN/Inf, out-of-int64 range or bad syntax.
bool ParseSecondsToMs(std::string_view s, int64_t* ms);

// Appends `ms` as seconds with up to three fraction digits ("1700000000.123", "-0.5", "12").
void AppendMsAsSeconds(std::string* out, int64_t ms);

// Metric types valid in a TYPE line of each format. Text: counter, gauge, histogram, summary,
// untyped. OpenMetrics: counter, gauge, histogram, gaugehistogram, summary, info, stateset,
// unknown.
bool ParseTypeForFormat(std::string_view s, Format format, model::MetricType* out);

// The spelling of `t` in a TYPE line of `format`. The text format has no info, stateset or
// gaugehistogram types; they are written as "untyped".
std::string_view TypeNameForFormat(model::MetricType t, Format format);

// True if a sample called `name` belongs to the family `family` of type `type` in `format`,
// e.g. "x_bucket" to histogram "x", "x_total" to an OpenMetrics counter "x".
bool SampleBelongsToFamily(std::string_view name, std::string_view family, model::MetricType type,
                           Format format);

}  // namespace infermetry::textparse::internal
