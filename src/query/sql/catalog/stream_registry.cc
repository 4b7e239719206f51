#include "query/sql/catalog/stream_registry.h"

#include <simdjson.h>

#include <algorithm>

#include "common/env.h"
#include "common/strconv.h"

namespace infermetry::sql {

namespace {

constexpr std::string_view kDefaultStreams[] = {"metrics", "traces", "logs"};
constexpr StreamKind kDefaultKinds[] = {StreamKind::kMetrics, StreamKind::kTraces,
                                        StreamKind::kLogs};

bool ParseKind(std::string_view s, StreamKind* out) {
  for (StreamKind k :
       {StreamKind::kMetrics, StreamKind::kTraces, StreamKind::kLogs, StreamKind::kEvents}) {
    if (StreamKindName(k) == s) {
      *out = k;
      return true;
    }
  }
  return false;
}

bool ParseType(std::string_view s, Type* out) {
  for (Type t : {Type::kBool, Type::kInt64, Type::kFloat64, Type::kText, Type::kTimestamp,
                 Type::kInterval}) {
    if (TypeName(t) == s) {
      *out = t;
      return true;
    }
  }
  return false;
}

Status ValidName(std::string_view name) {
  if (name.empty() || name.size() > 255) {
    return Status(Code::kInvalidArgument,
                  "stream name \"" + std::string(name) + "\": must be 1 to 255 characters");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) {
      return Status(Code::kInvalidArgument,
                    "stream name \"" + std::string(name) +
                        "\": only letters, digits, '_' and '-' are allowed");
    }
  }
  if (name.size() >= 2 && name[0] == 'p' && name[1] == '_') {
    return Status(Code::kInvalidArgument, "stream name \"" + std::string(name) +
                                              "\": names starting with \"p_\" are reserved");
  }
  return Status::Ok();
}

// The type a field keeps when it was `had` and a batch brings `got` (docs/sql.md, events).
bool SameFields(const std::vector<ColumnSchema>& a, const std::vector<ColumnSchema>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const ColumnSchema& x, const ColumnSchema& y) {
                      return x.name == y.name && x.type == y.type;
                    });
}

Type Evolve(Type had, Type got) {
  if (had == got) return had;
  if ((had == Type::kInt64 && got == Type::kFloat64) ||
      (had == Type::kFloat64 && got == Type::kInt64)) {
    return Type::kFloat64;
  }
  return Type::kText;
}

std::string Serialize(const std::map<std::string, StreamInfo>& streams) {
  std::string out = "{\"version\":1,\"streams\":[";
  bool first = true;
  for (const auto& [name, s] : streams) {
    if (!first) out += ',';
    first = false;
    out += "\n{\"name\":";
    AppendJsonString(&out, s.name);
    out += ",\"kind\":";
    AppendJsonString(&out, StreamKindName(s.kind));
    out += ",\"log_source\":";
    AppendJsonString(&out, s.log_source);
    out += ",\"fields\":[";
    for (size_t i = 0; i < s.fields.size(); ++i) {
      if (i) out += ',';
      out += "{\"name\":";
      AppendJsonString(&out, s.fields[i].name);
      out += ",\"type\":";
      AppendJsonString(&out, TypeName(s.fields[i].type));
      out += '}';
    }
    out += "]}";
  }
  out += "\n]}\n";
  return out;
}

Status Bad(const std::string& path, const std::string& why) {
  return Status(Code::kCorruption, "stream registry " + path + ": " + why);
}

Status Parse(const std::string& path, const std::string& text,
             std::map<std::string, StreamInfo>* out) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root); err) {
    return Bad(path, std::string("not valid JSON (") + simdjson::error_message(err) + ")");
  }
  simdjson::dom::array streams;
  if (root["streams"].get_array().get(streams)) return Bad(path, "no \"streams\" array");
  size_t index = 0;
  for (simdjson::dom::element e : streams) {
    const std::string where = "stream #" + std::to_string(index++);
    std::string_view name, kind, log_source;
    if (e["name"].get_string().get(name)) return Bad(path, where + ": no \"name\" string");
    if (e["kind"].get_string().get(kind)) return Bad(path, where + ": no \"kind\" string");
    StreamInfo info;
    info.name = std::string(name);
    if (!ParseKind(kind, &info.kind)) {
      return Bad(path, where + " (" + info.name + "): unknown kind \"" + std::string(kind) + "\"");
    }
    if (!e["log_source"].get_string().get(log_source)) info.log_source = std::string(log_source);
    simdjson::dom::array fields;
    if (!e["fields"].get_array().get(fields)) {
      for (simdjson::dom::element f : fields) {
        std::string_view fname, ftype;
        if (f["name"].get_string().get(fname) || f["type"].get_string().get(ftype)) {
          return Bad(path, where + " (" + info.name + "): a field lacks \"name\" or \"type\"");
        }
        ColumnSchema c{std::string(fname), Type::kNull};
        if (!ParseType(ftype, &c.type)) {
          return Bad(path, where + " (" + info.name + "): field \"" + c.name +
                               "\" has unknown type \"" + std::string(ftype) + "\"");
        }
        info.fields.push_back(std::move(c));
      }
    }
    if (Status st = ValidName(info.name); !st.ok()) return Bad(path, st.message());
    (*out)[info.name] = std::move(info);
  }
  return Status::Ok();
}

}  // namespace

