#include "config/yaml.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/duration.h"
#include "common/log.h"
#include "common/strconv.h"

namespace infermetry::config {

Result<std::string> ExpandEnv(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (i + 1 >= s.size() || s[i + 1] != '{') {
      out.push_back('$');
      continue;
    }
    size_t close = s.find('}', i + 2);
    if (close == std::string_view::npos) {
      return InvalidArgument("unterminated \"${\" in \"" + std::string(s) + "\"");
    }
    std::string_view ref = s.substr(i + 2, close - i - 2);
    if (ref.substr(0, 4) == "env:") ref.remove_prefix(4);
    std::string_view def;
    bool has_def = false;
    if (size_t d = ref.find(":-"); d != std::string_view::npos) {
      def = ref.substr(d + 2);
      ref = ref.substr(0, d);
      has_def = true;
    }
    if (ref.empty()) return InvalidArgument("empty variable name in \"" + std::string(s) + "\"");
    std::string name(ref);
    const char* v = std::getenv(name.c_str());
    if (v != nullptr && (*v != '\0' || !has_def)) {
      out.append(v);
    } else if (has_def) {
      out.append(def);
    } else {
      log::Warn("environment variable is not set; using \"\"", {{"var", name}});
    }
    i = close;
  }
  return out;
}

Result<Document> Document::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return LoadString(ss.str(), path);
}

Result<Document> Document::LoadString(std::string_view text, std::string name) {
  Document d;
  d.name_ = std::move(name);
  try {
    d.root_ = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(d.name_ + ":" + std::to_string(e.mark.line + 1) + ":" +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return d;
}

Status Document::ErrorAt(const YAML::Node& node, std::string_view msg) const {
  std::string where = name_;
  if (node.IsDefined() && !node.Mark().is_null()) {
    where += ":" + std::to_string(node.Mark().line + 1) + ":" + std::to_string(node.Mark().column + 1);
  }
  return InvalidArgument(where + ": " + std::string(msg));
}

Result<std::string> ScalarOf(const Document& doc, const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) return doc.ErrorAt(node, std::string(what) + ": expected a scalar value");
  auto r = ExpandEnv(node.Scalar());
  if (!r.ok()) return doc.ErrorAt(node, std::string(what) + ": " + r.status().message());
  return r;
}

MapReader::MapReader(const Document& doc, YAML::Node node, std::string where)
    : doc_(doc), node_(std::move(node)), where_(std::move(where)) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    status_ = doc_.ErrorAt(node_, where_ + ": expected a mapping");
  }
}

bool MapReader::Has(std::string_view key) const {
  return node_.IsMap() && node_[std::string(key)].IsDefined() && !node_[std::string(key)].IsNull();
}

YAML::Node MapReader::Child(std::string_view key) {
  read_.insert(std::string(key));
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node n = node_[std::string(key)];
  return n;
}

Status MapReader::String(std::string_view key, std::string* out) {
  YAML::Node n = Child(key);
  if (!n.IsDefined() || n.IsNull()) return Status::Ok();
  INFERMETRY_ASSIGN_OR_RETURN(*out, ScalarOf(doc_, n, where_ + "." + std::string(key)));
  return Status::Ok();
}

Status MapReader::Bool(std::string_view key, bool* out) {
  std::string s;
  bool present = Has(key);
  INFERMETRY_RETURN_IF_ERROR(String(key, &s));
  if (!present) return Status::Ok();
  if (s == "true" || s == "True" || s == "TRUE") {
    *out = true;
  } else if (s == "false" || s == "False" || s == "FALSE") {
    *out = false;
  } else {
    return doc_.ErrorAt(Child(key), where_ + "." + std::string(key) + ": expected true or false, got \"" + s + "\"");
  }
  return Status::Ok();
}

Status MapReader::Uint(std::string_view key, uint64_t* out) {
  std::string s;
  bool present = Has(key);
  INFERMETRY_RETURN_IF_ERROR(String(key, &s));
  if (!present) return Status::Ok();
  int64_t v;
  if (!ParseInt64(s, &v) || v < 0) {
    return doc_.ErrorAt(Child(key), where_ + "." + std::string(key) + ": expected a non-negative integer, got \"" + s + "\"");
  }
  *out = static_cast<uint64_t>(v);
  return Status::Ok();
}

Status MapReader::Double(std::string_view key, double* out) {
  std::string s;
  bool present = Has(key);
  INFERMETRY_RETURN_IF_ERROR(String(key, &s));
  if (!present) return Status::Ok();
  if (!ParseGoFloat(s, out)) {
    return doc_.ErrorAt(Child(key), where_ + "." + std::string(key) + ": expected a number, got \"" + s + "\"");
  }
  return Status::Ok();
}

Status MapReader::Duration(std::string_view key, std::chrono::milliseconds* out) {
  std::string s;
  bool present = Has(key);
  INFERMETRY_RETURN_IF_ERROR(String(key, &s));
  if (!present) return Status::Ok();
  auto d = ParseDuration(s);
  if (!d.ok()) return doc_.ErrorAt(Child(key), where_ + "." + std::string(key) + ": " + d.status().message());
  *out = *d;
  return Status::Ok();
}

Status MapReader::StringList(std::string_view key, std::vector<std::string>* out) {
  YAML::Node n = Child(key);
  if (!n.IsDefined() || n.IsNull()) return Status::Ok();
  std::string what = where_ + "." + std::string(key);
  if (!n.IsSequence()) return doc_.ErrorAt(n, what + ": expected a list");
  out->clear();
  for (size_t i = 0; i < n.size(); ++i) {
    INFERMETRY_ASSIGN_OR_RETURN(std::string s, ScalarOf(doc_, n[i], what + "[" + std::to_string(i) + "]"));
    out->push_back(std::move(s));
  }
  return Status::Ok();
}

Status MapReader::StringMap(std::string_view key, std::map<std::string, std::string>* out) {
  YAML::Node n = Child(key);
  if (!n.IsDefined() || n.IsNull()) return Status::Ok();
  std::string what = where_ + "." + std::string(key);
  if (!n.IsMap()) return doc_.ErrorAt(n, what + ": expected a mapping");
  for (auto it = n.begin(); it != n.end(); ++it) {
    std::string k = it->first.Scalar();
    INFERMETRY_ASSIGN_OR_RETURN(std::string v, ScalarOf(doc_, it->second, what + "." + k));
    (*out)[k] = std::move(v);
  }
  return Status::Ok();
}

Status MapReader::Finish() const {
  if (!status_.ok()) return status_;
  if (!node_.IsMap()) return Status::Ok();
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string& k = it->first.Scalar();
    if (read_.find(k) == read_.end()) {
      return doc_.ErrorAt(it->first, "unknown field \"" + k + "\" in " + where_);
    }
  }
  return Status::Ok();
}

}  // namespace infermetry::config
