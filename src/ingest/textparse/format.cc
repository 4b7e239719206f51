#include "ingest/textparse/format.h"

namespace infermetry::textparse {
namespace {

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

}  // namespace

Format FormatFromContentType(std::string_view content_type) {
  // The media type is everything before the first ';', without surrounding blanks.
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && IsSpace(media.front())) media.remove_prefix(1);
  while (!media.empty() && IsSpace(media.back())) media.remove_suffix(1);
  static constexpr std::string_view kOpenMetrics = "application/openmetrics-text";
  if (media.size() != kOpenMetrics.size()) return Format::kPrometheusText;
  for (size_t i = 0; i < media.size(); ++i) {
    if (LowerAscii(media[i]) != kOpenMetrics[i]) return Format::kPrometheusText;
  }
  return Format::kOpenMetrics;
}

std::string_view ContentType(Format format) {
  return format == Format::kOpenMetrics
             ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
             : "text/plain; version=0.0.4; charset=utf-8";
}

std::string_view FormatName(Format format) {
  return format == Format::kOpenMetrics ? "openmetrics" : "text";
}

std::string_view EntryName(Entry e) {
  switch (e) {
    case Entry::kInvalid:
      return "invalid";
    case Entry::kHelp:
      return "help";
    case Entry::kType:
      return "type";
    case Entry::kUnit:
      return "unit";
    case Entry::kComment:
      return "comment";
    case Entry::kSeries:
      return "series";
    case Entry::kEof:
      return "eof";
  }
  return "invalid";
}

std::string_view ParseErrorReasonName(ParseErrorReason r) {
  switch (r) {
    case ParseErrorReason::kFormat: return "format";
    case ParseErrorReason::kMetadata: return "metadata";
    case ParseErrorReason::kMetricName: return "metric_name";
    case ParseErrorReason::kLabels: return "labels";
    case ParseErrorReason::kValue: return "value";
    case ParseErrorReason::kTimestamp: return "timestamp";
    case ParseErrorReason::kExemplar: return "exemplar";
  }
  return "format";
}

std::string ParseError::ToString() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

}  // namespace infermetry::textparse
