#pragma once
// The configuration of `infermetry serve`: a Collector configuration (receivers, processors,
// exporters, pipelines; the `store` exporter writes into the embedded store) plus infermetry's
// own top-level `storage:` section:
//
//   storage:
//     path: data                 # directory of the stores (metrics/, traces/, logs/)
//     wal_sync: always           # always: fdatasync before acknowledging (group commit);
//                                # batch: write before acknowledging, fdatasync every second
//     retention_time: 15d        # 0: keep forever
//     retention_size: 0          # e.g. 50GB (units B, KB, MB, GB, TB: powers of 1024); 0: no limit
//     out_of_order_window: 0s    # metrics: how far behind its newest sample a series accepts
//     block_cache_size: 256MB    # metrics: decoded block pages kept across queries; 0: none
//
// and the HTTP API's `auth:` and `query:` sections (docs/sql-api.md):
//
//   auth:                        # HTTP Basic users of the Parseable-compatible API; absent:
//     users:                     # the local default admin/admin
//       - username: alice
//         password: ${env:ALICE_PASSWORD}
//   query:
//     timeout: 30s               # per SQL query
//     memory_limit: 1GiB         # per SQL query (units as retention_size)
//
// Without --config, serve runs DefaultServeConfig(): OTLP over gRPC (127.0.0.1:4317) and HTTP
// (127.0.0.1:4318), every signal into the store.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/yaml.h"
#include "server/api/parseable_auth.h"
#include "server/web/web_ui.h"
#include "tsdb/wal/wal.h"

namespace infermetry::cmd {

struct StorageOptions {
  std::string path = "data";
  wal::SyncPolicy wal_sync = wal::SyncPolicy::kAlways;
  std::chrono::milliseconds retention_time = std::chrono::hours(24 * 15);
  uint64_t retention_size = 0;
  std::chrono::milliseconds out_of_order_window{0};
  uint64_t block_cache_size = uint64_t{256} << 20;
};

// Decodes `storage:` (absent: defaults). Errors name file:line:column.
Result<StorageOptions> DecodeStorageOptions(const config::Document& doc, const YAML::Node* node);

struct ApiOptions {
  std::vector<api::ApiUser> users = api::DefaultApiUsers();
  std::chrono::milliseconds query_timeout{30000};
  uint64_t query_memory_limit = uint64_t{1} << 30;
};

// Decodes `auth:` and `query:` (either may be null: defaults). Errors name file:line:column.
Result<ApiOptions> DecodeApiOptions(const config::Document& doc, const YAML::Node* auth,
                                    const YAML::Node* query);

// Decodes `ui:` (null: defaults):
//   ui:
//     gpu_hourly_cost: 2.21              # USD per GPU-hour, for the cost panels
//     gpu_hourly_cost_by_model:          # per served model name
//       meta-llama/Llama-3.1-8B-Instruct: 4.1
// Errors name file:line:column.
Result<web::WebUiOptions> DecodeUiOptions(const config::Document& doc, const YAML::Node* node);

// "512MB" -> 536870912; plain integers are bytes.
Result<uint64_t> ParseByteSize(std::string_view s);

std::string_view DefaultServeConfig();

}  // namespace infermetry::cmd
