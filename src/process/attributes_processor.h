#pragma once
// The attributes processor (`attributes`): applies attribute actions (attr_action.h) to the
// attributes of every span, metric data point (of every metric type) or log record, then passes
// the batch on. Resource, scope, span event and span link attributes are left alone.
//
//   processors:
//     attributes:
//       include: {match_type: strict, services: [rag-app]}
//       actions:
//         - {key: db.statement, action: delete}
//         - {key: enduser.id, action: hash}
//
// `actions` is required and must not be empty (as in the Collector). `include` and `exclude`
// select the items the actions apply to (match_properties.h): an item is changed when it
// matches `include` (if given) and does not match `exclude` (if given). Works on every signal;
// the next consumer's Status is returned.

#include "common/result.h"
#include "process/factory.h"

namespace infermetry::process {

Result<std::unique_ptr<Processor>> CreateAttributesProcessor(const ComponentConfig& cfg,
                                                             Signal signal, Consumer* next);

}  // namespace infermetry::process
