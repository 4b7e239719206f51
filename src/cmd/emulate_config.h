#pragma once
// The configuration of `infermetry emulate`: one or more emulated vLLM servers, from flags
// (one server) or from a YAML file (any number):
//
//   servers:
//     - listen: 127.0.0.1:8000
//       preset: opt-125m-t4          # see `infermetry emulate --list-presets`
//       served_model_name: facebook/opt-125m
//       data_parallel_size: 1        # engines behind this server (label engine="0".."N-1")
//       scenario: healthy            # engine overrides and down windows of the scenario
//       metrics_layout: current      # current | legacy-names | v0
//       otlp_traces_endpoint: grpc://127.0.0.1:4317
//       api_key: ""
//       seed: 1
//       engine:                      # any EngineConfig field overrides the preset
//         num_gpu_blocks: 2000
//         max_num_seqs: 128
//
// Errors name file:line:column and the field.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/yaml.h"
#include "emulator/api/emulated_server.h"
#include "emulator/engine/engine_config.h"

namespace infermetry::cmd {

struct EmulatedServerSpec {
  std::string listen = "127.0.0.1:8000";
  std::string preset = "opt-125m-t4";
  std::string served_model_name;  // "" = the preset's model
  int data_parallel_size = 1;
  std::string scenario = "healthy";
  std::string metrics_layout = "current";
  std::string otlp_traces_endpoint;
  std::string api_key;
  uint64_t seed = 0;
  // Overrides of the preset, applied after it (and before the scenario's).
  std::vector<std::pair<std::string, double>> engine_overrides;
};

// The servers of an emulator YAML document.
Result<std::vector<EmulatedServerSpec>> DecodeEmulatorConfig(const config::Document& doc);

// The server options a spec stands for: preset, overrides, scenario (its engine overrides and
// its down windows over the next `horizon_seconds`), layout. Errors name `where`.
Result<emulator::EmulatedServerOptions> ResolveServer(const EmulatedServerSpec& spec,
                                                      double horizon_seconds = 7 * 24 * 3600.0);

Result<emulator::MetricsLayout> ParseMetricsLayout(std::string_view s);
// Sets one EngineConfig field by its YAML name; kInvalidArgument for an unknown name.
Status SetEngineField(emulator::EngineConfig* config, std::string_view field, double value);

}  // namespace infermetry::cmd
