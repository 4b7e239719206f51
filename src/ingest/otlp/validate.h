#pragma once
// What the OTLP receiver refuses inside an otherwise well-formed request, answered with
// partial_success instead of failing the whole request. Only what the OTLP data model says is
// invalid, and what downstream conversion cannot represent:
//   spans        trace_id not 16 bytes or all zeroes; span_id not 8 bytes or all zeroes;
//                parent_span_id neither empty nor 8 bytes; a link whose trace_id/span_id is
//                set but not 16/8 bytes
//   data points  every point of a metric without a name; a histogram point whose
//                bucket_counts is non-empty and not one longer than explicit_bounds
//   log records  trace_id set but not 16 bytes; span_id set but not 8 bytes
// (The JSON decoder already refuses ids of the wrong length: hex ids are checked there.)
// Everything else passes through untouched; emptied scopes and resources are kept.

#include <cstdint>
#include <string>

#include "process/telemetry.h"

namespace infermetry::otlp {

struct Rejections {
  int64_t count = 0;    // items removed (spans, data points, log records)
  std::string message;  // the first few reasons, with where they are; empty when count is 0
};

// Each removes the invalid items from `batch` in place and says how many and why.
Rejections RemoveInvalid(process::Traces* batch);
Rejections RemoveInvalid(process::Metrics* batch);
Rejections RemoveInvalid(process::Logs* batch);

}  // namespace infermetry::otlp
