#pragma once
// Scrape options, shaped like Prometheus's (and the Collector prometheus receiver's)
// scrape_configs. Plain values; config/scrape_yaml.h fills them from YAML.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "ingest/scrape/relabel.h"
#include "model/labels.h"

namespace infermetry::scrape {

struct StaticConfig {
  std::vector<std::string> targets;  // host:port
  std::map<std::string, std::string> labels;
};

struct ScrapeConfig {
  std::string job_name;
  std::chrono::milliseconds scrape_interval{60000};
  std::chrono::milliseconds scrape_timeout{10000};
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  std::map<std::string, std::vector<std::string>> params;
  std::vector<StaticConfig> static_configs;
  // HTTP client settings.
  std::string basic_auth_username, basic_auth_password;  // password_file is read at load time
  std::string authorization_type = "Bearer";
  std::string authorization_credentials;  // credentials_file / bearer_token(_file) resolved
  http::TlsOptions tls;
  bool honor_labels = false;
  bool honor_timestamps = true;
  uint64_t sample_limit = 0;     // 0: unlimited; above it the scrape fails, as in Prometheus
  uint64_t body_size_limit = 0;  // bytes; 0: the client's default limit
  std::vector<RelabelConfig> relabel_configs;
  std::vector<RelabelConfig> metric_relabel_configs;
};

struct GlobalConfig {
  std::chrono::milliseconds scrape_interval{60000};
  std::chrono::milliseconds scrape_timeout{10000};
  std::map<std::string, std::string> external_labels;
};

struct ScrapeFileConfig {
  GlobalConfig global;
  std::vector<ScrapeConfig> scrape_configs;
};

}  // namespace infermetry::scrape
