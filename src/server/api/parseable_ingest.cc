#include "server/api/parseable_ingest.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "common/strconv.h"
#include "query/sql/parser/timestamp_text.h"
#include "server/api/parseable_json.h"

namespace infermetry::api {
namespace {

constexpr std::string_view kLogstreamPrefix = "/api/v1/logstream/";
// Fields whose RFC 3339 value is the event's time, in order of preference.
constexpr std::string_view kTimeFields[] = {"p_timestamp", "timestamp", "time"};

int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Flattener {
 public:
  Flattener(std::string_view body, FlatEvent* out) : body_(body), out_(out) {}

  void Object(const JsonValue& obj, const std::string& prefix) {
    for (const auto& [key, v] : obj.members) {
      std::string name = prefix.empty() ? key : prefix + "_" + key;
      if (v.kind == JsonValue::Kind::kObject) {
        Object(v, name);
        continue;
      }
      if (v.kind == JsonValue::Kind::kNull) continue;
      EventField f;
      f.name = std::move(name);
      f.json_text = std::string(body_.substr(v.begin, v.end - v.begin));
      switch (v.kind) {
        case JsonValue::Kind::kBool:
          f.type = sql::Type::kBool;
          f.value.type = model::AttrValue::Type::kBool;
          f.value.i = v.b ? 1 : 0;
          break;
        case JsonValue::Kind::kInteger:
          f.type = sql::Type::kInt64;
          f.value.type = model::AttrValue::Type::kInt;
          f.value.i = v.i;
          break;
        case JsonValue::Kind::kNumber:
          f.type = sql::Type::kFloat64;
          f.value.type = model::AttrValue::Type::kDouble;
          f.value.d = v.d;
          break;
        case JsonValue::Kind::kString:
          f.type = sql::Type::kText;
          f.value.type = model::AttrValue::Type::kString;
          f.value.s = v.s;
          break;
        default:  // arrays: their JSON text
          f.type = sql::Type::kText;
          f.value.type = model::AttrValue::Type::kString;
          f.value.s = f.json_text;
          break;
      }
      // A name seen twice (a key repeated, or "a_b" next to {"a":{"b":..}}): the last wins.
      auto it = std::find_if(out_->fields.begin(), out_->fields.end(),
                             [&](const EventField& e) { return e.name == f.name; });
      if (it != out_->fields.end()) {
        *it = std::move(f);
      } else {
        out_->fields.push_back(std::move(f));
      }
    }
  }

 private:
  std::string_view body_;
  FlatEvent* out_;
};

Status FlattenOne(std::string_view body, const JsonValue& v, size_t index, FlatEvent* out) {
  if (v.kind != JsonValue::Kind::kObject) {
    return InvalidArgument("event " + std::to_string(index) + " (at byte " + std::to_string(v.begin) +
                           "): want a JSON object");
  }
  out->json = std::string(body.substr(v.begin, v.end - v.begin));
  Flattener(body, out).Object(v, "");
  for (std::string_view tf : kTimeFields) {
    auto it = std::find_if(out->fields.begin(), out->fields.end(),
                           [&](const EventField& f) { return f.name == tf; });
    if (it == out->fields.end() || it->value.type != model::AttrValue::Type::kString) continue;
    const std::string& s = it->value.s;
    if (s.size() < 10 || s[4] != '-') continue;
    auto us = sql::ParseTimestampText(s);
    if (!us.ok()) continue;
    out->time_ns = *us * 1000;
    break;
  }
  // p_timestamp is the record's time column, and p_stream the stream's tag: neither is stored
  // as a field of its own.
  std::erase_if(out->fields, [](const EventField& f) { return f.name == "p_timestamp" || f.name == "p_stream"; });
  return Status::Ok();
}

sql::Type Merge(sql::Type had, sql::Type got) {
  if (had == got) return had;
  if ((had == sql::Type::kInt64 && got == sql::Type::kFloat64) ||
      (had == sql::Type::kFloat64 && got == sql::Type::kInt64)) {
    return sql::Type::kFloat64;
  }
  return sql::Type::kText;
}

// `f`'s value as a field of type `t`.
model::AttrValue Convert(const EventField& f, sql::Type t) {
  model::AttrValue v = f.value;
  if (t == sql::Type::kFloat64 && v.type == model::AttrValue::Type::kInt) {
    v.type = model::AttrValue::Type::kDouble;
    v.d = static_cast<double>(v.i);
  } else if (t == sql::Type::kText && v.type != model::AttrValue::Type::kString) {
    v = model::AttrValue{};
    v.type = model::AttrValue::Type::kString;
    v.s = f.json_text;
  }
  return v;
}

void ReplyJson(http::Response* resp, int status, std::string body) {
  resp->status = status;
  resp->SetContentType("application/json");
  resp->body = std::move(body);
}

Result<std::vector<sql::ColumnSchema>> StreamColumns(const IngestOptions& o, const sql::StreamInfo& info) {
  if (o.catalog != nullptr) {
    auto table = o.catalog->Find(info.name, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
    if (table.ok()) return (*table)->schema();
    if (table.status().code() != Code::kNotFound) return table.status();
  }
  return info.fields;
}

}  // namespace

Result<std::vector<FlatEvent>> FlattenEvents(std::string_view body) {
  auto parsed = ParseJson(body);
  if (!parsed.ok()) return parsed.status();
  std::vector<FlatEvent> out;
  if (parsed->kind == JsonValue::Kind::kArray) {
    out.resize(parsed->items.size());
    for (size_t i = 0; i < parsed->items.size(); ++i) {
      INFERMETRY_RETURN_IF_ERROR(FlattenOne(body, parsed->items[i], i, &out[i]));
    }
  } else if (parsed->kind == JsonValue::Kind::kObject) {
    out.resize(1);
    INFERMETRY_RETURN_IF_ERROR(FlattenOne(body, *parsed, 0, &out[0]));
  } else {
    return InvalidArgument("want a JSON object or an array of objects");
  }
  return out;
}

std::vector<sql::ColumnSchema> BatchSchema(const std::vector<FlatEvent>& events) {
  std::vector<sql::ColumnSchema> out = {{"p_timestamp", sql::Type::kTimestamp}};
  for (const FlatEvent& e : events) {
    for (const EventField& f : e.fields) {
      auto it = std::find_if(out.begin(), out.end(), [&](const sql::ColumnSchema& c) { return c.name == f.name; });
      if (it == out.end()) {
        out.push_back({f.name, f.type});
      } else {
        it->type = Merge(it->type, f.type);
      }
    }
  }
  return out;
}

std::vector<model::LogRecord> EventRecords(std::vector<FlatEvent> events, std::string_view stream,
                                           const std::vector<sql::ColumnSchema>& schema, int64_t arrival_ns) {
  std::vector<model::LogRecord> out;
  out.reserve(events.size());
  for (FlatEvent& e : events) {
    model::LogRecord r;
    r.time_ns = e.time_ns.value_or(arrival_ns);
    r.observed_time_ns = arrival_ns;
    r.body.type = model::AttrValue::Type::kString;
    r.body.s = std::move(e.json);
    r.attributes.reserve(e.fields.size() + 1);
    for (const EventField& f : e.fields) {
      auto it = std::find_if(schema.begin(), schema.end(), [&](const sql::ColumnSchema& c) { return c.name == f.name; });
      sql::Type t = it != schema.end() ? it->type : f.type;
      r.attributes.push_back({f.name, Convert(f, t)});
    }
    model::AttrValue tag;
    tag.type = model::AttrValue::Type::kString;
    tag.s = std::string(stream);
    r.attributes.push_back({"p_stream", std::move(tag)});
    out.push_back(std::move(r));
  }
  return out;
}

Status IngestEvents(const IngestOptions& o, std::string_view stream, std::string_view log_source,
                    std::string_view body) {
  if (o.logs == nullptr) return Status(Code::kUnavailable, "the log store is not enabled in this process");
  int64_t arrival = o.now_ns ? o.now_ns() : WallNs();
  auto events = FlattenEvents(body);
  if (!events.ok()) return InvalidArgument("request body: " + events.status().message());
  INFERMETRY_RETURN_IF_ERROR(o.streams->Ensure(stream, sql::StreamKind::kEvents, log_source));
  INFERMETRY_ASSIGN_OR_RETURN(auto schema, o.streams->MergeEventFields(stream, BatchSchema(*events)));
  if (events->empty()) return Status::Ok();
  Status st = o.logs->AppendLogs(EventRecords(std::move(*events), stream, schema, arrival));
  if (!st.ok()) return Status(Code::kUnavailable, "the log store did not take the batch: " + st.message());
  return Status::Ok();
}

void ServeIngest(const IngestOptions& o, const http::Request& req, http::Response* resp) {
  std::string_view stream = req.Header("X-P-Stream");
  while (!stream.empty() && stream.front() == ' ') stream.remove_prefix(1);
  while (!stream.empty() && stream.back() == ' ') stream.remove_suffix(1);
  if (stream.empty()) {
    resp->SetText(400, "X-P-Stream header missing: name the stream to ingest into\n");
    return;
  }
  Status st = IngestEvents(o, stream, req.Header("X-P-Log-Source"), req.body);
  if (st.ok()) {
    resp->SetText(200, "");
    return;
  }
  const int code = st.code() == Code::kInvalidArgument ? 400 : st.code() == Code::kUnavailable ? 503 : 500;
  resp->SetText(code, st.message() + "\n");
}

void ServeStreamList(const IngestOptions& o, const http::Request&, http::Response* resp) {
  std::string body = "[";
  bool first = true;
  for (const sql::StreamInfo& s : o.streams->List()) {
    body += first ? "{\"name\":" : ",{\"name\":";
    first = false;
    AppendJsonString(&body, s.name);
    body += "}";
  }
  body += "]";
  ReplyJson(resp, 200, std::move(body));
}

void ServeStream(const IngestOptions& o, const http::Request& req, http::Response* resp) {
  std::string_view rest = std::string_view(req.path).substr(kLogstreamPrefix.size());
  bool schema = false;
  if (rest.ends_with("/schema")) {
    rest.remove_suffix(7);
    schema = true;
  }
  std::string name = http::UrlDecode(rest, false);
  if (req.method == "PUT" && !schema) {
    Status st = o.streams->Ensure(name, sql::StreamKind::kEvents, req.Header("X-P-Log-Source"));
    if (!st.ok()) {
      resp->SetText(st.code() == Code::kInvalidArgument ? 400 : 500, st.message() + "\n");
      return;
    }
    resp->SetText(200, "log stream created\n");
    return;
  }
  if (req.method != "GET" || !schema || name.empty()) {
    resp->SetText(404, "want PUT /api/v1/logstream/<name> or GET /api/v1/logstream/<name>/schema\n");
    return;
  }
  std::optional<sql::StreamInfo> info = o.streams->Find(name);
  if (!info) {
    resp->SetText(404, "stream \"" + name + "\" not found\n");
    return;
  }
  auto cols = StreamColumns(o, *info);
  if (!cols.ok()) {
    resp->SetText(500, cols.status().message() + "\n");
    return;
  }
  std::string body = "{\"name\":";
  AppendJsonString(&body, info->name);
  body += ",\"kind\":";
  AppendJsonString(&body, sql::StreamKindName(info->kind));
  body += ",\"fields\":[";
  for (size_t i = 0; i < cols->size(); ++i) {
    if (i > 0) body += ",";
    body += "{\"name\":";
    AppendJsonString(&body, (*cols)[i].name);
    body += ",\"data_type\":";
    AppendJsonString(&body, sql::TypeName((*cols)[i].type));
    body += "}";
  }
  body += "]}";
  ReplyJson(resp, 200, std::move(body));
}

}  // namespace infermetry::api
