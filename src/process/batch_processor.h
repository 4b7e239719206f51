#pragma once
// The batch processor (`batch`): merges small requests and splits large ones, as the Collector's.
//
//   processors:
//     batch:
//       send_batch_size: 8192      # items that trigger a send (0: only the timeout does)
//       send_batch_max_size: 0     # upper bound of a sent batch, split exactly (0: none);
//                                  # must be >= send_batch_size
//       timeout: 200ms             # no item waits longer than this (0: send every request at
//                                  # once, only split by send_batch_max_size)
//
// Items are spans, metric data points or log records (CountItems). Consume* appends the request
// and returns OK: from then on the processor owns the items. When the held items reach
// send_batch_size, the calling thread sends them downstream (in pieces of at most
// send_batch_max_size); otherwise the flush thread sends whatever is held `timeout` after the
// first held item arrived (or after the last send). Batches reach the next consumer in the order
// they were formed: one send happens at a time. A downstream error on such a send cannot reach
// the sender any more; it is logged and counted (infermetry_processor_batch_send_failed_total,
// infermetry_processor_batch_send_failed_items_total). Shutdown stops the flush thread and sends
// what is held; later Consume calls get kUnavailable. Held batches are sent with no client
// information (client_info.h), even when a Consume call sends them.
//
// Pass-through mode (batch_options.h, set by the graph in pipelines with a durable exporter):
// each request goes straight to the next consumer, whose Status is returned; nothing is held,
// and the caller's client information stays visible downstream.
//
// Self-metrics, labelled by processor id: infermetry_processor_batch_batch_send_size
// (histogram of items per sent batch), infermetry_processor_batch_batch_size_trigger_send_total,
// infermetry_processor_batch_timeout_trigger_send_total, and the two failure counters above.

#include <memory>
#include <string>

#include "common/result.h"
#include "process/batch_options.h"
#include "process/factory.h"

namespace infermetry::process {

// Decodes and checks the processor's YAML section.
Result<BatchOptions> DecodeBatchOptions(const ComponentConfig& cfg);

// `id` labels the self-metrics. REQUIRES: options valid (as DecodeBatchOptions checks).
std::unique_ptr<Processor> NewBatchProcessor(std::string id, Signal signal,
                                             const BatchOptions& options, Consumer* next);

// The factory function (processors.cc).
Result<std::unique_ptr<Processor>> CreateBatchProcessor(const ComponentConfig& cfg, Signal signal,
                                                        Consumer* next);

}  // namespace infermetry::process
