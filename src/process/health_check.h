#pragma once
// The health_check extension: answers HTTP GET (and HEAD) on `path` with the service's
// readiness, in the Collector's shape:
//   200 {"status":"Server available","upSince":"2026-01-02T03:04:05Z","uptime":"12.5s"}
//   503 {"status":"Server not available","upSince":"...","uptime":"..."}
// 503 before the service has started every pipeline component and from the moment its
// shutdown begins (the extension is stopped last). upSince is when the service last became
// ready (the zero time before that).
//
//   extensions:
//     health_check:
//       endpoint: 0.0.0.0:13133     # default, as in the Collector; "127.0.0.1:0" picks a port
//       path: /                     # default
//       response_body: {healthy: "I'm OK", unhealthy: "I'm not well"}   # optional plain bodies
//
// `tls` and `check_collector_pipeline.enabled: true` are not supported (config errors).

#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "process/factory.h"

namespace infermetry::process {

struct HealthCheckOptions {
  std::string endpoint = "0.0.0.0:13133";
  std::string path = "/";
  bool custom_bodies = false;
  std::string healthy_body;
  std::string unhealthy_body;
};

Result<HealthCheckOptions> DecodeHealthCheckOptions(const ComponentConfig& cfg);

class HealthCheck : public Extension {
 public:
  explicit HealthCheck(HealthCheckOptions options);
  ~HealthCheck() override;

  void SetReadiness(std::function<bool()> ready) override;
  Status Start() override;  // binds the endpoint; a bind failure is returned
  Status Shutdown(std::chrono::milliseconds deadline) override;
  bool Ready() const override;

  // The bound port once started (useful with port 0), else 0.
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Result<std::unique_ptr<Extension>> CreateHealthCheck(const ComponentConfig& cfg);

}  // namespace infermetry::process
