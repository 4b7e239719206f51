#include "server/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "common/http_client.h"
#include "common/self_metrics.h"
#include "common/gzip.h"
#include "server/http/test_socket.h"

namespace infermetry::http {
namespace {

using std::chrono::milliseconds;
using testing::RawConn;
using testing::ResponseBody;

const std::string kBigText = [] {
  std::string s;
  for (int i = 0; i < 400; ++i) s += "line " + std::to_string(i) + " of a compressible body\n";
  return s;
}();

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() : router_(std::make_shared<Router>()) {
    router_->Handle("GET", "/hello", "hello",
                    [](const Request&, Response* r) { r->SetText(200, "hello world\n"); });
    router_->Handle("POST", "/echo", "echo", [](const Request& req, Response* r) {
      r->SetText(200, req.body);
      r->SetHeader("X-Body-Size", std::to_string(req.body.size()));
    });
    router_->Handle("GET", "/big", "big",
                    [](const Request&, Response* r) { r->SetText(200, kBigText); });
    router_->Handle("GET", "/slow", "slow", [this](const Request&, Response* r) {
      slow_entered_.set_value();
      std::this_thread::sleep_for(milliseconds(slow_ms_));
      r->SetText(200, "slow done\n");
    });
  }

  void Start(ServerOptions opts = {}) {
    auto s = Server::Start(std::move(opts), router_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }

  std::string Url(std::string_view path) const {
    return "http://" + server_->address() + std::string(path);
  }

  Result<ClientResponse> Get(std::string_view path, bool accept_gzip = true) {
    ClientRequest req;
    req.url = Url(path);
    req.accept_gzip = accept_gzip;
    return Fetch(req);
  }

  std::shared_ptr<Router> router_;
  std::unique_ptr<Server> server_;
  std::promise<void> slow_entered_;
  int slow_ms_ = 500;
};

TEST_F(ServerTest, RoutesAnd404And405AndHead) {
  Start();
  auto ok = Get("/hello");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "hello world\n");
  EXPECT_EQ(ok->Header("Content-Length"), "12");
  EXPECT_EQ(ok->Header("Content-Type"), "text/plain; charset=utf-8");

  auto missing = Get("/nope?x=1");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "404 not found: /nope\n");

  ClientRequest post;
  post.method = "POST";
  post.url = Url("/hello");
  post.body = "x";
  auto wrong = Fetch(post);
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->Header("Allow"), "GET, HEAD");

  ClientRequest head;
  head.method = "HEAD";
  head.url = Url("/hello");
  auto h = Fetch(head);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->body, "");
  EXPECT_EQ(h->Header("Content-Length"), "12");

  std::string text;
  selfmon::Default().WriteText(&text);
  EXPECT_NE(text.find("infermetry_http_requests_total{route=\"hello\",code=\"200\"}"),
            std::string::npos);
  EXPECT_NE(text.find("infermetry_http_requests_total{route=\"unmatched\",code=\"404\"}"),
            std::string::npos);
  EXPECT_NE(text.find("infermetry_http_request_duration_seconds_bucket{route=\"hello\""),
            std::string::npos);
  EXPECT_NE(text.find("infermetry_http_connections_open"), std::string::npos);
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Start();
  RawConn c(server_->port());
  ASSERT_GE(c.fd(), 0);
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string first = c.ReadResponse();
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  EXPECT_NE(first.find("Connection: keep-alive"), std::string::npos);
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  std::string second = c.ReadResponse();
  EXPECT_EQ(ResponseBody(second), "abc") << second;

  // Pipelined: both requests in one write, answered in order.
  ASSERT_TRUE(
      c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse().rfind("HTTP/1.1 200", 0), 0u);
  std::string last = c.ReadResponse();
  EXPECT_EQ(last.rfind("HTTP/1.1 404", 0), 0u) << last;
  EXPECT_NE(last.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(c.WaitClosed(milliseconds(2000)));
}

TEST_F(ServerTest, Http10KeepAliveOnlyWhenAsked) {
  Start();
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  std::string r = c.ReadResponse();
  EXPECT_NE(r.find("Connection: keep-alive"), std::string::npos) << r;
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.0\r\n\r\n"));
  r = c.ReadResponse();
  EXPECT_NE(r.find("Connection: close"), std::string::npos) << r;
  EXPECT_EQ(ResponseBody(r), "hello world\n");
  EXPECT_TRUE(c.WaitClosed(milliseconds(2000)));
}

TEST_F(ServerTest, ChunkedAndExpectContinueBodies) {
  Start();
  RawConn c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"));
  EXPECT_EQ(ResponseBody(c.ReadResponse()), "abcdefg");

  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
             "Expect: 100-continue\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse(), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(c.Send("12345"));
  EXPECT_EQ(ResponseBody(c.ReadResponse()), "12345");
}

