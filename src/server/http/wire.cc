#include "server/http/wire.h"

#include <algorithm>
#include <cctype>

#include "common/gzip.h"
#include "server/http/server.h"

namespace infermetry::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses an RFC 9110 qvalue: "0", "1", "0.xyz", "1.000". Returns -1 when malformed.
double ParseQValue(std::string_view s) {
  if (s.empty() || (s[0] != '0' && s[0] != '1')) return -1;
  double v = s[0] - '0';
  if (s.size() == 1) return v;
  if (s[1] != '.' || s.size() > 5) return -1;
  double scale = 0.1;
  for (size_t i = 2; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
    v += (s[i] - '0') * scale;
    scale /= 10;
  }
  return v > 1.0 ? -1 : v;
}

bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

void AppendSanitized(std::string* out, std::string_view value) {
  for (char c : value) out->push_back(c == '\r' || c == '\n' ? ' ' : c);
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  double gzip_q = -1;  // -1: not mentioned
  double star_q = -1;
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const size_t semi = item.find(';');
    const std::string_view coding = Trim(item.substr(0, semi));
    double q = 1.0;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      while (!params.empty()) {
        const size_t next = params.find(';');
        const std::string_view param = Trim(params.substr(0, next));
        params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
        const size_t eq = param.find('=');
        if (eq == std::string_view::npos) continue;
        if (EqualsIgnoreCase(Trim(param.substr(0, eq)), "q")) {
          q = ParseQValue(Trim(param.substr(eq + 1)));
          if (q < 0) q = 0;
        }
      }
    }
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip_q = std::max(gzip_q, q);
    } else if (coding == "*") {
      star_q = std::max(star_q, q);
    }
  }
  if (gzip_q >= 0) return gzip_q > 0;
  return star_q > 0;
}

Status DecodeRequestBody(Request* req, size_t max_body_bytes) {
  const std::string_view encoding = Trim(req->Header("Content-Encoding"));
  if (!EqualsIgnoreCase(encoding, "gzip") && !EqualsIgnoreCase(encoding, "x-gzip")) {
    return Status::Ok();
  }
  Result<std::string> decoded = GzipDecompress(req->body, max_body_bytes);
  if (!decoded.ok()) return decoded.status().WithContext("request body");
  req->body = std::move(*decoded);
  std::erase_if(req->headers, [](const auto& h) {
    return EqualsIgnoreCase(h.first, "Content-Encoding") ||
           EqualsIgnoreCase(h.first, "Content-Length");
  });
  req->headers.emplace_back("Content-Length", std::to_string(req->body.size()));
  return Status::Ok();
}

int StatusForDecodeError(const Status& status) {
  return status.code() == Code::kResourceExhausted ? 413 : 400;
}

bool StatusHasNoBody(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

void EncodeResponseBody(std::string_view accept_encoding, const ServerOptions& options,
                        Response* resp) {
  if (!options.gzip || StatusHasNoBody(resp->status) ||
      resp->body.size() < options.gzip_min_bytes || !resp->Header("Content-Encoding").empty()) {
    return;
  }
  const std::string_view vary = resp->Header("Vary");
  if (vary.empty()) {
    resp->SetHeader("Vary", "Accept-Encoding");
  } else if (!ContainsIgnoreCase(vary, "accept-encoding") && Trim(vary) != "*") {
    resp->SetHeader("Vary", std::string(vary) + ", Accept-Encoding");
  }
  if (!AcceptsGzip(accept_encoding)) return;
  Result<std::string> compressed = GzipCompress(resp->body);
  if (!compressed.ok()) return;  // send it uncompressed
  resp->body = std::move(*compressed);
  resp->SetHeader("Content-Encoding", "gzip");
}

std::string SerializeResponseHead(const Response& resp, bool keep_alive, BodyFraming framing) {
  std::string out;
  out.reserve(256);
  out += "HTTP/1.1 ";
  out += std::to_string(resp.status);
  out += ' ';
  out += ReasonPhrase(resp.status);
  out += "\r\n";
  for (const auto& [name, value] : resp.headers) {
    if (!IsValidHeaderName(name) || EqualsIgnoreCase(name, "Content-Length") ||
        EqualsIgnoreCase(name, "Transfer-Encoding") || EqualsIgnoreCase(name, "Connection")) {
      continue;
    }
    out += name;
    out += ": ";
    AppendSanitized(&out, value);
    out += "\r\n";
  }
  if (!StatusHasNoBody(resp.status)) {
    switch (framing) {
      case BodyFraming::kContentLength:
        out += "Content-Length: ";
        out += std::to_string(resp.body.size());
        out += "\r\n";
        break;
      case BodyFraming::kChunked:
        out += "Transfer-Encoding: chunked\r\n";
        break;
      case BodyFraming::kUntilClose:
        break;
    }
  }
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  return out;
}

void AppendChunk(std::string* out, std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  char digits[16];
  int n = 0;
  size_t size = data.size();
  do {
    digits[n++] = kHex[size & 0xf];
    size >>= 4;
  } while (size != 0);
  out->reserve(out->size() + static_cast<size_t>(n) + data.size() + 4);
  while (n > 0) out->push_back(digits[--n]);
  out->append("\r\n");
  out->append(data);
  out->append("\r\n");
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace infermetry::http
