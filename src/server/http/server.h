#pragma once
// HTTP/1.1 server for infermetry's API, UI, remote-write and proxy endpoints.
//
//   auto router = std::make_shared<Router>();
//   router->Handle("GET", "/-/healthy", "healthy", [](const Request&, Response* r) {
//     r->SetText(200, "ok\n");
//   });
//   Result<std::unique_ptr<Server>> server = Server::Start(options, router);
//   if (!server.ok()) return server.status();
//   ...
//   (*server)->Shutdown(std::chrono::seconds(10));
//
// Threading: one I/O thread owns every socket (accept, parse, write, timeouts). Each complete
// request is handed to a pool of `threads` worker threads, which gunzip the body, run the
// handler, and gzip the response; the write goes back to the I/O thread. A blocking handler
// therefore occupies one worker and stalls nothing else, until all workers are busy, at which
// point further requests queue. Requests on one connection are served in order.
//
// Protocol: HTTP/1.1 and HTTP/1.0 keep-alive; Content-Length is always sent; request bodies may
// use Content-Length or chunked encoding and Content-Encoding: gzip; "Expect: 100-continue" is
// honoured. Errors produced before a handler runs close the connection after the response:
// 400 malformed request, 408 header/body timeout, 413 body over max_body_bytes (also after
// gunzip), 431 header over max_header_bytes. A connection that sends nothing within its timeout
// is closed without a response.
//
// Self-metrics (selfmon::Default()): infermetry_http_requests_total{route,code},
// infermetry_http_request_duration_seconds{route} (header received until response written),
// infermetry_http_connections_open.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "server/http/message.h"
#include "server/http/router.h"

namespace infermetry::http {

struct ServerOptions {
  // "host:port", "[v6addr]:port", or ":port" for all interfaces (IPv6 dual-stack when
  // available, else IPv4). Port 0 picks a free port; see Server::port(). A host name is
  // resolved once at Start and the first address is used.
  std::string listen = "127.0.0.1:0";
  size_t max_body_bytes = 64 << 20;    // after gunzip
  size_t max_header_bytes = 64 << 10;  // request line plus header fields
  // From a connection's first byte of a request (or from accept, for the first request) until
  // its header is complete.
  std::chrono::milliseconds header_timeout{10000};
  // How long a keep-alive connection may sit between requests.
  std::chrono::milliseconds idle_timeout{120000};
  // Time to receive a request body once its header is in; also bounds writing a response.
  std::chrono::milliseconds body_timeout{60000};
  int threads = 4;  // worker threads running handlers (minimum 1)
  bool gzip = true;
  size_t gzip_min_bytes = 1024;
};

// Thread-safety: port() and address() may be called from any thread; Shutdown may be called
// from any thread except a handler of this server (it would wait for itself).
class Server {
 public:
  // Binds, listens and starts serving `router` (shared with the caller; it must not be modified
  // afterwards). Bind failures (address in use, address not available, bad syntax, unresolvable
  // host) come back as a Status naming the address and the cause.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options,
                                               std::shared_ptr<const Router> router);

  // Same as Shutdown(kDefaultShutdownDeadline).
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  static constexpr std::chrono::milliseconds kDefaultShutdownDeadline{5000};

  // The bound port (useful with port 0).
  uint16_t port() const;
  // The bound address, "127.0.0.1:8080" or "[::]:8080".
  std::string address() const;

  // Graceful stop: closes the listener, closes idle keep-alive connections, lets requests
  // already in progress finish and write their responses (sent with Connection: close) until
  // `deadline` has passed, then closes whatever is left. Handlers cannot be interrupted, so this
  // also waits for handlers still running past the deadline to return (their responses are
  // discarded). Idempotent; later calls return at once.
  void Shutdown(std::chrono::milliseconds deadline);

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace infermetry::http