TEST_F(ServerTest, MalformedRequestIs400) {
  Start();
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("THIS IS NOT HTTP\r\n\r\n"));
  std::string r = c.ReadResponse();
  EXPECT_EQ(r.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << r;
  EXPECT_TRUE(c.WaitClosed(milliseconds(3000)));
}

TEST_F(ServerTest, BodyOverLimitIs413IncludingAfterGunzip) {
  ServerOptions opts;
  opts.max_body_bytes = 1024;
  Start(opts);
  ClientRequest req;
  req.method = "POST";
  req.url = Url("/echo");
  req.body = std::string(4096, 'b');
  auto big = Fetch(req);
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(big->body.find('\n'), big->body.size() - 1);

  req.body = *GzipCompress(std::string(100000, 'z'));
  ASSERT_LT(req.body.size(), 1024u);
  req.headers = {{"Content-Encoding", "gzip"}};
  auto bomb = Fetch(req);
  ASSERT_TRUE(bomb.ok()) << bomb.status().ToString();
  EXPECT_EQ(bomb->status, 413);

  req.body = *GzipCompress(std::string(1000, 'y'));
  auto fits = Fetch(req);
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->status, 200);
  EXPECT_EQ(fits->body, std::string(1000, 'y'));

  // Chunked bodies are limited too.
  RawConn c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "800\r\n" +
             std::string(0x800, 'c') + "\r\n0\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse().rfind("HTTP/1.1 413", 0), 0u);
}

TEST_F(ServerTest, RequestBodyIsGunzipped) {
  Start();
  ClientRequest req;
  req.method = "POST";
  req.url = Url("/echo");
  req.headers = {{"Content-Encoding", "gzip"}};
  req.body = *GzipCompress(kBigText);
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kBigText);
  EXPECT_EQ(r->Header("X-Body-Size"), std::to_string(kBigText.size()));

  req.body = "definitely not gzip";
  auto bad = Fetch(req);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  ServerOptions opts;
  opts.max_header_bytes = 4096;
  Start(opts);
  ClientRequest req;
  req.url = Url("/hello");
  req.headers = {{"X-Big", std::string(8000, 'h')}};
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 431);

  req.headers = {{"X-Fits", std::string(2000, 'h')}};
  r = Fetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, HalfHeaderTimesOutWith408AndClose) {
  ServerOptions opts;
  opts.header_timeout = milliseconds(200);
  Start(opts);
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n"));
  std::string got;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed(milliseconds(3000), &got));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2500));
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;

  // A connection that never sends anything is closed silently.
  RawConn silent(server_->port());
  got.clear();
  EXPECT_TRUE(silent.WaitClosed(milliseconds(3000), &got));
  EXPECT_EQ(got, "");
}

TEST_F(ServerTest, BodyTimeoutClosesConnection) {
  ServerOptions opts;
  opts.body_timeout = milliseconds(200);
  Start(opts);
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial"));
  std::string got;
  EXPECT_TRUE(c.WaitClosed(milliseconds(3000), &got));
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions opts;
  opts.idle_timeout = milliseconds(200);
  Start(opts);
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse().rfind("HTTP/1.1 200", 0), 0u);
  std::string got;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed(milliseconds(3000), &got));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(150));
  EXPECT_EQ(got, "");
}

TEST_F(ServerTest, GzipsResponsesOnlyWhenAccepted) {
  Start();
  for (const char* accept : {"gzip", "deflate, gzip;q=0.8", "*"}) {
    RawConn c(server_->port());
    ASSERT_TRUE(c.Send(std::string("GET /big HTTP/1.1\r\nHost: x\r\nAccept-Encoding: ") + accept +
                       "\r\n\r\n"));
    std::string r = c.ReadResponse();
    EXPECT_NE(r.find("Content-Encoding: gzip\r\n"), std::string::npos) << accept;
    EXPECT_NE(r.find("Vary: Accept-Encoding\r\n"), std::string::npos);
    auto body = GzipDecompress(ResponseBody(r), 1 << 20);
    ASSERT_TRUE(body.ok()) << accept;
    EXPECT_EQ(*body, kBigText);
  }
  for (const char* accept : {"", "gzip;q=0", "br", "*, gzip;q=0"}) {
    RawConn c(server_->port());
    std::string request = "GET /big HTTP/1.1\r\nHost: x\r\n";
    if (*accept != '\0') request += std::string("Accept-Encoding: ") + accept + "\r\n";
    ASSERT_TRUE(c.Send(request + "\r\n"));
    std::string r = c.ReadResponse();
    EXPECT_EQ(r.find("Content-Encoding"), std::string::npos) << accept;
    EXPECT_EQ(ResponseBody(r), kBigText);
  }
  // Small bodies are never compressed.
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"));
  EXPECT_EQ(ResponseBody(c.ReadResponse()), "hello world\n");
  // The client decodes transparently.
  auto viaclient = Get("/big");
  ASSERT_TRUE(viaclient.ok());
  EXPECT_EQ(viaclient->Header("Content-Encoding"), "gzip");
  EXPECT_EQ(viaclient->body, kBigText);
}

