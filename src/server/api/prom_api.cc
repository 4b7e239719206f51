#include "server/api/prom_api.h"

#include <chrono>

#include "server/api/prom_json.h"
#include "server/api/prom_params.h"

namespace infermetry::api {
namespace {

// Prometheus refuses range queries with more points than this per series.
constexpr int64_t kMaxPointsPerSeries = 11000;

void Reply(http::Response* resp, int status, std::string body) {
  resp->status = status;
  resp->SetHeader("Content-Type", "application/json");
  resp->body = std::move(body);
}

void ReplyError(http::Response* resp, std::string_view type, std::string_view message) {
  Reply(resp, PromErrorHttpStatus(type), PromErrorBody(type, message));
}

void InvalidParam(http::Response* resp, std::string_view param, std::string_view message) {
  std::string m = "invalid parameter \"";
  m.append(param);
  m.append("\": ");
  m.append(message);
  ReplyError(resp, "bad_data", m);
}

int64_t NowMs(const PromApi& api) {
  if (api.now_ms) return api.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The timeout parameter; false when it was given and is malformed (the response is filled).
bool Timeout(const FormParams& params, http::Response* resp, std::optional<std::chrono::milliseconds>* out) {
  if (!params.Has("timeout") || params.Get("timeout").empty()) return true;
  auto d = ParsePromDuration(params.Get("timeout"));
  if (!d.ok()) {
    InvalidParam(resp, "timeout", d.status().message());
    return false;
  }
  *out = std::chrono::milliseconds(*d);
  return true;
}

void Answer(Result<promql::QueryResult> r, http::Response* resp) {
  if (!r.ok()) {
    const std::string_view type = PromErrorType(r.status());
    if (type == "bad_data") return InvalidParam(resp, "query", r.status().message());
    return ReplyError(resp, type, r.status().message());
  }
  std::string data;
  AppendPromQueryData(&data, *r);
  Reply(resp, 200, PromSuccessBody(data, r->warnings));
}

bool Unavailable(const PromApi& api, http::Response* resp) {
  if (api.backend != nullptr) return false;
  ReplyError(resp, "unavailable", "the PromQL engine is not enabled in this process");
  return true;
}

}  // namespace

std::string_view PromErrorType(const Status& st) {
  switch (st.code()) {
    case Code::kParseError:
      return "bad_data";
    case Code::kInvalidArgument:
      // Type errors are found while parsing, as in Prometheus, and so is a range query of a
      // range vector; the rest happen while evaluating.
      if (st.message().find("parse error") != std::string::npos ||
          st.message().starts_with("invalid expression type")) {
        return "bad_data";
      }
      return "execution";
    case Code::kResourceExhausted:
    case Code::kOutOfRange:
      return "execution";
    case Code::kDeadlineExceeded:
      return "timeout";
    case Code::kCancelled:
      return "canceled";
    default:
      return "internal";
  }
}

void ServePromQuery(const PromApi& api, const http::Request& req, http::Response* resp) {
  if (Unavailable(api, resp)) return;
  FormParams params(req);
  int64_t t = NowMs(api);
  if (std::string s = params.Get("time"); !s.empty()) {
    auto parsed = ParsePromTime(s);
    if (!parsed.ok()) return InvalidParam(resp, "time", parsed.status().message());
    t = *parsed;
  }
  std::optional<std::chrono::milliseconds> timeout;
  if (!Timeout(params, resp, &timeout)) return;
  Answer(api.backend->Instant(params.Get("query"), t, timeout), resp);
}

void ServePromQueryRange(const PromApi& api, const http::Request& req, http::Response* resp) {
  if (Unavailable(api, resp)) return;
  FormParams params(req);
  auto start = ParsePromTime(params.Get("start"));
  if (!start.ok()) return InvalidParam(resp, "start", start.status().message());
  auto end = ParsePromTime(params.Get("end"));
  if (!end.ok()) return InvalidParam(resp, "end", end.status().message());
  if (*end < *start) return InvalidParam(resp, "end", "end timestamp must not be before start time");
  auto step = ParsePromDuration(params.Get("step"));
  if (!step.ok()) return InvalidParam(resp, "step", step.status().message());
  if (*step <= 0) {
    return InvalidParam(resp, "step",
                        "zero or negative query resolution step widths are not accepted. Try a positive integer");
  }
  if ((*end - *start) / *step > kMaxPointsPerSeries) {
    return ReplyError(resp, "bad_data",
                      "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
                      "resolution (?step=XX)");
  }
  std::optional<std::chrono::milliseconds> timeout;
  if (!Timeout(params, resp, &timeout)) return;
  Answer(api.backend->Range(params.Get("query"), *start, *end, *step, timeout), resp);
}

void ServePromBuildInfo(const http::Request&, http::Response* resp) {
  // Grafana and other clients read `version` to pick the Prometheus features they use.
  std::string data =
      "{\"version\":\"2.42.0\",\"revision\":\"infermetry\",\"branch\":\"infermetry\",\"buildUser\":\"infermetry\","
      "\"buildDate\":\"\",\"goVersion\":\"\",\"application\":\"infermetry\",\"infermetryVersion\":\"" INFERMETRY_VERSION
      "\"}";
  Reply(resp, 200, PromSuccessBody(data));
}

void RegisterPromApi(http::Router* router, PromApi api, bool with_query) {
  auto shared = std::make_shared<const PromApi>(std::move(api));
  if (with_query) {
    auto query = [shared](const http::Request& req, http::Response* resp) { ServePromQuery(*shared, req, resp); };
    router->Handle("GET", "/api/v1/query", "query", query);
    router->Handle("POST", "/api/v1/query", "query", query);
  }
  auto range = [shared](const http::Request& req, http::Response* resp) { ServePromQueryRange(*shared, req, resp); };
  router->Handle("GET", "/api/v1/query_range", "query_range", range);
  router->Handle("POST", "/api/v1/query_range", "query_range", range);
  router->Handle("GET", "/api/v1/status/buildinfo", "buildinfo", ServePromBuildInfo);
  auto exemplars = [](const http::Request&, http::Response* resp) { Reply(resp, 200, PromSuccessBody("[]")); };
  router->Handle("GET", "/api/v1/query_exemplars", "query_exemplars", exemplars);
  router->Handle("POST", "/api/v1/query_exemplars", "query_exemplars", exemplars);
}

}  // namespace infermetry::api