std::string_view StreamKindName(StreamKind k) {
  switch (k) {
    case StreamKind::kMetrics:
      return "metrics";
    case StreamKind::kTraces:
      return "traces";
    case StreamKind::kLogs:
      return "logs";
    case StreamKind::kEvents:
      return "events";
  }
  return "metrics";
}

Result<std::unique_ptr<StreamRegistry>> StreamRegistry::Open(std::string path) {
  std::unique_ptr<StreamRegistry> r(new StreamRegistry(path));
  if (!path.empty()) {
    auto text = ReadFile(DefaultEnv(), path);
    if (text.ok()) {
      INFERMETRY_RETURN_IF_ERROR(Parse(path, *text, &r->streams_));
    } else if (text.status().code() != Code::kNotFound) {
      return Status(text.status().code(),
                    "stream registry " + path + ": " + text.status().message());
    }
  }
  for (size_t i = 0; i < std::size(kDefaultStreams); ++i) {
    std::string name(kDefaultStreams[i]);
    auto it = r->streams_.find(name);
    if (it == r->streams_.end()) {
      r->streams_[name] = StreamInfo{name, kDefaultKinds[i], {}, ""};
    } else if (it->second.kind != kDefaultKinds[i]) {
      return Bad(path, "default stream \"" + name + "\" must be of kind " +
                           std::string(StreamKindName(kDefaultKinds[i])));
    }
  }
  return r;
}

Status StreamRegistry::Ensure(std::string_view name, StreamKind kind, std::string_view log_source) {
  INFERMETRY_RETURN_IF_ERROR(ValidName(name));
  std::lock_guard l(mu_);
  auto it = streams_.find(std::string(name));
  if (it != streams_.end()) {
    if (it->second.kind != kind) {
      return Status(Code::kInvalidArgument, "stream \"" + std::string(name) + "\" exists as a " +
                                                std::string(StreamKindName(it->second.kind)) +
                                                " stream, not " +
                                                std::string(StreamKindName(kind)));
    }
    return Status::Ok();
  }
  StreamInfo info{std::string(name), kind, {}, std::string(log_source)};
  if (kind == StreamKind::kEvents) info.fields.push_back({"p_timestamp", Type::kTimestamp});
  streams_[info.name] = info;
  Status st = PersistLocked();
  if (!st.ok()) streams_.erase(info.name);
  return st;
}

Result<std::vector<ColumnSchema>> StreamRegistry::MergeEventFields(
    std::string_view name, const std::vector<ColumnSchema>& fields) {
  INFERMETRY_RETURN_IF_ERROR(Ensure(name, StreamKind::kEvents));
  std::lock_guard l(mu_);
  StreamInfo& s = streams_[std::string(name)];
  const std::vector<ColumnSchema> before = s.fields;
  if (s.fields.empty() || s.fields[0].name != "p_timestamp") {
    s.fields.insert(s.fields.begin(), {"p_timestamp", Type::kTimestamp});
  }
  bool changed = !SameFields(s.fields, before);
  for (const ColumnSchema& f : fields) {
    // A null value says nothing about a field's type; p_timestamp is the record's time.
    if (f.type == Type::kNull || f.name == "p_timestamp") continue;
    auto it = std::find_if(s.fields.begin(), s.fields.end(),
                           [&](const ColumnSchema& c) { return c.name == f.name; });
    if (it == s.fields.end()) {
      s.fields.push_back(f);
      changed = true;
    } else if (Type t = Evolve(it->type, f.type); t != it->type) {
      it->type = t;
      changed = true;
    }
  }
  if (changed) {
    Status st = PersistLocked();
    if (!st.ok()) {
      s.fields = before;
      return st;
    }
  }
  return s.fields;
}

std::optional<StreamInfo> StreamRegistry::Find(std::string_view name) const {
  std::lock_guard l(mu_);
  auto it = streams_.find(std::string(name));
  if (it != streams_.end()) return it->second;
  for (const auto& [n, s] : streams_) {
    if (EqualsIgnoreCase(n, name)) return s;
  }
  return std::nullopt;
}

std::vector<StreamInfo> StreamRegistry::List() const {
  std::lock_guard l(mu_);
  std::vector<StreamInfo> out;
  for (const auto& [n, s] : streams_) out.push_back(s);
  return out;
}

Status StreamRegistry::PersistLocked() const {
  if (path_.empty()) return Status::Ok();
  Status st = WriteFileAtomic(DefaultEnv(), path_, Serialize(streams_));
  if (!st.ok()) {
    return Status(st.code(), "stream registry " + path_ + ": " + st.message());
  }
  return Status::Ok();
}

}  // namespace infermetry::sql
