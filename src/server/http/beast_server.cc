// Server implementation on Boost.Asio and Boost.Beast's request parser. This is the only
// translation unit that includes Boost headers (they are expensive to compile).
//
// A streamed response (Response::Stream) alternates between two places: the producer runs on a
// worker (it may block), each piece it returns is written on the connection's strand, and only
// once that write completes is the producer called again. While the producer runs, the strand
// watches the socket for the peer going away, so that a disconnect is noticed (and the producer
// told) even when no write is pending.

#include <sys/socket.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <condition_variable>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/self_metrics.h"
#include "server/http/listen_address.h"
#include "server/http/server.h"
#include "server/http/wire.h"

namespace infermetry::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

struct HttpMetrics {
  selfmon::Family<selfmon::Counter>& requests;
  selfmon::Family<selfmon::Histogram>& duration;
  selfmon::Gauge& connections_open;
};

HttpMetrics& Metrics() {
  static HttpMetrics m{
      selfmon::Default().AddCounter("infermetry_http_requests_total",
                                    "HTTP requests served, by route and status code.",
                                    {"route", "code"}),
      selfmon::Default().AddHistogram("infermetry_http_request_duration_seconds",
                                      "Time from a request's header to its response written.",
                                      {"route"}, selfmon::LatencyBuckets()),
      selfmon::Default()
          .AddGauge("infermetry_http_connections_open", "Open HTTP client connections.")
          .With({}),
  };
  return m;
}

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string EndpointString(const tcp::endpoint& ep) {
  const asio::ip::address a = ep.address();
  std::string host = a.to_string();
  if (a.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

class Connection;

// The producer of one streamed response and its bookkeeping. `next` and `abandoned` are touched
// on the strand, except that a worker calls `next` while `pulling` is true (the strand then
// leaves `next` alone).
struct StreamState {
  ChunkSource next;
  std::function<void()> abandoned;
  std::string_view route;
  int status = 200;
  BodyFraming framing = BodyFraming::kChunked;
  bool keep_alive = false;
  bool pulling = false;  // `next` is running on a worker
  bool ended = false;    // completed or abandoned; `next` is not called again
  bool counted = false;  // self-metrics recorded

  // Destroys the producer; REQUIRES !pulling.
  void Release() {
    next = nullptr;
    abandoned = nullptr;
  }
};

// State shared by the listener and every connection. Members are declared so that the
// io_context is destroyed before the connection registry (destroying the io_context destroys
// queued handlers, which may own the last reference to a Connection).
struct ServerCore {
  ServerCore(ServerOptions opts, std::shared_ptr<const Router> r)
      : options(std::move(opts)),
        router(std::move(r)),
        pool(static_cast<size_t>(std::max(1, options.threads))) {}

  Status Listen();
  void StartAccepting();
  void Accept();
  void Shutdown(std::chrono::milliseconds deadline);
  void Unregister(uint64_t id);
  std::vector<std::shared_ptr<Connection>> Snapshot();

  const ServerOptions options;
  const std::shared_ptr<const Router> router;

  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, std::weak_ptr<Connection>> connections;  // guarded by mu
  uint64_t next_id = 0;                                       // guarded by mu
  bool stopping = false;                                      // guarded by mu
  std::once_flag shutdown_once;

  tcp::endpoint bound;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  asio::steady_timer accept_retry{acceptor.get_executor()};
  std::thread io_thread;
  asio::thread_pool pool;  // runs handlers; joined before the io_context stops
};

// One client connection. All members are touched only on the connection's strand, except
// the immutable ones set in the constructor.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerCore* core, tcp::socket socket, uint64_t id)
      : core_(core),
        opts_(core->options),
        id_(id),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()) {
    error_code ec;
    const tcp::endpoint peer = socket_.remote_endpoint(ec);
    if (!ec) remote_addr_ = EndpointString(peer);
    Metrics().connections_open.Add(1);
  }

  ~Connection() {
    Metrics().connections_open.Add(-1);
    core_->Unregister(id_);
  }

  // Each of these runs the step on the connection's strand.
  void Start() {
    Run([](Connection* c) { c->WaitForRequest(); });
  }
  void BeginShutdown() {
    Run([](Connection* c) { c->OnBeginShutdown(); });
  }
  void ForceClose() {
    Run([](Connection* c) { c->Close(); });
  }

 private:
  enum class Phase { kWaiting, kReadingHeader, kReadingBody, kHandling, kWriting, kClosed };
  enum class Timeout { kNone, kIdle, kHeader, kBody, kWrite, kDrain };

  template <typename F>
  void Run(F f) {
    asio::post(socket_.get_executor(),
               [self = shared_from_this(), f = std::move(f)]() mutable { f(self.get()); });
  }

  void ArmTimer(std::chrono::milliseconds d, Timeout kind) {
    const uint64_t gen = ++timer_gen_;
    timed_out_ = Timeout::kNone;
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this(), gen, kind](error_code ec) {
      if (ec || gen != self->timer_gen_) return;
      self->timed_out_ = kind;
      error_code ignored;
      self->socket_.cancel(ignored);
    });
  }

  void DisarmTimer() {
    ++timer_gen_;
    timer_.cancel();
  }

  bool NothingReceived() const { return buffer_.size() == 0 && (!parser_ || !parser_->got_some()); }

  void OnBeginShutdown() {
    closing_ = true;
    if (phase_ == Phase::kWaiting || (phase_ == Phase::kReadingHeader && NothingReceived())) {
      Close();
    }
  }

  // Waits for the first byte of the next request (bounded by the idle timeout) without
  // consuming it. The first request on a connection skips this: its header timeout runs from
  // accept.
  void WaitForRequest() {
    if (closing_) return Close();
    if (first_request_ || buffer_.size() > 0) return ReadHeader();
    phase_ = Phase::kWaiting;
    ArmTimer(opts_.idle_timeout, Timeout::kIdle);
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
      if (self->timed_out_ != Timeout::kNone || ec || self->phase_ == Phase::kClosed) {
        return self->Close();
      }
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    phase_ = Phase::kReadingHeader;
    ArmTimer(opts_.header_timeout, Timeout::kHeader);
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(opts_.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(static_cast<uint64_t>(opts_.max_body_bytes));
    bhttp::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(error_code ec) {
    first_request_ = false;
    if (phase_ == Phase::kClosed) return;
    if (timed_out_ != Timeout::kNone) {
      if (NothingReceived()) return Close();
      return SendError(408, "request header not received in time");
    }
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof) return Close();
    if (ec == bhttp::error::header_limit) {
      return SendError(
          431, "request header exceeds " + std::to_string(opts_.max_header_bytes) + " bytes");
    }
    if (ec == bhttp::error::body_limit) return SendBodyTooLarge();
    if (ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      return Close();
    }
    if (ec) return SendError(400, "malformed request: " + ec.message());
    DisarmTimer();
    header_time_ = Clock::now();
    phase_ = Phase::kReadingBody;
    const auto& msg = parser_->get();
    if (!parser_->is_done() && msg.version() >= 11 &&
        EqualsIgnoreCase(View(msg[bhttp::field::expect]), "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      ArmTimer(opts_.body_timeout, Timeout::kWrite);
      asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](error_code ec, size_t) {
                          if (ec || self->timed_out_ != Timeout::kNone) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnBody({});
    ArmTimer(opts_.body_timeout, Timeout::kBody);
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(error_code ec) {
    if (phase_ == Phase::kClosed) return;
    if (timed_out_ != Timeout::kNone) return SendError(408, "request body not received in time");
    if (ec == bhttp::error::body_limit) return SendBodyTooLarge();
    if (ec == asio::error::operation_aborted || ec == asio::error::eof ||
        ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec == asio::error::connection_reset) {
      return Close();
    }
    if (ec) return SendError(400, "malformed request body: " + ec.message());
    DisarmTimer();

    auto& msg = parser_->get();
    Request req;
    req.method = std::string(View(msg.method_string()));
    req.target = std::string(View(msg.target()));
    const size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    for (const auto& field : msg) {
      req.headers.emplace_back(View(field.name_string()), View(field.value()));
    }
    req.body = std::move(msg.body());
    req.remote_addr = remote_addr_;
    keep_alive_ = msg.keep_alive();
    http_version_ = msg.version();
    parser_.reset();
    phase_ = Phase::kHandling;

    asio::post(core_->pool, [self = shared_from_this(), req = std::move(req)]() mutable {
      self->HandleOnWorker(std::move(req));
    });
  }

  // Runs on a worker thread: touches only the request, the router and the options.
  void HandleOnWorker(Request req) {
    Response resp;
    std::string_view route = kUnmatchedRoute;
    try {
      Status decoded = DecodeRequestBody(&req, opts_.max_body_bytes);
      if (decoded.ok()) {
        route = core_->router->Dispatch(req, &resp);
      } else {
        route = core_->router->Find(req.method, req.path).route_name;
        resp.SetText(StatusForDecodeError(decoded), decoded.message() + "\n");
      }
      if (!resp.streamed()) EncodeResponseBody(req.Header("Accept-Encoding"), opts_, &resp);
    } catch (const std::exception& e) {  // e.g. bad_alloc; never let it reach the pool thread
      log::Error("http request failed", {{"path", req.path}, {"err", e.what()}});
      resp = Response();
      resp.SetText(500, "500 internal server error\n");
    }
    const bool head_only = req.method == "HEAD";
    if (resp.streamed()) {
      Run([resp = std::move(resp), route, head_only](Connection* c) mutable {
        c->StartStream(std::move(resp), route, head_only);
      });
      return;
    }
    Run([resp = std::move(resp), route, head_only](Connection* c) mutable {
      c->Write(std::move(resp), route, head_only, /*close_after=*/false);
    });
  }

  // ---- Streamed responses (all on the strand unless noted) ----

  void StartStream(Response resp, std::string_view route, bool head_only) {
    ChunkSource next = std::move(resp.stream);
    std::function<void()> abandoned = std::move(resp.stream_abandoned);
    resp.stream = nullptr;
    resp.stream_abandoned = nullptr;
    if (phase_ == Phase::kClosed) return;  // the producer is destroyed unused
    const BodyFraming framing =
        http_version_ >= 11 ? BodyFraming::kChunked : BodyFraming::kUntilClose;
    if (head_only || StatusHasNoBody(resp.status)) {
      next = nullptr;
      abandoned = nullptr;
      resp.body.clear();
      return Write(std::move(resp), route, /*head_only=*/true, /*close_after=*/false, framing);
    }
    auto state = std::make_shared<StreamState>();
    state->next = std::move(next);
    state->abandoned = std::move(abandoned);
    state->route = route;
    state->status = resp.status;
    state->framing = framing;
    state->keep_alive = keep_alive_ && !closing_ && framing == BodyFraming::kChunked;
    stream_ = state;
    resp.body.clear();
    phase_ = Phase::kWriting;
    WatchForDisconnect();
    WriteStream(SerializeResponseHead(resp, state->keep_alive, framing), /*last=*/false);
  }

  void WriteStream(std::string data, bool last) {
    out_body_ = std::move(data);
    ArmTimer(opts_.body_timeout, Timeout::kWrite);
    asio::async_write(socket_, asio::buffer(out_body_),
                      [self = shared_from_this(), state = stream_, last](error_code ec, size_t) {
                        if (state != self->stream_ || state->ended) return;
                        self->DisarmTimer();
                        self->out_body_.clear();
                        if (ec || self->timed_out_ != Timeout::kNone) return self->Close();
                        if (last) return self->FinishStream();
                        self->PullNext();
                      });
  }

  void PullNext() {
    std::shared_ptr<StreamState> state = stream_;
    state->pulling = true;
    asio::post(core_->pool, [self = shared_from_this(), state]() {
      // On a worker: only `state->next` is touched here.
      std::string chunk;
      bool more = false;
      bool failed = false;
      try {
        more = state->next(&chunk);
      } catch (const std::exception& e) {
        log::Error("http stream producer threw", {{"route", state->route}, {"err", e.what()}});
        failed = true;
      } catch (...) {
        log::Error("http stream producer threw", {{"route", state->route}});
        failed = true;
      }
      self->Run([state, more, failed, chunk = std::move(chunk)](Connection* c) mutable {
        c->OnPulled(state, more, failed, std::move(chunk));
      });
    });
  }

  void OnPulled(const std::shared_ptr<StreamState>& state, bool more, bool failed,
                std::string chunk) {
    state->pulling = false;
    if (state->ended || state != stream_ || phase_ == Phase::kClosed) {
      state->Release();
      return;
    }
    if (failed) return Close();
    if (!more) {
      state->Release();
      if (state->framing != BodyFraming::kChunked) return FinishStream();
      return WriteStream(std::string(kLastChunk), /*last=*/true);
    }
    if (chunk.empty()) return PullNext();
    if (state->framing != BodyFraming::kChunked) return WriteStream(std::move(chunk), false);
    std::string framed;
    AppendChunk(&framed, chunk);
    WriteStream(std::move(framed), /*last=*/false);
  }

  // Completes the streamed response that was written in full.
  void FinishStream() {
    std::shared_ptr<StreamState> state = std::move(stream_);
    state->ended = true;
    CountStream(*state);
    state->Release();
    StopWatching();
    if (!state->keep_alive) return LingerClose();
    WaitForRequest();
  }

  // Ends a stream that did not complete (called from Close). The producer is destroyed now, or
  // by OnPulled once the running call returns (after being told through `abandoned`).
  void AbandonStream() {
    std::shared_ptr<StreamState> state = std::move(stream_);
    if (state == nullptr || state->ended) return;
    state->ended = true;
    CountStream(*state);
    if (state->pulling) {
      std::function<void()> abandoned = std::move(state->abandoned);
      state->abandoned = nullptr;
      if (abandoned) abandoned();
      return;
    }
    state->Release();
  }

  void CountStream(StreamState& state) {
    if (state.counted) return;
    state.counted = true;
    HttpMetrics& m = Metrics();
    m.requests.With({state.route, std::to_string(state.status)}).Inc();
    m.duration.With({state.route})
        .Observe(std::chrono::duration<double>(Clock::now() - header_time_).count());
  }

  // Waits for the socket to become readable while a stream is in progress: end of stream or an
  // error means the peer is gone. Bytes of a pipelined request end the watch (they are left for
  // the parser); a peer that pipelines and then vanishes is noticed by the next failed write.
  void WatchForDisconnect() {
    const uint64_t gen = ++watch_gen_;
    watching_ = true;
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this(), gen](error_code ec) {
      if (gen != self->watch_gen_ || !self->watching_) return;
      self->watching_ = false;
      if (ec == asio::error::operation_aborted || self->stream_ == nullptr) return;
      if (!ec) {
        char byte;
        const ssize_t n = ::recv(self->socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) return;  // a pipelined request
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          return self->WatchForDisconnect();
        }
      }
      self->Close();
    });
  }

  void StopWatching() {
    if (!watching_) return;
    watching_ = false;
    ++watch_gen_;
    error_code ignored;
    socket_.cancel(ignored);  // nothing else is pending on the socket at this point
  }

  void SendError(int status, std::string reason) {
    Response resp;
    resp.SetText(status, std::to_string(status) + " " + reason + "\n");
    header_time_ = Clock::now();
    Write(std::move(resp), kUnmatchedRoute, /*head_only=*/false, /*close_after=*/true);
  }

  void SendBodyTooLarge() {
    SendError(413, "request body exceeds " + std::to_string(opts_.max_body_bytes) + " bytes");
  }

  void Write(Response resp, std::string_view route, bool head_only, bool close_after,
             BodyFraming framing = BodyFraming::kContentLength) {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kWriting;
    const bool keep_alive = keep_alive_ && !close_after && !closing_;
    out_head_ = SerializeResponseHead(resp, keep_alive, framing);
    out_body_ = head_only || StatusHasNoBody(resp.status) ? std::string() : std::move(resp.body);
    std::vector<asio::const_buffer> bufs{asio::buffer(out_head_), asio::buffer(out_body_)};
    ArmTimer(opts_.body_timeout, Timeout::kWrite);
    asio::async_write(
        socket_, bufs,
        [self = shared_from_this(), route, status = resp.status, keep_alive](error_code ec,
                                                                             size_t) {
          self->DisarmTimer();
          HttpMetrics& m = Metrics();
          m.requests.With({route, std::to_string(status)}).Inc();
          m.duration.With({route}).Observe(
              std::chrono::duration<double>(Clock::now() - self->header_time_).count());
          self->out_head_.clear();
          self->out_body_.clear();
          if (ec || self->timed_out_ != Timeout::kNone) return self->Close();
          if (!keep_alive) return self->LingerClose();
          self->WaitForRequest();
        });
  }

  // Half-closes and discards whatever the peer still sends (e.g. the rest of a rejected body)
  // for a short while, so the peer reads the response instead of a reset.
  void LingerClose() {
    phase_ = Phase::kClosed;
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    ArmTimer(std::chrono::milliseconds(2000), Timeout::kDrain);
    Drain();
  }

  void Drain() {
    socket_.async_read_some(asio::buffer(drain_),
                            [self = shared_from_this()](error_code ec, size_t) {
                              if (ec || self->timed_out_ != Timeout::kNone) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    phase_ = Phase::kClosed;
    watching_ = false;
    AbandonStream();
    DisarmTimer();
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  ServerCore* const core_;
  const ServerOptions& opts_;
  const uint64_t id_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::string remote_addr_;

  Phase phase_ = Phase::kWaiting;
  Timeout timed_out_ = Timeout::kNone;
  uint64_t timer_gen_ = 0;
  bool first_request_ = true;
  bool keep_alive_ = false;
  unsigned http_version_ = 11;  // of the request being served: 10 or 11
  bool closing_ = false;
  std::shared_ptr<StreamState> stream_;  // the streamed response in progress, if any
  uint64_t watch_gen_ = 0;
  bool watching_ = false;
  boost::beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Clock::time_point header_time_;
  std::string out_head_;
  std::string out_body_;
  std::array<char, 4096> drain_;
};

Status ServerCore::Listen() {
  Result<std::vector<ListenAddress>> addrs = ParseListenAddress(options.listen);
  if (!addrs.ok()) return addrs.status();
  std::string last_error = "no usable address";
  for (const ListenAddress& la : *addrs) {
    error_code ec;
    tcp::endpoint ep;
    if (la.host.empty()) {
      ep = tcp::endpoint(la.ipv6 ? tcp::v6() : tcp::v4(), la.port);
    } else {
      const asio::ip::address a = asio::ip::make_address(la.host, ec);
      if (ec) {
        tcp::resolver resolver(ioc);
        auto results = resolver.resolve(la.host, std::to_string(la.port), ec);
        if (ec || results.empty()) {
          return InvalidArgument("listen address " + options.listen + ": cannot resolve host " +
                                 la.host + ": " + (ec ? ec.message() : "no addresses"));
        }
        ep = results.begin()->endpoint();
      } else {
        ep = tcp::endpoint(a, la.port);
      }
    }
    if (acceptor.is_open()) acceptor.close(ec);
    const char* step = "open";
    acceptor.open(ep.protocol(), ec);
    if (!ec && la.host.empty() && la.ipv6) acceptor.set_option(asio::ip::v6_only(false), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) (step = "bind", acceptor.bind(ep, ec));
    if (!ec) (step = "listen", acceptor.listen(asio::socket_base::max_listen_connections, ec));
    if (!ec) bound = acceptor.local_endpoint(ec);
    if (!ec) return Status::Ok();
    last_error = std::string(step) + " " + EndpointString(ep) + ": " + ec.message();
    // An address in use will not get better with the other family; report it now.
    if (ec == asio::error::address_in_use) break;
  }
  error_code ignored;
  acceptor.close(ignored);
  return Unavailable("cannot listen on " + options.listen + ": " + last_error);
}

void ServerCore::StartAccepting() {
  work.emplace(ioc.get_executor());
  asio::post(acceptor.get_executor(), [this] { Accept(); });
  io_thread = std::thread([this] {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        log::Error("http server I/O thread caught an exception", {{"err", e.what()}});
      }
    }
  });
}

void ServerCore::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Typically EMFILE/ENFILE: back off briefly instead of spinning.
      log::Warn("http accept failed", {{"listen", EndpointString(bound)}, {"err", ec.message()}});
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](error_code e) {
        if (!e) Accept();
      });
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::shared_ptr<Connection> conn;
    {
      std::lock_guard<std::mutex> l(mu);
      if (stopping) return;  // `socket` closes on scope exit
      const uint64_t id = next_id++;
      conn = std::make_shared<Connection>(this, std::move(socket), id);
      connections.emplace(id, conn);
    }
    conn->Start();
    Accept();
  });
}

