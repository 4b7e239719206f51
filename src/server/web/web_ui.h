#pragma once
// The web UI on the API's port (docs/ui.md):
//
//   GET /                 302 to /ui/
//   GET /ui, /ui/         index.html (the pages are routed in the browser: /ui/#/vllm, #/traces, ...)
//   GET /ui/<file>        an embedded file (app.js, app.css); other names 404
//   GET /api/v1/ui/config {"status":"success","data":{"gpu_hourly_cost":{"default":2.21,
//                          "models":{"<model>":4.1}},"version":"0.1.0"}}
//
// Files carry an ETag (a hash of their content) and `Cache-Control: no-cache`: browsers keep
// them and revalidate, and a request with a matching If-None-Match gets 304 without a body, so
// a new binary's UI is picked up at once and an unchanged one costs a round trip.

#include <map>
#include <string>

#include "server/http/router.h"

namespace infermetry::web {

struct WebUiOptions {
  // USD per GPU-hour for the cost panels: `default` for every model not in `models`.
  double gpu_hourly_cost = 2.21;
  std::map<std::string, double> gpu_hourly_cost_by_model;
};

void RegisterWebUi(http::Router* router, const WebUiOptions& options);

}  // namespace infermetry::web
