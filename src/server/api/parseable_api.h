#pragma once
// The Parseable-compatible HTTP API (docs/sql-api.md), every route behind HTTP Basic auth:
//
//   POST /api/v1/query                      SQL (server/api/sql_api.h)
//   POST /api/v1/ingest                     JSON events (server/api/parseable_ingest.h)
//   GET  /api/v1/logstream                  stream list
//   PUT  /api/v1/logstream/<name>           create an event stream
//   GET  /api/v1/logstream/<name>/schema    a stream's columns
//   POST /v1/metrics, /v1/traces, /v1/logs  OTLP/HTTP with X-P-Stream (server/api/parseable_otlp.h)
//
// /api/v1/query is shared with Prometheus's HTTP API: JSON bodies are SQL (IsSqlQueryRequest);
// GETs and form-encoded POSTs are PromQL, handed to ParseableApiOptions::promql (e.g.
// prom_api.h's ServePromQuery), without Basic auth as Prometheus has none; when that is not
// set, ServePromQl answers 400 "PromQL is not available yet".
//
//   ParseableApiOptions o;
//   o.auth.users = DefaultApiUsers();  o.sql.catalog = catalog;  o.streams = registry;
//   o.stores = {metrics_db, span_sink, log_sink};
//   INFERMETRY_RETURN_IF_ERROR(RegisterParseableApi(router, o));

#include "common/status.h"
#include "process/factory.h"
#include "query/sql/catalog/stream_registry.h"
#include "server/api/parseable_auth.h"
#include "server/api/sql_api.h"
#include "server/http/router.h"

namespace infermetry::api {

struct ParseableApiOptions {
  ApiAuth auth;
  SqlApiOptions sql;                       // sql.catalog: tables for queries and schemas
  sql::StreamRegistry* streams = nullptr;  // required
  process::Host stores;                    // where ingested data goes (null members: 503/404)
  http::Handler promql;                    // PromQL requests on /api/v1/query; null: ServePromQl
};

// Registers the routes. Everything referenced must outlive the router.
Status RegisterParseableApi(http::Router* router, ParseableApiOptions options);

// The PromQL side of GET/POST /api/v1/query when no PromQL handler is given: 400.
void ServePromQl(const http::Request& req, http::Response* resp);

}  // namespace infermetry::api
