#pragma once
// Metric family types of the Prometheus text format and OpenMetrics.

#include <string_view>

namespace infermetry::model {

enum class MetricType {
  kUnknown,  // "untyped" in text format 0.0.4, "unknown" in OpenMetrics
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateset,
};

// "counter", "gauge", ...; kUnknown is "unknown".
std::string_view MetricTypeName(MetricType t);
// Accepts every type name of both formats ("untyped" and "unknown" both give kUnknown).
bool ParseMetricType(std::string_view s, MetricType* out);

}  // namespace infermetry::model
