#include "server/api/parseable_auth.h"

#include <cstdint>

namespace infermetry::api {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Compares without an early exit on the first differing byte.
bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

bool DecodeBase64(std::string_view in, std::string* out) {
  out->clear();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = Sextet(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return bits < 6;  // a single leftover sextet cannot encode a byte
}

std::string EncodeBase64(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t{static_cast<uint8_t>(in[i])} << 16) | (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (size_t rest = in.size() - i; rest > 0) {
    uint32_t v = uint32_t{static_cast<uint8_t>(in[i])} << 16;
    if (rest == 2) v |= uint32_t{static_cast<uint8_t>(in[i + 1])} << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::vector<ApiUser> DefaultApiUsers() { return {{"admin", "admin"}}; }

bool ApiAuth::Allows(const http::Request& req) const {
  std::string_view h = req.Header("Authorization");
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  if (h.size() < 6 || !http::EqualsIgnoreCase(h.substr(0, 6), "Basic ")) return false;
  h.remove_prefix(6);
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  std::string creds;
  if (!DecodeBase64(h, &creds)) return false;
  size_t colon = creds.find(':');
  if (colon == std::string::npos) return false;
  std::string_view user = std::string_view(creds).substr(0, colon);
  std::string_view pass = std::string_view(creds).substr(colon + 1);
  bool ok = false;
  for (const ApiUser& u : users) ok |= (u.username == user) & SameSecret(pass, u.password);
  return ok;
}

void RefuseUnauthorized(const http::Request& req, http::Response* resp) {
  resp->SetText(401, "401 unauthorized: send HTTP Basic credentials of a user in the serve config's auth.users\n");
  // A script (the web UI) asks its user itself; the challenge would make the browser ask too.
  if (!EqualsIgnoreCase(req.Header("X-Requested-With"), "XMLHttpRequest")) {
    resp->SetHeader("WWW-Authenticate", "Basic realm=\"infermetry\"");
  }
}

}  // namespace infermetry::api
