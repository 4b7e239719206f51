#pragma once
// The resource processor (`resource`): applies attribute actions (attr_action.h) to the resource
// of every ResourceSpans/ResourceMetrics/ResourceLogs, then passes the batch on.
//
//   processors:
//     resource:
//       attributes:
//         - {key: deployment.environment, value: production, action: upsert}
//         - {key: host.ip, action: delete}
//
// `attributes` is required and must not be empty (as in the Collector). Works on every signal;
// the next consumer's Status is returned.

#include "common/result.h"
#include "process/factory.h"

namespace infermetry::process {

Result<std::unique_ptr<Processor>> CreateResourceProcessor(const ComponentConfig& cfg,
                                                           Signal signal, Consumer* next);

}  // namespace infermetry::process
