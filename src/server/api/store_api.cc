#include "server/api/store_api.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "common/duration.h"
#include "common/strconv.h"
#include "model/sample.h"
#include "server/api/prom_json.h"
#include "server/api/prom_params.h"
#include "server/api/selector.h"
#include "server/api/span_json.h"

namespace infermetry::api {
namespace {

constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min() / 2;
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max() / 2;

void Reply(http::Response* resp, int status, std::string body) {
  resp->status = status;
  resp->SetHeader("Content-Type", "application/json");
  resp->body = std::move(body);
}

void Success(http::Response* resp, std::string_view data) {
  std::string body = "{\"status\":\"success\",\"data\":";
  body.append(data);
  body += "}";
  Reply(resp, 200, std::move(body));
}

void Fail(http::Response* resp, const Status& st) {
  int status = 400;
  std::string type = "bad_data";
  if (st.code() == Code::kUnavailable) {
    status = 503;
    type = "unavailable";
  } else if (st.code() == Code::kNotFound) {
    status = 404;
    type = "not_found";
  } else if (st.code() != Code::kInvalidArgument && st.code() != Code::kParseError) {
    status = 500;
    type = "internal";
  }
  std::string body = "{\"status\":\"error\",\"errorType\":\"" + type + "\",\"error\":";
  AppendJsonString(&body, st.message());
  body += "}";
  Reply(resp, status, std::move(body));
}

template <typename Body>
void Respond(http::Response* resp, Body body) {
  std::string out;
  Status st = body(&out);
  if (st.ok()) {
    Success(resp, out);
  } else {
    Fail(resp, st);
  }
}

// Unix seconds with an optional fraction, or RFC 3339 (UTC "Z" or a +hh:mm offset).
Result<int64_t> ParseTimeMs(std::string_view s, std::string_view param) {
  double secs;
  if (ParseGoFloat(s, &secs) && std::isfinite(secs)) return static_cast<int64_t>(std::llround(secs * 1000));
  int y, mo, d, h, mi;
  double sec;
  char tail[8] = {0};
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%7s", &y, &mo, &d, &h, &mi, &sec, tail) >= 6) {
    std::chrono::sys_days days = std::chrono::year(y) / mo / d;
    int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(days.time_since_epoch()).count() +
                 (int64_t{h} * 3600 + int64_t{mi} * 60) * 1000 + static_cast<int64_t>(std::llround(sec * 1000));
    std::string_view tz = tail;
    if (tz.empty() || tz == "Z") return ms;
    int oh, om;
    if (tz.size() == 6 && (tz[0] == '+' || tz[0] == '-') &&
        std::sscanf(tail + 1, "%2d:%2d", &oh, &om) == 2) {
      int64_t off = (int64_t{oh} * 60 + om) * 60000;
      return tz[0] == '+' ? ms - off : ms + off;
    }
  }
  return InvalidArgument("parameter " + std::string(param) + ": cannot parse \"" + std::string(s) +
                         "\" as Unix seconds or an RFC 3339 time");
}

// start and end of the metrics routes, from the query string or a form body, as Prometheus
// reads them (errors: invalid parameter "start": cannot parse "x" to a valid timestamp).
Status TimeRange(const FormParams& params, int64_t* start_ms, int64_t* end_ms) {
  *start_ms = kMinTime;
  *end_ms = kMaxTime;
  for (auto [name, out] : {std::pair{"start", start_ms}, std::pair{"end", end_ms}}) {
    if (std::string s = params.Get(name); !s.empty()) {
      auto t = ParsePromTime(s);
      if (!t.ok()) return InvalidArgument("invalid parameter \"" + std::string(name) + "\": " + t.status().message());
      *out = *t;
    }
  }
  if (*end_ms < *start_ms) return InvalidArgument("invalid parameter \"end\": end timestamp must not be before start time");
  return Status::Ok();
}

// Milliseconds as Prometheus's API writes times: seconds with up to three decimals
// (1800000000.123, 1800000000.5, 1800000000).
void AppendUnixSeconds(std::string* out, int64_t ms) {
  if (ms < 0) {
    out->push_back('-');
    ms = -ms;
  }
  out->append(std::to_string(ms / 1000));
  int64_t frac = ms % 1000;
  if (frac == 0) return;
  char digits[3] = {static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                    static_cast<char>('0' + frac % 10)};
  std::string_view d(digits, 3);
  while (d.back() == '0') d.remove_suffix(1);
  out->push_back('.');
  out->append(d);
}

void AppendStrings(std::string* out, const std::vector<std::string>& v) {
  out->push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, v[i]);
  }
  out->push_back(']');
}