void ServerCore::Unregister(uint64_t id) {
  std::lock_guard<std::mutex> l(mu);
  connections.erase(id);
  cv.notify_all();
}

std::vector<std::shared_ptr<Connection>> ServerCore::Snapshot() {
  std::vector<std::shared_ptr<Connection>> out;
  std::lock_guard<std::mutex> l(mu);
  for (auto& [id, weak] : connections) {
    if (auto c = weak.lock()) out.push_back(std::move(c));
  }
  return out;
}

void ServerCore::Shutdown(std::chrono::milliseconds deadline) {
  const Clock::time_point until = Clock::now() + deadline;
  {
    std::lock_guard<std::mutex> l(mu);
    stopping = true;
  }
  if (!io_thread.joinable()) {  // never started serving
    pool.join();
    return;
  }
  asio::post(acceptor.get_executor(), [this] {
    error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
  });
  for (auto& c : Snapshot()) c->BeginShutdown();
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait_until(l, until, [this] { return connections.empty(); });
  }
  for (auto& c : Snapshot()) c->ForceClose();
  pool.join();  // handlers cannot be interrupted; wait for them
  {
    // Let the I/O thread finish closing what the last handlers touched.
    std::unique_lock<std::mutex> l(mu);
    cv.wait_for(l, std::chrono::seconds(2), [this] { return connections.empty(); });
  }
  work.reset();
  ioc.stop();
  io_thread.join();
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, std::shared_ptr<const Router> router)
      : core(std::move(options), std::move(router)) {}
  ServerCore core;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Shutdown(kDefaultShutdownDeadline); }

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options,
                                              std::shared_ptr<const Router> router) {
  if (router == nullptr) return InvalidArgument("http server: router is null");
  const std::string listen = options.listen;
  try {
    auto impl = std::make_unique<Impl>(std::move(options), std::move(router));
    INFERMETRY_RETURN_IF_ERROR(impl->core.Listen());
    impl->core.StartAccepting();
    log::Info("http server listening", {{"address", EndpointString(impl->core.bound)}});
    return std::unique_ptr<Server>(new Server(std::move(impl)));
  } catch (const std::exception& e) {
    return Internal("http server start on " + listen + ": " + e.what());
  }
}

uint16_t Server::port() const { return impl_->core.bound.port(); }

std::string Server::address() const { return EndpointString(impl_->core.bound); }

void Server::Shutdown(std::chrono::milliseconds deadline) {
  std::call_once(impl_->core.shutdown_once, [&] { impl_->core.Shutdown(deadline); });
}

}  // namespace infermetry::http
