#pragma once
// The `debug` exporter: writes what it receives to the log (stderr), for looking at data.
//
//   exporters:
//     debug:
//       verbosity: basic          # basic | normal | detailed
//       sampling_initial: 2       # per signal and second: log the first N batches ...
//       sampling_thereafter: 1    # ... then every Mth (0: none)
//
// Every record goes through common/log.h at info level (so `--log.format json` applies):
//   basic     one record per batch with its counts, e.g.
//               msg=Traces exporter=debug resource_spans=1 spans=2
//   normal    that record, then one per resource, and one per span / data point / log record
//             with its name, ids and attributes, e.g.
//               msg=span exporter=debug name=GET trace_id=5b8e... span_id=eee1...
//               attributes="http.method=GET"
//   detailed  as normal, but resource and scope records carry every field, and each span /
//             data point / log record carries every field: ids in hex, times in RFC 3339,
//             attributes with their types ({http.status_code=Int(200)}), events, links,
//             exemplars, bucket counts.
// The debug exporter has no sending queue and never retries: Consume* writes before
// returning.

#include <memory>

#include "common/result.h"
#include "process/factory.h"

namespace infermetry::exporter {

Result<std::unique_ptr<process::Exporter>> CreateDebugExporter(const process::ComponentConfig& cfg);

}  // namespace infermetry::exporter
