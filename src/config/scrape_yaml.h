#pragma once
// Decodes Prometheus-shaped scrape configuration (global + scrape_configs) from YAML.

#include "config/yaml.h"
#include "ingest/scrape/scrape_config.h"

namespace infermetry::config {

// Reads `global` and `scrape_configs` from the mapping `reader` stands on. Every error names
// file:line:column and the offending field.
Status DecodeScrapeFile(MapReader* reader, scrape::ScrapeFileConfig* out);

// Loads a Prometheus-style config file (only global and scrape_configs are read).
Result<scrape::ScrapeFileConfig> LoadScrapeFile(const std::string& path);

}  // namespace infermetry::config
