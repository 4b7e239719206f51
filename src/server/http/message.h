#pragma once
// The request and response values passed to HTTP handlers, and URL-encoding helpers.
// Plain data: no I/O, no Boost. A Request is immutable once handed to a handler; a handler fills
// in the Response it is given. Neither type is synchronized; each belongs to one request.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace infermetry::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive ASCII comparison, as header names require.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Value of the first header called `name` (case-insensitive), or "" when absent. The view points
// into `headers`.
std::string_view FindHeader(const HeaderList& headers, std::string_view name);

// Decodes %XX escapes; with `plus_as_space`, '+' becomes ' ' (query strings and form bodies).
// Malformed escapes are kept literally.
std::string UrlDecode(std::string_view s, bool plus_as_space);

// Splits "a=1&b=2&a=3" (a query string or an application/x-www-form-urlencoded body) into
// decoded pairs in order. A parameter without '=' has an empty value; empty pieces are skipped.
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view s);

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // request-target as sent, e.g. "/api/v1/query?query=up"
  std::string path;    // target before '?', not percent-decoded
  std::string query;   // target after '?', without it; not decoded
  HeaderList headers;  // in arrival order, names as sent
  // Already gunzipped when the client sent Content-Encoding: gzip; that header is then removed
  // and Content-Length gives the decoded size.
  std::string body;
  std::string remote_addr;  // "ip:port" of the peer

  // First header called `name` (case-insensitive), or "" if absent.
  std::string_view Header(std::string_view name) const { return FindHeader(headers, name); }
  // URL-decoded value of the first query parameter called `name`, or "" if absent.
  std::string QueryParam(std::string_view name) const;
  // URL-decoded values of every query parameter called `name` (e.g. repeated "match[]").
  std::vector<std::string> QueryParams(std::string_view name) const;
};

struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;

  // Replaces every header called `name` (case-insensitive) with one `name: value`.
  void SetHeader(std::string_view name, std::string_view value);
  // Appends a header, keeping existing ones of the same name.
  void AddHeader(std::string_view name, std::string_view value);
  // First header called `name` (case-insensitive), or "" if absent.
  std::string_view Header(std::string_view name) const { return FindHeader(headers, name); }
  void SetContentType(std::string_view content_type) { SetHeader("Content-Type", content_type); }
  // Sets status, a text/plain body and its content type in one call.
  void SetText(int status_code, std::string text);
};

// Serves one request. Called on a server worker thread; may block (the server keeps serving
// other connections meanwhile) and must be safe to call concurrently with itself. Exceptions
// thrown by a handler are caught and turned into a 500.
using Handler = std::function<void(const Request&, Response*)>;

}  // namespace infermetry::http
