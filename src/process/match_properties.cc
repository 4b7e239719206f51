#include "process/match_properties.h"

#include <re2/re2.h>

#include "common/strconv.h"
#include "process/attr_action.h"

namespace infermetry::process {
namespace {

namespace common = opentelemetry::proto::common::v1;
using Attrs = google::protobuf::RepeatedPtrField<common::KeyValue>;

// A string test: equality or an unanchored regexp.
struct StringMatcher {
  std::string text;
  std::unique_ptr<RE2> re;

  bool Matches(std::string_view s) const { return re ? RE2::PartialMatch(s, *re) : s == text; }
};

struct AttrMatcher {
  std::string key;
  bool has_value = false;
  AnyValue value;         // strict
  StringMatcher pattern;  // regexp
};

struct Library {
  StringMatcher name;
  bool has_version = false;
  StringMatcher version;
};

const common::AnyValue* Find(const Attrs& attrs, std::string_view key) {
  for (const auto& kv : attrs) {
    if (kv.key() == key) return &kv.value();
  }
  return nullptr;
}

bool AnyOf(const std::vector<StringMatcher>& list, std::string_view s) {
  for (const auto& m : list) {
    if (m.Matches(s)) return true;
  }
  return false;
}

// The attribute's text for regexp matching; false for types that never match.
bool TextOf(const common::AnyValue& v, std::string* out) {
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      *out = v.string_value();
      return true;
    case common::AnyValue::kIntValue:
      *out = std::to_string(v.int_value());
      return true;
    case common::AnyValue::kDoubleValue:
      *out = FormatGoFloat(v.double_value());
      return true;
    case common::AnyValue::kBoolValue:
      *out = v.bool_value() ? "true" : "false";
      return true;
    default:
      return false;
  }
}

bool AllAttrs(const std::vector<AttrMatcher>& list, const Attrs* attrs, bool regexp) {
  for (const AttrMatcher& m : list) {
    const common::AnyValue* v = attrs ? Find(*attrs, m.key) : nullptr;
    if (v == nullptr) return false;
    if (!m.has_value) continue;
    if (regexp) {
      std::string text;
      if (!TextOf(*v, &text) || !m.pattern.Matches(text)) return false;
    } else if (v->SerializeAsString() != m.value.SerializeAsString()) {
      return false;
    }
  }
  return true;
}

const char* const kSpanKinds[] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL",
                                  "SPAN_KIND_SERVER",      "SPAN_KIND_CLIENT",
                                  "SPAN_KIND_PRODUCER",    "SPAN_KIND_CONSUMER"};

}  // namespace

struct MatchProperties::Impl {
  bool regexp = false;
  std::vector<StringMatcher> services, span_names, metric_names, log_bodies, severity_texts;
  std::vector<int> span_kinds;
  std::vector<AttrMatcher> attributes, resources;
  std::vector<Library> libraries;
};

MatchProperties::MatchProperties() : impl_(std::make_unique<Impl>()) {}
MatchProperties::~MatchProperties() = default;

