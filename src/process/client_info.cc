#include "process/client_info.h"

#include <cctype>

#include "common/strconv.h"

namespace infermetry::process {
namespace {

thread_local const ClientInfo* current = nullptr;

}  // namespace

void ClientInfo::AddMetadata(std::string_view key, std::string_view value) {
  std::string k(key);
  for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  metadata.emplace_back(std::move(k), std::string(value));
}

std::vector<std::string_view> ClientInfo::Get(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : metadata) {
    if (EqualsIgnoreCase(k, key)) out.push_back(v);
  }
  return out;
}

ClientInfoScope::ClientInfoScope(const ClientInfo* info) : previous_(current) { current = info; }

ClientInfoScope::~ClientInfoScope() { current = previous_; }

const ClientInfo* CurrentClientInfo() { return current; }

}  // namespace infermetry::process
