#include "process/attr_action.h"

#include <openssl/evp.h>
#include <re2/re2.h>

#include <cctype>
#include <cmath>
#include <cstring>

#include "common/strconv.h"
#include "process/client_info.h"

namespace infermetry::process {
namespace {

using opentelemetry::proto::common::v1::KeyValue;

KeyValue* Find(KeyValues* attrs, std::string_view key) {
  for (KeyValue& kv : *attrs) {
    if (kv.key() == key) return &kv;
  }
  return nullptr;
}

void Set(KeyValues* attrs, std::string_view key, const AnyValue& v) {
  if (KeyValue* kv = Find(attrs, key)) {
    *kv->mutable_value() = v;
    return;
  }
  KeyValue* kv = attrs->Add();
  kv->set_key(std::string(key));
  *kv->mutable_value() = v;
}

bool Matches(const AttrAction& a, const std::string& key) {
  if (key == a.key) return true;
  return a.pattern != nullptr && RE2::PartialMatch(key, *a.pattern);
}

std::string ValueAsString(const AnyValue& v) {
  switch (v.value_case()) {
    case AnyValue::kStringValue:
      return v.string_value();
    case AnyValue::kBoolValue:
      return v.bool_value() ? "true" : "false";
    case AnyValue::kIntValue:
      return std::to_string(v.int_value());
    case AnyValue::kDoubleValue:
      return FormatGoFloat(v.double_value());
    default:
      return "";
  }
}

void Convert(AttrAction::Type to, AnyValue* v) {
  switch (to) {
    case AttrAction::Type::kString:
      if (v->value_case() == AnyValue::kBoolValue || v->value_case() == AnyValue::kIntValue ||
          v->value_case() == AnyValue::kDoubleValue) {
        v->set_string_value(ValueAsString(*v));
      }
      return;
    case AttrAction::Type::kInt: {
      int64_t i;
      if (v->value_case() == AnyValue::kStringValue && ParseInt64(v->string_value(), &i)) {
        v->set_int_value(i);
      } else if (v->value_case() == AnyValue::kDoubleValue && std::isfinite(v->double_value())) {
        v->set_int_value(static_cast<int64_t>(v->double_value()));
      } else if (v->value_case() == AnyValue::kBoolValue) {
        v->set_int_value(v->bool_value() ? 1 : 0);
      }
      return;
    }
    case AttrAction::Type::kDouble: {
      double d;
      if (v->value_case() == AnyValue::kStringValue && ParseGoFloat(v->string_value(), &d)) {
        v->set_double_value(d);
      } else if (v->value_case() == AnyValue::kIntValue) {
        v->set_double_value(static_cast<double>(v->int_value()));
      } else if (v->value_case() == AnyValue::kBoolValue) {
        v->set_double_value(v->bool_value() ? 1.0 : 0.0);
      }
      return;
    }
  }
}

void Extract(const AttrAction& a, KeyValues* attrs) {
  const KeyValue* src = Find(attrs, a.key);
  if (src == nullptr || src->value().value_case() != AnyValue::kStringValue) return;
  const RE2& re = *a.pattern;
  const int n = re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> groups(n + 1);
  const std::string text = src->value().string_value();
  if (!re.Match(text, 0, text.size(), RE2::UNANCHORED, groups.data(), n + 1)) return;
  for (const auto& [name, index] : re.NamedCapturingGroups()) {
    AnyValue v;
    v.set_string_value(std::string(groups[index].data(), groups[index].size()));
    Set(attrs, name, v);
  }
}

// The value `from_context` names in the current client information, when there is one.
bool ValueFromContext(const std::string& from_context, AnyValue* out) {
  constexpr std::string_view kMetadata = "metadata.";
  const ClientInfo* info = CurrentClientInfo();
  if (info == nullptr) return false;
  if (from_context == "client.address") {
    out->set_string_value(info->address);
    return true;
  }
  std::string_view key = from_context;
  if (key.substr(0, kMetadata.size()) == kMetadata) key.remove_prefix(kMetadata.size());
  std::vector<std::string_view> values = info->Get(key);
  if (values.empty()) return false;
  std::string joined(values[0]);
  for (size_t i = 1; i < values.size(); ++i) {
    joined += ';';
    joined += values[i];
  }
  out->set_string_value(std::move(joined));
  return true;
}

Result<AttrAction::Kind> ParseKind(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "insert") return AttrAction::Kind::kInsert;
  if (s == "update") return AttrAction::Kind::kUpdate;
  if (s == "upsert") return AttrAction::Kind::kUpsert;
  if (s == "delete") return AttrAction::Kind::kDelete;
  if (s == "hash") return AttrAction::Kind::kHash;
  if (s == "extract") return AttrAction::Kind::kExtract;
  if (s == "convert") return AttrAction::Kind::kConvert;
  return InvalidArgument("unknown action \"" + s +
                         "\" (expected insert, update, upsert, delete, hash, extract or convert)");
}

Result<AttrAction> DecodeOne(const config::Document& doc, const YAML::Node& node,
                             const std::string& w) {
  AttrAction a;
  config::MapReader r(doc, node, w);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  std::string action, pattern, converted_type;
  INFERMETRY_RETURN_IF_ERROR(r.String("key", &a.key));
  INFERMETRY_RETURN_IF_ERROR(r.String("action", &action));
  INFERMETRY_RETURN_IF_ERROR(r.String("pattern", &pattern));
  INFERMETRY_RETURN_IF_ERROR(r.String("from_attribute", &a.from_attribute));
  INFERMETRY_RETURN_IF_ERROR(r.String("from_context", &a.from_context));
  INFERMETRY_RETURN_IF_ERROR(r.String("converted_type", &converted_type));
  YAML::Node value = r.Child("value");
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  if (a.from_context.rfind("auth.", 0) == 0) {
    return doc.ErrorAt(r.Child("from_context"),
                       w + ".from_context: auth.* is not supported (no authenticator sets it)");
  }
  if (a.from_context == "metadata.") {
    return doc.ErrorAt(r.Child("from_context"), w + ".from_context: missing metadata key");
  }
  if (action.empty()) return doc.ErrorAt(node, w + ": missing action");
  auto kind = ParseKind(action);
  if (!kind.ok()) return doc.ErrorAt(r.Child("action"), w + ".action: " + kind.status().message());
  a.kind = *kind;
  if (value.IsDefined() && !value.IsNull()) {
    INFERMETRY_ASSIGN_OR_RETURN(a.value, AnyValueFromYaml(doc, value, w + ".value"));
    a.has_value = true;
  }
  if (!pattern.empty()) {
    auto re = std::make_shared<RE2>(pattern, RE2::Quiet);
    if (!re->ok()) {
      return doc.ErrorAt(r.Child("pattern"),
                         w + ".pattern: invalid regular expression: " + re->error());
    }
    a.pattern = std::move(re);
  }
  using K = AttrAction::Kind;
  const bool sets = a.kind == K::kInsert || a.kind == K::kUpdate || a.kind == K::kUpsert;
  if (sets) {
    if (a.key.empty()) return doc.ErrorAt(node, w + ": missing key");
    const int sources =
        int{a.has_value} + int{!a.from_attribute.empty()} + int{!a.from_context.empty()};
    if (sources != 1) {
      return doc.ErrorAt(
          node, w + ": " + action + " needs exactly one of value, from_attribute and from_context");
    }
    if (a.pattern)
      return doc.ErrorAt(r.Child("pattern"), w + ".pattern: not allowed with " + action);
  } else {
    if (a.has_value || !a.from_attribute.empty() || !a.from_context.empty()) {
      return doc.ErrorAt(
          node, w + ": value, from_attribute and from_context are not allowed with " + action);
    }
  }
  if ((a.kind == K::kDelete || a.kind == K::kHash) && a.key.empty() && !a.pattern) {
    return doc.ErrorAt(node, w + ": " + action + " needs key or pattern");
  }
  if (a.kind == K::kExtract) {
    if (a.key.empty() || !a.pattern)
      return doc.ErrorAt(node, w + ": extract needs key and pattern");
    if (a.pattern->NamedCapturingGroups().empty()) {
      return doc.ErrorAt(r.Child("pattern"),
                         w + ".pattern: extract needs named groups (?P<name>...)");
    }
  }
  if (a.kind == K::kConvert) {
    if (a.key.empty()) return doc.ErrorAt(node, w + ": missing key");
    if (converted_type == "int") {
      a.converted_type = AttrAction::Type::kInt;
    } else if (converted_type == "double") {
      a.converted_type = AttrAction::Type::kDouble;
    } else if (converted_type == "string") {
      a.converted_type = AttrAction::Type::kString;
    } else {
      return doc.ErrorAt(converted_type.empty() ? node : r.Child("converted_type"),
                         w + ".converted_type: expected int, double or string");
    }
  } else if (!converted_type.empty()) {
    return doc.ErrorAt(r.Child("converted_type"), w + ".converted_type: only allowed with convert");
  }
  return a;
}

}  // namespace

