#pragma once
// The request and response values passed to HTTP handlers, and URL-encoding helpers.
// Plain data: no I/O, no Boost. A Request is immutable once handed to a handler; a handler fills
// in the Response it is given. Neither type is synchronized; each belongs to one request.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/strconv.h"

namespace infermetry::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive ASCII comparison, as header names require.
using ::infermetry::EqualsIgnoreCase;

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

// Produces a streamed response body one piece at a time (see Response::Stream). Returns false
// when the body is complete (`*chunk` is then ignored); returns true with the next piece in
// `*chunk` otherwise (an empty piece is skipped, it does not end the body).
using ChunkSource = std::function<bool(std::string* chunk)>;

struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;
  // Set by Stream(); empty for an ordinary response.
  ChunkSource stream;
  std::function<void()> stream_abandoned;

  // Replaces every header called `name` (case-insensitive) with one `name: value`.
  void SetHeader(std::string_view name, std::string_view value);
  // Appends a header, keeping existing ones of the same name.
  void AddHeader(std::string_view name, std::string_view value);
  // First header called `name` (case-insensitive), or "" if absent.
  std::string_view Header(std::string_view name) const { return FindHeader(headers, name); }
  void SetContentType(std::string_view content_type) { SetHeader("Content-Type", content_type); }
  // Sets status, a text/plain body and its content type in one call.
  void SetText(int status_code, std::string text);

  // Makes this a streamed response: `body` is ignored and the server instead writes the head
  // (status and headers as set, no Content-Length, never gzipped) and then whatever `next`
  // produces, as it produces it:
  // - `next` is called on a server worker thread, never concurrently with itself, and may block
  //   (e.g. until the next token exists); each piece it returns is written to the client before
  //   `next` is called again. HTTP/1.1 clients receive the pieces as chunks of a
  //   `Transfer-Encoding: chunked` body ending with the zero-length chunk; HTTP/1.0 clients
  //   receive them unframed and the connection closes after the last one.
  // - When the client disconnects, a write fails or times out, or the server shuts down before
  //   `next` has returned false, `next` is not called again and is destroyed (so the destructor
  //   of whatever it captured can cancel the work behind it). If `next` is running at that
  //   moment (blocked on a worker), `abandoned` (when given) is called first, on the server's
  //   I/O thread, concurrently with that call: it should make `next` return soon. `abandoned` is
  //   called at most once and never after `next` returned false.
  // - A HEAD request gets the head only; `next` is destroyed without being called. So is it for
  //   a status without a body (1xx, 204, 304).
  // - An exception thrown by `next` ends the response abruptly (the connection is closed
  //   without the final chunk, so the client sees a truncated body).
  void Stream(ChunkSource next, std::function<void()> abandoned = nullptr);
  bool streamed() const { return static_cast<bool>(stream); }
};

// Serves one request. Called on a server worker thread; may block (the server keeps serving
// other connections meanwhile) and must be safe to call concurrently with itself. Exceptions
// thrown by a handler are caught and turned into a 500.
using Handler = std::function<void(const Request&, Response*)>;

}  // namespace infermetry::http
