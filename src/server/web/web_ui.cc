#include "server/web/web_ui.h"

#include <memory>
#include <string_view>

#include "common/strconv.h"
#include "server/web/assets.h"

namespace infermetry::web {
namespace {

constexpr std::string_view kPrefix = "/ui/";

const Asset* Find(std::string_view name) {
  for (const Asset& a : Assets()) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

// True when the If-None-Match header lists `etag` (or is "*").
bool NotModified(const http::Request& req, std::string_view etag) {
  std::string_view inm = req.Header("If-None-Match");
  if (inm == "*") return true;
  while (!inm.empty()) {
    size_t comma = inm.find(',');
    std::string_view tag = inm.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    inm.remove_prefix(comma + 1);
  }
  return false;
}

void ServeAsset(const Asset& a, const http::Request& req, http::Response* resp) {
  resp->SetHeader("ETag", a.etag);
  resp->SetHeader("Cache-Control", "no-cache");
  resp->SetHeader("X-Content-Type-Options", "nosniff");
  if (NotModified(req, a.etag)) {
    resp->status = 304;
    return;
  }
  resp->SetContentType(a.content_type);
  resp->body.assign(reinterpret_cast<const char*>(a.data), a.size);
}

std::string ConfigJson(const WebUiOptions& o) {
  std::string out = "{\"status\":\"success\",\"data\":{\"gpu_hourly_cost\":{\"default\":";
  AppendOtlpDouble(&out, o.gpu_hourly_cost);
  out += ",\"models\":{";
  bool first = true;
  for (const auto& [model, cost] : o.gpu_hourly_cost_by_model) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(&out, model);
    out += ':';
    AppendOtlpDouble(&out, cost);
  }
  out += "}},\"version\":";
  AppendJsonString(&out, INFERMETRY_VERSION);
  out += "}}";
  return out;
}

}  // namespace

void RegisterWebUi(http::Router* router, const WebUiOptions& options) {
  router->Handle("GET", "/", "ui", [](const http::Request&, http::Response* resp) {
    resp->status = 302;
    resp->SetHeader("Location", kPrefix);
  });
  const Asset* index = Find("index.html");
  auto serve_index = [index](const http::Request& req, http::Response* resp) { ServeAsset(*index, req, resp); };
  router->Handle("GET", "/ui", "ui", serve_index);
  router->Handle("GET", std::string(kPrefix), "ui", serve_index);
  router->HandlePrefix("GET", std::string(kPrefix), "ui", [](const http::Request& req, http::Response* resp) {
    const Asset* a = Find(std::string_view(req.path).substr(kPrefix.size()));
    if (a == nullptr) return resp->SetText(404, "no such file in the web UI: " + req.path + "\n");
    ServeAsset(*a, req, resp);
  });
  auto config = std::make_shared<const std::string>(ConfigJson(options));
  router->Handle("GET", "/api/v1/ui/config", "ui_config", [config](const http::Request&, http::Response* resp) {
    resp->SetContentType("application/json");
    resp->body = *config;
  });
}

}  // namespace infermetry::web
