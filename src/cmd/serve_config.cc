#include "cmd/serve_config.h"

#include <cmath>
#include <tuple>

#include "common/strconv.h"

namespace infermetry::cmd {

Result<web::WebUiOptions> DecodeUiOptions(const config::Document& doc, const YAML::Node* node) {
  web::WebUiOptions out;
  if (node == nullptr) return out;
  config::MapReader r(doc, *node, "ui");
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(r.Double("gpu_hourly_cost", &out.gpu_hourly_cost));
  YAML::Node by_model = r.Child("gpu_hourly_cost_by_model");
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  auto check = [&](const YAML::Node& at, const std::string& what, double v) -> Status {
    if (std::isfinite(v) && v >= 0) return Status::Ok();
    return doc.ErrorAt(at, what + ": want a cost in USD per GPU-hour (a number >= 0)");
  };
  INFERMETRY_RETURN_IF_ERROR(check(r.Child("gpu_hourly_cost"), "ui.gpu_hourly_cost", out.gpu_hourly_cost));
  if (!by_model.IsDefined() || by_model.IsNull()) return out;
  if (!by_model.IsMap()) return doc.ErrorAt(by_model, "ui.gpu_hourly_cost_by_model: want a map of model name to cost");
  for (const auto& kv : by_model) {
    const std::string model = kv.first.as<std::string>();
    const std::string where = "ui.gpu_hourly_cost_by_model[" + model + "]";
    double v = -1;
    if (!kv.second.IsScalar() || !ParseGoFloat(kv.second.Scalar(), &v)) v = -1;
    INFERMETRY_RETURN_IF_ERROR(check(kv.second, where, v));
    out.gpu_hourly_cost_by_model[model] = v;
  }
  return out;
}

Result<uint64_t> ParseByteSize(std::string_view s) {
  static constexpr std::pair<std::string_view, int> kUnits[] = {
      {"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}, {"KB", 10}, {"MB", 20},
      {"GB", 30},  {"TB", 40},  {"PB", 50},  {"B", 0}};
  int shift = 0;
  std::string_view num = s;
  for (const auto& [unit, sh] : kUnits) {
    if (s.ends_with(unit)) {
      num = s.substr(0, s.size() - unit.size());
      shift = sh;
      break;
    }
  }
  int64_t n;
  if (!ParseInt64(num, &n) || n < 0 || (shift > 0 && static_cast<uint64_t>(n) > (UINT64_MAX >> shift))) {
    return InvalidArgument("\"" + std::string(s) + "\" is not a size (e.g. 0, 1048576, 512MB, 50GB)");
  }
  return static_cast<uint64_t>(n) << shift;
}

Result<StorageOptions> DecodeStorageOptions(const config::Document& doc, const YAML::Node* node) {
  StorageOptions out;
  if (node == nullptr) return out;
  config::MapReader r(doc, *node, "storage");
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(r.String("path", &out.path));
  std::string sync = "always", size, cache_size;
  INFERMETRY_RETURN_IF_ERROR(r.String("wal_sync", &sync));
  INFERMETRY_RETURN_IF_ERROR(r.Duration("retention_time", &out.retention_time));
  INFERMETRY_RETURN_IF_ERROR(r.String("retention_size", &size));
  INFERMETRY_RETURN_IF_ERROR(r.Duration("out_of_order_window", &out.out_of_order_window));
  INFERMETRY_RETURN_IF_ERROR(r.String("block_cache_size", &cache_size));
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  if (sync == "always") {
    out.wal_sync = wal::SyncPolicy::kAlways;
  } else if (sync == "batch") {
    out.wal_sync = wal::SyncPolicy::kBatch;
  } else {
    return doc.ErrorAt(r.Child("wal_sync"), "storage.wal_sync: want always or batch, got \"" + sync + "\"");
  }
  for (auto [key, text, dest] : {std::tuple{"retention_size", &size, &out.retention_size},
                                  std::tuple{"block_cache_size", &cache_size, &out.block_cache_size}}) {
    if (text->empty()) continue;
    auto bytes = ParseByteSize(*text);
    if (!bytes.ok()) {
      return doc.ErrorAt(r.Child(key), std::string("storage.") + key + ": " + bytes.status().message());
    }
    *dest = *bytes;
  }
  if (out.path.empty()) return doc.ErrorAt(r.Child("path"), "storage.path: must not be empty");
  return out;
}

Result<ApiOptions> DecodeApiOptions(const config::Document& doc, const YAML::Node* auth,
                                    const YAML::Node* query) {
  ApiOptions out;
  if (auth != nullptr) {
    config::MapReader r(doc, *auth, "auth");
    INFERMETRY_RETURN_IF_ERROR(r.status());
    YAML::Node users = r.Child("users");
    INFERMETRY_RETURN_IF_ERROR(r.Finish());
    if (!users.IsDefined() || users.IsNull() || !users.IsSequence() || users.size() == 0) {
      return doc.ErrorAt(users.IsDefined() ? users : *auth,
                         "auth.users: want a list of {username, password} (at least one user)");
    }
    out.users.clear();
    for (size_t i = 0; i < users.size(); ++i) {
      const std::string where = "auth.users[" + std::to_string(i) + "]";
      config::MapReader u(doc, users[i], where);
      INFERMETRY_RETURN_IF_ERROR(u.status());
      api::ApiUser user;
      INFERMETRY_RETURN_IF_ERROR(u.String("username", &user.username));
      INFERMETRY_RETURN_IF_ERROR(u.String("password", &user.password));
      INFERMETRY_RETURN_IF_ERROR(u.Finish());
      if (user.username.empty() || user.username.find(':') != std::string::npos) {
        return doc.ErrorAt(users[i], where + ".username: want a non-empty name without ':'");
      }
      if (user.password.empty()) return doc.ErrorAt(users[i], where + ".password: must not be empty");
      for (const api::ApiUser& other : out.users) {
        if (other.username == user.username) {
          return doc.ErrorAt(users[i], where + ".username: \"" + user.username + "\" is listed twice");
        }
      }
      out.users.push_back(std::move(user));
    }
  }
  if (query != nullptr) {
    config::MapReader r(doc, *query, "query");
    INFERMETRY_RETURN_IF_ERROR(r.status());
    std::string limit;
    INFERMETRY_RETURN_IF_ERROR(r.Duration("timeout", &out.query_timeout));
    INFERMETRY_RETURN_IF_ERROR(r.String("memory_limit", &limit));
    INFERMETRY_RETURN_IF_ERROR(r.Finish());
    if (out.query_timeout.count() <= 0) {
      return doc.ErrorAt(r.Child("timeout"), "query.timeout: must be positive");
    }
    if (!limit.empty()) {
      auto bytes = ParseByteSize(limit);
      if (!bytes.ok()) return doc.ErrorAt(r.Child("memory_limit"), "query.memory_limit: " + bytes.status().message());
      if (*bytes == 0) return doc.ErrorAt(r.Child("memory_limit"), "query.memory_limit: must be positive");
      out.query_memory_limit = *bytes;
    }
  }
  return out;
}

std::string_view DefaultServeConfig() {
  return R"(receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:4317
      http:
        endpoint: 127.0.0.1:4318
exporters:
  store:
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [store]
    metrics:
      receivers: [otlp]
      exporters: [store]
    logs:
      receivers: [otlp]
      exporters: [store]
)";
}

}  // namespace infermetry::cmd
