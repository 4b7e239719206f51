#include "process/telemetry.h"

namespace infermetry::process {

std::string_view SignalName(Signal s) {
  switch (s) {
    case Signal::kTraces: return "traces";
    case Signal::kMetrics: return "metrics";
    case Signal::kLogs: return "logs";
  }
  return "traces";
}

bool ParseSignal(std::string_view pipeline_name, Signal* out) {
  std::string_view type = pipeline_name.substr(0, pipeline_name.find('/'));
  for (Signal s : {Signal::kTraces, Signal::kMetrics, Signal::kLogs}) {
    if (type == SignalName(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

int64_t CountItems(const Traces& t) {
  int64_t n = 0;
  for (const auto& rs : t.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) n += ss.spans_size();
  }
  return n;
}

int64_t PointCount(const opentelemetry::proto::metrics::v1::Metric& m) {
  using opentelemetry::proto::metrics::v1::Metric;
  switch (m.data_case()) {
    case Metric::kGauge: return m.gauge().data_points_size();
    case Metric::kSum: return m.sum().data_points_size();
    case Metric::kHistogram: return m.histogram().data_points_size();
    case Metric::kExponentialHistogram: return m.exponential_histogram().data_points_size();
    case Metric::kSummary: return m.summary().data_points_size();
    default: return 0;
  }
}

int64_t CountItems(const Metrics& m) {
  int64_t n = 0;
  for (const auto& rm : m.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& metric : sm.metrics()) n += PointCount(metric);
    }
  }
  return n;
}

int64_t CountItems(const Logs& l) {
  int64_t n = 0;
  for (const auto& rl : l.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) n += sl.log_records_size();
  }
  return n;
}

}  // namespace infermetry::process
