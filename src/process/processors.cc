#include "process/attributes_processor.h"
#include "process/batch_processor.h"
#include "process/cumulative_to_delta.h"
#include "process/factory.h"
#include "process/filter_processor.h"
#include "process/memory_limiter.h"
#include "process/resource_processor.h"

namespace infermetry::process {
namespace {

const ProcessorFactory kProcessors[] = {
    {"attributes", &CreateAttributesProcessor},
    {"batch", &CreateBatchProcessor},
    {"cumulativetodelta", &CreateCumulativeToDelta, SignalBit(Signal::kMetrics)},
    {"filter", &CreateFilterProcessor},
    {"memory_limiter", &CreateMemoryLimiter},
    {"resource", &CreateResourceProcessor},
};

}  // namespace

std::span<const ProcessorFactory> Processors() { return kProcessors; }

}  // namespace infermetry::process