bool MatchProperties::Matches(const Item& item) const {
  const Impl& m = *impl_;
  if (!m.services.empty()) {
    const common::AnyValue* name =
        item.resource ? Find(item.resource->attributes(), "service.name") : nullptr;
    if (name == nullptr || name->value_case() != common::AnyValue::kStringValue ||
        !AnyOf(m.services, name->string_value())) {
      return false;
    }
  }
  if (!m.span_names.empty() && !(item.span && AnyOf(m.span_names, item.span->name()))) return false;
  if (!m.span_kinds.empty()) {
    if (!item.span) return false;
    bool found = false;
    for (int k : m.span_kinds) found = found || item.span->kind() == k;
    if (!found) return false;
  }
  if (!m.metric_names.empty() && !(item.metric && AnyOf(m.metric_names, item.metric->name()))) {
    return false;
  }
  if (!m.log_bodies.empty()) {
    if (!item.log_record ||
        item.log_record->body().value_case() != common::AnyValue::kStringValue ||
        !AnyOf(m.log_bodies, item.log_record->body().string_value())) {
      return false;
    }
  }
  if (!m.severity_texts.empty() &&
      !(item.log_record && AnyOf(m.severity_texts, item.log_record->severity_text()))) {
    return false;
  }
  if (!m.libraries.empty()) {
    bool found = false;
    for (const Library& lib : m.libraries) {
      if (item.scope && lib.name.Matches(item.scope->name()) &&
          (!lib.has_version || lib.version.Matches(item.scope->version()))) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  if (!AllAttrs(m.attributes, item.attributes, m.regexp)) return false;
  return AllAttrs(m.resources, item.resource ? &item.resource->attributes() : nullptr, m.regexp);
}

namespace {

Status Compile(const config::Document& doc, const YAML::Node& at, const std::string& where,
               const std::string& text, bool regexp, StringMatcher* out) {
  out->text = text;
  if (!regexp) return Status::Ok();
  out->re = std::make_unique<RE2>(text, RE2::Quiet);
  if (!out->re->ok())
    return doc.ErrorAt(at, where + ": invalid regular expression: " + out->re->error());
  return Status::Ok();
}

Status DecodeNames(const config::Document& doc, config::MapReader* r, std::string_view key,
                   bool regexp, std::vector<StringMatcher>* out) {
  std::vector<std::string> names;
  INFERMETRY_RETURN_IF_ERROR(r->StringList(key, &names));
  YAML::Node list = r->Child(key);
  for (size_t i = 0; i < names.size(); ++i) {
    StringMatcher m;
    INFERMETRY_RETURN_IF_ERROR(
        Compile(doc, list[i], r->where() + "." + std::string(key) + "[" + std::to_string(i) + "]",
                names[i], regexp, &m));
    out->push_back(std::move(m));
  }
  return Status::Ok();
}

Status DecodeAttrs(const config::Document& doc, config::MapReader* r, std::string_view key,
                   bool regexp, std::vector<AttrMatcher>* out) {
  YAML::Node list = r->Child(key);
  if (!list.IsDefined() || list.IsNull()) return Status::Ok();
  const std::string where = r->where() + "." + std::string(key);
  if (!list.IsSequence()) return doc.ErrorAt(list, where + ": expected a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string w = where + "[" + std::to_string(i) + "]";
    config::MapReader e(doc, list[i], w);
    INFERMETRY_RETURN_IF_ERROR(e.status());
    AttrMatcher m;
    INFERMETRY_RETURN_IF_ERROR(e.String("key", &m.key));
    YAML::Node value = e.Child("value");
    INFERMETRY_RETURN_IF_ERROR(e.Finish());
    if (m.key.empty()) return doc.ErrorAt(list[i], w + ": missing key");
    if (value.IsDefined() && !value.IsNull()) {
      m.has_value = true;
      if (regexp) {
        INFERMETRY_ASSIGN_OR_RETURN(std::string text, config::ScalarOf(doc, value, w + ".value"));
        INFERMETRY_RETURN_IF_ERROR(Compile(doc, value, w + ".value", text, true, &m.pattern));
      } else {
        INFERMETRY_ASSIGN_OR_RETURN(m.value, AnyValueFromYaml(doc, value, w + ".value"));
      }
    }
    out->push_back(std::move(m));
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const MatchProperties>> MatchProperties::Decode(const config::Document& doc,
                                                                       const YAML::Node& node,
                                                                       const std::string& where,
                                                                       Signal signal) {
  std::shared_ptr<MatchProperties> mp(new MatchProperties());
  Impl& m = *mp->impl_;
  config::MapReader r(doc, node, where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  std::string match_type;
  INFERMETRY_RETURN_IF_ERROR(r.String("match_type", &match_type));
  if (match_type == "regexp") {
    m.regexp = true;
  } else if (match_type != "strict") {
    return doc.ErrorAt(r.Has("match_type") ? r.Child("match_type") : node,
                       where + ".match_type: expected strict or regexp");
  }
  if (r.Has("log_severity_number")) {
    return doc.ErrorAt(r.Child("log_severity_number"),
                       where + ".log_severity_number: not supported");
  }
  // Properties that only apply to one signal.
  const std::pair<std::string_view, Signal> kOnly[] = {{"span_names", Signal::kTraces},
                                                       {"span_kinds", Signal::kTraces},
                                                       {"metric_names", Signal::kMetrics},
                                                       {"log_bodies", Signal::kLogs},
                                                       {"log_severity_texts", Signal::kLogs}};
  for (const auto& [key, sig] : kOnly) {
    if (r.Has(key) && sig != signal) {
      return doc.ErrorAt(r.Child(key), where + "." + std::string(key) + ": not allowed in a " +
                                           std::string(SignalName(signal)) + " pipeline");
    }
  }
  INFERMETRY_RETURN_IF_ERROR(DecodeNames(doc, &r, "services", m.regexp, &m.services));
  INFERMETRY_RETURN_IF_ERROR(DecodeNames(doc, &r, "span_names", m.regexp, &m.span_names));
  INFERMETRY_RETURN_IF_ERROR(DecodeNames(doc, &r, "metric_names", m.regexp, &m.metric_names));
  INFERMETRY_RETURN_IF_ERROR(DecodeNames(doc, &r, "log_bodies", m.regexp, &m.log_bodies));
  INFERMETRY_RETURN_IF_ERROR(
      DecodeNames(doc, &r, "log_severity_texts", m.regexp, &m.severity_texts));
  std::vector<std::string> kinds;
  INFERMETRY_RETURN_IF_ERROR(r.StringList("span_kinds", &kinds));
  for (size_t i = 0; i < kinds.size(); ++i) {
    int found = -1;
    for (int k = 0; k < static_cast<int>(std::size(kSpanKinds)); ++k) {
      if (kinds[i] == kSpanKinds[k]) found = k;
    }
    if (found < 0) {
      return doc.ErrorAt(r.Child("span_kinds")[i], where + ".span_kinds[" + std::to_string(i) +
                                                       "]: unknown span kind \"" + kinds[i] + "\"");
    }
    m.span_kinds.push_back(found);
  }
  INFERMETRY_RETURN_IF_ERROR(DecodeAttrs(doc, &r, "attributes", m.regexp, &m.attributes));
  INFERMETRY_RETURN_IF_ERROR(DecodeAttrs(doc, &r, "resources", m.regexp, &m.resources));
  if (YAML::Node libs = r.Child("libraries"); libs.IsDefined() && !libs.IsNull()) {
    if (!libs.IsSequence()) return doc.ErrorAt(libs, where + ".libraries: expected a list");
    for (size_t i = 0; i < libs.size(); ++i) {
      const std::string w = where + ".libraries[" + std::to_string(i) + "]";
      config::MapReader lr(doc, libs[i], w);
      INFERMETRY_RETURN_IF_ERROR(lr.status());
      std::string name, version;
      INFERMETRY_RETURN_IF_ERROR(lr.String("name", &name));
      INFERMETRY_RETURN_IF_ERROR(lr.String("version", &version));
      INFERMETRY_RETURN_IF_ERROR(lr.Finish());
      Library lib;
      INFERMETRY_RETURN_IF_ERROR(Compile(doc, libs[i], w + ".name", name, m.regexp, &lib.name));
      if (lr.Has("version")) {
        lib.has_version = true;
        INFERMETRY_RETURN_IF_ERROR(
            Compile(doc, libs[i], w + ".version", version, m.regexp, &lib.version));
      }
      m.libraries.push_back(std::move(lib));
    }
  }
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  if (m.services.empty() && m.span_names.empty() && m.span_kinds.empty() &&
      m.metric_names.empty() && m.log_bodies.empty() && m.severity_texts.empty() &&
      m.attributes.empty() && m.resources.empty() && m.libraries.empty()) {
    return doc.ErrorAt(node, where + ": at least one property to match is required");
  }
  return std::shared_ptr<const MatchProperties>(std::move(mp));
}

}  // namespace infermetry::process
