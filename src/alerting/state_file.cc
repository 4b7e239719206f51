#include "alerting/state_file.h"

#include <simdjson.h>

#include <cmath>

#include "alerting/notifier_json.h"
#include "common/strconv.h"

namespace infermetry::alerting {
namespace {

void AppendInt(std::string* out, const char* key, int64_t v) {
  out->append(",\"").append(key).append("\":").append(std::to_string(v));
}

// JSON has no NaN or Inf: those are written as strings.
void AppendJsonNumber(std::string* out, double v) {
  if (std::isfinite(v)) {
    *out += FormatGoFloat(v);
  } else {
    AppendJsonString(out, FormatGoFloat(v));
  }
}

Status Bad(const std::string& path, const std::string& why) {
  return Status(Code::kCorruption, path + ": not an alert state file: " + why);
}

Result<model::Labels> DecodeLabels(simdjson::dom::element e, const std::string& path) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj)) return Bad(path, "labels are not an object");
  std::vector<model::Label> ls;
  for (auto field : obj) {
    std::string_view v;
    if (field.value.get_string().get(v)) return Bad(path, "a label value is not a string");
    ls.push_back({std::string(field.key), std::string(v)});
  }
  return model::Labels::FromUnsorted(std::move(ls));
}

}  // namespace

std::string EncodeState(const std::vector<SavedRule>& rules) {
  std::string out = "{\"version\":1,\"rules\":[";
  for (size_t i = 0; i < rules.size(); ++i) {
    const SavedRule& r = rules[i];
    if (i > 0) out += ",\n";
    out += "{\"group\":";
    AppendJsonString(&out, r.group);
    out += ",\"alert\":";
    AppendJsonString(&out, r.alert);
    out += ",\"alerts\":[";
    for (size_t j = 0; j < r.alerts.size(); ++j) {
      const Alert& a = r.alerts[j];
      if (j > 0) out += ',';
      out += "{\"labels\":";
      model::AppendLabelsJson(&out, a.labels);
      out += ",\"annotations\":";
      model::AppendLabelsJson(&out, a.annotations);
      out += ",\"state\":\"";
      out += AlertStateName(a.state);
      out += "\",\"value\":";
      AppendJsonNumber(&out, a.value);
      AppendInt(&out, "active_at", a.active_at_ms);
      AppendInt(&out, "fired_at", a.fired_at_ms);
      AppendInt(&out, "resolved_at", a.resolved_at_ms);
      AppendInt(&out, "last_sent", a.last_sent_ms);
      AppendInt(&out, "valid_until", a.valid_until_ms);
      AppendInt(&out, "keep_firing_since", a.keep_firing_since_ms);
      out += '}';
    }
    out += "]}";
  }
  out += "]}\n";
  return out;
}

Result<std::vector<SavedRule>> DecodeState(std::string_view text, const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root); err) {
    return Bad(path, std::string("invalid JSON (") + simdjson::error_message(err) + ")");
  }
  int64_t version = 0;
  if (root["version"].get_int64().get(version) || version != 1) return Bad(path, "version is not 1");
  simdjson::dom::array rules;
  if (root["rules"].get_array().get(rules)) return Bad(path, "no \"rules\" array");
  std::vector<SavedRule> out;
  for (simdjson::dom::element r : rules) {
    SavedRule sr;
    std::string_view group, alert;
    if (r["group"].get_string().get(group) || r["alert"].get_string().get(alert)) {
      return Bad(path, "a rule lacks \"group\" or \"alert\"");
    }
    sr.group = std::string(group);
    sr.alert = std::string(alert);
    simdjson::dom::array alerts;
    if (r["alerts"].get_array().get(alerts)) return Bad(path, "rule " + sr.alert + ": no \"alerts\"");
    for (simdjson::dom::element e : alerts) {
      Alert a;
      simdjson::dom::element labels, annotations;
      if (e["labels"].get(labels) || e["annotations"].get(annotations)) {
        return Bad(path, "an alert lacks \"labels\" or \"annotations\"");
      }
      INFERMETRY_ASSIGN_OR_RETURN(a.labels, DecodeLabels(labels, path));
      INFERMETRY_ASSIGN_OR_RETURN(a.annotations, DecodeLabels(annotations, path));
      std::string_view state;
      if (e["state"].get_string().get(state)) return Bad(path, "an alert lacks \"state\"");
      if (state == "pending") {
        a.state = AlertState::kPending;
      } else if (state == "firing") {
        a.state = AlertState::kFiring;
      } else if (state == "inactive") {
        a.state = AlertState::kInactive;
      } else {
        return Bad(path, "unknown state \"" + std::string(state) + "\"");
      }
      double v = 0;
      std::string_view vs;
      if (!e["value"].get_double().get(v)) {
        a.value = v;
      } else if (!e["value"].get_string().get(vs) && ParseGoFloat(vs, &v)) {
        a.value = v;
      } else {
        return Bad(path, "an alert's \"value\" is not a number");
      }
      struct {
        const char* key;
        int64_t* dest;
      } times[] = {{"active_at", &a.active_at_ms},       {"fired_at", &a.fired_at_ms},
                   {"resolved_at", &a.resolved_at_ms},   {"last_sent", &a.last_sent_ms},
                   {"valid_until", &a.valid_until_ms},   {"keep_firing_since", &a.keep_firing_since_ms}};
      for (auto& t : times) {
        if (e[t.key].get_int64().get(*t.dest)) return Bad(path, std::string("an alert lacks \"") + t.key + "\"");
      }
      sr.alerts.push_back(std::move(a));
    }
    out.push_back(std::move(sr));
  }
  return out;
}

std::string TransitionEvent(const Transition& t, std::string_view group) {
  std::string out = "{\"p_timestamp\":\"" + FormatRfc3339Millis(t.t_ms) + "\",\"alertname\":";
  AppendJsonString(&out, t.labels.Get("alertname"));
  out += ",\"group\":";
  AppendJsonString(&out, group);
  out += ",\"state\":\"";
  out += AlertStateName(t.to);
  out += "\",\"previous_state\":\"";
  out += AlertStateName(t.from);
  out += "\",\"value\":";
  AppendJsonNumber(&out, t.value);
  model::LabelsBuilder b(t.labels);
  b.Del("alertname");
  out += ",\"labels\":";
  model::AppendLabelsJson(&out, b.Build());
  return out + "}";
}

Status SaveStateFile(Env* env, const std::string& path, const std::vector<SavedRule>& rules) {
  return WriteFileAtomic(env, path, EncodeState(rules));
}

Result<std::vector<SavedRule>> LoadStateFile(Env* env, const std::string& path) {
  auto text = ReadFile(env, path);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return std::vector<SavedRule>{};
    return text.status();
  }
  return DecodeState(*text, path);
}

}  // namespace infermetry::alerting
