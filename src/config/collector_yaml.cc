#include "config/collector_yaml.h"

#include <array>
#include <cctype>
#include <string_view>

namespace infermetry::config {
namespace {

std::string Position(const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().is_null()) return "?";
  return std::to_string(node.Mark().line + 1) + ":" + std::to_string(node.Mark().column + 1);
}

// The Collector's id syntax: a type of letters, digits and '_' starting with a letter, then
// optionally '/' and a non-empty name.
bool ValidId(std::string_view id) {
  size_t slash = id.find('/');
  std::string_view type = id.substr(0, slash);
  if (type.empty() || !std::isalpha(static_cast<unsigned char>(type[0]))) return false;
  for (char c : type) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  if (slash != std::string_view::npos) {
    std::string_view name = id.substr(slash + 1);
    if (name.empty()) return false;
    for (char c : name) {
      if (std::isspace(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

// `kind` is singular ("receiver"), `section` the top-level key ("receivers").
Status DecodeSections(const Document& doc, const YAML::Node& node, std::string_view section,
                      std::string_view kind, std::vector<ComponentSection>* out) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return doc.ErrorAt(node, std::string(section) + ": expected a mapping");
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      return doc.ErrorAt(it->first,
                         std::string(section) + ": expected a " + std::string(kind) + " id");
    }
    std::string id = it->first.Scalar();
    if (!ValidId(id)) {
      return doc.ErrorAt(it->first, std::string(section) + ": invalid " + std::string(kind) +
                                        " id \"" + id + "\" (expected \"type\" or \"type/name\")");
    }
    if (const ComponentSection* prev = FindComponent(*out, id)) {
      return doc.ErrorAt(it->first, std::string(section) + ": duplicate " + std::string(kind) +
                                        " id \"" + id + "\" (first defined at " +
                                        Position(prev->key) + ")");
    }
    out->push_back(ComponentSection{id, it->first, it->second});
  }
  return Status::Ok();
}

// Reads a list of ids, checking each is defined in `defined` and listed once.
Status DecodeRefs(const Document& doc, const YAML::Node& node, const std::string& where,
                  std::string_view kind, std::string_view section,
                  const std::vector<ComponentSection>& defined, std::vector<ComponentRef>* out) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsSequence()) return doc.ErrorAt(node, where + ": expected a list");
  for (size_t i = 0; i < node.size(); ++i) {
    std::string w = where + "[" + std::to_string(i) + "]";
    INFERMETRY_ASSIGN_OR_RETURN(std::string id, ScalarOf(doc, node[i], w));
    if (FindComponent(defined, id) == nullptr) {
      return doc.ErrorAt(node[i], w + ": " + std::string(kind) + " \"" + id +
                                      "\" is not defined in " + std::string(section));
    }
    for (const ComponentRef& r : *out) {
      if (r.id == id) {
        return doc.ErrorAt(
            node[i], w + ": " + std::string(kind) + " \"" + id + "\" is listed more than once");
      }
    }
    out->push_back(ComponentRef{id, node[i]});
  }
  return Status::Ok();
}

// `service` positions the error when `node` (service.pipelines) is absent.
Status DecodePipelines(const Document& doc, const YAML::Node& node, const YAML::Node& service,
                       CollectorConfig* cfg) {
  const std::string where = "service.pipelines";
  if (!node.IsDefined() || node.IsNull() || (node.IsMap() && node.size() == 0)) {
    return doc.ErrorAt(node.IsDefined() ? node : service,
                       "service.pipelines: at least one pipeline is required");
  }
  if (!node.IsMap()) return doc.ErrorAt(node, where + ": expected a mapping");
  for (auto it = node.begin(); it != node.end(); ++it) {
    PipelineSection p{it->first.Scalar(), "", it->first, {}, {}, {}};
    std::string w = where + "." + p.name;
    size_t slash = p.name.find('/');
    p.signal = p.name.substr(0, slash);
    if (p.signal != "traces" && p.signal != "metrics" && p.signal != "logs") {
      return doc.ErrorAt(it->first, where + ": unknown pipeline type \"" + p.signal + "\" in \"" +
                                        p.name + "\" (expected traces, metrics or logs)");
    }
    if (slash != std::string::npos && slash + 1 == p.name.size()) {
      return doc.ErrorAt(it->first, where + ": empty name after \"/\" in \"" + p.name + "\"");
    }
    for (const PipelineSection& prev : cfg->pipelines) {
      if (prev.name == p.name) {
        return doc.ErrorAt(it->first, where + ": duplicate pipeline \"" + p.name +
                                          "\" (first defined at " + Position(prev.key) + ")");
      }
    }
    MapReader r(doc, it->second, w);
    INFERMETRY_RETURN_IF_ERROR(r.status());
    INFERMETRY_RETURN_IF_ERROR(DecodeRefs(doc, r.Child("receivers"), w + ".receivers", "receiver",
                                          "receivers", cfg->receivers, &p.receivers));
    INFERMETRY_RETURN_IF_ERROR(DecodeRefs(doc, r.Child("processors"), w + ".processors",
                                          "processor", "processors", cfg->processors,
                                          &p.processors));
    INFERMETRY_RETURN_IF_ERROR(DecodeRefs(doc, r.Child("exporters"), w + ".exporters", "exporter",
                                          "exporters", cfg->exporters, &p.exporters));
    INFERMETRY_RETURN_IF_ERROR(r.Finish());
    if (p.receivers.empty()) {
      return doc.ErrorAt(it->first, w + ": a pipeline needs at least one receiver");
    }
    if (p.exporters.empty()) {
      return doc.ErrorAt(it->first, w + ": a pipeline needs at least one exporter");
    }
    cfg->pipelines.push_back(std::move(p));
  }
  return Status::Ok();
}

// Reads the mapping `key` of `r`, accepting (and ignoring) the `ignored` keys besides those the
// caller reads through `fn`.
template <typename Fn>
Status DecodeTelemetryPart(MapReader* r, std::string_view key,
                           std::initializer_list<std::string_view> ignored, Fn fn) {
  YAML::Node n = r->Child(key);
  if (!n.IsDefined() || n.IsNull()) return Status::Ok();
  MapReader sub(r->doc(), n, r->where() + "." + std::string(key));
  INFERMETRY_RETURN_IF_ERROR(sub.status());
  for (std::string_view k : ignored) sub.Child(k);
  INFERMETRY_RETURN_IF_ERROR(fn(&sub));
  return sub.Finish();
}

Status DecodeTelemetry(const Document& doc, const YAML::Node& node, TelemetrySection* out) {
  MapReader r(doc, node, "service.telemetry");
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(DecodeTelemetryPart(
      &r, "logs",
      {"development", "disable_caller", "disable_stacktrace", "sampling", "output_paths",
       "error_output_paths", "initial_fields", "processors"},
      [&](MapReader* logs) -> Status {
        std::string level, encoding;
        INFERMETRY_RETURN_IF_ERROR(logs->String("level", &level));
        INFERMETRY_RETURN_IF_ERROR(logs->String("encoding", &encoding));
        for (char& c : level) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (level == "dpanic" || level == "panic" || level == "fatal") level = "error";
        if (!level.empty() && level != "debug" && level != "info" && level != "warn" &&
            level != "error") {
          return doc.ErrorAt(logs->Child("level"),
                             "service.telemetry.logs.level: unknown level \"" + level +
                                 "\" (expected debug, info, warn or error)");
        }
        if (!encoding.empty() && encoding != "console" && encoding != "json") {
          return doc.ErrorAt(logs->Child("encoding"),
                             "service.telemetry.logs.encoding: unknown encoding \"" + encoding +
                                 "\" (expected console or json)");
        }
        out->log_level = level;
        out->log_json = encoding == "json";
        return Status::Ok();
      }));
  auto ignore_all = [](MapReader*) { return Status::Ok(); };
  INFERMETRY_RETURN_IF_ERROR(DecodeTelemetryPart(
      &r, "metrics", {"level", "readers", "views"},
      [&](MapReader* m) { return m->String("address", &out->metrics_address); }));
  INFERMETRY_RETURN_IF_ERROR(
      DecodeTelemetryPart(&r, "traces", {"level", "propagators", "processors"}, ignore_all));
  r.Child("resource");
  return r.Finish();
}

}  // namespace

