#include <CLI/CLI.hpp>

#include <cstdio>

#include "cmd/command.h"
#include "common/duration.h"
#include "common/log.h"
#include "server/api/metrics_proxy.h"
#include "server/http/server.h"

namespace infermetry::cmd {

int RunProxy(int argc, char** argv) {
  CLI::App app{"Serve an upstream /metrics with metric names normalized (e.g. vllm:x -> vllm_x).", argv[0]};
  api::ProxyOptions opt;
  http::ServerOptions server_opt;
  server_opt.listen = "127.0.0.1:9091";
  std::string policy = "underscores", timeout = "10s", log_level = "info";
  app.add_option("--target", opt.target_url, "upstream metrics URL, e.g. http://127.0.0.1:8000/metrics")->required();
  app.add_option("--listen", server_opt.listen, "address to serve on (host:port)")->capture_default_str();
  app.add_option("--names", policy, "metric name policy: keep | underscores")
      ->capture_default_str()
      ->check(CLI::IsMember({"keep", "underscores"}));
  app.add_option("--timeout", timeout, "upstream timeout; 504 past it")->capture_default_str();
  app.add_option("--metrics-path", opt.metrics_path, "path serving the proxied metrics")->capture_default_str();
  app.add_option("--self-metrics-path", opt.self_metrics_path, "path serving infermetry's own metrics")->capture_default_str();
  app.add_option("--log.level", log_level, "debug | info | warn | error")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  log::Level level;
  if (!log::ParseLevel(log_level, &level)) {
    std::fprintf(stderr, "--log.level: unknown level \"%s\"\n", log_level.c_str());
    return 2;
  }
  log::SetLevel(level);
  opt.policy = *api::ParseNamePolicy(policy);
  auto t = ParseDuration(timeout);
  if (!t.ok()) {
    std::fprintf(stderr, "--timeout: %s\n", t.status().message().c_str());
    return 2;
  }
  opt.timeout = *t;

  BlockTerminationSignals();
  auto router = std::make_shared<http::Router>();
  api::RegisterMetricsProxy(opt, router.get());
  auto server = http::Server::Start(server_opt, router);
  if (!server.ok()) {
    log::Error("cannot start the proxy", {{"err", server.status().ToString()}});
    return 1;
  }
  log::Info("metrics proxy listening",
            {{"address", (*server)->address()}, {"target", opt.target_url},
             {"names", std::string(api::NamePolicyName(opt.policy))}});
  int sig = WaitForTerminationSignal();
  log::Info("shutting down", {{"signal", sig}});
  (*server)->Shutdown(std::chrono::seconds(5));
  return 0;
}

}  // namespace infermetry::cmd
