#include "alerting/rule_file.h"

#include <set>

#include "alerting/template.h"
#include "common/duration.h"
#include "common/env.h"
#include "common/strconv.h"
#include "config/yaml.h"
#include "query/promql/parser.h"
#include "query/sql/parser/parser.h"

namespace infermetry::alerting {
namespace {

// Rule files take their text as written: `$value` in a template is not an environment variable.
class RuleReader {
 public:
  explicit RuleReader(const config::Document& doc) : doc_(doc) {}

  Status Map(const YAML::Node& n, std::string_view what) const {
    if (n.IsMap()) return Status::Ok();
    return doc_.ErrorAt(n, std::string(what) + ": want a mapping");
  }
  Status Keys(const YAML::Node& n, std::initializer_list<std::string_view> allowed,
              std::string_view what) const {
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      bool ok = false;
      for (auto a : allowed) ok = ok || a == key;
      if (!ok) return doc_.ErrorAt(kv.first, std::string(what) + ": unknown field \"" + key + "\"");
    }
    return Status::Ok();
  }
  Result<std::string> Scalar(const YAML::Node& n, std::string_view what) const {
    if (!n.IsScalar()) return doc_.ErrorAt(n, std::string(what) + ": want a string");
    return n.Scalar();
  }
  Result<int64_t> DurationMs(const YAML::Node& n, std::string_view what) const {
    INFERMETRY_ASSIGN_OR_RETURN(std::string s, Scalar(n, what));
    auto d = ParseDuration(s);
    if (!d.ok()) return doc_.ErrorAt(n, std::string(what) + ": " + d.status().message());
    return static_cast<int64_t>(d->count());
  }
  Result<std::vector<model::Label>> Labels(const YAML::Node& n, std::string_view what,
                                           bool templates) const {
    std::vector<model::Label> out;
    if (n.IsNull()) return out;
    if (!n.IsMap()) return doc_.ErrorAt(n, std::string(what) + ": want a mapping");
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (!model::IsValidLabelName(key)) {
        return doc_.ErrorAt(kv.first, std::string(what) + ": invalid label name \"" + key + "\"");
      }
      INFERMETRY_ASSIGN_OR_RETURN(std::string v, Scalar(kv.second, std::string(what) + "." + key));
      if (templates) {
        auto t = Template::Parse(v);
        if (!t.ok()) return doc_.ErrorAt(kv.second, std::string(what) + "." + key + ": " + t.status().message());
      }
      out.push_back({key, std::move(v)});
    }
    return out;
  }
  Status Error(const YAML::Node& n, std::string msg) const { return doc_.ErrorAt(n, msg); }

 private:
  const config::Document& doc_;
};

Result<RuleSpec> ParseRule(const RuleReader& r, const YAML::Node& n, const std::string& where) {
  INFERMETRY_RETURN_IF_ERROR(r.Map(n, where));
  INFERMETRY_RETURN_IF_ERROR(r.Keys(
      n, {"alert", "record", "expr", "sql", "for", "keep_firing_for", "labels", "annotations"},
      where));
  RuleSpec rule;
  rule.line = static_cast<int>(n.Mark().line) + 1;
  if (n["alert"] && n["record"]) return r.Error(n, where + ": only one of alert and record");
  if (!n["alert"] && !n["record"]) return r.Error(n, where + ": one of alert or record is required");
  if (n["expr"] && n["sql"]) return r.Error(n, where + ": only one of expr and sql");
  if (!n["expr"] && !n["sql"]) return r.Error(n, where + ": one of expr or sql is required");
  if (n["alert"]) {
    INFERMETRY_ASSIGN_OR_RETURN(rule.alert, r.Scalar(n["alert"], where + ".alert"));
    if (rule.alert.empty()) return r.Error(n["alert"], where + ".alert: must not be empty");
  } else {
    INFERMETRY_ASSIGN_OR_RETURN(rule.record, r.Scalar(n["record"], where + ".record"));
    if (!model::IsValidMetricName(rule.record)) {
      return r.Error(n["record"], where + ".record: invalid metric name \"" + rule.record + "\"");
    }
    for (const char* k : {"for", "keep_firing_for", "annotations"}) {
      if (n[k]) return r.Error(n[k], where + "." + k + ": only for alerting rules");
    }
  }
  const YAML::Node q = n["expr"] ? n["expr"] : n["sql"];
  const std::string qwhere = where + (n["expr"] ? ".expr" : ".sql");
  INFERMETRY_ASSIGN_OR_RETURN(rule.expr, r.Scalar(q, qwhere));
  if (n["expr"]) {
    auto parsed = promql::Parse(rule.expr);
    if (!parsed.ok()) return r.Error(q, qwhere + ": " + parsed.status().message());
  } else {
    rule.lang = QueryLanguage::kSql;
    auto parsed = sql::ParseSql(rule.expr);
    if (!parsed.ok()) return r.Error(q, qwhere + ": " + parsed.status().message());
  }
  if (n["for"]) {
    INFERMETRY_ASSIGN_OR_RETURN(rule.for_ms, r.DurationMs(n["for"], where + ".for"));
  }
  if (n["keep_firing_for"]) {
    INFERMETRY_ASSIGN_OR_RETURN(rule.keep_firing_for_ms,
                                r.DurationMs(n["keep_firing_for"], where + ".keep_firing_for"));
  }
  if (n["labels"]) {
    INFERMETRY_ASSIGN_OR_RETURN(rule.labels, r.Labels(n["labels"], where + ".labels", rule.is_alert()));
    for (const auto& l : rule.labels) {
      if (l.name == "__name__") return r.Error(n["labels"], where + ".labels: __name__ cannot be set");
    }
  }
  if (n["annotations"]) {
    INFERMETRY_ASSIGN_OR_RETURN(rule.annotations,
                                r.Labels(n["annotations"], where + ".annotations", true));
  }
  return rule;
}

}  // namespace