// The matcher sets of every match[] parameter (required when `required`).
Result<std::vector<std::vector<storage::Matcher>>> Selectors(const FormParams& params, bool required) {
  std::vector<std::vector<storage::Matcher>> out;
  for (const std::string& m : params.GetAll("match[]")) {
    INFERMETRY_ASSIGN_OR_RETURN(auto matchers, ParseSeriesSelector(m));
    out.push_back(std::move(matchers));
  }
  if (required && out.empty()) return InvalidArgument("no match[] parameter provided");
  return out;
}

class MetricsRoutes {
 public:
  explicit MetricsRoutes(storage::Queryable* db) : db_(db) {}

  void Series(const http::Request& req, http::Response* resp) const {
    Respond(resp, [&](std::string* out) -> Status {
      FormParams params(req);
      int64_t start, end;
      INFERMETRY_RETURN_IF_ERROR(TimeRange(params, &start, &end));
      INFERMETRY_ASSIGN_OR_RETURN(auto selectors, Selectors(params, true));
      INFERMETRY_ASSIGN_OR_RETURN(auto q, db_->NewQuerier(start, end));
      return Rows(q.get(), start, end, selectors, out, [](const model::Labels& ls, const storage::SeriesSet&,
                                                        std::string* row) {
        AppendPromLabels(row, ls);
        return true;
      });
    });
  }

  void Samples(const http::Request& req, http::Response* resp) const {
    Respond(resp, [&](std::string* out) -> Status {
      FormParams params(req);
      int64_t start, end;
      INFERMETRY_RETURN_IF_ERROR(TimeRange(params, &start, &end));
      INFERMETRY_ASSIGN_OR_RETURN(auto selectors, Selectors(params, true));
      INFERMETRY_ASSIGN_OR_RETURN(auto q, db_->NewQuerier(start, end));
      out->append("{\"resultType\":\"matrix\",\"result\":");
      Status st = Rows(q.get(), start, end, selectors, out,
                       [](const model::Labels& ls, const storage::SeriesSet& set, std::string* row) {
                         row->append("{\"metric\":");
                         AppendPromLabels(row, ls);
                         row->append(",\"values\":[");
                         auto it = set.Samples();
                         bool first = true;
                         while (it->Next()) {
                           if (model::IsStaleNaN(it->v())) continue;
                           if (!first) row->push_back(',');
                           first = false;
                           row->push_back('[');
                           AppendUnixSeconds(row, it->t());
                           row->append(",\"");
                           AppendGoFloat(row, it->v());
                           row->append("\"]");
                         }
                         row->append("]}");
                         return it->status().ok();
                       });
      out->push_back('}');
      return st;
    });
  }

  void Labels(const http::Request& req, http::Response* resp, const std::string& name) const {
    Respond(resp, [&](std::string* out) -> Status {
      FormParams params(req);
      int64_t start, end;
      INFERMETRY_RETURN_IF_ERROR(TimeRange(params, &start, &end));
      INFERMETRY_ASSIGN_OR_RETURN(auto selectors, Selectors(params, false));
      if (selectors.empty()) selectors.emplace_back();
      INFERMETRY_ASSIGN_OR_RETURN(auto q, db_->NewQuerier(start, end));
      std::set<std::string> all;
      for (const auto& m : selectors) {
        auto r = name.empty() ? q->LabelNames(m) : q->LabelValues(name, m);
        if (!r.ok()) return r.status();
        all.insert(r->begin(), r->end());
      }
      AppendStrings(out, std::vector<std::string>(all.begin(), all.end()));
      return Status::Ok();
    });
  }

