#include "ingest/scrape/relabel.h"

#include <re2/re2.h>

#include <cctype>

namespace infermetry::scrape {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Go's regexp.Expand: $1, ${1}, $name, ${name}; $$ is a literal $. A reference to a group
// that does not exist (or a malformed one) expands to "".
std::string Expand(const re2::RE2& re, std::string_view tmpl, const std::vector<re2::StringPiece>& groups) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c != '$' || i + 1 >= tmpl.size()) {
      out.push_back(c);
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    std::string_view name;
    size_t next;
    if (tmpl[i + 1] == '{') {
      size_t close = tmpl.find('}', i + 2);
      if (close == std::string_view::npos) {
        out.push_back(c);
        continue;
      }
      name = tmpl.substr(i + 2, close - i - 2);
      next = close + 1;
    } else {
      size_t j = i + 1;
      while (j < tmpl.size() && IsNameChar(tmpl[j])) ++j;
      if (j == i + 1) {
        out.push_back(c);
        continue;
      }
      name = tmpl.substr(i + 1, j - i - 1);
      next = j;
    }
    bool numeric = !name.empty();
    for (char d : name) numeric = numeric && d >= '0' && d <= '9';
    int idx = -1;
    if (numeric) {
      idx = name.size() < 6 ? std::stoi(std::string(name)) : -1;
    } else {
      const auto& named = re.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      if (it != named.end()) idx = it->second;
    }
    if (idx >= 0 && static_cast<size_t>(idx) < groups.size() && groups[idx].data() != nullptr) {
      out.append(groups[idx].data(), groups[idx].size());
    }
    i = next - 1;
  }
  return out;
}

// Full match of `s`; fills `groups` (group 0 is the whole match).
bool Match(const re2::RE2& re, std::string_view s, std::vector<re2::StringPiece>* groups) {
  groups->assign(static_cast<size_t>(re.NumberOfCapturingGroups()) + 1, re2::StringPiece());
  return re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), re2::RE2::ANCHOR_BOTH,
                  groups->data(), static_cast<int>(groups->size()));
}

}  // namespace

Result<RelabelAction> ParseRelabelAction(std::string_view s) {
  static constexpr struct { std::string_view name; RelabelAction action; } kActions[] = {
      {"replace", RelabelAction::kReplace},     {"keep", RelabelAction::kKeep},
      {"drop", RelabelAction::kDrop},           {"labelmap", RelabelAction::kLabelMap},
      {"labeldrop", RelabelAction::kLabelDrop}, {"labelkeep", RelabelAction::kLabelKeep},
      {"lowercase", RelabelAction::kLowercase}, {"uppercase", RelabelAction::kUppercase},
      {"keepequal", RelabelAction::kKeepEqual}, {"dropequal", RelabelAction::kDropEqual},
  };
  for (const auto& a : kActions) {
    if (a.name == s) return a.action;
  }
  if (s == "hashmod") return InvalidArgument("relabel action \"hashmod\" is not supported");
  return InvalidArgument("unknown relabel action \"" + std::string(s) + "\"");
}

Status RelabelConfig::Init(const std::string& regex_text) {
  auto re = std::make_shared<re2::RE2>("^(?:" + regex_text + ")$");
  if (!re->ok()) return InvalidArgument("invalid regex \"" + regex_text + "\": " + re->error());
  regex = std::move(re);
  switch (action) {
    case RelabelAction::kReplace:
    case RelabelAction::kLowercase:
    case RelabelAction::kUppercase:
    case RelabelAction::kKeepEqual:
    case RelabelAction::kDropEqual:
      if (target_label.empty()) return InvalidArgument("relabel action requires target_label");
      break;
    case RelabelAction::kLabelDrop:
    case RelabelAction::kLabelKeep:
      if (!source_labels.empty() || !target_label.empty()) {
        return InvalidArgument("labeldrop/labelkeep take only regex (no source_labels or target_label)");
      }
      break;
    default:
      break;
  }
  return Status::Ok();
}

bool Relabel(const std::vector<RelabelConfig>& configs, model::LabelsBuilder* b) {
  std::vector<re2::StringPiece> groups;
  std::string val;
  for (const RelabelConfig& cfg : configs) {
    const re2::RE2& re = *cfg.regex;
    val.clear();
    for (size_t i = 0; i < cfg.source_labels.size(); ++i) {
      if (i > 0) val += cfg.separator;
      val += b->Get(cfg.source_labels[i]);
    }
    switch (cfg.action) {
      case RelabelAction::kKeep:
        if (!Match(re, val, &groups)) return false;
        break;
      case RelabelAction::kDrop:
        if (Match(re, val, &groups)) return false;
        break;
      case RelabelAction::kKeepEqual:
        if (val != b->Get(cfg.target_label)) return false;
        break;
      case RelabelAction::kDropEqual:
        if (val == b->Get(cfg.target_label)) return false;
        break;
      case RelabelAction::kReplace: {
        if (!Match(re, val, &groups)) break;
        std::string target = Expand(re, cfg.target_label, groups);
        if (!model::IsValidLabelName(target)) break;
        std::string res = Expand(re, cfg.replacement, groups);
        b->Set(target, res);  // an empty result deletes the label
        break;
      }
      case RelabelAction::kLowercase:
      case RelabelAction::kUppercase: {
        for (char& c : val) {
          c = static_cast<char>(cfg.action == RelabelAction::kLowercase ? std::tolower(c) : std::toupper(c));
        }
        b->Set(cfg.target_label, val);
        break;
      }
      case RelabelAction::kLabelMap: {
        std::vector<model::Label> snapshot = b->items();
        for (const auto& l : snapshot) {
          if (Match(re, l.name, &groups)) b->Set(Expand(re, cfg.replacement, groups), l.value);
        }
        break;
      }
      case RelabelAction::kLabelDrop:
      case RelabelAction::kLabelKeep: {
        std::vector<std::string> names;
        for (const auto& l : b->items()) names.push_back(l.name);
        for (const auto& n : names) {
          bool m = Match(re, n, &groups);
          if (m == (cfg.action == RelabelAction::kLabelDrop)) b->Del(n);
        }
        break;
      }
    }
  }
  return true;
}

}  // namespace infermetry::scrape
