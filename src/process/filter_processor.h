#pragma once
// The filter processor (`filter`): drops the spans, metrics, data points and log records that
// match a condition (filter_expr.h), in the Collector's OTTL configuration form:
//
//   processors:
//     filter:
//       error_mode: propagate          # or ignore, silent
//       traces:
//         span:
//           - 'attributes["http.route"] == "/health"'
//       metrics:
//         metric:                      # drops whole metrics
//           - 'IsMatch(name, "^go_.*")'
//         datapoint:                   # drops single data points
//           - 'attributes["le"] == "+Inf" and metric.type == METRIC_DATA_TYPE_SUM'
//       logs:
//         log_record:
//           - 'severity_number < SEVERITY_NUMBER_WARN'
//
// An item is dropped when any of its context's conditions is true. With datapoint conditions,
// a metric left without data points is removed; scopes and resources left empty are removed.
// When nothing is left the batch is not passed on and OK is returned (the Collector's
// behaviour). Dropped items are counted: infermetry_processor_filter_dropped_spans_total,
// infermetry_processor_filter_dropped_metric_points_total (points of dropped metrics included),
// infermetry_processor_filter_dropped_log_records_total, labelled by processor id.
//
// Evaluating a condition of this subset cannot fail, so error_mode is only checked. The
// Collector's legacy include/exclude form, spanevent conditions and unsupported condition syntax
// are config errors naming file:line:column, the condition and the offending text.

#include "common/result.h"
#include "process/factory.h"

namespace infermetry::process {

Result<std::unique_ptr<Processor>> CreateFilterProcessor(const ComponentConfig& cfg, Signal signal,
                                                         Consumer* next);

}  // namespace infermetry::process
