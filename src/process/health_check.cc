#include "process/health_check.h"

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>

#include "common/strconv.h"
#include "server/http/server.h"

namespace infermetry::process {
namespace {

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return "0001-01-01T00:00:00Z";
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

struct HealthCheck::Impl {
  HealthCheckOptions opts;
  std::function<bool()> ready;
  std::unique_ptr<http::Server> server;

  std::mutex mu;
  bool was_ready = false;
  std::chrono::system_clock::time_point up_since{};

  void Serve(http::Response* resp) {
    const bool ok = ready && ready();
    std::chrono::system_clock::time_point since;
    {
      std::lock_guard<std::mutex> l(mu);
      if (ok && !was_ready) up_since = std::chrono::system_clock::now();
      was_ready = ok;
      since = up_since;
    }
    const int code = ok ? 200 : 503;
    if (opts.custom_bodies) {
      resp->SetText(code, ok ? opts.healthy_body : opts.unhealthy_body);
      return;
    }
    std::string uptime;
    if (ok) {
      auto d = std::chrono::duration<double>(std::chrono::system_clock::now() - since);
      uptime = FormatGoFloat(d.count()) + "s";
    }
    std::string body = "{\"status\":";
    AppendJsonString(&body, ok ? "Server available" : "Server not available");
    body += ",\"upSince\":";
    AppendJsonString(&body, Rfc3339(since));
    body += ",\"uptime\":";
    AppendJsonString(&body, uptime);
    body += "}";
    resp->status = code;
    resp->body = std::move(body);
    resp->SetContentType("application/json");
  }
};

HealthCheck::HealthCheck(HealthCheckOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(options);
}

HealthCheck::~HealthCheck() { (void)Shutdown(std::chrono::milliseconds(1000)); }

void HealthCheck::SetReadiness(std::function<bool()> ready) { impl_->ready = std::move(ready); }

Status HealthCheck::Start() {
  if (impl_->server) return Status::Ok();
  auto router = std::make_shared<http::Router>();
  Impl* impl = impl_.get();
  router->Handle("GET", impl_->opts.path, "health_check",
                 [impl](const http::Request&, http::Response* resp) { impl->Serve(resp); });
  http::ServerOptions so;
  so.listen = impl_->opts.endpoint;
  so.threads = 1;
  so.gzip = false;
  auto server = http::Server::Start(so, router);
  if (!server.ok()) return server.status().WithContext("health_check");
  impl_->server = std::move(server).value();
  return Status::Ok();
}

Status HealthCheck::Shutdown(std::chrono::milliseconds deadline) {
  if (impl_->server) {
    impl_->server->Shutdown(deadline);
    impl_->server.reset();
  }
  return Status::Ok();
}

bool HealthCheck::Ready() const { return impl_->server != nullptr; }

uint16_t HealthCheck::port() const { return impl_->server ? impl_->server->port() : 0; }

Result<HealthCheckOptions> DecodeHealthCheckOptions(const ComponentConfig& cfg) {
  HealthCheckOptions o;
  const config::Document& doc = *cfg.doc;
  config::MapReader r(doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(r.String("endpoint", &o.endpoint));
  INFERMETRY_RETURN_IF_ERROR(r.String("path", &o.path));
  if (r.Has("tls")) return doc.ErrorAt(r.Child("tls"), cfg.where + ".tls: not supported");
  if (YAML::Node rb = r.Child("response_body"); rb.IsDefined() && !rb.IsNull()) {
    config::MapReader br(doc, rb, cfg.where + ".response_body");
    INFERMETRY_RETURN_IF_ERROR(br.status());
    INFERMETRY_RETURN_IF_ERROR(br.String("healthy", &o.healthy_body));
    INFERMETRY_RETURN_IF_ERROR(br.String("unhealthy", &o.unhealthy_body));
    INFERMETRY_RETURN_IF_ERROR(br.Finish());
    o.custom_bodies = true;
  }
  if (YAML::Node cp = r.Child("check_collector_pipeline"); cp.IsDefined() && !cp.IsNull()) {
    config::MapReader cr(doc, cp, cfg.where + ".check_collector_pipeline");
    INFERMETRY_RETURN_IF_ERROR(cr.status());
    bool enabled = false;
    INFERMETRY_RETURN_IF_ERROR(cr.Bool("enabled", &enabled));
    cr.Child("interval");
    cr.Child("exporter_failure_threshold");
    INFERMETRY_RETURN_IF_ERROR(cr.Finish());
    if (enabled) {
      return doc.ErrorAt(cp, cfg.where + ".check_collector_pipeline: not supported");
    }
  }
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  if (o.path.empty() || o.path[0] != '/') {
    return doc.ErrorAt(r.Child("path"), cfg.where + ".path: must start with \"/\"");
  }
  if (o.endpoint.empty()) {
    return doc.ErrorAt(r.Child("endpoint"), cfg.where + ".endpoint: must not be empty");
  }
  return o;
}

Result<std::unique_ptr<Extension>> CreateHealthCheck(const ComponentConfig& cfg) {
  INFERMETRY_ASSIGN_OR_RETURN(HealthCheckOptions o, DecodeHealthCheckOptions(cfg));
  return std::unique_ptr<Extension>(new HealthCheck(std::move(o)));
}

}  // namespace infermetry::process
