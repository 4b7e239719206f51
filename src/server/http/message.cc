#include "server/http/message.h"

#include <algorithm>

#include "common/strconv.h"

namespace infermetry::http {

std::string_view FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

std::string UrlDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      const int hi = HexDigitValue(s[i + 1]);
      const int lo = HexDigitValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!s.empty()) {
    const size_t amp = s.find('&');
    const std::string_view piece = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(UrlDecode(piece, true), std::string());
    } else {
      out.emplace_back(UrlDecode(piece.substr(0, eq), true), UrlDecode(piece.substr(eq + 1), true));
    }
  }
  return out;
}

std::string Request::QueryParam(std::string_view name) const {
  for (auto& [k, v] : ParseQueryString(query)) {
    if (k == name) return std::move(v);
  }
  return {};
}

std::vector<std::string> Request::QueryParams(std::string_view name) const {
  std::vector<std::string> out;
  for (auto& [k, v] : ParseQueryString(query)) {
    if (k == name) out.push_back(std::move(v));
  }
  return out;
}

void Response::SetHeader(std::string_view name, std::string_view value) {
  std::erase_if(headers, [name](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  headers.emplace_back(name, value);
}

void Response::AddHeader(std::string_view name, std::string_view value) {
  headers.emplace_back(name, value);
}

void Response::SetText(int status_code, std::string text) {
  status = status_code;
  body = std::move(text);
  SetContentType("text/plain; charset=utf-8");
}

void Response::Stream(ChunkSource next, std::function<void()> abandoned) {
  stream = std::move(next);
  stream_abandoned = std::move(abandoned);
}

}  // namespace infermetry::http
