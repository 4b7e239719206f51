#include "server/api/sql_api.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "common/strconv.h"
#include "query/sql/parser/interval_text.h"
#include "query/sql/parser/timestamp_text.h"
#include "server/api/parseable_json.h"

namespace infermetry::api {
namespace {

constexpr int64_t kUsPerSecond = 1000000;

struct DurationUnit {
  std::string_view name;
  double micros;
};

// humantime's spellings, as Parseable reads startTime/endTime. "m" is minutes, "M" months.
constexpr DurationUnit kUnits[] = {
    {"us", 1},          {"usec", 1},          {"ms", 1e3},          {"msec", 1e3},
    {"millis", 1e3},    {"s", 1e6},           {"sec", 1e6},         {"secs", 1e6},
    {"second", 1e6},    {"seconds", 1e6},     {"m", 60e6},          {"min", 60e6},
    {"mins", 60e6},     {"minute", 60e6},     {"minutes", 60e6},    {"h", 3600e6},
    {"hr", 3600e6},     {"hrs", 3600e6},      {"hour", 3600e6},     {"hours", 3600e6},
    {"d", 86400e6},     {"day", 86400e6},     {"days", 86400e6},    {"w", 604800e6},
    {"week", 604800e6}, {"weeks", 604800e6},  {"M", 2630016e6},     {"month", 2630016e6},
    {"months", 2630016e6}, {"y", 31557600e6}, {"year", 31557600e6}, {"years", 31557600e6},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// "10m", "1h30m", "1h 30m", "1.5h", "2 days": the sum of the parts, in microseconds.
bool ParseRelative(std::string_view s, double* micros) {
  double total = 0;
  size_t p = 0, parts = 0;
  while (true) {
    while (p < s.size() && s[p] == ' ') ++p;
    if (p == s.size()) break;
    size_t start = p;
    while (p < s.size() && (IsDigit(s[p]) || s[p] == '.')) ++p;
    if (p == start) return false;
    double n;
    auto [ptr, ec] = std::from_chars(s.data() + start, s.data() + p, n);
    if (ec != std::errc() || ptr != s.data() + p) return false;
    while (p < s.size() && s[p] == ' ') ++p;
    size_t ustart = p;
    while (p < s.size() && IsAlpha(s[p])) ++p;
    std::string_view unit = s.substr(ustart, p - ustart);
    const DurationUnit* found = nullptr;
    for (const DurationUnit& u : kUnits) {
      if (u.name == unit) found = &u;
    }
    if (found == nullptr) return false;
    total += n * found->micros;
    ++parts;
  }
  *micros = total;
  return parts > 0;
}

const char* kTimeForms =
    "want \"now\", a duration before now such as \"10m\", \"1h\", \"2d\" or \"1h30m\", or an RFC 3339 time "
    "such as \"2024-05-01T10:00:00Z\"";

// The media type of a Content-Type header, without parameters, trimmed.
std::string_view MediaType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  return media;
}

void AppendDouble(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view s(buf, static_cast<size_t>(end - buf));
  out->append(s);
  if (s.find_first_of(".eEn") == std::string_view::npos) out->append(".0");
}

Result<std::string_view> TimeField(const JsonValue& body, std::string_view name) {
  const JsonValue* v = body.Find(name);
  if (v == nullptr || v->kind == JsonValue::Kind::kNull) return std::string_view();
  if (v->kind != JsonValue::Kind::kString) {
    return InvalidArgument(std::string(name) + ": want a string (" + kTimeForms + ")");
  }
  return std::string_view(v->s);
}

}  // namespace

Result<int64_t> ParseApiTime(std::string_view text, int64_t now_us) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (EqualsIgnoreCase(s, "now")) return now_us;
  double micros;
  if (ParseRelative(s, &micros)) {
    if (!(micros < 1e17)) return InvalidArgument("\"" + std::string(text) + "\": duration too long");
    return now_us - static_cast<int64_t>(std::llround(micros));
  }
  // An RFC 3339 time has a date: a digit first and a '-' after the year.
  if (s.size() >= 10 && IsDigit(s[0]) && s[4] == '-') {
    auto ts = sql::ParseTimestampText(s);
    if (ts.ok()) return *ts;
  }
  return InvalidArgument("cannot parse \"" + std::string(text) + "\" as a time: " + kTimeForms);
}

Result<QueryRequest> ParseQueryRequest(std::string_view body, int64_t now_us) {
  auto parsed = ParseJson(body);
  if (!parsed.ok()) return InvalidArgument("request body: " + parsed.status().message());
  const JsonValue& v = *parsed;
  if (v.kind != JsonValue::Kind::kObject) {
    return InvalidArgument("request body: want a JSON object {\"query\": \"SELECT ...\", \"startTime\": .., \"endTime\": ..}");
  }
  QueryRequest out;
  const JsonValue* q = v.Find("query");
  if (q == nullptr || q->kind != JsonValue::Kind::kString) {
    return InvalidArgument("request body: \"query\" is missing or not a string");
  }
  out.query = q->s;
  INFERMETRY_ASSIGN_OR_RETURN(std::string_view start, TimeField(v, "startTime"));
  INFERMETRY_ASSIGN_OR_RETURN(std::string_view end, TimeField(v, "endTime"));
  if (!start.empty()) {
    auto t = ParseApiTime(start, now_us);
    if (!t.ok()) return InvalidArgument("startTime: " + t.status().message());
    out.min_time_us = *t;
  }
  if (!end.empty()) {
    auto t = ParseApiTime(end, now_us);
    if (!t.ok()) return InvalidArgument("endTime: " + t.status().message());
    out.max_time_us = *t;
  }
  if (out.max_time_us < out.min_time_us) {
    return InvalidArgument("endTime (" + std::string(end) + ") is before startTime (" + std::string(start) + ")");
  }
  return out;
}

