#include "ingest/scrape/target.h"

#include <algorithm>
#include <cctype>

#include "common/duration.h"
#include "common/strconv.h"

namespace infermetry::scrape {

std::vector<Target> TargetsFromConfig(const ScrapeConfig& cfg) {
  std::vector<Target> out;
  for (const StaticConfig& group : cfg.static_configs) {
    for (const std::string& addr : group.targets) {
      model::LabelsBuilder b;
      for (const auto& [k, v] : group.labels) b.Set(k, v);
      b.Set("__address__", addr);
      b.Set("__scheme__", cfg.scheme);
      b.Set("__metrics_path__", cfg.metrics_path);
      b.Set("__scrape_interval__", FormatDuration(cfg.scrape_interval));
      b.Set("__scrape_timeout__", FormatDuration(cfg.scrape_timeout));
      b.Set("job", cfg.job_name);
      for (const auto& [k, vals] : cfg.params) {
        if (!vals.empty()) b.Set("__param_" + k, vals.front());
      }
      if (!Relabel(cfg.relabel_configs, &b)) continue;
      std::string address(b.Get("__address__"));
      if (address.empty()) continue;
      Target t;
      t.config = &cfg;
      // URL: params from the config, with __param_ overrides from relabeling.
      std::string query;
      for (const auto& [k, vals] : cfg.params) {
        std::string_view override_val = b.Get("__param_" + k);
        for (size_t i = 0; i < vals.size(); ++i) {
          std::string_view v = i == 0 && !override_val.empty() ? override_val : std::string_view(vals[i]);
          query += (query.empty() ? "" : "&") + UrlEscape(k) + "=" + UrlEscape(v);
        }
      }
      t.url = std::string(b.Get("__scheme__")) + "://" + address + std::string(b.Get("__metrics_path__"));
      if (!query.empty()) t.url += "?" + query;
      if (b.Get("instance").empty()) b.Set("instance", address);
      model::LabelsBuilder final_labels;
      for (const auto& l : b.items()) {
        if (l.name.rfind("__", 0) != 0) final_labels.Set(l.name, l.value);
      }
      t.labels = final_labels.Build();
      out.push_back(std::move(t));
    }
  }
  return out;
}

bool MutateSampleLabels(const Target& target, model::LabelsBuilder* b) {
  const ScrapeConfig& cfg = *target.config;
  if (cfg.honor_labels) {
    for (const model::Label& l : target.labels) {
      if (b->Get(l.name).empty()) b->Set(l.name, l.value);
    }
    return Relabel(cfg.metric_relabel_configs, b);
  }
  const model::Labels exposed = b->Build();
  std::vector<model::Label> conflicts;
  for (const model::Label& l : target.labels) {
    std::string_view existing = exposed.Get(l.name);
    if (!existing.empty()) conflicts.push_back({l.name, std::string(existing)});
    b->Set(l.name, l.value);
  }
  // Clashing exposed labels move to exported_<name>, adding prefixes until the name is free
  // among the exposed labels, the target labels and the conflicts already placed.
  std::stable_sort(conflicts.begin(), conflicts.end(),
                   [](const model::Label& x, const model::Label& y) { return x.name.size() < y.name.size(); });
  for (size_t i = 0; i < conflicts.size();) {
    std::string name = "exported_" + conflicts[i].name;
    bool taken = exposed.Has(name) || target.labels.Has(name);
    for (size_t j = 0; j < i && !taken; ++j) taken = conflicts[j].name == name;
    conflicts[i].name = name;
    if (!taken) {
      b->Set(name, conflicts[i].value);
      ++i;
    }
  }
  return Relabel(cfg.metric_relabel_configs, b);
}

}  // namespace infermetry::scrape
