#pragma once
// Blocking HTTP(S) client on libcurl's easy interface, plus the pieces a curl-multi user needs
// to configure its own easy handles the same way.
//
//   ClientRequest req;
//   req.url = "http://127.0.0.1:8000/metrics";
//   req.timeout = std::chrono::seconds(5);
//   Result<ClientResponse> resp = Fetch(req);
//   if (!resp.ok()) return resp.status();   // e.g. kUnavailable "GET http://...: connection
//   refused: ..." Use(resp->status, resp->body);
//
// Thread-safety: Fetch may be called from any number of threads at once (libcurl is
// initialized once, process-wide, on first use; each call uses its own easy handle). Signals
// are never used for timeouts (CURLOPT_NOSIGNAL).
//
// Transport errors come back as a Status whose message names the method, the URL (credentials
// removed) and the cause:
//   connection refused, DNS failure, unreachable, reset, TLS failure -> Code::kUnavailable
//   timeout (connect or total)                                       -> Code::kDeadlineExceeded
//   body larger than max_response_bytes                              -> Code::kResourceExhausted
//   malformed URL or unsupported scheme                              -> Code::kInvalidArgument
// An HTTP error status (404, 500, ...) is not an error here: it is a ClientResponse.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"

// libcurl's handle types, declared so that callers need not include <curl/curl.h>.
typedef void CURL;  // NOLINT: matches curl.h's own declaration
struct curl_slist;

namespace infermetry::http {

struct TlsOptions {
  std::string ca_file;    // PEM bundle to verify the server with; empty = system default
  std::string cert_file;  // client certificate (PEM) for mutual TLS
  std::string key_file;   // its private key (PEM)
  // Name to send as SNI and verify the server certificate against, instead of the URL's host.
  // The connection still goes to the URL's host and the Host header keeps the URL's host.
  std::string server_name;
  bool insecure_skip_verify = false;  // do not verify the server certificate or its name
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};  // whole transfer, including connect
  std::chrono::milliseconds connect_timeout{5000};
  size_t max_response_bytes = size_t{256} << 20;  // after gzip decoding
  // Sends "Accept-Encoding: gzip" and decodes a gzip response transparently; `body` and
  // max_response_bytes then refer to the decoded bytes.
  bool accept_gzip = true;
  bool follow_redirects = false;  // at most 5 when enabled
  // "http://proxy:3128" and the like. Empty means a direct connection: the http_proxy /
  // https_proxy environment variables are deliberately ignored.
  std::string proxy_url;
  std::string basic_user;  // HTTP basic auth when non-empty
  std::string basic_password;
  TlsOptions tls;
};

struct ClientResponse {
  int status = 0;
  // Headers of the final response (not of any 100 Continue or redirect before it), names as
  // sent by the server.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  double duration_seconds = 0;  // whole transfer, as measured by curl

  // First header called `name` (case-insensitive), or "" if absent.
  std::string_view Header(std::string_view name) const;
};

// Performs `req` and waits for the whole response.
Result<ClientResponse> Fetch(const ClientRequest& req);

// Receives a response body piece by piece, as it arrives (after gzip decoding when the server
// compressed it). `head` holds the status and headers of the final response, already complete
// at the first call, and an empty body; `chunk` is the next piece (never empty), valid only
// during the call. Pieces follow the transport's reads, not any framing of the content: a line
// or an event may be split across calls. Return false to abort the transfer.
using BodyChunkHandler = std::function<bool(const ClientResponse& head, std::string_view chunk)>;

// Performs `req` like Fetch, but hands the body to `on_chunk` as it arrives instead of
// collecting it: for server-sent events and other long or open-ended responses. Called on the
// calling thread, for responses of any status. The result is Fetch's, with an empty body;
// max_response_bytes does not apply (the caller decides what to keep). Errors are Fetch's,
// plus kCancelled ("aborted by the caller") when `on_chunk` returned false. A timeout midway
// comes back as kDeadlineExceeded after the pieces received so far were delivered.
// With accept_gzip, a compressed response is decoded on the fly; set it to false when the
// arrival time of each piece matters and the server might buffer to compress.
Result<ClientResponse> FetchStream(const ClientRequest& req, const BodyChunkHandler& on_chunk);

// Calls curl_global_init exactly once per process; Fetch and EasyTransfer do it themselves.
void EnsureCurlInitialized();

// One transfer on a caller-owned easy handle, for callers driving curl-multi:
//
//   auto t = std::make_unique<EasyTransfer>();
//   CURL* h = curl_easy_init();
//   if (Status s = t->Configure(h, req); !s.ok()) ...
//   curl_easy_setopt(h, CURLOPT_PRIVATE, t.get());
//   curl_multi_add_handle(multi, h);
//   ... on CURLMSG_DONE for h:
//   Result<ClientResponse> r = t->Finish(h, msg->data.result);
//   curl_multi_remove_handle(multi, h); curl_easy_cleanup(h);
//
// Configure installs write/header callbacks that point at this object, so the EasyTransfer
// must stay at the same address (hold it by unique_ptr) and outlive the transfer; it owns the
// copies of the URL, body and header list that curl reads from. Configure resets the handle
// first (curl_easy_reset), so a handle may be reused for a later transfer, after Finish.
// One EasyTransfer serves one transfer at a time; it is not thread-safe.
class EasyTransfer {
 public:
  EasyTransfer();
  ~EasyTransfer();
  EasyTransfer(const EasyTransfer&) = delete;
  EasyTransfer& operator=(const EasyTransfer&) = delete;

  // Applies every field of `req` (method, headers, body, timeouts, gzip, redirects, proxy, basic
  // auth, TLS) to `handle`. kInvalidArgument when the URL cannot be parsed or curl rejects an
  // option. With `on_chunk`, the body is streamed to it as in FetchStream (and not collected);
  // Finish then reports kCancelled when it aborted the transfer.
  Status Configure(CURL* handle, const ClientRequest& req, BodyChunkHandler on_chunk = nullptr);

  // Turns the finished transfer into a response or a transport-error Status. `curl_code` is the
  // transfer's CURLcode (curl_easy_perform's return value or CURLMsg::data.result). Moves the
  // collected body out; call once per Configure.
  Result<ClientResponse> Finish(CURL* handle, int curl_code);

 private:
  static size_t OnBody(char* data, size_t size, size_t n, void* self);
  static size_t OnHeader(char* data, size_t size, size_t n, void* self);

  std::string method_;
  std::string url_;            // as given, for messages (credentials removed)
  std::string effective_url_;  // what curl connects to (host replaced for tls.server_name)
  std::string body_;
  std::string connect_to_entry_;
  curl_slist* header_list_ = nullptr;
  curl_slist* connect_to_ = nullptr;
  size_t max_response_bytes_ = 0;
  bool too_large_ = false;
  BodyChunkHandler on_chunk_;             // streaming mode when set
  CURL* handle_ = nullptr;                // for the response code while streaming
  bool aborted_ = false;                  // on_chunk_ returned false
  std::unique_ptr<char[]> error_buffer_;  // CURL_ERROR_SIZE bytes
  ClientResponse response_;
};

}  // namespace infermetry::http
