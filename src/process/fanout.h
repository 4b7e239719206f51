#pragma once
// FanoutConsumer: delivers each batch to several consumers, as the Collector's fan-out does
// between a receiver and the pipelines that list it, and between a pipeline's last processor
// and its exporters.
//
// Every consumer is called, in order, whatever the others returned: a failing exporter does not
// starve the healthy ones. All but the last get a copy of the batch; the last gets the batch
// itself. The result is OK when every consumer returned OK, else the first non-OK Status (its
// code tells the sender whether to retry). Partial failure is therefore reported as failure:
// a sender that retries re-delivers to the consumers that had already accepted the batch, so
// delivery is at-least-once and those consumers may see duplicates (the Collector's semantics).

#include <vector>

#include "process/component.h"

namespace infermetry::process {

class FanoutConsumer : public Consumer {
 public:
  // REQUIRES: consumers is not empty; the consumers outlive this object.
  explicit FanoutConsumer(std::vector<Consumer*> consumers);

  Status ConsumeTraces(Traces&& batch) override;
  Status ConsumeMetrics(Metrics&& batch) override;
  Status ConsumeLogs(Logs&& batch) override;

  const std::vector<Consumer*>& consumers() const { return consumers_; }

 private:
  std::vector<Consumer*> consumers_;
};

}  // namespace infermetry::process
