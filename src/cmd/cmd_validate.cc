#include <CLI/CLI.hpp>

#include <cstdio>

#include "cmd/collector_config.h"
#include "cmd/command.h"
#include "config/scrape_yaml.h"
#include "ingest/scrape/target.h"

namespace infermetry::cmd {

int RunValidate(int argc, char** argv) {
  CLI::App app{"Check a configuration file: every error names file:line:column.", argv[0]};
  std::string path;
  app.add_option("--config", path,
                 "a Collector config (receivers, processors, exporters, service) or a Prometheus-style "
                 "scrape config (global, scrape_configs)")
      ->required();
  CLI11_PARSE(app, argc, argv);
  auto doc = config::Document::LoadFile(path);
  if (!doc.ok()) {
    std::fprintf(stderr, "%s\n", doc.status().message().c_str());
    return 1;
  }
  if (IsCollectorConfig(*doc)) {
    auto loaded = LoadCollectorConfig(path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.status().message().c_str());
      return 1;
    }
    std::printf("%s: ok (%zu pipelines)\n", path.c_str(), loaded->service->graph().pipelines().size());
    return 0;
  }
  auto cfg = config::LoadScrapeFile(path);
  if (!cfg.ok()) {
    std::fprintf(stderr, "%s\n", cfg.status().message().c_str());
    return 1;
  }
  size_t targets = 0;
  for (const auto& sc : cfg->scrape_configs) targets += scrape::TargetsFromConfig(sc).size();
  std::printf("%s: ok (%zu scrape configs, %zu targets)\n", path.c_str(), cfg->scrape_configs.size(), targets);
  return 0;
}

}  // namespace infermetry::cmd
