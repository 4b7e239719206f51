#pragma once
// Conditions of the filter processor: a small subset of the Collector's OTTL boolean
// expressions, enough for the common cases.
//
//   condition  := or
//   or         := and ("or" and)*
//   and        := unary ("and" unary)*
//   unary      := "not" unary | "(" condition ")" | comparison | IsMatch(operand, "regex")
//                 | true | false
//   comparison := operand ("==" | "!=" | "<" | "<=" | ">" | ">=") operand
//   operand    := path | "string" | integer | float | true | false | nil | ENUM_CONSTANT
//
// Paths, by context (the item a condition looks at):
//   every context   resource.attributes["k"], instrumentation_scope.name,
//                   instrumentation_scope.version, instrumentation_scope.attributes["k"]
//   span            name, kind, status.code, status.message, attributes["k"],
//                   start_time_unix_nano, end_time_unix_nano
//   metric          name, description, unit, type, aggregation_temporality, is_monotonic
//   datapoint       attributes["k"], metric.name, metric.unit, metric.type, value_double,
//                   value_int, count, sum, flags, start_time_unix_nano, time_unix_nano
//   log_record      body (string bodies), severity_number, severity_text, event_name,
//                   attributes["k"], time_unix_nano, observed_time_unix_nano
// Enum constants are OTTL's: SPAN_KIND_SERVER, STATUS_CODE_ERROR, METRIC_DATA_TYPE_SUM,
// AGGREGATION_TEMPORALITY_CUMULATIVE, SEVERITY_NUMBER_WARN, ... (they are integers).
//
// Semantics follow OTTL: an absent attribute is nil; nil == nil; a comparison between different
// types is false for == and every ordering operator and true for !=; ints and doubles compare
// numerically; strings compare byte-wise; bools only with == and !=. IsMatch is an unanchored
// RE2 search of the regex (a string literal, compiled once) in the operand, with ints, doubles
// and bools converted to their text first; nil and other values never match.
//
// Anything else (other functions, other paths, nested indexes, arithmetic) is refused at parse
// time with the offending text and its column.

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "process/telemetry.h"

namespace infermetry::process {

enum class FilterContext { kSpan, kMetric, kDataPoint, kLogRecord };

// What a condition is evaluated against; fields that do not apply to the context stay null.
// Exactly one of the data point pointers is set in the datapoint context.
struct FilterItem {
  const opentelemetry::proto::resource::v1::Resource* resource = nullptr;
  const opentelemetry::proto::common::v1::InstrumentationScope* scope = nullptr;
  const opentelemetry::proto::trace::v1::Span* span = nullptr;
  const opentelemetry::proto::metrics::v1::Metric* metric = nullptr;  // metric and datapoint
  const opentelemetry::proto::metrics::v1::NumberDataPoint* number_point = nullptr;
  const opentelemetry::proto::metrics::v1::HistogramDataPoint* histogram_point = nullptr;
  const opentelemetry::proto::metrics::v1::ExponentialHistogramDataPoint* exp_histogram_point =
      nullptr;
  const opentelemetry::proto::metrics::v1::SummaryDataPoint* summary_point = nullptr;
  const opentelemetry::proto::logs::v1::LogRecord* log_record = nullptr;
};

class FilterCondition {
 public:
  // Errors say what is wrong, quote the offending text and give its 1-based column.
  static Result<FilterCondition> Parse(std::string_view text, FilterContext context);

  bool Matches(const FilterItem& item) const;
  const std::string& text() const { return text_; }

  struct Node;  // the syntax tree (filter_expr.cc)

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace infermetry::process
