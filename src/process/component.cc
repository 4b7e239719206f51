#include "process/component.h"

namespace infermetry::process {

Status Consumer::ConsumeTraces(Traces&&) { return InvalidArgument("this component does not accept traces"); }
Status Consumer::ConsumeMetrics(Metrics&&) { return InvalidArgument("this component does not accept metrics"); }
Status Consumer::ConsumeLogs(Logs&&) { return InvalidArgument("this component does not accept logs"); }

}  // namespace infermetry::process
