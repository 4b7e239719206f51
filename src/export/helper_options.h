#pragma once
// The settings every queued exporter shares (the Collector's exporterhelper), decoded from the
// exporter's YAML section:
//
//   timeout: 5s                  # one send attempt
//   retry_on_failure:
//     enabled: true
//     initial_interval: 5s
//     randomization_factor: 0.5
//     multiplier: 1.5
//     max_interval: 30s
//     max_elapsed_time: 300s     # 0: retry forever
//   sending_queue:
//     enabled: true              # false: Consume* sends on the caller's thread, retries included
//     num_consumers: 10
//     queue_size: 1000           # batches
//     max_size_bytes: 0          # also bound the queue by bytes (protobuf size); 0: no bound
//     storage: file_storage      # persistent: id of a file_storage extension ...
//     directory: /var/lib/q      # ... or a directory given directly (not both)
//
// Persistent queues live in "<directory>/exporter_<id>" (the id with every character outside
// [A-Za-z0-9._-] replaced by '_'), e.g. /var/lib/infermetry/file_storage/exporter_otlp_dash0.
// With `storage: <id>`, the directory is read from `extensions: <id>: directory:` of the same
// config document (default kDefaultFileStorageDirectory); the extension must be configured
// there, and its type must be file_storage.

#include "process/file_storage.h"
#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "config/yaml.h"
#include "export/backoff.h"
#include "process/factory.h"

namespace infermetry::exporter {

using process::kDefaultFileStorageDirectory;

struct QueueSettings {
  bool enabled = true;
  uint64_t num_consumers = 10;
  uint64_t queue_size = 1000;
  uint64_t max_size_bytes = 0;
  // Non-empty: persistent, in this directory (already resolved to the exporter's own one).
  std::string directory;
};

struct HelperOptions {
  std::chrono::milliseconds timeout{5000};
  RetryOptions retry;
  QueueSettings queue;
};

// Reads `timeout`, `retry_on_failure` and `sending_queue` from `r` (the exporter's section),
// leaving every other key to the caller. Errors name file:line:column.
Status DecodeHelperOptions(const process::ComponentConfig& cfg, config::MapReader* r,
                           HelperOptions* out);

// "otlp/dash0" -> "exporter_otlp_dash0".
std::string QueueDirName(std::string_view exporter_id);

}  // namespace infermetry::exporter
