#pragma once
// Transport-independent pieces of the HTTP server: content negotiation, request body decoding
// and response serialization. Pure functions, no I/O, thread-safe. Internal to the server, but
// kept apart from the Boost-based connection code so they are cheap to compile and test.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http/message.h"

namespace infermetry::http {

struct ServerOptions;

// True when an Accept-Encoding value allows gzip: an explicit "gzip" or "x-gzip" coding with a
// q-value above 0, or else a "*" with a q-value above 0. "gzip;q=0" forbids gzip even if "*" is
// allowed. Matching is case-insensitive; a malformed q-value counts as 0 (coding refused).
bool AcceptsGzip(std::string_view accept_encoding);

// Undoes Content-Encoding: gzip (or x-gzip) on `req->body`, removing that header and setting
// Content-Length to the decoded size. Other encodings (e.g. snappy) are left to the handler.
// Errors: kResourceExhausted when the decoded body exceeds `max_body_bytes`, kParseError for a
// corrupt stream.
Status DecodeRequestBody(Request* req, size_t max_body_bytes);

// The status a DecodeRequestBody error is answered with (413 or 400).
int StatusForDecodeError(const Status& status);

// Applies response content-coding: gzips `resp->body` when `options.gzip`, the body has at least
// `options.gzip_min_bytes`, the handler set no Content-Encoding, the status allows a body and
// `accept_encoding` allows gzip; adds "Vary: Accept-Encoding" whenever the body was eligible.
void EncodeResponseBody(std::string_view accept_encoding, const ServerOptions& options,
                        Response* resp);

// True for statuses that never carry a body or Content-Length (1xx, 204, 304).
bool StatusHasNoBody(int status);

// How a response body is delimited on the wire.
enum class BodyFraming {
  kContentLength,  // "Content-Length: <body size>" (omitted for statuses without a body)
  kChunked,        // "Transfer-Encoding: chunked" (streamed, HTTP/1.1)
  kUntilClose,     // neither; the body ends when the connection closes (streamed, HTTP/1.0)
};

// The status line and header block, ending with the blank line. Handler-set Content-Length,
// Transfer-Encoding and Connection headers are replaced by the server's own; CR and LF in
// header values become spaces and headers with invalid names are dropped.
std::string SerializeResponseHead(const Response& resp, bool keep_alive,
                                  BodyFraming framing = BodyFraming::kContentLength);

// Appends `data` as one chunk of a chunked body: "<hex size>\r\n<data>\r\n". REQUIRES:
// `data` is not empty (an empty chunk would end the body).
void AppendChunk(std::string* out, std::string_view data);
// The zero-length chunk that ends a chunked body (no trailers).
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// "OK", "Not Found", ...; "Unknown" for codes without a registered phrase.
std::string_view ReasonPhrase(int status);

}  // namespace infermetry::http
