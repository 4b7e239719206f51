#pragma once
// A stream of requests arriving at an emulated server, in arrival order: what the simulation
// consumes, and what WorkloadGenerator (workload.h) or a fixed list produce.

#include <utility>
#include <vector>

#include "emulator/engine/engine.h"

namespace infermetry::emulator {

struct Arrival {
  double offset = 0;  // seconds after the start of the run
  RequestSpec spec;
};

class ArrivalSource {
 public:
  virtual ~ArrivalSource() = default;
  // Fills `out` with the next arrival (offsets never decrease) and returns true, or returns
  // false when the source is exhausted.
  virtual bool Next(Arrival* out) = 0;
};

// A fixed list of arrivals (sorted by offset by the constructor, stable for equal offsets).
class VectorArrivals : public ArrivalSource {
 public:
  explicit VectorArrivals(std::vector<Arrival> arrivals);
  bool Next(Arrival* out) override;

 private:
  std::vector<Arrival> arrivals_;
  size_t next_ = 0;
};

}  // namespace infermetry::emulator
