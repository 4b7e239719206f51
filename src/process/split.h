#pragma once
// Moving items between batches without copying them: what the batch processor does to merge
// small requests and to split large ones exactly by item count (spans, metric data points, log
// records, as CountItems counts them).
//
// TakeItems(src, n) moves the first n items of `src` (in order) into the returned batch, which
// carries the same resources and scopes around them: a resource, scope or metric whose items
// are divided between the two batches is copied (without its items) into the returned one, so a
// metric split across batches keeps its name, unit, type, temporality and monotonicity in both.
// `src` keeps the remaining items; entries left without items are removed from it. With
// n >= CountItems(*src), everything (empty entries included) moves and `src` ends up empty.
//
// AppendBatch moves every resource entry of `src` to the end of `dst`; equal resources are not
// merged (the Collector does not merge them either).

#include <cstdint>

#include "process/telemetry.h"

namespace infermetry::process {

Traces TakeItems(Traces* src, int64_t n);
Metrics TakeItems(Metrics* src, int64_t n);
Logs TakeItems(Logs* src, int64_t n);

void AppendBatch(Traces* dst, Traces&& src);
void AppendBatch(Metrics* dst, Metrics&& src);
void AppendBatch(Logs* dst, Logs&& src);


}  // namespace infermetry::process
