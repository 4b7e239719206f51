#pragma once
// The data that flows through pipelines: OTLP export requests, used as the in-memory model (as
// the Collector's pdata wraps the same messages). A batch is one Export*ServiceRequest.

#include <cstdint>
#include <string_view>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace infermetry::process {

using Traces = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using Metrics = opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using Logs = opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

enum class Signal { kTraces, kMetrics, kLogs };

// A set of signals, as a bit mask: SignalBit(Signal::kMetrics) | SignalBit(Signal::kLogs).
using SignalSet = unsigned;
constexpr SignalSet SignalBit(Signal s) { return 1u << static_cast<unsigned>(s); }
inline constexpr SignalSet kAllSignals =
    SignalBit(Signal::kTraces) | SignalBit(Signal::kMetrics) | SignalBit(Signal::kLogs);
constexpr bool HasSignal(SignalSet set, Signal s) { return (set & SignalBit(s)) != 0; }

// "traces", "metrics", "logs".
std::string_view SignalName(Signal s);
// Parses a pipeline name's type part ("traces", "metrics/vllm" -> kMetrics); false if unknown.
bool ParseSignal(std::string_view pipeline_name, Signal* out);

// Data points of one metric, whatever its type (0 when it has no data).
int64_t PointCount(const opentelemetry::proto::metrics::v1::Metric& m);

// Items as the Collector counts them: spans, metric data points, log records.
int64_t CountItems(const Traces& t);
int64_t CountItems(const Metrics& m);
int64_t CountItems(const Logs& l);

}  // namespace infermetry::process
