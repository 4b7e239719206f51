#include "server/api/name_policy.h"

namespace infermetry::api {

Result<NamePolicy> ParseNamePolicy(std::string_view s) {
  if (s == "keep") return NamePolicy::kKeep;
  if (s == "underscores") return NamePolicy::kUnderscores;
  return InvalidArgument("unknown name policy \"" + std::string(s) + "\" (want keep or underscores)");
}

std::string_view NamePolicyName(NamePolicy p) {
  return p == NamePolicy::kKeep ? "keep" : "underscores";
}

std::string_view NormalizeName(NamePolicy p, std::string_view name, std::string* scratch) {
  if (p == NamePolicy::kKeep) return name;
  bool clean = true;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      clean = false;
      break;
    }
  }
  if (clean) return name;
  scratch->assign(name);
  for (char& c : *scratch) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  return *scratch;
}

}  // namespace infermetry::api
