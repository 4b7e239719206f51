#pragma once
// Simulated history written into a data directory: `infermetry emulate --simulate` and
// `infermetry demo --history`. One emulated server's scenario on a simulated clock, its samples
// into <dir>/metrics and its llm_request spans into the span store, as `serve` lays them out.
//
//   SimulateRequest r{spec, "/data", std::chrono::hours(1)};
//   Result<emulator::SimulateReport> rep = SimulateIntoDataDir(r);
//
// The stores are opened and closed by the call, so nothing else may have the directory open.
// Several servers' histories go in one call (their samples merged in time order, as live
// scrapes of them would have arrived); each request's spec.listen names its instance.

#include <chrono>
#include <string>

#include "cmd/emulate_config.h"
#include "common/result.h"
#include "emulator/simulate/sim_store.h"

namespace infermetry::cmd {

struct SimulateRequest {
  EmulatedServerSpec spec;  // preset, overrides, model name, engines, scenario, layout, seed
  std::string data_dir;
  std::chrono::milliseconds duration{std::chrono::hours(1)};
  std::chrono::milliseconds scrape_interval{5000};
  double start = 0;    // Unix seconds of the first instant; 0 = now - duration
  std::string stream;  // "" or an SQL stream the samples are put in (registered in streams.json)
  std::string job = "vllm";
};

Result<emulator::SimulateReport> SimulateIntoDataDir(const SimulateRequest& request);
// The same for several servers over the same data directory; one report per request. The
// requests' data_dir must be equal.
Result<std::vector<emulator::SimulateReport>> SimulateIntoDataDir(const std::vector<SimulateRequest>& requests);

// One line for people: "simulated 1h of healthy on facebook/opt-125m (1 engine): ...".
std::string DescribeSimulation(const SimulateRequest& request, const emulator::SimulateReport& report);

}  // namespace infermetry::cmd