Result<AnyValue> AnyValueFromYaml(const config::Document& doc, const YAML::Node& node,
                                  const std::string& where) {
  AnyValue v;
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      INFERMETRY_ASSIGN_OR_RETURN(
          AnyValue e, AnyValueFromYaml(doc, node[i], where + "[" + std::to_string(i) + "]"));
      *v.mutable_array_value()->add_values() = std::move(e);
    }
    if (node.size() == 0) v.mutable_array_value();
    return v;
  }
  if (node.IsMap()) {
    v.mutable_kvlist_value();
    for (auto it = node.begin(); it != node.end(); ++it) {
      INFERMETRY_ASSIGN_OR_RETURN(
          AnyValue e, AnyValueFromYaml(doc, it->second, where + "." + it->first.Scalar()));
      KeyValue* kv = v.mutable_kvlist_value()->add_values();
      kv->set_key(it->first.Scalar());
      *kv->mutable_value() = std::move(e);
    }
    return v;
  }
  INFERMETRY_ASSIGN_OR_RETURN(std::string s, config::ScalarOf(doc, node, where));
  if (node.Tag() != "!") {  // plain (unquoted) scalars are typed as YAML types them
    int64_t i;
    double d;
    if (s == "true" || s == "True" || s == "TRUE") {
      v.set_bool_value(true);
      return v;
    }
    if (s == "false" || s == "False" || s == "FALSE") {
      v.set_bool_value(false);
      return v;
    }
    if (ParseInt64(s, &i)) {
      v.set_int_value(i);
      return v;
    }
    if (s.find_first_of("0123456789") != std::string::npos && ParseGoFloat(s, &d)) {
      v.set_double_value(d);
      return v;
    }
  }
  v.set_string_value(std::move(s));
  return v;
}