  void Metadata(const http::Request& req, http::Response* resp) const {
    Respond(resp, [&](std::string* out) -> Status {
      INFERMETRY_ASSIGN_OR_RETURN(auto q, db_->NewQuerier(kMinTime, kMaxTime));
      std::map<std::string, std::vector<storage::Metadata>> by_family;
      for (auto& e : q->Metadata(req.QueryParam("metric"))) by_family[e.metric].push_back(e.metadata);
      out->push_back('{');
      bool first = true;
      for (const auto& [family, mds] : by_family) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(out, family);
        out->append(":[");
        for (size_t i = 0; i < mds.size(); ++i) {
          if (i > 0) out->push_back(',');
          out->append("{\"type\":");
          AppendJsonString(out, model::MetricTypeName(mds[i].type));
          out->append(",\"help\":");
          AppendJsonString(out, mds[i].help);
          out->append(",\"unit\":");
          AppendJsonString(out, mds[i].unit);
          out->push_back('}');
        }
        out->push_back(']');
      }
      out->push_back('}');
      return Status::Ok();
    });
  }

 private:
  // Writes a JSON array with one row per series matched by any selector, in label order.
  template <typename Row>
  static Status Rows(storage::Querier* q, int64_t start, int64_t end,
                     const std::vector<std::vector<storage::Matcher>>& selectors, std::string* out, Row row) {
    std::map<model::Labels, std::string> rows;
    for (const auto& matchers : selectors) {
      auto set = q->Select({start, end}, matchers);
      while (set->Next()) {
        if (rows.count(set->labels()) > 0) continue;
        std::string r;
        if (!row(set->labels(), *set, &r)) return Internal("reading samples of " + set->labels().ToString());
        rows.emplace(set->labels(), std::move(r));
      }
      INFERMETRY_RETURN_IF_ERROR(set->status());
    }
    out->push_back('[');
    bool first = true;
    for (const auto& [ls, r] : rows) {
      if (!first) out->push_back(',');
      first = false;
      out->append(r);
    }
    out->push_back(']');
    return Status::Ok();
  }

  storage::Queryable* db_;
};

Result<int64_t> NanosParam(const http::Request& req, std::string_view name, int64_t dflt) {
  std::string v = req.QueryParam(name);
  if (v.empty()) return dflt;
  INFERMETRY_ASSIGN_OR_RETURN(int64_t ms, ParseTimeMs(v, name));
  return ms * 1000000;
}

// A duration parameter: a Prometheus duration ("250ms", "2s", "1m") or seconds.
Result<std::optional<int64_t>> DurationParam(const http::Request& req, std::string_view name) {
  std::string v = req.QueryParam(name);
  if (v.empty()) return std::optional<int64_t>();
  double secs;
  if (ParseGoFloat(v, &secs) && std::isfinite(secs)) {
    return std::optional<int64_t>(static_cast<int64_t>(std::llround(secs * 1e9)));
  }
  auto d = ParseDuration(v);
  if (!d.ok()) return InvalidArgument("parameter " + std::string(name) + ": " + d.status().message());
  return std::optional<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(*d).count());
}

Result<size_t> LimitParam(const http::Request& req) {
  std::string v = req.QueryParam("limit");
  if (v.empty()) return size_t{100};
  int64_t n;
  if (!ParseInt64(v, &n) || n <= 0 || n > 100000) {
    return InvalidArgument("parameter limit: want an integer in [1, 100000], got \"" + v + "\"");
  }
  return static_cast<size_t>(n);
}

template <typename T, typename Encode>
void AppendArray(std::string* out, const std::vector<T>& items, Encode encode) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    encode(out, items[i]);
  }
  out->push_back(']');
}

