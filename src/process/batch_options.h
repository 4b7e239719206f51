#pragma once
// The batch processor's settings, shared with exporters' sending queues.
//
// Durability rule: in a pipeline where an exporter has a persistent sending_queue, nothing may
// be acknowledged to a receiver before it is on disk. The batch processor of such a pipeline
// therefore holds nothing in memory: it passes batches straight through, and the pipeline
// graph hands these options to the pipeline's exporters (Exporter::SetBatching), whose queue
// readers merge queued entries into export requests of up to send_batch_size items (never more
// than send_batch_max_size), waiting at most `timeout` for a batch to fill.
//
// Every exporter of such a pipeline gets SetBatching, durable or not (the pass-through batch
// processor feeds them all). An exporter shared by several pipelines gets it once, with the
// options of the first pipeline (in config order) that has a batch processor; if a later
// pipeline's options differ, the graph logs a warning. A durable pipeline without a batch
// processor calls nothing: its exporters keep their own defaults.

#include <chrono>
#include <cstdint>

namespace infermetry::process {

struct BatchOptions {
  uint64_t send_batch_size = 8192;
  uint64_t send_batch_max_size = 0;  // 0: no upper bound
  std::chrono::milliseconds timeout{200};
};

}  // namespace infermetry::process
