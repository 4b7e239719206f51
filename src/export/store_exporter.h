#pragma once
// The `store` exporter: writes into infermetry's embedded stores (the metrics TSDB and the span
// and log store that `infermetry serve` opens and lends through process::Host).
//
//   exporters:
//     store:            # no settings; storage options live in the serve config's `storage:`
//
// Metrics become Prometheus samples (export/otlp_to_samples.h), spans and log records the
// stores' model (model/otlp/otlp_model.h). Consume* returns only once the data is durable in
// the store's WAL and visible to queries; the exporter is Durable(), so a batch processor in
// front of it hands batches straight through and what a receiver acknowledged is on disk.
// Errors: a store that cannot write answers kUnavailable (clients retry); samples the TSDB
// rejects as out of order, duplicate or too old are skipped and counted, the rest of the batch
// is stored. There is no sending queue and no retry: the store is local.

#include <memory>

#include "common/result.h"
#include "process/factory.h"

namespace infermetry::exporter {

Result<std::unique_ptr<process::Exporter>> CreateStoreExporter(const process::ComponentConfig& cfg);

}  // namespace infermetry::exporter
