#pragma once
// Turns OTLP metrics into Prometheus samples for a storage::Appender: the inverse of the
// prometheus receiver's conversion (ingest/prometheus/otlp_appendable.h), so that a scraped
// series is stored under exactly the name and labels Prometheus would store it:
//   Gauge, Sum (cumulative)   -> one sample per data point, under the metric's name
//   Histogram (cumulative)    -> <name>_bucket{le=...} (cumulative counts, +Inf included),
//                                <name>_sum, <name>_count
//   Summary                   -> <name>{quantile=...}, <name>_sum, <name>_count
//   NO_RECORDED_VALUE flag    -> a staleness marker on each of the point's series
//   service.name (+ service.namespace as "ns/name") -> job; service.instance.id -> instance;
//   other resource attributes -> one `target_info` series (value 1) per resource and batch,
//                                except server.address/server.port/url.scheme, which the
//                                prometheus receiver derives from the instance
//   data point attributes     -> labels
// `le` and `quantile` values are spelled as OpenMetrics does (integral values keep ".0": "1.0").
// Metric and label names that are not valid Prometheus names get every invalid character
// replaced by '_' (deployment.environment.name -> deployment_environment_name); names are
// otherwise kept exactly (no unit or _total suffixes are added). Delta temporality and
// exponential histograms are not stored: such points are skipped and counted as dropped.
//
// Expected per-sample outcomes (kOutOfOrder, kDuplicate, kTooOld) skip that sample and are
// counted; any other Append error fails the whole batch (the caller rolls back).

#include <cstdint>

#include "common/status.h"
#include "process/telemetry.h"
#include "storage/appender.h"

namespace infermetry::exporter {

struct AppendStats {
  uint64_t samples = 0;          // appended
  uint64_t rejected = 0;         // out of order, duplicate, too old
  uint64_t unsupported_points = 0;  // delta temporality, exponential histograms
};

Status AppendOtlpMetrics(const process::Metrics& batch, storage::Appender* app,
                         AppendStats* stats);

}  // namespace infermetry::exporter