void ServeTrace(storage::SpanQuerier* spans, const http::Request& req, http::Response* resp) {
  Respond(resp, [&](std::string* out) -> Status {
    std::string_view hex = std::string_view(req.path).substr(std::string_view("/api/v1/traces/").size());
    model::TraceId id;
    if (!model::ParseHexId(hex, id)) {
      return InvalidArgument("trace id \"" + std::string(hex) + "\": want 32 hex digits");
    }
    INFERMETRY_ASSIGN_OR_RETURN(std::vector<model::Span> found, spans->FindTrace(id));
    if (found.empty()) return NotFound("trace " + std::string(hex) + " not found");
    out->append("{\"traceId\":");
    AppendJsonString(out, hex);
    out->append(",\"spans\":");
    AppendArray(out, found, AppendSpanJson);
    out->push_back('}');
    return Status::Ok();
  });
}

// order=duration ranks the newest this many matches by duration.
constexpr size_t kSlowestAmong = 10000;

void ServeSpans(storage::SpanQuerier* spans, const http::Request& req, http::Response* resp) {
  Respond(resp, [&](std::string* out) -> Status {
    storage::SpanQuery q;
    INFERMETRY_ASSIGN_OR_RETURN(q.start_ns, NanosParam(req, "start", 0));
    INFERMETRY_ASSIGN_OR_RETURN(q.end_ns, NanosParam(req, "end", INT64_MAX));
    q.service = req.QueryParam("service");
    q.name = req.QueryParam("name");
    if (std::string s = req.QueryParam("status"); !s.empty()) {
      if (s == "unset" || s == "0") {
        q.status_code = 0;
      } else if (s == "ok" || s == "1") {
        q.status_code = 1;
      } else if (s == "error" || s == "2") {
        q.status_code = 2;
      } else {
        return InvalidArgument("parameter status: want unset, ok or error, got \"" + s + "\"");
      }
    }
    INFERMETRY_ASSIGN_OR_RETURN(q.min_duration_ns, DurationParam(req, "min_duration"));
    INFERMETRY_ASSIGN_OR_RETURN(q.max_duration_ns, DurationParam(req, "max_duration"));
    INFERMETRY_ASSIGN_OR_RETURN(q.limit, LimitParam(req));
    for (auto& [k, v] : http::ParseQueryString(req.query)) {
      if (k.starts_with("attr.")) q.attributes.push_back({k.substr(5), v});
    }
    const std::string order = req.QueryParam("order");
    if (!order.empty() && order != "start" && order != "duration") {
      return InvalidArgument("parameter order: want start or duration, got \"" + order + "\"");
    }
    const size_t limit = q.limit;
    if (order == "duration") q.limit = std::max(limit, kSlowestAmong);
    INFERMETRY_ASSIGN_OR_RETURN(std::vector<model::Span> found, spans->SearchSpans(q));
    if (order == "duration") {
      std::stable_sort(found.begin(), found.end(), [](const model::Span& a, const model::Span& b) {
        return a.duration_ns() > b.duration_ns();
      });
      if (found.size() > limit) found.resize(limit);
    }
    AppendArray(out, found, AppendSpanJson);
    return Status::Ok();
  });
}

void ServeServices(storage::SpanQuerier* spans, const http::Request&, http::Response* resp) {
  Respond(resp, [&](std::string* out) -> Status {
    INFERMETRY_ASSIGN_OR_RETURN(std::vector<std::string> names, spans->Services());
    AppendStrings(out, names);
    return Status::Ok();
  });
}

