// `infermetry emulate`: emulated vLLM servers (OpenAI API, /metrics, llm_request spans) in real
// time, or, with --simulate, hours of a scenario's traffic on a simulated clock written
// straight into a data directory that `infermetry serve --data-dir` then serves.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "cmd/command.h"
#include "cmd/emulate_config.h"
#include "cmd/simulate_store.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/strconv.h"
#include "emulator/engine/scenario.h"

namespace infermetry::cmd {
namespace {

int Fail(const Status& st) {
  std::fprintf(stderr, "infermetry emulate: %s\n", st.message().c_str());
  return 1;
}

}  // namespace

int RunEmulate(int argc, char** argv) {
  CLI::App app{"Emulate vLLM servers: OpenAI-compatible API, vLLM's /metrics and llm_request spans, "
               "with a simulated continuous-batching engine in place of the GPU.",
               argv[0]};
  EmulatedServerSpec spec;
  std::string config_path, layout = "current", simulate, interval = "5s", data_dir, stream;
  double start = 0;
  bool list = false;
  std::vector<std::string> overrides;
  app.add_option("--config", config_path, "YAML file with a `servers:` list (instead of the flags below)");
  app.add_option("--listen", spec.listen, "address of the API and /metrics")->capture_default_str();
  app.add_option("--preset", spec.preset, "GPU/model preset (--list shows them)")->capture_default_str();
  app.add_option("--served-model-name", spec.served_model_name, "model name in the API and labels");
  app.add_option("--data-parallel-size", spec.data_parallel_size, "engines behind this server")
      ->capture_default_str();
  app.add_option("--scenario", spec.scenario, "traffic scenario whose engine settings apply (--list)")
      ->capture_default_str();
  app.add_option("--metrics-layout", spec.metrics_layout, "current | legacy-names | v0")->capture_default_str();
  app.add_option("--otlp-traces-endpoint", spec.otlp_traces_endpoint,
                 "export llm_request spans there (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: grpc or http/protobuf)");
  app.add_option("--api-key", spec.api_key, "require Authorization: Bearer <key> on /v1");
  app.add_option("--seed", spec.seed, "seed of generated text, lengths and ids (0: ids vary)");
  app.add_option("--engine", overrides, "engine setting FIELD=VALUE, e.g. num_gpu_blocks=2000 (repeatable)");
  app.add_flag("--list", list, "list presets and scenarios, then exit");
  app.add_option("--simulate", simulate,
                 "simulated-clock mode: run this much traffic (e.g. 1h) into --data-dir and exit");
  app.add_option("--data-dir", data_dir, "store directory for --simulate (serve it with infermetry serve)");
  app.add_option("--scrape-interval", interval, "--simulate: scrape every")->capture_default_str();
  app.add_option("--start", start, "--simulate: Unix seconds of the first instant (default: now - duration)");
  app.add_option("--stream", stream,
                 "--simulate: store the samples in this SQL stream (label p_stream, registered in "
                 "<data-dir>/streams.json)");
  CLI11_PARSE(app, argc, argv);

  if (list) {
    std::printf("presets:\n");
    for (auto name : emulator::PresetNames()) {
      auto p = emulator::Preset(name);
      std::printf("  %-20.*s %s on %s, max_model_len %d, %d KV blocks of %d tokens, $%.2f/h\n",
                  static_cast<int>(name.size()), name.data(), p->model.c_str(), p->gpu.c_str(), p->max_model_len,
                  p->num_gpu_blocks, p->block_size, p->gpu_hourly_usd);
    }
    std::printf("scenarios:\n");
    for (auto name : emulator::ScenarioNames()) {
      auto s = emulator::FindScenario(name);
      std::printf("  %-20.*s %s\n", static_cast<int>(name.size()), name.data(), s->description.c_str());
    }
    return 0;
  }
  for (const std::string& kv : overrides) {
    const size_t eq = kv.find('=');
    double v = 0;
    if (eq == std::string::npos || !ParseGoFloat(kv.substr(eq + 1), &v)) {
      return Fail(InvalidArgument("--engine " + kv + ": want FIELD=NUMBER"));
    }
    spec.engine_overrides.emplace_back(kv.substr(0, eq), v);
  }

  std::vector<EmulatedServerSpec> specs{spec};
  if (!config_path.empty()) {
    auto doc = config::Document::LoadFile(config_path);
    if (!doc.ok()) return Fail(doc.status());
    auto decoded = DecodeEmulatorConfig(*doc);
    if (!decoded.ok()) return Fail(decoded.status());
    specs = std::move(*decoded);
  }

  if (simulate.empty() && !stream.empty()) return Fail(InvalidArgument("--stream applies to --simulate only"));
  if (!simulate.empty()) {
    if (data_dir.empty()) return Fail(InvalidArgument("--simulate needs --data-dir"));
    auto d = ParseDuration(simulate);
    if (!d.ok()) return Fail(d.status().WithContext("--simulate"));
    auto iv = ParseDuration(interval);
    if (!iv.ok()) return Fail(iv.status().WithContext("--scrape-interval"));
    // Every server of the config, over the same simulated hours, as one scrape job.
    std::vector<SimulateRequest> requests;
    for (const EmulatedServerSpec& s : specs) requests.push_back({s, data_dir, *d, *iv, start, stream});
    auto reports = SimulateIntoDataDir(requests);
    if (!reports.ok()) return Fail(reports.status());
    for (size_t i = 0; i < requests.size(); ++i) std::printf("%s\n", DescribeSimulation(requests[i], (*reports)[i]).c_str());
    return 0;
  }

  BlockTerminationSignals();
  std::vector<std::unique_ptr<emulator::EmulatedServer>> servers;
  for (const EmulatedServerSpec& s : specs) {
    auto o = ResolveServer(s);
    if (!o.ok()) return Fail(o.status().WithContext("server " + s.listen));
    auto server = emulator::EmulatedServer::Start(std::move(*o));
    if (!server.ok()) return Fail(server.status());
    log::Info("emulated vLLM serving", {{"url", "http://" + (*server)->address()}, {"preset", s.preset},
                                         {"scenario", s.scenario}, {"engines", s.data_parallel_size}});
    servers.push_back(std::move(*server));
  }
  int sig = WaitForTerminationSignal();
  log::Info("shutting down", {{"signal", sig}});
  for (auto& s : servers) s->Shutdown();
  return 0;
}

}  // namespace infermetry::cmd
