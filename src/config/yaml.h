#pragma once
// YAML config loading: env substitution and errors that name file:line:column.
//
// Every scalar read through MapReader/ScalarOf goes through ExpandEnv, so `${env:VAR}`,
// `${env:VAR:-default}` and `${VAR}` work in any value (as in the OpenTelemetry Collector);
// `$$` is a literal `$`. Unknown keys are errors (as in Prometheus and the Collector), so a
// misspelt option is never silently ignored.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace infermetry::config {

// Expands environment references in `s`. An unset variable without a default expands to ""
// (the Collector's behaviour). A malformed reference ("${env:" without "}") is an error.
Result<std::string> ExpandEnv(std::string_view s);

class Document {
 public:
  static Result<Document> LoadFile(const std::string& path);
  // `name` stands in for the file name in error messages.
  static Result<Document> LoadString(std::string_view text, std::string name);

  const YAML::Node& root() const { return root_; }
  const std::string& name() const { return name_; }

  // "file:line:col: msg" (1-based) for `node`, or "file: msg" when it has no position.
  Status ErrorAt(const YAML::Node& node, std::string_view msg) const;

 private:
  std::string name_;
  YAML::Node root_;
};

// Reads a YAML mapping key by key, remembering which keys were read, so that Finish() can
// report the keys nobody asked for. Absent keys leave the output untouched (defaults stay).
// `where` names the mapping in messages, e.g. "scrape_configs[2]".
class MapReader {
 public:
  MapReader(const Document& doc, YAML::Node node, std::string where);

  // Not-OK when the node is neither a mapping nor null.
  Status status() const { return status_; }

  bool Has(std::string_view key) const;
  // The raw child node (undefined if absent); marks the key as read.
  YAML::Node Child(std::string_view key);

  Status String(std::string_view key, std::string* out);
  Status Bool(std::string_view key, bool* out);
  Status Uint(std::string_view key, uint64_t* out);
  Status Double(std::string_view key, double* out);
  Status Duration(std::string_view key, std::chrono::milliseconds* out);
  Status StringList(std::string_view key, std::vector<std::string>* out);
  Status StringMap(std::string_view key, std::map<std::string, std::string>* out);

  // Error for the first key that was never read.
  Status Finish() const;

  const Document& doc() const { return doc_; }
  const std::string& where() const { return where_; }

 private:
  const Document& doc_;
  YAML::Node node_;
  std::string where_;
  std::set<std::string, std::less<>> read_;
  Status status_;
};

// The env-expanded scalar text of `node`, or an error if it is not a scalar.
Result<std::string> ScalarOf(const Document& doc, const YAML::Node& node, std::string_view what);

}  // namespace infermetry::config