Result<std::vector<AttrAction>> DecodeAttrActions(const config::Document& doc,
                                                  const YAML::Node& node,
                                                  const std::string& where) {
  std::vector<AttrAction> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) return doc.ErrorAt(node, where + ": expected a list");
  for (size_t i = 0; i < node.size(); ++i) {
    INFERMETRY_ASSIGN_OR_RETURN(AttrAction a,
                                DecodeOne(doc, node[i], where + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(a));
  }
  return out;
}

std::string HashValue(const AnyValue& v) {
  unsigned char bytes[8];
  std::string_view data;
  switch (v.value_case()) {
    case AnyValue::kStringValue:
      data = v.string_value();
      break;
    case AnyValue::kBoolValue:
      bytes[0] = v.bool_value() ? 1 : 0;
      data = std::string_view(reinterpret_cast<const char*>(bytes), 1);
      break;
    case AnyValue::kIntValue:
    case AnyValue::kDoubleValue: {
      uint64_t u;
      if (v.value_case() == AnyValue::kIntValue) {
        u = static_cast<uint64_t>(v.int_value());
      } else {
        double d = v.double_value();
        std::memcpy(&u, &d, sizeof(u));
      }
      for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(u >> (8 * i));
      data = std::string_view(reinterpret_cast<const char*>(bytes), 8);
      break;
    }
    default:
      return "";
  }
  if (data.empty()) return "";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

void ApplyAttrActions(const std::vector<AttrAction>& actions, KeyValues* attrs) {
  using K = AttrAction::Kind;
  for (const AttrAction& a : actions) {
    switch (a.kind) {
      case K::kInsert:
      case K::kUpdate:
      case K::kUpsert: {
        const bool present = Find(attrs, a.key) != nullptr;
        if ((a.kind == K::kInsert && present) || (a.kind == K::kUpdate && !present)) break;
        if (a.has_value) {
          Set(attrs, a.key, a.value);
        } else if (!a.from_context.empty()) {
          AnyValue v;
          if (ValueFromContext(a.from_context, &v)) Set(attrs, a.key, v);
        } else if (const KeyValue* from = Find(attrs, a.from_attribute)) {
          AnyValue copy = from->value();
          Set(attrs, a.key, copy);
        }
        break;
      }
      case K::kDelete: {
        int out = 0;
        for (int i = 0; i < attrs->size(); ++i) {
          if (Matches(a, attrs->Get(i).key())) continue;
          if (out != i) attrs->SwapElements(out, i);
          ++out;
        }
        attrs->DeleteSubrange(out, attrs->size() - out);
        break;
      }
      case K::kHash:
        for (KeyValue& kv : *attrs) {
          if (Matches(a, kv.key())) kv.mutable_value()->set_string_value(HashValue(kv.value()));
        }
        break;
      case K::kExtract:
        Extract(a, attrs);
        break;
      case K::kConvert:
        if (KeyValue* kv = Find(attrs, a.key)) Convert(a.converted_type, kv->mutable_value());
        break;
    }
  }
}

}  // namespace infermetry::process