const ComponentSection* FindComponent(const std::vector<ComponentSection>& sections,
                                      std::string_view id) {
  for (const ComponentSection& s : sections) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

Result<CollectorConfig> DecodeCollectorConfig(const Document& doc) {
  CollectorConfig cfg;
  MapReader top(doc, doc.root(), "config");
  INFERMETRY_RETURN_IF_ERROR(top.status());
  if (YAML::Node c = top.Child("connectors"); c.IsDefined() && !c.IsNull()) {
    return doc.ErrorAt(c,
                       "connectors: not supported (connect pipelines through a shared "
                       "receiver or exporter instead)");
  }
  INFERMETRY_RETURN_IF_ERROR(
      DecodeSections(doc, top.Child("receivers"), "receivers", "receiver", &cfg.receivers));
  INFERMETRY_RETURN_IF_ERROR(
      DecodeSections(doc, top.Child("processors"), "processors", "processor", &cfg.processors));
  INFERMETRY_RETURN_IF_ERROR(
      DecodeSections(doc, top.Child("exporters"), "exporters", "exporter", &cfg.exporters));
  INFERMETRY_RETURN_IF_ERROR(
      DecodeSections(doc, top.Child("extensions"), "extensions", "extension", &cfg.extensions));
  YAML::Node service = top.Child("service");
  if (YAML::Node st = top.Child("storage"); st.IsDefined() && !st.IsNull()) cfg.storage.emplace(st);
  if (YAML::Node a = top.Child("auth"); a.IsDefined() && !a.IsNull()) cfg.auth.emplace(a);
  if (YAML::Node q = top.Child("query"); q.IsDefined() && !q.IsNull()) cfg.query.emplace(q);
  if (YAML::Node al = top.Child("alerting"); al.IsDefined() && !al.IsNull()) cfg.alerting.emplace(al);
  if (YAML::Node ui = top.Child("ui"); ui.IsDefined() && !ui.IsNull()) cfg.ui.emplace(ui);
  INFERMETRY_RETURN_IF_ERROR(top.Finish());
  if (!service.IsDefined() || service.IsNull()) {
    return doc.ErrorAt(doc.root(), "service: missing (it lists the pipelines)");
  }
  MapReader sr(doc, service, "service");
  INFERMETRY_RETURN_IF_ERROR(sr.status());
  INFERMETRY_RETURN_IF_ERROR(DecodeRefs(doc, sr.Child("extensions"), "service.extensions",
                                        "extension", "extensions", cfg.extensions,
                                        &cfg.service_extensions));
  INFERMETRY_RETURN_IF_ERROR(DecodePipelines(doc, sr.Child("pipelines"), service, &cfg));
  if (YAML::Node t = sr.Child("telemetry"); t.IsDefined() && !t.IsNull()) {
    INFERMETRY_RETURN_IF_ERROR(DecodeTelemetry(doc, t, &cfg.telemetry));
  }
  INFERMETRY_RETURN_IF_ERROR(sr.Finish());
  return cfg;
}

}  // namespace infermetry::config
