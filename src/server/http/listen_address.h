#pragma once
// Parsing of ServerOptions::listen. Internal to the server; pure and thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace infermetry::http {

struct ListenAddress {
  std::string host;  // literal IP or host name without brackets; empty = all interfaces
  uint16_t port = 0;
  bool ipv6 = false;  // for an empty host: which wildcard address to bind
};

// "127.0.0.1:8080" and "localhost:8080" -> one address; "[::1]:8080" -> one, brackets removed;
// ":8080" -> the IPv6 wildcard (dual-stack) followed by the IPv4 wildcard as a fallback.
// kInvalidArgument for a missing or bad port, an unclosed bracket, or a bare IPv6 address.
Result<std::vector<ListenAddress>> ParseListenAddress(std::string_view listen);

}  // namespace infermetry::http
