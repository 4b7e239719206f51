// `infermetry query "SELECT ..."`: SQL against a running server's API (POST /api/v1/query, as
// the Parseable guide's curl commands send it) or directly against a data directory.
// docs/sql-api.md describes the output formats and the time forms of --start/--end.

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "cmd/data_dir.h"
#include "cmd/promql_query.h"
#include "cmd/query_format.h"
#include "cmd/serve_config.h"
#include "common/duration.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/strconv.h"
#include "server/api/sql_api.h"

namespace infermetry::cmd {

int RunQuery(int argc, char** argv);

namespace {

struct QueryFlags {
  std::string sql;
  std::string server = "http://127.0.0.1:9400";
  std::string user = "admin:admin";
  std::string data_dir;
  std::string start, end;
  std::string format = "table";
  std::string timeout = "30s";
  std::string memory_limit = "1GiB";
};

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The request body the API takes: {"query": .., "startTime": .., "endTime": ..}.
std::string RequestBody(const QueryFlags& f) {
  std::string body = "{\"query\":";
  AppendJsonString(&body, f.sql);
  if (!f.start.empty()) {
    body += ",\"startTime\":";
    AppendJsonString(&body, f.start);
  }
  if (!f.end.empty()) {
    body += ",\"endTime\":";
    AppendJsonString(&body, f.end);
  }
  body += "}";
  return body;
}

Result<std::string> QueryServer(const QueryFlags& f, std::chrono::milliseconds timeout) {
  http::ClientRequest req;
  req.method = "POST";
  std::string base = f.server;
  while (!base.empty() && base.back() == '/') base.pop_back();
  req.url = base + "/api/v1/query?fields=true";
  req.headers = {{"Content-Type", "application/json"}};
  req.body = RequestBody(f);
  req.timeout = timeout + std::chrono::seconds(10);
  size_t colon = f.user.find(':');
  req.basic_user = f.user.substr(0, colon);
  req.basic_password = colon == std::string::npos ? "" : f.user.substr(colon + 1);
  auto resp = http::Fetch(req);
  if (!resp.ok() && resp.status().code() == Code::kResourceExhausted) {  // the answer is too large
    return ResourceExhausted(resp.status().message() +
                             "; narrow the time range, add a LIMIT, or query the data directory with --data-dir");
  }
  if (!resp.ok()) {
    return Status(resp.status().code(), "cannot reach the server at " + f.server + " (" + resp.status().message() +
                                            "); start one with `infermetry serve`, or query a data directory "
                                            "with --data-dir");
  }
  if (resp->status == 401) {
    return InvalidArgument("the server at " + f.server + " refused the credentials of --user \"" +
                           req.basic_user + "\"");
  }
  if (resp->status != 200) {
    std::string msg = resp->body;
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return InvalidArgument(msg.empty() ? "HTTP " + std::to_string(resp->status) : msg);
  }
  return std::move(resp->body);
}

// Opens the stores of `dir` as serve does (replaying their write-ahead logs), runs the query,
// closes them again, and formats the result.
Result<std::string> QueryDataDir(const QueryFlags& f, QueryFormat format, std::chrono::milliseconds timeout) {
  auto memory_limit = ParseByteSize(f.memory_limit);
  if (!memory_limit.ok()) return InvalidArgument("--memory-limit: " + memory_limit.status().message());
  if (*memory_limit == 0) return InvalidArgument("--memory-limit: must be positive");
  int64_t now = NowUs();
  api::QueryRequest range;
  if (!f.start.empty()) {
    auto t = api::ParseApiTime(f.start, now);
    if (!t.ok()) return InvalidArgument("--start: " + t.status().message());
    range.min_time_us = *t;
  }
  if (!f.end.empty()) {
    auto t = api::ParseApiTime(f.end, now);
    if (!t.ok()) return InvalidArgument("--end: " + t.status().message());
    range.max_time_us = *t;
  }
  // The stores' replay notes would mix with the result; warnings and errors still show.
  log::SetLevel(log::Level::kWarn);
  INFERMETRY_ASSIGN_OR_RETURN(auto stores, OpenDataDir(f.data_dir));
  sql::QueryOptions opts;
  opts.timeout = timeout;
  opts.memory_limit_bytes = *memory_limit;
  opts.now_us = now;
  opts.min_time_us = range.min_time_us;
  opts.max_time_us = range.max_time_us;
  Result<sql::QueryResult> r = sql::ExecuteSql(f.sql, stores->catalog.get(), opts);
  Status closed = stores->Close();
  if (!r.ok()) return r.status();
  if (!closed.ok()) return closed;
  return FormatQueryResult(*r, format);
}

}  // namespace

int RunQuery(int argc, char** argv) {
  CLI::App app{"Run an SQL query against a running infermetry server or a data directory.", argv[0]};
  QueryFlags f;
  app.add_option("sql", f.sql, "the query, e.g. \"SELECT count(*) FROM metrics\"");
  PromQlQuery pq;
  app.add_option("--promql", pq.expr,
                 "a PromQL expression instead of SQL, run by the server's Prometheus API: instant at --time "
                 "(default now), or a range with --start/--end/--step");
  app.add_option("--time", pq.time, "--promql: evaluation time (Unix seconds, RFC 3339, now, or e.g. 10m ago as \"10m\")");
  app.add_option("--step", pq.step, "--promql: range query resolution (\"15s\" or seconds)");
  app.add_option("--server", f.server, "URL of a running `infermetry serve`")->capture_default_str();
  app.add_option("--user", f.user, "HTTP Basic credentials, user:password")->capture_default_str();
  app.add_option("--data-dir", f.data_dir,
                 "query this store directory directly instead of a server (refused while a server holds it)");
  app.add_option("--start", f.start, "lower time bound: \"now\", \"10m\", \"1h\", \"2d\" or RFC 3339 (default: none)");
  app.add_option("--end", f.end, "upper time bound, same forms (default: none)");
  app.add_option("--format", f.format, "table, csv or json")->capture_default_str();
  app.add_option("--timeout", f.timeout, "query timeout (with --data-dir; a server uses its own)")
      ->capture_default_str();
  app.add_option("--memory-limit", f.memory_limit, "query memory limit, e.g. 4GiB (with --data-dir; a server uses its own)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (!pq.expr.empty()) {  // PromQL: through the server's /api/v1/query(_range); table or json
    if (!f.sql.empty()) {
      std::fprintf(stderr, "infermetry query: give either an SQL query or --promql, not both\n");
      return 1;
    }
    pq.server = f.server;
    pq.start = f.start;
    pq.end = f.end;
    pq.json = f.format == "json";
    if (!pq.json && f.format != "table") {
      std::fprintf(stderr, "infermetry query: --format %s: --promql prints table or json\n", f.format.c_str());
      return 1;
    }
    auto text = RunPromQlQuery(pq);
    if (!text.ok()) {
      std::fprintf(stderr, "infermetry query: %s\n", text.status().message().c_str());
      return 1;
    }
    std::fwrite(text->data(), 1, text->size(), stdout);
    return 0;
  }
  if (f.sql.empty()) {
    std::fprintf(stderr, "infermetry query: give an SQL query (or --promql 'expr')\n");
    return 1;
  }
  auto fail = [](const Status& st) {
    std::fprintf(stderr, "infermetry query: %s\n", st.message().c_str());
    return 1;
  };
  auto format = ParseQueryFormat(f.format);
  if (!format.ok()) return fail(format.status());
  auto timeout = ParseDuration(f.timeout);
  if (!timeout.ok()) return fail(InvalidArgument("--timeout: " + timeout.status().message()));
  Result<std::string> text = f.data_dir.empty() ? QueryServer(f, *timeout) : QueryDataDir(f, *format, *timeout);
  if (text.ok() && f.data_dir.empty()) text = FormatQueryResponse(*text, *format);
  if (!text.ok()) return fail(text.status());
  std::fwrite(text->data(), 1, text->size(), stdout);
  return 0;
}

}  // namespace infermetry::cmd
