#include <CLI/CLI.hpp>

#include <cstdio>

#include "alerting/rule_file.h"
#include "cmd/alerting_config.h"
#include "cmd/collector_config.h"
#include "cmd/command.h"
#include "cmd/serve_config.h"
#include "config/collector_yaml.h"
#include "config/scrape_yaml.h"
#include "ingest/scrape/target.h"

namespace infermetry::cmd {
namespace {

// Stands in for the embedded store while a config is only validated.
class NoStore : public storage::Appendable, public storage::SpanAppender, public storage::LogAppender {
 public:
  std::unique_ptr<storage::Appender> NewAppender() override { return nullptr; }
  Status AppendSpans(std::vector<model::Span>) override { return Unavailable("validation only"); }
  Status AppendLogs(std::vector<model::LogRecord>) override { return Unavailable("validation only"); }
};

}  // namespace

int RunValidate(int argc, char** argv) {
  CLI::App app{"Check a configuration file: every error names file:line:column.", argv[0]};
  std::string path;
  app.add_option("--config", path,
                 "a Collector config (receivers, processors, exporters, service), a Prometheus-style "
                 "scrape config (global, scrape_configs) or a rule file (groups)")
      ->required();
  CLI11_PARSE(app, argc, argv);
  auto doc = config::Document::LoadFile(path);
  if (!doc.ok()) {
    std::fprintf(stderr, "%s\n", doc.status().message().c_str());
    return 1;
  }
  if (doc->root().IsMap() && doc->root()["groups"]) {
    // A rule file (Prometheus format, plus sql: rules).
    auto groups = alerting::LoadRuleFile(path);
    if (!groups.ok()) {
      std::fprintf(stderr, "%s\n", groups.status().message().c_str());
      return 1;
    }
    size_t rules = 0;
    for (const auto& g : *groups) rules += g.rules.size();
    std::printf("%s: ok (%zu rule groups, %zu rules)\n", path.c_str(), groups->size(), rules);
    return 0;
  }
  if (IsCollectorConfig(*doc)) {
    // Serve configs (a `storage:` section, the `store` exporter) are checked as serve reads
    // them, with stores that are never written to: validation starts nothing.
    auto cfg = config::DecodeCollectorConfig(*doc);
    if (cfg.ok()) {
      auto storage = DecodeStorageOptions(*doc, cfg->storage ? &*cfg->storage : nullptr);
      if (!storage.ok()) {
        std::fprintf(stderr, "%s\n", storage.status().message().c_str());
        return 1;
      }
      auto alerting = DecodeAlertingOptions(*doc, cfg->alerting ? &*cfg->alerting : nullptr);
      Status rules = alerting.ok() ? LoadAlertingGroups(*alerting).status() : alerting.status();
      if (rules.ok()) rules = DecodeUiOptions(*doc, cfg->ui ? &*cfg->ui : nullptr).status();
      if (!rules.ok()) {
        std::fprintf(stderr, "%s\n", rules.message().c_str());
        return 1;
      }
    }
    static NoStore no_store;
    auto loaded = BuildCollector(std::make_unique<config::Document>(std::move(*doc)),
                                 process::Host{&no_store, &no_store, &no_store});
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
