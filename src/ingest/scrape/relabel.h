#pragma once
// Relabeling with Prometheus's semantics: relabel_configs (target labels) and
// metric_relabel_configs (sample labels). Regexes are RE2, fully anchored as in Prometheus.

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/labels.h"

namespace re2 {
class RE2;
}

namespace infermetry::scrape {

enum class RelabelAction {
  kReplace,
  kKeep,
  kDrop,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
  kKeepEqual,
  kDropEqual,
};

// Parses the YAML spelling ("replace", "labeldrop", ...). "hashmod" is not supported and
// gives an error that says so.
Result<RelabelAction> ParseRelabelAction(std::string_view s);

struct RelabelConfig {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string target_label;
  std::string replacement = "$1";
  RelabelAction action = RelabelAction::kReplace;
  // Compiled "^(?:<regex>)$"; shared so configs stay cheap to copy.
  std::shared_ptr<const re2::RE2> regex;

  // Compiles `regex` (default "(.*)") and checks the fields `action` needs; the message says
  // which field is wrong and why.
  Status Init(const std::string& regex_text);
};

// Applies `configs` in order to the labels in `b`. Returns false when a keep/drop step
// dropped the label set (b is then unspecified). Labels whose value becomes "" are removed.
bool Relabel(const std::vector<RelabelConfig>& configs, model::LabelsBuilder* b);

}  // namespace infermetry::scrape