TEST_F(ServerTest, ShutdownLetsInFlightRequestFinish) {
  Start();
  auto pending = std::async(std::launch::async, [this] { return Get("/slow"); });
  slow_entered_.get_future().wait();
  // An idle keep-alive connection is closed right away.
  RawConn idle(server_->port());
  ASSERT_TRUE(idle.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(idle.ReadResponse().rfind("HTTP/1.1 200", 0), 0u);

  const uint16_t port = server_->port();
  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown(milliseconds(5000));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(4000));
  auto r = pending.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow done\n");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(idle.WaitClosed(milliseconds(100)));

  RawConn after(port);
  EXPECT_LT(after.fd(), 0) << "listener still accepting after Shutdown";
  server_->Shutdown(milliseconds(5000));  // idempotent
}

TEST_F(ServerTest, ShutdownDeadlineCutsOffSlowRequest) {
  slow_ms_ = 1500;
  Start();
  auto pending = std::async(std::launch::async, [this] { return Get("/slow"); });
  slow_entered_.get_future().wait();
  server_->Shutdown(milliseconds(100));
  auto r = pending.get();
  EXPECT_FALSE(r.ok());
}

TEST_F(ServerTest, SlowHandlerDoesNotBlockOtherRequests) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  router_->Handle("GET", "/blocked", "blocked", [released](const Request&, Response* r) {
    released.wait();
    r->SetText(200, "unblocked\n");
  });
  ServerOptions opts;
  opts.threads = 2;
  Start(opts);
  auto pending = std::async(std::launch::async, [this] { return Get("/blocked"); });
  std::this_thread::sleep_for(milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  auto fast = Get("/hello");
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
  EXPECT_EQ(pending.wait_for(milliseconds(0)), std::future_status::timeout);
  release.set_value();
  auto slow = pending.get();
  ASSERT_TRUE(slow.ok());
  EXPECT_EQ(slow->body, "unblocked\n");
}

TEST_F(ServerTest, BindErrorsNameTheAddress) {
  Start();
  ServerOptions clash;
  clash.listen = server_->address();
  auto second = Server::Start(clash, router_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kUnavailable);
  EXPECT_NE(second.status().message().find(server_->address()), std::string::npos)
      << second.status().ToString();
  EXPECT_NE(second.status().message().find("in use"), std::string::npos)
      << second.status().ToString();

  ServerOptions bad;
  bad.listen = "127.0.0.1";
  auto r = Server::Start(bad, router_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("127.0.0.1"), std::string::npos);

  bad.listen = "192.0.2.55:0";  // TEST-NET address not assigned to this host
  r = Server::Start(bad, router_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("192.0.2.55"), std::string::npos) << r.status().ToString();
}

TEST_F(ServerTest, ListensOnIpv6AndAllInterfaces) {
  ServerOptions v6;
  v6.listen = "[::1]:0";
  auto s = Server::Start(v6, router_);
  if (!s.ok()) GTEST_SKIP() << "no IPv6 loopback: " << s.status().ToString();
  EXPECT_EQ((*s)->address().rfind("[::1]:", 0), 0u);
  ClientRequest req;
  req.url = "http://" + (*s)->address() + "/hello";
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);

  ServerOptions any;
  any.listen = ":0";
  auto all = Server::Start(any, router_);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  req.url = "http://127.0.0.1:" + std::to_string((*all)->port()) + "/hello";
  r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, RemoteAddrAndQueryReachHandler) {
  router_->Handle("GET", "/whoami", "whoami", [](const Request& req, Response* r) {
    r->SetText(200, req.remote_addr + "|" + req.path + "|" + req.QueryParam("q") + "|" +
                        std::string(req.Header("x-custom")));
  });
  Start();
  ClientRequest req;
  req.url = Url("/whoami?q=a%20b");
  req.headers = {{"X-Custom", "v"}};
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body.rfind("127.0.0.1:", 0), 0u) << r->body;
  EXPECT_NE(r->body.find("|/whoami|a b|v"), std::string::npos) << r->body;
}

}  // namespace
}  // namespace infermetry::http
