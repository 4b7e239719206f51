#include "model/metric_type.h"

namespace infermetry::model {

std::string_view MetricTypeName(MetricType t) {
  switch (t) {
    case MetricType::kUnknown: return "unknown";
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kGaugeHistogram: return "gaugehistogram";
    case MetricType::kSummary: return "summary";
    case MetricType::kInfo: return "info";
    case MetricType::kStateset: return "stateset";
  }
  return "unknown";
}

bool ParseMetricType(std::string_view s, MetricType* out) {
  static constexpr struct { std::string_view name; MetricType type; } kTypes[] = {
      {"counter", MetricType::kCounter},     {"gauge", MetricType::kGauge},
      {"histogram", MetricType::kHistogram}, {"gaugehistogram", MetricType::kGaugeHistogram},
      {"summary", MetricType::kSummary},     {"info", MetricType::kInfo},
      {"stateset", MetricType::kStateset},   {"untyped", MetricType::kUnknown},
      {"unknown", MetricType::kUnknown},
  };
  for (const auto& t : kTypes) {
    if (t.name == s) {
      *out = t.type;
      return true;
    }
  }
  return false;
}

}  // namespace infermetry::model