void ServeLogs(storage::LogQuerier* logs, const http::Request& req, http::Response* resp) {
  Respond(resp, [&](std::string* out) -> Status {
    storage::LogQuery q;
    INFERMETRY_ASSIGN_OR_RETURN(q.start_ns, NanosParam(req, "start", 0));
    INFERMETRY_ASSIGN_OR_RETURN(q.end_ns, NanosParam(req, "end", INT64_MAX));
    q.service = req.QueryParam("service");
    q.body_contains = req.QueryParam("q");
    if (std::string s = req.QueryParam("min_severity"); !s.empty()) {
      int64_t n;
      if (!ParseInt64(s, &n) || n < 0 || n > 24) {
        return InvalidArgument("parameter min_severity: want a severity number 0..24, got \"" + s + "\"");
      }
      q.min_severity = static_cast<int32_t>(n);
    }
    INFERMETRY_ASSIGN_OR_RETURN(q.limit, LimitParam(req));
    INFERMETRY_ASSIGN_OR_RETURN(std::vector<model::LogRecord> found, logs->SearchLogs(q));
    AppendArray(out, found, AppendLogJson);
    return Status::Ok();
  });
}

void Unavailable503(http::Response* resp, std::string_view what) {
  Fail(resp, Unavailable(std::string(what) + " is not enabled in this process"));
}

}  // namespace

void RegisterStoreApi(http::Router* router, StoreApi api) {
  auto metrics = std::make_shared<MetricsRoutes>(api.metrics);
  auto with_metrics = [metrics, db = api.metrics](auto fn) {
    return [metrics, db, fn](const http::Request& req, http::Response* resp) {
      if (db == nullptr) return Unavailable503(resp, "the metrics store");
      fn(*metrics, req, resp);
    };
  };
  for (const char* method : {"GET", "POST"}) {  // POST: the parameters form-encoded, as Prometheus takes them
    router->Handle(method, "/api/v1/series", "series", with_metrics([](const MetricsRoutes& m, auto& req, auto* resp) {
      m.Series(req, resp);
    }));
    router->Handle(method, "/api/v1/labels", "labels", with_metrics([](const MetricsRoutes& m, auto& req, auto* resp) {
      m.Labels(req, resp, "");
    }));
  }
  router->Handle("GET", "/api/v1/samples", "samples", with_metrics([](const MetricsRoutes& m, auto& req, auto* resp) {
    m.Samples(req, resp);
  }));
  router->HandlePrefix("GET", "/api/v1/label/", "label_values",
                       with_metrics([](const MetricsRoutes& m, const http::Request& req, http::Response* resp) {
                         std::string_view rest = std::string_view(req.path).substr(std::string_view("/api/v1/label/").size());
                         if (!rest.ends_with("/values") || rest.size() <= 7) {
                           return Fail(resp, NotFound("want /api/v1/label/<name>/values"));
                         }
                         std::string name = http::UrlDecode(rest.substr(0, rest.size() - 7), false);
                         if (!model::IsValidLabelName(name)) {
                           return Fail(resp, InvalidArgument("invalid label name: \"" + name + "\""));
                         }
                         m.Labels(req, resp, name);
                       }));
  router->Handle("GET", "/api/v1/metadata", "metadata", with_metrics([](const MetricsRoutes& m, auto& req, auto* resp) {
    m.Metadata(req, resp);
  }));

  storage::SpanQuerier* spans = api.spans;
  router->HandlePrefix("GET", "/api/v1/traces/", "trace", [spans](const http::Request& req, http::Response* resp) {
    if (spans == nullptr) return Unavailable503(resp, "the span store");
    ServeTrace(spans, req, resp);
  });
  router->Handle("GET", "/api/v1/spans", "spans", [spans](const http::Request& req, http::Response* resp) {
    if (spans == nullptr) return Unavailable503(resp, "the span store");
    ServeSpans(spans, req, resp);
  });
  router->Handle("GET", "/api/v1/services", "services", [spans](const http::Request& req, http::Response* resp) {
    if (spans == nullptr) return Unavailable503(resp, "the span store");
    ServeServices(spans, req, resp);
  });
  storage::LogQuerier* logs = api.logs;
  router->Handle("GET", "/api/v1/logs", "logs", [logs](const http::Request& req, http::Response* resp) {
    if (logs == nullptr) return Unavailable503(resp, "the log store");
    ServeLogs(logs, req, resp);
  });
}

}  // namespace infermetry::api