Result<std::vector<GroupSpec>> ParseRuleFile(std::string_view yaml, const std::string& name) {
  INFERMETRY_ASSIGN_OR_RETURN(config::Document doc, config::Document::LoadString(yaml, name));
  RuleReader r(doc);
  const YAML::Node& root = doc.root();
  std::vector<GroupSpec> out;
  if (root.IsNull()) return out;
  INFERMETRY_RETURN_IF_ERROR(r.Map(root, "rule file"));
  INFERMETRY_RETURN_IF_ERROR(r.Keys(root, {"groups"}, "rule file"));
  const YAML::Node groups = root["groups"];
  if (!groups || groups.IsNull()) return out;
  if (!groups.IsSequence()) return r.Error(groups, "groups: want a list");
  std::set<std::string> names;
  for (size_t i = 0; i < groups.size(); ++i) {
    const YAML::Node g = groups[i];
    const std::string where = "groups[" + std::to_string(i) + "]";
    INFERMETRY_RETURN_IF_ERROR(r.Map(g, where));
    INFERMETRY_RETURN_IF_ERROR(r.Keys(g, {"name", "interval", "limit", "rules"}, where));
    GroupSpec group;
    group.file = name;
    if (!g["name"]) return r.Error(g, where + ": name is required");
    INFERMETRY_ASSIGN_OR_RETURN(group.name, r.Scalar(g["name"], where + ".name"));
    if (group.name.empty()) return r.Error(g["name"], where + ".name: must not be empty");
    if (!names.insert(group.name).second) {
      return r.Error(g["name"], where + ".name: \"" + group.name + "\" is repeated in the same file");
    }
    if (g["interval"]) {
      INFERMETRY_ASSIGN_OR_RETURN(group.interval_ms, r.DurationMs(g["interval"], where + ".interval"));
      if (group.interval_ms <= 0) return r.Error(g["interval"], where + ".interval: must be positive");
    }
    if (g["limit"]) {
      INFERMETRY_ASSIGN_OR_RETURN(std::string s, r.Scalar(g["limit"], where + ".limit"));
      if (!ParseInt64(s, &group.limit) || group.limit < 0) return r.Error(g["limit"], where + ".limit: want a non-negative integer");
    }
    const YAML::Node rules = g["rules"];
    if (rules && !rules.IsNull()) {
      if (!rules.IsSequence()) return r.Error(rules, where + ".rules: want a list");
      for (size_t j = 0; j < rules.size(); ++j) {
        INFERMETRY_ASSIGN_OR_RETURN(
            RuleSpec rule, ParseRule(r, rules[j], where + ".rules[" + std::to_string(j) + "]"));
        group.rules.push_back(std::move(rule));
      }
    }
    out.push_back(std::move(group));
  }
  return out;
}

Result<std::vector<GroupSpec>> LoadRuleFile(const std::string& path) {
  INFERMETRY_ASSIGN_OR_RETURN(std::string text, ReadFile(DefaultEnv(), path));
  return ParseRuleFile(text, path);
}

}  // namespace infermetry::alerting
