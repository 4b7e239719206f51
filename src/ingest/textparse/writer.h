#pragma once
// Writer: serializes metric families in the Prometheus text format 0.0.4 or OpenMetrics 1.0.
//
//   std::string body;
//   Writer w(Format::kOpenMetrics, &body);
//   w.Help("requests", "Requests served.");
//   w.Type("requests", model::MetricType::kCounter);
//   LabelView l[] = {{"code", "200"}};
//   w.Sample("requests_total", l, 42);
//   w.Eof();
//   Serve(body, ContentType(Format::kOpenMetrics));
//
// Ownership: the writer appends to *out, which the caller owns and which must outlive the
// writer. Views passed in are only read during the call.
// Thread-safety: none; one writer per output string.
//
// Contract: names must already be valid metric/label names (the writer does not check) and
// HELP/comment text is written as given apart from escaping. Label values are escaped (\\,
// \", \n); HELP escapes '\' and newline (and '"' in OpenMetrics). Values are written in Go's
// shortest float spelling (+Inf, -Inf, NaN); text timestamps as integer milliseconds,
// OpenMetrics timestamps as seconds with up to three fraction digits.
// Format differences: the text format has no UNIT lines, exemplars or "# EOF" (those calls
// write nothing) and no info/stateset/gaugehistogram types (written as "untyped");
// OpenMetrics has no free comments (Comment writes nothing). The output of parsing a payload
// and writing every entry back with the same format parses to the same entries and values.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ingest/textparse/format.h"
#include "model/metric_type.h"

namespace infermetry::textparse {

class Writer {
 public:
  Writer(Format format, std::string* out) : format_(format), out_(out) {}

  Format format() const { return format_; }

  // "# HELP <family> <escaped text>". Leading blanks of `text` do not survive the text
  // format (its parsers skip them).
  void Help(std::string_view family, std::string_view text);
  // "# TYPE <family> <type>"; kUnknown is "untyped" in text and "unknown" in OpenMetrics.
  void Type(std::string_view family, model::MetricType type);
  // "# UNIT <family> <unit>" in OpenMetrics; nothing in text.
  void Unit(std::string_view family, std::string_view unit);
  // "#<text>" in text (REQUIRES: no newline in `text`); nothing in OpenMetrics.
  void Comment(std::string_view text);
  // "<name>{labels} <value>[ <timestamp>][ # {labels} <value>[ <timestamp>]]". The label set
  // is omitted when `labels` is empty; the exemplar is written in OpenMetrics only.
  void Sample(std::string_view name, std::span<const LabelView> labels, double value,
              std::optional<int64_t> timestamp_ms = {}, const ExemplarView* exemplar = nullptr);
  // "# EOF" in OpenMetrics (must be the last call); nothing in text.
  void Eof();

 private:
  void AppendLabels(std::span<const LabelView> labels);
  void AppendTimestamp(int64_t ms);

  Format format_;
  std::string* out_;
};

}  // namespace infermetry::textparse
