#pragma once
// The batch processor's settings, shared with exporters' sending queues.
//
// Durability rule: in a pipeline where an exporter has a persistent sending_queue, nothing may
// be acknowledged to a receiver before it is on disk. The batch processor of such a pipeline
// therefore holds nothing in memory: it passes batches straight through, and the pipeline
// graph hands these options to the pipeline's exporters (Exporter::SetBatching), whose queue
// readers merge queued entries into export requests of up to send_batch_size items (never more
// than send_batch_max_size), waiting at most `timeout` for a batch to fill.

#include <chrono>
#include <cstdint>

namespace infermetry::process {

struct BatchOptions {
  uint64_t send_batch_size = 8192;
  uint64_t send_batch_max_size = 0;  // 0: no upper bound
  std::chrono::milliseconds timeout{200};
};

}  // namespace infermetry::process
