// `infermetry collect`: runs an OpenTelemetry Collector configuration (receivers, processors,
// exporters, extensions, service.pipelines) until SIGINT/SIGTERM, and serves infermetry's own
// metrics at service.telemetry.metrics.address (default 127.0.0.1:8888, path /metrics).

#include <CLI/CLI.hpp>

#include <cstdio>

#include "cmd/command.h"
#include "cmd/collector_config.h"
#include "common/log.h"
#include "process/service.h"
#include "server/api/metrics_proxy.h"
#include "server/http/server.h"

namespace infermetry::cmd {

int RunCollect(int argc, char** argv) {
  CLI::App app{"Run an OpenTelemetry Collector configuration: receivers -> processors -> exporters.", argv[0]};
  std::string path;
  app.add_option("--config", path, "Collector config file (YAML)")->required();
  CLI11_PARSE(app, argc, argv);

  auto loaded = LoadCollectorConfig(path);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().message().c_str());
    return 1;
  }
  BlockTerminationSignals();
  auto router = std::make_shared<http::Router>();
  router->Handle("GET", "/metrics", "self_metrics", api::ServeSelfMetrics);
  http::ServerOptions opt;
  opt.listen = loaded->self_metrics_address;
  auto self = http::Server::Start(opt, router);
  if (!self.ok()) {
    log::Error("cannot serve self-metrics", {{"err", self.status().ToString()}});
    return 1;
  }
  Status st = loaded->service->Start();
  if (!st.ok()) {
    log::Error("cannot start the pipelines", {{"err", st.ToString()}});
    return 1;
  }
  log::Info("collector running", {{"config", path}, {"self_metrics", "http://" + (*self)->address() + "/metrics"},
                                  {"pipelines", loaded->service->graph().pipelines().size()}});
  int sig = WaitForTerminationSignal();
  log::Info("shutting down", {{"signal", sig}});
  st = loaded->service->Shutdown(std::chrono::seconds(10));
  if (!st.ok()) log::Warn("shutdown incomplete", {{"err", st.ToString()}});
  (*self)->Shutdown(std::chrono::seconds(1));
  return st.ok() ? 0 : 1;
}

}  // namespace infermetry::cmd
