#pragma once
// Targets: what to scrape and which labels its samples get, with Prometheus's rules.

#include <string>
#include <vector>

#include "ingest/scrape/scrape_config.h"
#include "model/labels.h"

namespace infermetry::scrape {

struct Target {
  model::Labels labels;  // final target labels (job, instance, static labels; no "__" labels)
  std::string url;       // scheme://address/path?params
  const ScrapeConfig* config = nullptr;  // owned by the caller; outlives the Target
};

// Expands the static_configs of `cfg` into targets: the labels __address__, __scheme__,
// __metrics_path__, __param_<name>, __scrape_interval__, __scrape_timeout__, job and the group
// labels go through relabel_configs; "__"-prefixed labels are then dropped and instance
// defaults to __address__. Targets dropped by relabeling are left out.
std::vector<Target> TargetsFromConfig(const ScrapeConfig& cfg);

// Merges a scraped sample's labels with the target's, as Prometheus does: with honor_labels
// the sample's own values win; otherwise a clashing sample label is kept as exported_<name>.
// Then metric_relabel_configs run. Returns false when relabeling dropped the sample.
bool MutateSampleLabels(const Target& target, model::LabelsBuilder* b);

}  // namespace infermetry::scrape
