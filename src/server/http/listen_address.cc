#include "server/http/listen_address.h"

#include <cstdint>

#include "common/strconv.h"

namespace infermetry::http {

Result<std::vector<ListenAddress>> ParseListenAddress(std::string_view listen) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("listen address \"" + std::string(listen) + "\": " + std::string(why));
  };
  std::string_view host;
  std::string_view port_text;
  if (!listen.empty() && listen.front() == '[') {
    const size_t close = listen.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    host = listen.substr(1, close - 1);
    if (host.empty()) return bad("empty host in brackets");
    if (close + 1 >= listen.size() || listen[close + 1] != ':') return bad("missing :port");
    port_text = listen.substr(close + 2);
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) return bad("missing :port");
    host = listen.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return bad("IPv6 addresses must be written in brackets, e.g. [::1]:9090");
    }
    port_text = listen.substr(colon + 1);
  }
  int64_t port = 0;
  if (port_text.empty() || port_text.front() == '+' || port_text.front() == '-' ||
      !ParseInt64(port_text, &port) || port < 0 || port > 65535) {
    return bad("port must be a number from 0 to 65535");
  }
  const auto p = static_cast<uint16_t>(port);
  if (host.empty()) {
    return std::vector<ListenAddress>{{"", p, true}, {"", p, false}};
  }
  return std::vector<ListenAddress>{{std::string(host), p, host.find(':') != host.npos}};
}

}  // namespace infermetry::http
