// Evaluation of filter conditions: values of paths, OTTL comparison, the tree walk.

#include <cstdint>
#include <string>

#include "common/strconv.h"
#include "process/filter_tree.h"

namespace infermetry::process {
namespace filter_internal {

namespace common = opentelemetry::proto::common::v1;
namespace metrics = opentelemetry::proto::metrics::v1;

namespace {

Value FromAny(const common::AnyValue& v) {
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      return Value::Str(v.string_value());
    case common::AnyValue::kIntValue:
      return Value::Int(v.int_value());
    case common::AnyValue::kDoubleValue:
      return Value::Dbl(v.double_value());
    case common::AnyValue::kBoolValue:
      return Value::Bool(v.bool_value());
    case common::AnyValue::VALUE_NOT_SET:
      return Value();
    default:
      return Value::Other();
  }
}

Value Lookup(const google::protobuf::RepeatedPtrField<common::KeyValue>& attrs,
             std::string_view key) {
  for (const auto& kv : attrs) {
    if (kv.key() == key) return FromAny(kv.value());
  }
  return Value();
}

template <typename T>
bool Ordered(const T& a, const T& b, Op op) {
  switch (op) {
    case Op::kEq:
      return a == b;
    case Op::kNe:
      return a != b;
    case Op::kLt:
      return a < b;
    case Op::kLe:
      return a <= b;
    case Op::kGt:
      return a > b;
    case Op::kGe:
      return a >= b;
  }
  return false;
}

}  // namespace

bool Compare(const Value& a, Op op, const Value& b) {
  using T = Value::Type;
  auto mismatch = [op](bool equal) {
    return op == Op::kEq ? equal : op == Op::kNe ? !equal : false;
  };
  if (a.type == T::kNil || b.type == T::kNil) return mismatch(a.type == b.type);
  const bool an = a.type == T::kInt || a.type == T::kDouble;
  const bool bn = b.type == T::kInt || b.type == T::kDouble;
  if (an && bn) {
    if (a.type == T::kInt && b.type == T::kInt) return Ordered(a.i, b.i, op);
    double x = a.type == T::kInt ? static_cast<double>(a.i) : a.d;
    double y = b.type == T::kInt ? static_cast<double>(b.i) : b.d;
    return Ordered(x, y, op);
  }
  if (a.type == T::kString && b.type == T::kString) return Ordered(a.s, b.s, op);
  if (a.type == T::kBool && b.type == T::kBool) return mismatch(a.b == b.b);
  return mismatch(false);
}

constexpr unsigned Ctx(FilterContext c) { return 1u << static_cast<unsigned>(c); }
constexpr unsigned kAll = Ctx(FilterContext::kSpan) | Ctx(FilterContext::kMetric) |
                          Ctx(FilterContext::kDataPoint) | Ctx(FilterContext::kLogRecord);
constexpr unsigned kSpan = Ctx(FilterContext::kSpan);
constexpr unsigned kMetric = Ctx(FilterContext::kMetric);
constexpr unsigned kPoint = Ctx(FilterContext::kDataPoint);
constexpr unsigned kLog = Ctx(FilterContext::kLogRecord);

constexpr PathSpec kPaths[] = {
    {"resource.attributes", Field::kResourceAttr, true, kAll},
    {"instrumentation_scope.name", Field::kScopeName, false, kAll},
    {"instrumentation_scope.version", Field::kScopeVersion, false, kAll},
    {"instrumentation_scope.attributes", Field::kScopeAttr, true, kAll},
    {"attributes", Field::kAttr, true, kSpan | kPoint | kLog},
    {"name", Field::kName, false, kSpan | kMetric},
    {"kind", Field::kKind, false, kSpan},
    {"status.code", Field::kStatusCode, false, kSpan},
    {"status.message", Field::kStatusMessage, false, kSpan},
    {"start_time_unix_nano", Field::kStartTime, false, kSpan | kPoint},
    {"end_time_unix_nano", Field::kEndTime, false, kSpan},
    {"description", Field::kDescription, false, kMetric},
    {"unit", Field::kUnit, false, kMetric},
    {"type", Field::kType, false, kMetric},
    {"aggregation_temporality", Field::kTemporality, false, kMetric},
    {"is_monotonic", Field::kMonotonic, false, kMetric},
    {"metric.name", Field::kMetricName, false, kPoint},
    {"metric.unit", Field::kMetricUnit, false, kPoint},
    {"metric.type", Field::kMetricType, false, kPoint},
    {"value_double", Field::kValueDouble, false, kPoint},
    {"value_int", Field::kValueInt, false, kPoint},
    {"count", Field::kCount, false, kPoint},
    {"sum", Field::kSum, false, kPoint},
    {"flags", Field::kFlags, false, kPoint},
    {"time_unix_nano", Field::kTime, false, kPoint | kLog},
    {"body", Field::kBody, false, kLog},
    {"severity_number", Field::kSeverityNumber, false, kLog},
    {"severity_text", Field::kSeverityText, false, kLog},
    {"event_name", Field::kEventName, false, kLog},
    {"observed_time_unix_nano", Field::kObservedTime, false, kLog},
};

std::string_view ContextName(FilterContext c) {
  switch (c) {
    case FilterContext::kSpan:
      return "span";
    case FilterContext::kMetric:
      return "metric";
    case FilterContext::kDataPoint:
      return "datapoint";
    case FilterContext::kLogRecord:
      return "log_record";
  }
  return "";
}

bool EnumConstant(std::string_view name, int64_t* out) {
  static constexpr std::pair<std::string_view, int64_t> kConstants[] = {
      {"SPAN_KIND_UNSPECIFIED", 0},
      {"SPAN_KIND_INTERNAL", 1},
      {"SPAN_KIND_SERVER", 2},
      {"SPAN_KIND_CLIENT", 3},
      {"SPAN_KIND_PRODUCER", 4},
      {"SPAN_KIND_CONSUMER", 5},
      {"STATUS_CODE_UNSET", 0},
      {"STATUS_CODE_OK", 1},
      {"STATUS_CODE_ERROR", 2},
      {"METRIC_DATA_TYPE_NONE", 0},
      {"METRIC_DATA_TYPE_GAUGE", 1},
      {"METRIC_DATA_TYPE_SUM", 2},
      {"METRIC_DATA_TYPE_HISTOGRAM", 3},
      {"METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM", 4},
      {"METRIC_DATA_TYPE_SUMMARY", 5},
      {"AGGREGATION_TEMPORALITY_UNSPECIFIED", 0},
      {"AGGREGATION_TEMPORALITY_DELTA", 1},
      {"AGGREGATION_TEMPORALITY_CUMULATIVE", 2},
  };
  for (const auto& [n, v] : kConstants) {
    if (n == name) {
      *out = v;
      return true;
    }
  }
  // SEVERITY_NUMBER_<LEVEL>[2-4], as in logs.proto.
  static constexpr std::string_view kLevels[] = {"TRACE", "DEBUG", "INFO",
                                                 "WARN",  "ERROR", "FATAL"};
  constexpr std::string_view kPrefix = "SEVERITY_NUMBER_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view rest = name.substr(kPrefix.size());
  if (rest == "UNSPECIFIED") {
    *out = 0;
    return true;
  }
  for (size_t i = 0; i < std::size(kLevels); ++i) {
    if (rest.substr(0, kLevels[i].size()) != kLevels[i]) continue;
    std::string_view suffix = rest.substr(kLevels[i].size());
    int64_t base = static_cast<int64_t>(i) * 4 + 1;
    if (suffix.empty()) {
      *out = base;
      return true;
    }
    if (suffix.size() == 1 && suffix[0] >= '2' && suffix[0] <= '4') {
      *out = base + (suffix[0] - '1');
      return true;
    }
  }
  return false;
}

namespace {

int64_t MetricType(const metrics::Metric& m) {
  switch (m.data_case()) {
    case metrics::Metric::kGauge:
      return 1;
    case metrics::Metric::kSum:
      return 2;
    case metrics::Metric::kHistogram:
      return 3;
    case metrics::Metric::kExponentialHistogram:
      return 4;
    case metrics::Metric::kSummary:
      return 5;
    default:
      return 0;
  }
}

const google::protobuf::RepeatedPtrField<common::KeyValue>* PointAttributes(const FilterItem& it) {
  if (it.number_point) return &it.number_point->attributes();
  if (it.histogram_point) return &it.histogram_point->attributes();
  if (it.exp_histogram_point) return &it.exp_histogram_point->attributes();
  if (it.summary_point) return &it.summary_point->attributes();
  return nullptr;
}

Value U64(uint64_t v) { return Value::Int(static_cast<int64_t>(v)); }

}  // namespace

Value Get(Field f, std::string_view key, const FilterItem& it) {
  const auto* span = it.span;
  const auto* metric = it.metric;
  const auto* log = it.log_record;
  switch (f) {
    case Field::kResourceAttr:
      return it.resource ? Lookup(it.resource->attributes(), key) : Value();
    case Field::kScopeName:
      return it.scope ? Value::Str(it.scope->name()) : Value();
    case Field::kScopeVersion:
      return it.scope ? Value::Str(it.scope->version()) : Value();
    case Field::kScopeAttr:
      return it.scope ? Lookup(it.scope->attributes(), key) : Value();
    case Field::kAttr:
      if (span) return Lookup(span->attributes(), key);
      if (log) return Lookup(log->attributes(), key);
      if (const auto* a = PointAttributes(it)) return Lookup(*a, key);
      return Value();
    case Field::kName:
      if (span) return Value::Str(span->name());
      return metric ? Value::Str(metric->name()) : Value();
    case Field::kKind:
      return span ? Value::Int(span->kind()) : Value();
    case Field::kStatusCode:
      return span ? Value::Int(span->status().code()) : Value();
    case Field::kStatusMessage:
      return span ? Value::Str(span->status().message()) : Value();
    case Field::kStartTime:
      if (span) return U64(span->start_time_unix_nano());
      if (it.number_point) return U64(it.number_point->start_time_unix_nano());
      if (it.histogram_point) return U64(it.histogram_point->start_time_unix_nano());
      if (it.exp_histogram_point) return U64(it.exp_histogram_point->start_time_unix_nano());
      if (it.summary_point) return U64(it.summary_point->start_time_unix_nano());
      return Value();
    case Field::kEndTime:
      return span ? U64(span->end_time_unix_nano()) : Value();
    case Field::kDescription:
      return metric ? Value::Str(metric->description()) : Value();
    case Field::kUnit:
    case Field::kMetricUnit:
      return metric ? Value::Str(metric->unit()) : Value();
    case Field::kType:
    case Field::kMetricType:
      return metric ? Value::Int(MetricType(*metric)) : Value();
    case Field::kMetricName:
      return metric ? Value::Str(metric->name()) : Value();
    case Field::kTemporality:
      if (!metric) return Value();
      if (metric->has_sum()) return Value::Int(metric->sum().aggregation_temporality());
      if (metric->has_histogram()) return Value::Int(metric->histogram().aggregation_temporality());
      if (metric->has_exponential_histogram()) {
        return Value::Int(metric->exponential_histogram().aggregation_temporality());
      }
      return Value::Int(0);
    case Field::kMonotonic:
      return metric ? Value::Bool(metric->has_sum() && metric->sum().is_monotonic()) : Value();
    case Field::kValueDouble:
      if (it.number_point && it.number_point->value_case() == metrics::NumberDataPoint::kAsDouble) {
        return Value::Dbl(it.number_point->as_double());
      }
      return it.number_point ? Value::Dbl(0) : Value();
    case Field::kValueInt:
      if (it.number_point && it.number_point->value_case() == metrics::NumberDataPoint::kAsInt) {
        return Value::Int(it.number_point->as_int());
      }
      return it.number_point ? Value::Int(0) : Value();
    case Field::kCount:
      if (it.histogram_point) return U64(it.histogram_point->count());
      if (it.exp_histogram_point) return U64(it.exp_histogram_point->count());
      if (it.summary_point) return U64(it.summary_point->count());
      return Value();
    case Field::kSum:
      if (it.histogram_point) return Value::Dbl(it.histogram_point->sum());
      if (it.exp_histogram_point) return Value::Dbl(it.exp_histogram_point->sum());
      if (it.summary_point) return Value::Dbl(it.summary_point->sum());
      return Value();
    case Field::kFlags:
      if (it.number_point) return Value::Int(it.number_point->flags());
      if (it.histogram_point) return Value::Int(it.histogram_point->flags());
      if (it.exp_histogram_point) return Value::Int(it.exp_histogram_point->flags());
      if (it.summary_point) return Value::Int(it.summary_point->flags());
      return Value();
    case Field::kTime:
      if (log) return U64(log->time_unix_nano());
      if (it.number_point) return U64(it.number_point->time_unix_nano());
      if (it.histogram_point) return U64(it.histogram_point->time_unix_nano());
      if (it.exp_histogram_point) return U64(it.exp_histogram_point->time_unix_nano());
      if (it.summary_point) return U64(it.summary_point->time_unix_nano());
      return Value();
    case Field::kBody:
      return log ? FromAny(log->body()) : Value();
    case Field::kSeverityNumber:
      return log ? Value::Int(log->severity_number()) : Value();
    case Field::kSeverityText:
      return log ? Value::Str(log->severity_text()) : Value();
    case Field::kEventName:
      return log ? Value::Str(log->event_name()) : Value();
    case Field::kObservedTime:
      return log ? U64(log->observed_time_unix_nano()) : Value();
  }
  return Value();
}

const PathSpec* FindPath(std::string_view name, FilterContext ctx) {
  for (const PathSpec& p : kPaths) {
    if (p.name == name && (p.contexts & Ctx(ctx))) return &p;
  }
  return nullptr;
}

}  // namespace filter_internal

bool FilterCondition::Node::Eval(const FilterItem& item) const {
  using filter_internal::Value;
  switch (kind) {
    case Kind::kOr:
      for (const auto& c : children) {
        if (c->Eval(item)) return true;
      }
      return false;
    case Kind::kAnd:
      for (const auto& c : children) {
        if (!c->Eval(item)) return false;
      }
      return true;
    case Kind::kNot:
      return !children[0]->Eval(item);
    case Kind::kCompare:
      return Compare(lhs->Eval(item), op, rhs->Eval(item));
    case Kind::kMatch: {
      Value v = lhs->Eval(item);
      switch (v.type) {
        case Value::Type::kString:
          return RE2::PartialMatch(v.s, *re);
        case Value::Type::kInt:
          return RE2::PartialMatch(std::to_string(v.i), *re);
        case Value::Type::kDouble:
          return RE2::PartialMatch(FormatGoFloat(v.d), *re);
        case Value::Type::kBool:
          return RE2::PartialMatch(v.b ? "true" : "false", *re);
        default:
          return false;
      }
    }
    case Kind::kConst:
      return value;
  }
  return false;
}

}  // namespace infermetry::process
