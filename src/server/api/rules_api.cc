#include "server/api/rules_api.h"

#include <string>

#include "alerting/notifier_json.h"
#include "common/strconv.h"
#include "server/api/prom_json.h"

namespace infermetry::api {
namespace {

void AppendAlert(std::string* out, const alerting::Alert& a) {
  *out += "{\"labels\":";
  AppendPromLabels(out, a.labels);
  *out += ",\"annotations\":";
  AppendPromLabels(out, a.annotations);
  *out += ",\"state\":\"";
  *out += alerting::AlertStateName(a.state);
  *out += "\",\"activeAt\":\"";
  alerting::AppendRfc3339Millis(out, a.active_at_ms);
  *out += "\",\"value\":";
  AppendJsonString(out, FormatGoFloat(a.value));
  *out += '}';
}

void AppendSeconds(std::string* out, const char* key, double s) {
  *out += ",\"";
  *out += key;
  *out += "\":";
  *out += FormatGoFloat(s);
}

void AppendEvaluation(std::string* out, int64_t last_ms, double seconds) {
  *out += ",\"lastEvaluation\":\"";
  if (last_ms > 0) {
    alerting::AppendRfc3339Millis(out, last_ms);
  } else {
    *out += "0001-01-01T00:00:00Z";
  }
  *out += '"';
  AppendSeconds(out, "evaluationTime", seconds);
}

void AppendRule(std::string* out, const alerting::RuleStatus& r) {
  const alerting::RuleSpec& s = r.spec;
  *out += "{\"name\":";
  AppendJsonString(out, s.name());
  *out += ",\"query\":";
  AppendJsonString(out, s.expr);
  if (s.lang == alerting::QueryLanguage::kSql) *out += ",\"queryLanguage\":\"sql\"";
  model::Labels labels = model::Labels::FromUnsorted(s.labels);
  *out += ",\"labels\":";
  AppendPromLabels(out, labels);
  if (s.is_alert()) {
    *out += ",\"state\":\"";
    *out += alerting::AlertStateName(r.state);
    *out += '"';
    AppendSeconds(out, "duration", static_cast<double>(s.for_ms) / 1000);
    AppendSeconds(out, "keepFiringFor", static_cast<double>(s.keep_firing_for_ms) / 1000);
    *out += ",\"annotations\":";
    AppendPromLabels(out, model::Labels::FromUnsorted(s.annotations));
    *out += ",\"alerts\":[";
    bool first = true;
    for (const auto& a : r.alerts) {
      if (a.state == alerting::AlertState::kInactive) continue;
      if (!first) *out += ',';
      first = false;
      AppendAlert(out, a);
    }
    *out += ']';
  }
  *out += ",\"health\":\"" + r.health + "\",\"lastError\":";
  AppendJsonString(out, r.last_error);
  AppendEvaluation(out, r.last_eval_ms, r.eval_seconds);
  *out += s.is_alert() ? ",\"type\":\"alerting\"}" : ",\"type\":\"recording\"}";
}

void ServeRules(const alerting::RuleManager* m, const http::Request& req, http::Response* resp) {
  const std::string type = req.QueryParam("type");
  if (!type.empty() && type != "alert" && type != "record") {
    resp->status = 400;
    resp->SetContentType("application/json");
    resp->body = PromErrorBody("bad_data", "unsupported type \"" + type + "\": want alert or record");
    return;
  }
  std::string data = "{\"groups\":[";
  bool first_group = true;
  for (const auto& g : m->Groups()) {
    if (!first_group) data += ',';
    first_group = false;
    data += "{\"name\":";
    AppendJsonString(&data, g.name);
    data += ",\"file\":";
    AppendJsonString(&data, g.file);
    data += ",\"rules\":[";
    bool first = true;
    for (const auto& r : g.rules) {
      if ((type == "alert" && !r.spec.is_alert()) || (type == "record" && r.spec.is_alert())) continue;
      if (!first) data += ',';
      first = false;
      AppendRule(&data, r);
    }
    data += ']';
    AppendSeconds(&data, "interval", static_cast<double>(g.interval_ms) / 1000);
    data += ",\"limit\":" + std::to_string(g.limit);
    AppendEvaluation(&data, g.last_eval_ms, g.eval_seconds);
    data += '}';
  }
  data += "]}";
  resp->SetContentType("application/json");
  resp->body = PromSuccessBody(data);
}

void ServeAlerts(const alerting::RuleManager* m, const http::Request&, http::Response* resp) {
  std::string data = "{\"alerts\":[";
  bool first = true;
  for (const auto& a : m->ActiveAlerts()) {
    if (!first) data += ',';
    first = false;
    AppendAlert(&data, a);
  }
  data += "]}";
  resp->SetContentType("application/json");
  resp->body = PromSuccessBody(data);
}

}  // namespace

void RegisterRulesApi(http::Router* router, const alerting::RuleManager* manager) {
  router->Handle("GET", "/api/v1/rules", "rules", [manager](const http::Request& req, http::Response* resp) {
    ServeRules(manager, req, resp);
  });
  router->Handle("GET", "/api/v1/alerts", "alerts", [manager](const http::Request& req, http::Response* resp) {
    ServeAlerts(manager, req, resp);
  });
}

}  // namespace infermetry::api
