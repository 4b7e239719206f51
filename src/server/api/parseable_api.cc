#include "server/api/parseable_api.h"

#include <memory>

#include "common/strconv.h"
#include "server/api/parseable_ingest.h"
#include "server/api/parseable_otlp.h"

namespace infermetry::api {
namespace {

struct State {
  ParseableApiOptions options;
  IngestOptions ingest;
  std::shared_ptr<OtlpStreamRoutes> otlp;
};

// Wraps `fn(state, req, resp)` with the Basic auth check.
template <typename Fn>
http::Handler Authed(std::shared_ptr<const State> state, Fn fn) {
  return [state, fn](const http::Request& req, http::Response* resp) {
    if (!state->options.auth.Allows(req)) return RefuseUnauthorized(req, resp);
    fn(*state, req, resp);
  };
}

}  // namespace

void ServePromQl(const http::Request&, http::Response* resp) {
  std::string body = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":";
  AppendJsonString(&body,
                   "PromQL is not available yet; for SQL, POST a JSON body {\"query\": \"SELECT ...\", "
                   "\"startTime\": \"10m\", \"endTime\": \"now\"}");
  body += "}";
  resp->status = 400;
  resp->SetContentType("application/json");
  resp->body = std::move(body);
}

Status RegisterParseableApi(http::Router* router, ParseableApiOptions options) {
  if (options.streams == nullptr) return InvalidArgument("the Parseable API needs a stream registry");
  auto state = std::make_shared<State>();
  state->ingest.streams = options.streams;
  state->ingest.logs = options.stores.logs;
  state->ingest.catalog = options.sql.catalog;
  INFERMETRY_ASSIGN_OR_RETURN(state->otlp, OtlpStreamRoutes::Create(options.streams, options.stores));
  state->options = std::move(options);
  std::shared_ptr<const State> s = state;

  http::Handler query = [s](const http::Request& req, http::Response* resp) {
    if (!IsSqlQueryRequest(req)) return s->options.promql ? s->options.promql(req, resp) : ServePromQl(req, resp);
    if (!s->options.auth.Allows(req)) return RefuseUnauthorized(req, resp);
    ServeSqlQuery(s->options.sql, req, resp);
  };
  router->Handle("GET", "/api/v1/query", "query", query);
  router->Handle("POST", "/api/v1/query", "query", query);
  router->Handle("POST", "/api/v1/ingest", "ingest", Authed(s, [](const State& st, auto& req, auto* resp) {
    ServeIngest(st.ingest, req, resp);
  }));
  router->Handle("GET", "/api/v1/logstream", "logstream_list", Authed(s, [](const State& st, auto& req, auto* resp) {
    ServeStreamList(st.ingest, req, resp);
  }));
  auto stream = Authed(s, [](const State& st, auto& req, auto* resp) { ServeStream(st.ingest, req, resp); });
  router->HandlePrefix("GET", "/api/v1/logstream/", "logstream", stream);
  router->HandlePrefix("PUT", "/api/v1/logstream/", "logstream", stream);
  auto otlp = Authed(s, [](const State& st, auto& req, auto* resp) { st.otlp->Serve(req, resp); });
  router->Handle("POST", "/v1/metrics", "api_otlp_metrics", otlp);
  router->Handle("POST", "/v1/traces", "api_otlp_traces", otlp);
  router->Handle("POST", "/v1/logs", "api_otlp_logs", otlp);
  return Status::Ok();
}

}  // namespace infermetry::api
