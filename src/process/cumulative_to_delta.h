#pragma once
// The cumulativetodelta processor: turns monotonic cumulative sums and cumulative histograms
// into delta temporality, as the Collector's does.
//
//   processors:
//     cumulativetodelta:
//       include:                    # default: every metric
//         metrics: ["vllm:.*_total"]
//         match_type: regexp        # or strict (required with metrics); regexps are unanchored
//         metric_types: [sum]       # sum and/or histogram (default both)
//       exclude: {metrics: [...], match_type: strict}
//       max_staleness: 0            # forget streams not seen for this long (0: never)
//       initial_value: auto         # auto, keep or drop
//
// A stream is one resource (its attributes), scope (name, version, attributes), metric (name,
// unit, type) and data point attribute set. For each stream the last cumulative point is kept;
// every later point becomes the difference to it, with start_time_unix_nano set to the last
// point's time_unix_nano:
//   sums        delta = value - last (ints stay ints, doubles stay doubles)
//   histograms  count, sum and every bucket count minus the last's; min and max are cleared
//               (they describe the whole cumulative window, not the delta)
// A reset, i.e. a value (sum) or count (histogram) lower than the last, or histogram bounds
// that changed, starts the stream over: the point's whole value is the delta (the counter
// restarted from zero), min and max are kept, and the start time is the point's own start time
// when that is later than the last point's time. Points not newer than the last are dropped as
// out of order. A point flagged "no recorded value" is passed on unchanged and forgets its
// stream.
//
// The first point of a stream, whose delta is unknown: `drop` drops it; `keep` passes its value
// on as the delta; `auto` (the default, as in the Collector) keeps it only when its
// start_time_unix_nano is after the processor started (the counter began while we were
// watching), else drops it. Metrics left without points are removed, and so are empty scopes
// and resources; an empty batch is not passed on (OK is returned).
//
// Non-monotonic sums, gauges, exponential histograms, summaries, delta metrics and metrics not
// selected pass through unchanged. Works on metrics pipelines only.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "process/factory.h"

namespace infermetry::process {

struct CumulativeToDeltaOptions {
  struct Selector {
    std::vector<std::string> metrics;
    bool regexp = false;
    bool sums = true;  // metric_types
    bool histograms = true;
    bool set = false;  // the section was given
  };
  enum class InitialValue { kAuto, kKeep, kDrop };

  Selector include;
  Selector exclude;
  std::chrono::milliseconds max_staleness{0};
  InitialValue initial_value = InitialValue::kAuto;
};

Result<CumulativeToDeltaOptions> DecodeCumulativeToDeltaOptions(const ComponentConfig& cfg);

class CumulativeToDelta : public Processor {
 public:
  using Clock = std::chrono::steady_clock;
  // `now` drives max_staleness; `start_unix_nano` is when the processor started (for auto).
  // REQUIRES: the regular expressions in `options` are valid (as Decode checks).
  CumulativeToDelta(const CumulativeToDeltaOptions& options, Consumer* next,
                    std::function<Clock::time_point()> now, uint64_t start_unix_nano);
  ~CumulativeToDelta() override;

  Status ConsumeMetrics(Metrics&& batch) override;

  size_t tracked_streams() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Consumer* const next_;
};

Result<std::unique_ptr<Processor>> CreateCumulativeToDelta(const ComponentConfig& cfg,
                                                           Signal signal, Consumer* next);

}  // namespace infermetry::process
