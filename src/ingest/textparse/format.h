#pragma once
// Vocabulary shared by the exposition-format Parser and Writer: which format, what kind of
// entry a line is, borrowed label/exemplar views, and the parse error value.
//
// Formats:
//   kPrometheusText  Prometheus text exposition format 0.0.4 (text/plain; version=0.0.4).
//   kOpenMetrics     OpenMetrics 1.0 text (application/openmetrics-text; version=1.0.0).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace infermetry::textparse {

enum class Format { kPrometheusText, kOpenMetrics };

// Chooses the parser for a scrape response's Content-Type header value, as Prometheus does:
// "application/openmetrics-text" (any parameters, case-insensitive media type) is
// OpenMetrics; anything else, including an empty or unknown type, is the text format.
Format FormatFromContentType(std::string_view content_type);

// The Content-Type a Writer's output should be served with:
//   "text/plain; version=0.0.4; charset=utf-8" or
//   "application/openmetrics-text; version=1.0.0; charset=utf-8".
std::string_view ContentType(Format format);

// "text" or "openmetrics", for logs and test names.
std::string_view FormatName(Format format);

enum class Entry {
  kInvalid,  // the line is malformed; see Parser::error()
  kHelp,     // # HELP <family> <text>
  kType,     // # TYPE <family> <type>
  kUnit,     // # UNIT <family> <unit>            (OpenMetrics only)
  kComment,  // any other line starting with '#'  (text format only)
  kSeries,   // <name>[{labels}] <value> [<timestamp>] [# exemplar]
  kEof,      // end of input (after "# EOF" in OpenMetrics); returned on every later call
};

std::string_view EntryName(Entry e);

// One label as borrowed views. Produced by the Parser (views into the input or into the
// parser's scratch buffer; see Parser for their lifetime) and consumed by the Writer (views
// owned by the caller for the duration of the call).
struct LabelView {
  std::string_view name;
  std::string_view value;
  bool operator==(const LabelView&) const = default;
};

// An OpenMetrics exemplar: `# {labels} value [timestamp]` after a sample.
struct ExemplarView {
  std::span<const LabelView> labels;
  double value = 0;
  bool has_timestamp = false;
  int64_t timestamp_ms = 0;
};

// Where and why a line failed to parse. `line` and `column` are 1-based; `column` counts bytes
// from the start of the line and points at the offending byte (one past the last byte of the
// line when the line ended too early).
// What part of a line was malformed; the label of infermetry_scrape_parse_errors_total.
enum class ParseErrorReason {
  kFormat,      // line structure: blank/indented OpenMetrics line, '\r', "# EOF" misplaced
  kMetadata,    // HELP, TYPE or UNIT line
  kMetricName,  // metric name, or what follows it
  kLabels,      // label set
  kValue,       // sample value
  kTimestamp,   // sample timestamp
  kExemplar,    // OpenMetrics exemplar
};

// "format", "metadata", "metric_name", "labels", "value", "timestamp", "exemplar".
std::string_view ParseErrorReasonName(ParseErrorReason r);

struct ParseError {
  ParseErrorReason reason = ParseErrorReason::kFormat;
  int line = 0;
  int column = 0;
  std::string message;

  // "line 12, column 31: expected '=' after label name, found '\"'".
  std::string ToString() const;
};

}  // namespace infermetry::textparse
