#include "cmd/promql_query.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "common/duration.h"
#include "common/http_client.h"
#include "common/strconv.h"
#include "server/api/parseable_json.h"

namespace infermetry::cmd {
namespace {

// "2026-11-24T20:00:00Z", "2026-11-24T20:00:00.5Z".
std::string Rfc3339(double unix_seconds) {
  const int64_t ms = static_cast<int64_t>(std::llround(unix_seconds * 1000));
  int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  const int64_t frac = ms - secs * 1000;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  const int64_t sod = secs - days * 86400;
  std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  std::string out = buf;
  if (frac != 0) {
    char f[8];
    std::snprintf(f, sizeof(f), ".%03d", static_cast<int>(frac));
    std::string_view fs = f;
    while (fs.back() == '0') fs.remove_suffix(1);
    out.append(fs);
  }
  out.push_back('Z');
  return out;
}

std::string SeriesName(const api::JsonValue& metric) {
  std::string name, rest;
  for (const auto& [k, v] : metric.members) {
    if (k == "__name__") {
      name = v.s;
      continue;
    }
    if (!rest.empty()) rest += ", ";
    rest += k + "=\"";
    for (char c : v.s) {
      if (c == '"' || c == '\\') rest.push_back('\\');
      if (c == '\n') {
        rest += "\\n";
        continue;
      }
      rest.push_back(c);
    }
    rest += "\"";
  }
  if (rest.empty() && !name.empty()) return name;
  return name + "{" + rest + "}";
}

Status Malformed(std::string_view what) {
  return ParseError("the server's answer is not a Prometheus API query result: " + std::string(what));
}

// [t, "v"] -> (t, v).
Status Point(const api::JsonValue& p, double* t, std::string* v) {
  if (p.kind != api::JsonValue::Kind::kArray || p.items.size() != 2 || !p.items[0].is_number() ||
      p.items[1].kind != api::JsonValue::Kind::kString) {
    return Malformed("a sample is not [time, \"value\"]");
  }
  *t = p.items[0].d;
  *v = p.items[1].s;
  return Status::Ok();
}

bool IsUnixSeconds(std::string_view s, double* out) { return ParseGoFloat(s, out) && std::isfinite(*out); }

// A time flag as the API takes it: Unix seconds and RFC 3339 pass through; "now" and a
// duration ("10m": that long before now) become Unix seconds.
std::string TimeArg(const std::string& s, int64_t now_ms) {
  double secs;
  if (s.empty() || ParseGoFloat(s, &secs)) return s;
  int64_t ms = now_ms;
  if (s != "now") {
    auto d = ParseDuration(s);
    if (!d.ok()) return s;
    ms -= d->count();
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", static_cast<double>(ms) / 1000);
  return buf;
}

}  // namespace

Result<std::string> PromQlTarget(const PromQlQuery& flags) {
  const int64_t now_ms = flags.now_ms != 0 ? flags.now_ms
                                           : std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count();
  PromQlQuery q = flags;
  q.time = TimeArg(q.time, now_ms);
  q.start = TimeArg(q.start, now_ms);
  q.end = TimeArg(q.end, now_ms);
  if (q.expr.empty()) return InvalidArgument("--promql: the expression is empty");
  std::string target;
  if (q.start.empty() && q.end.empty()) {
    if (!q.step.empty()) return InvalidArgument("--step needs --start and --end (a range query)");
    target = "/api/v1/query?query=" + UrlEscape(q.expr);
    if (!q.time.empty()) target += "&time=" + UrlEscape(q.time);
  } else {
    if (q.start.empty() || q.end.empty()) return InvalidArgument("a range query needs both --start and --end");
    if (!q.time.empty()) return InvalidArgument("--time is for instant queries; a range query takes --start/--end");
    std::string step = q.step;
    if (step.empty()) {
      double s, e;
      step = "15s";
      if (IsUnixSeconds(q.start, &s) && IsUnixSeconds(q.end, &e) && e > s) {
        step = std::to_string(std::max<int64_t>(1, static_cast<int64_t>(std::ceil((e - s) / 250))));
      }
    }
    target = "/api/v1/query_range?query=" + UrlEscape(q.expr) + "&start=" + UrlEscape(q.start) +
             "&end=" + UrlEscape(q.end) + "&step=" + UrlEscape(step);
  }
  if (!q.timeout.empty()) target += "&timeout=" + UrlEscape(q.timeout);
  return target;
}

Result<std::string> FormatPromQlResponse(std::string_view body) {
  INFERMETRY_ASSIGN_OR_RETURN(api::JsonValue doc, api::ParseJson(body));
  const api::JsonValue* status = doc.Find("status");
  if (status == nullptr || status->s != "success") return Malformed("no \"status\":\"success\"");
  const api::JsonValue* data = doc.Find("data");
  const api::JsonValue* type = data ? data->Find("resultType") : nullptr;
  const api::JsonValue* result = data ? data->Find("result") : nullptr;
  if (type == nullptr || result == nullptr) return Malformed("no data.resultType and data.result");
  std::string out;
  if (type->s == "scalar" || type->s == "string") {
    double t;
    std::string v;
    INFERMETRY_RETURN_IF_ERROR(Point(*result, &t, &v));
    return v + " @ " + Rfc3339(t) + "\n";
  }
  if (result->kind != api::JsonValue::Kind::kArray) return Malformed("data.result is not an array");
  if (type->s == "vector") {
    std::vector<std::pair<std::string, std::string>> rows;
    double at = 0;
    for (const api::JsonValue& s : result->items) {
      const api::JsonValue* metric = s.Find("metric");
      const api::JsonValue* value = s.Find("value");
      if (metric == nullptr || value == nullptr) return Malformed("a vector sample without metric or value");
      std::string v;
      INFERMETRY_RETURN_IF_ERROR(Point(*value, &at, &v));
      rows.emplace_back(SeriesName(*metric), v);
    }
    std::sort(rows.begin(), rows.end());
    size_t w = 6, vw = 5;
    for (const auto& [n, v] : rows) {
      w = std::max(w, n.size());
      vw = std::max(vw, v.size());
    }
    auto pad = [](std::string s, size_t n) { return s.append(n > s.size() ? n - s.size() : 0, ' '); };
    out += pad("SERIES", w) + "  VALUE\n" + std::string(w, '-') + "  " + std::string(vw, '-') + "\n";
    for (const auto& [n, v] : rows) out += pad(n, w) + "  " + v + "\n";
    out += "(" + std::to_string(rows.size()) + " series" + (rows.empty() ? "" : " at " + Rfc3339(at)) + ")\n";
    return out;
  }
  if (type->s == "matrix") {
    size_t points = 0;
    std::vector<std::pair<std::string, const api::JsonValue*>> series;
    for (const api::JsonValue& s : result->items) {
      const api::JsonValue* metric = s.Find("metric");
      const api::JsonValue* values = s.Find("values");
      if (metric == nullptr || values == nullptr || values->kind != api::JsonValue::Kind::kArray) {
        return Malformed("a matrix series without metric or values");
      }
      series.emplace_back(SeriesName(*metric), values);
    }
    std::sort(series.begin(), series.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [name, values] : series) {
      out += name + "\n";
      for (const api::JsonValue& p : values->items) {
        double t;
        std::string v;
        INFERMETRY_RETURN_IF_ERROR(Point(p, &t, &v));
        out += "  " + Rfc3339(t) + "  " + v + "\n";
        ++points;
      }
    }
    out += "(" + std::to_string(series.size()) + " series, " + std::to_string(points) + " points)\n";
    return out;
  }
  return Malformed("unknown resultType \"" + type->s + "\"");
}

Result<std::string> RunPromQlQuery(const PromQlQuery& q) {
  INFERMETRY_ASSIGN_OR_RETURN(std::string target, PromQlTarget(q));
  std::string base = q.server;
  while (!base.empty() && base.back() == '/') base.pop_back();
  http::ClientRequest req;
  req.url = base + target;
  req.timeout = std::chrono::minutes(3);
  auto resp = http::Fetch(req);
  if (!resp.ok()) {
    return Status(resp.status().code(), "cannot reach the server at " + q.server + " (" + resp.status().message() +
                                            "); start one with `infermetry serve`");
  }
  if (resp->status != 200) {
    auto doc = api::ParseJson(resp->body);
    if (doc.ok() && doc->Find("error") != nullptr) {
      const api::JsonValue* type = doc->Find("errorType");
      return InvalidArgument((type ? type->s + ": " : std::string()) + doc->Find("error")->s);
    }
    std::string msg = resp->body;
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return InvalidArgument("HTTP " + std::to_string(resp->status) + (msg.empty() ? "" : ": " + msg));
  }
  if (q.json) return resp->body + (resp->body.ends_with("\n") ? "" : "\n");
  return FormatPromQlResponse(resp->body);
}

}  // namespace infermetry::cmd