std::string FormatRecordTimestamp(int64_t micros) {
  using namespace std::chrono;
  int64_t ms = micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
  int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  int64_t in_day = ms - days * 86400000;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(in_day / 3600000), static_cast<int>(in_day / 60000 % 60),
                static_cast<int>(in_day / 1000 % 60), static_cast<int>(in_day % 1000));
  return buf;
}

void AppendValueJson(const sql::Column& c, size_t row, std::string* out) {
  if (c.IsNull(row) || c.type == sql::Type::kNull) {
    out->append("null");
    return;
  }
  switch (c.type) {
    case sql::Type::kBool:
      out->append(c.ints[row] != 0 ? "true" : "false");
      return;
    case sql::Type::kInt64:
      out->append(std::to_string(c.ints[row]));
      return;
    case sql::Type::kFloat64:
      AppendDouble(out, c.doubles[row]);
      return;
    case sql::Type::kText:
      AppendJsonString(out, c.strings[row]);
      return;
    case sql::Type::kTimestamp:
      AppendJsonString(out, FormatRecordTimestamp(c.ints[row]));
      return;
    case sql::Type::kInterval:
      AppendJsonString(out, sql::FormatInterval(c.intervals[row]));
      return;
    case sql::Type::kNull:
      break;
  }
  out->append("null");
}

void AppendRecordsJson(const sql::QueryResult& result, bool with_fields, std::string* out) {
  std::vector<std::string> keys;
  keys.reserve(result.columns.size());
  for (const sql::ColumnSchema& c : result.columns) {
    std::string k;
    AppendJsonString(&k, c.name);
    keys.push_back(std::move(k));
  }
  if (with_fields) {
    out->append("{\"fields\":[");
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append(keys[i]);
    }
    out->append("],\"records\":");
  }
  out->push_back('[');
  bool first = true;
  for (const sql::Batch& b : result.batches) {
    for (size_t r = 0; r < b.num_rows; ++r) {
      out->append(first ? "{" : ",{");
      first = false;
      for (size_t c = 0; c < keys.size() && c < b.columns.size(); ++c) {
        if (c > 0) out->push_back(',');
        out->append(keys[c]);
        out->push_back(':');
        AppendValueJson(b.columns[c], r, out);
      }
      out->push_back('}');
    }
  }
  out->push_back(']');
  if (with_fields) out->push_back('}');
}

int HttpStatusForSqlError(const Status& st) {
  switch (st.code()) {
    case Code::kInvalidArgument:
    case Code::kParseError:
    case Code::kNotFound:
    case Code::kOutOfRange:
    case Code::kResourceExhausted:  // the query's memory limit
    case Code::kDeadlineExceeded:   // the query's timeout
    case Code::kCancelled:
      return 400;
    case Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

bool IsSqlQueryRequest(const http::Request& req) {
  if (req.method != "POST") return false;
  if (EqualsIgnoreCase(MediaType(req.Header("Content-Type")), "application/json")) return true;
  size_t p = req.body.find_first_not_of(" \t\r\n");
  return p != std::string::npos && req.body[p] == '{';
}

void ServeSqlQuery(const SqlApiOptions& o, const http::Request& req, http::Response* resp) {
  if (req.body.size() > o.max_request_bytes) {
    resp->SetText(413, "request body of " + std::to_string(req.body.size()) + " bytes is over the limit of " +
                           std::to_string(o.max_request_bytes) + " bytes for a query\n");
    return;
  }
  if (o.catalog == nullptr) {
    resp->SetText(503, "the SQL engine is not enabled in this process\n");
    return;
  }
  int64_t now = o.now_us ? o.now_us()
                         : std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  auto parsed = ParseQueryRequest(req.body, now);
  if (!parsed.ok()) {
    resp->SetText(400, parsed.status().message() + "\n");
    return;
  }
  sql::QueryOptions q;
  q.timeout = o.timeout;
  q.memory_limit_bytes = o.memory_limit_bytes;
  q.now_us = now;
  q.min_time_us = parsed->min_time_us;
  q.max_time_us = parsed->max_time_us;
  Result<sql::QueryResult> r =
      o.execute ? o.execute(parsed->query, o.catalog, q) : sql::ExecuteSql(parsed->query, o.catalog, q);
  if (!r.ok()) {
    resp->SetText(HttpStatusForSqlError(r.status()), r.status().message() + "\n");
    return;
  }
  std::string body;
  AppendRecordsJson(*r, req.QueryParam("fields") == "true", &body);
  resp->status = 200;
  resp->SetContentType("application/json");
  resp->body = std::move(body);
}

}  // namespace infermetry::api
