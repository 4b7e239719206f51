// TracerOptions::FromEnv: the OpenTelemetry SDK environment variables for a trace exporter.

#include <cctype>
#include <cstdlib>

#include "common/log.h"
#include "common/strconv.h"
#include "telemetry/tracer.h"

namespace infermetry::telemetry {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Strict percent-decoding: a '%' must be followed by two hex digits.
bool PercentDecode(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out->push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return false;
    const int hi = HexDigitValue(s[i + 1]);
    const int lo = HexDigitValue(s[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return true;
}

// "k=v,k2=v2" (W3C Baggage without properties): keys and values trimmed, values
// percent-decoded, empty members skipped. False (and nothing usable) on a member without '=',
// an empty key, or a bad escape.
bool ParseKeyValueList(std::string_view s, std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  while (!s.empty()) {
    const size_t comma = s.find(',');
    std::string_view member = Trim(s.substr(0, comma));
    s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    if (member.empty()) continue;
    const size_t eq = member.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view key = Trim(member.substr(0, eq));
    if (key.empty()) return false;
    std::string value;
    if (!PercentDecode(Trim(member.substr(eq + 1)), &value)) return false;
    out->emplace_back(std::string(key), std::move(value));
  }
  return true;
}

}  // namespace

Result<TracerOptions> TracerOptions::FromEnv(TracerOptions defaults) {
  return FromEnv(std::move(defaults), [](const char* name) { return std::getenv(name); });
}

Result<TracerOptions> TracerOptions::FromEnv(TracerOptions o, const EnvLookup& getenv) {
  // An empty variable is the same as an unset one (OpenTelemetry spec).
  auto get = [&](const char* name) -> std::optional<std::string> {
    const char* v = getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  // The TRACES_ variable, else the generic one; `which` receives the name that was used.
  auto get2 = [&](const char* suffix, std::string* which) -> std::optional<std::string> {
    for (std::string name : {std::string("OTEL_EXPORTER_OTLP_TRACES_") + suffix,
                             std::string("OTEL_EXPORTER_OTLP_") + suffix}) {
      if (auto v = get(name.c_str())) {
        if (which != nullptr) *which = name;
        return v;
      }
    }
    return std::nullopt;
  };
  std::string which;

  // Resource.
  std::optional<std::string> env_service = get("OTEL_SERVICE_NAME");
  if (auto attrs = get("OTEL_RESOURCE_ATTRIBUTES")) {
    std::vector<std::pair<std::string, std::string>> parsed;
    if (!ParseKeyValueList(*attrs, &parsed)) {
      log::Warn("ignoring malformed OTEL_RESOURCE_ATTRIBUTES", {{"value", *attrs}});
    } else {
      for (auto& [k, v] : parsed) {
        if (k == "service.name") {
          if (!env_service) env_service = v;
          continue;
        }
        bool present = false;
        for (const auto& [dk, dv] : o.resource_attributes) present = present || dk == k;
        if (!present) o.resource_attributes.emplace_back(k, std::move(v));
      }
    }
  }
  // A service.name among the caller's attributes would duplicate the one written from
  // service_name.
  std::erase_if(o.resource_attributes, [](const auto& kv) { return kv.first == "service.name"; });
  if (env_service) o.service_name = *env_service;

  // Protocol first: it decides how the generic endpoint is completed.
  if (auto p = get2("PROTOCOL", &which)) {
    if (*p != "grpc" && *p != "http/protobuf" && *p != "http/json") {
      return InvalidArgument(which + ": unsupported OTLP protocol \"" + *p +
                             "\" (expected grpc, http/protobuf or http/json)");
    }
    o.protocol = *p;
  }
  if (o.protocol != "grpc" && o.protocol != "http/protobuf" && o.protocol != "http/json") {
    return InvalidArgument("unsupported OTLP protocol \"" + o.protocol +
                           "\" (expected grpc, http/protobuf or http/json)");
  }
  if (o.endpoint.empty()) {
    if (auto e = get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
      o.endpoint = *e;
    } else if (auto base = get("OTEL_EXPORTER_OTLP_ENDPOINT")) {
      o.endpoint = *base;
      if (o.protocol != "grpc") {
        if (!o.endpoint.ends_with("/")) o.endpoint += "/";
        o.endpoint += "v1/traces";
      }
    }
  }

  if (auto v = get2("INSECURE", &which)) {
    if (EqualsIgnoreCase(*v, "true")) {
      o.insecure = true;
    } else if (EqualsIgnoreCase(*v, "false")) {
      o.insecure = false;
    } else {
      log::Warn("ignoring a value that is neither true nor false",
                {{"variable", which}, {"value", *v}});
    }
  }
  if (auto h = get2("HEADERS", &which)) {
    std::vector<std::pair<std::string, std::string>> parsed;
    if (!ParseKeyValueList(*h, &parsed)) {
      // The value may hold a credential: name the variable only.
      log::Warn("ignoring malformed OTLP headers", {{"variable", which}});
    } else {
      for (auto& header : parsed) {
        std::erase_if(o.headers, [&](const auto& kv) { return EqualsIgnoreCase(kv.first, header.first); });
        o.headers.push_back(std::move(header));
      }
    }
  }
  if (auto t = get2("TIMEOUT", &which)) {
    int64_t ms = 0;
    if (ParseInt64(*t, &ms) && ms > 0) {
      o.export_timeout = std::chrono::milliseconds(ms);
    } else {
      log::Warn("ignoring a timeout that is not a positive number of milliseconds",
                {{"variable", which}, {"value", *t}});
    }
  }
  if (auto c = get2("COMPRESSION", &which)) o.compression = *c;
  if (o.compression != "gzip" && o.compression != "none") {
    return InvalidArgument((which.empty() ? std::string("compression") : which) +
                           ": unsupported compression \"" + o.compression +
                           "\" (expected gzip or none)");
  }
  if (auto f = get2("CERTIFICATE", nullptr)) o.ca_file = *f;
  if (auto f = get2("CLIENT_CERTIFICATE", nullptr)) o.client_cert_file = *f;
  if (auto f = get2("CLIENT_KEY", nullptr)) o.client_key_file = *f;

  // Batch span processor.
  auto positive = [&](const char* name, int64_t* out) {
    auto v = get(name);
    if (!v) return false;
    if (ParseInt64(*v, out) && *out > 0) return true;
    log::Warn("ignoring a value that is not a positive integer",
              {{"variable", name}, {"value", *v}});
    return false;
  };
  int64_t n = 0;
  if (positive("OTEL_BSP_SCHEDULE_DELAY", &n)) o.export_interval = std::chrono::milliseconds(n);
  if (positive("OTEL_BSP_MAX_QUEUE_SIZE", &n)) o.max_queue_spans = static_cast<size_t>(n);
  if (positive("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", &n)) o.max_export_batch = static_cast<size_t>(n);

  // Switches that turn tracing off entirely.
  if (auto d = get("OTEL_SDK_DISABLED"); d && EqualsIgnoreCase(*d, "true")) o.endpoint.clear();
  if (auto e = get("OTEL_TRACES_EXPORTER"); e && EqualsIgnoreCase(Trim(*e), "none")) {
    o.endpoint.clear();
  }
  return o;
}

}  // namespace infermetry::telemetry
