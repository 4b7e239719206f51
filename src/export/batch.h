#pragma once
// Batch: one OTLP export request of any signal, as it travels through an exporter's sending
// queue; plus the operations the queue reader needs on it: counting, merging consecutive batches
// into one request, splitting an over-large one, and the byte encoding used on disk.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "process/telemetry.h"

namespace infermetry::exporter {

using Batch = std::variant<process::Traces, process::Metrics, process::Logs>;

process::Signal SignalOf(const Batch& b);
// Spans, metric data points or log records, as process::CountItems counts them.
int64_t ItemsOf(const Batch& b);

// Appends the resource entries of `src` to `dst` (moved, not copied).
// REQUIRES: both hold the same signal.
void MergeInto(Batch* dst, Batch&& src);

// Splits `b` into batches of at most `max_items` items each, in order, keeping every item's
// resource and scope (they are copied into each piece that has items under them). A batch of at
// most `max_items` items comes back as the only element. REQUIRES: max_items > 0.
std::vector<Batch> Split(Batch&& b, int64_t max_items);

// The protobuf encoding of the request message (no signal tag: callers store that beside it).
std::string Serialize(const Batch& b);
// kCorruption when `bytes` is not a valid request of `signal`.
Result<Batch> Parse(process::Signal signal, std::string_view bytes);

}  // namespace infermetry::exporter
