// `infermetry serve`: the pipelines of a Collector configuration (or the default: OTLP in,
// everything into the store) with the embedded store as the `store` exporter's destination,
// and one HTTP listener for the store's read API, readiness and infermetry's own metrics.

#include <CLI/CLI.hpp>

#include <cstdio>

#include "cmd/command.h"
#include "cmd/serve_config.h"
#include "cmd/serve_runtime.h"
#include "common/log.h"
#include "config/collector_yaml.h"

namespace infermetry::cmd {

int RunServe(int argc, char** argv) {
  CLI::App app{"Run the pipelines with the embedded store, its read API and infermetry's own metrics.",
               argv[0]};
  std::string path, data_dir, listen = "127.0.0.1:9400";
  app.add_option("--config", path,
                 "Collector config (YAML) with an optional `storage:` section; default: OTLP on "
                 "127.0.0.1:4317/4318 into the store");
  app.add_option("--data-dir", data_dir, "directory of the store (overrides storage.path)");
  app.add_option("--listen", listen, "address of the read API, /metrics and /-/ready")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto doc = path.empty() ? config::Document::LoadString(DefaultServeConfig(), "<default serve config>")
                          : config::Document::LoadFile(path);
  if (!doc.ok()) {
    std::fprintf(stderr, "%s\n", doc.status().message().c_str());
    return 1;
  }
  auto cfg = config::DecodeCollectorConfig(*doc);
  if (!cfg.ok()) {
    std::fprintf(stderr, "%s\n", cfg.status().message().c_str());
    return 1;
  }
  auto storage = DecodeStorageOptions(*doc, cfg->storage ? &*cfg->storage : nullptr);
  if (!storage.ok()) {
    std::fprintf(stderr, "%s\n", storage.status().message().c_str());
    return 1;
  }
  if (!data_dir.empty()) storage->path = data_dir;

  BlockTerminationSignals();
  auto rt = ServeRuntime::Start(std::make_unique<config::Document>(std::move(*doc)), *storage, listen);
  if (!rt.ok()) {
    log::Error("cannot start", {{"data", storage->path}, {"err", rt.status().ToString()}});
    return 1;
  }
  log::Info("serving", {{"api", "http://" + (*rt)->address()}, {"data", storage->path},
                        {"config", path.empty() ? "<default>" : path}});
  int sig = WaitForTerminationSignal();
  log::Info("shutting down", {{"signal", sig}});
  return (*rt)->Stop().ok() ? 0 : 1;
}

}  // namespace infermetry::cmd
