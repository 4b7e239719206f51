// Streamed responses (Response::Stream): framing, incremental delivery, disconnects, keep-alive,
// HTTP/1.0, HEAD, self-metrics and many streams at once.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "common/http_client.h"
#include "common/self_metrics.h"
#include "server/http/server.h"
#include "server/http/test_socket.h"
#include "server/http/wire.h"

namespace infermetry::http {
namespace {

using std::chrono::milliseconds;
using testing::RawConn;

// A one-shot gate a producer can wait on; Open() releases every waiter.
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // False if `timeout` passed first.
  bool Wait(milliseconds timeout = milliseconds(5000)) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Counts calls to and destruction of a producer, observable after it is gone.
struct ProducerLog {
  std::atomic<int> calls{0};
  std::atomic<int> destroyed{0};
  std::atomic<int> abandoned{0};
};

// Flags destruction when the last copy of the producer's captures goes away.
struct DestroyFlag {
  explicit DestroyFlag(std::shared_ptr<ProducerLog> l) : log(std::move(l)) {}
  ~DestroyFlag() { log->destroyed++; }
  std::shared_ptr<ProducerLog> log;
};

double RequestsTotal(std::string_view route, std::string_view code) {
  return selfmon::Default()
      .AddCounter("infermetry_http_requests_total", "", {"route", "code"})
      .With({route, code})
      .Value();
}

bool WaitFor(const std::function<bool()>& cond, milliseconds timeout = milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return cond();
}

// Reads from `c` until `want` has arrived in total (or the timeout); returns what arrived.
std::string ReadUntil(int fd, std::string* buffer, std::string_view want,
                      milliseconds timeout = milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (buffer->find(want) == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    buffer->append(buf, static_cast<size_t>(n));
  }
  return *buffer;
}

class StreamTest : public ::testing::Test {
 protected:
  StreamTest() : router_(std::make_shared<Router>()) {
    router_->Handle("GET", "/hello", "hello",
                    [](const Request&, Response* r) { r->SetText(200, "hello world\n"); });
    // Yields "first", waits for gate_, then "second" and ends.
    router_->Handle("GET", "/gated", "gated", [this](const Request&, Response* r) {
      r->SetContentType("text/event-stream; charset=utf-8");
      auto flag = std::make_shared<DestroyFlag>(log_);
      int step = 0;
      r->Stream([this, flag, step](std::string* chunk) mutable {
        log_->calls++;
        switch (step++) {
          case 0:
            *chunk = "first";
            return true;
          case 1:
            gate_.Wait();
            *chunk = "second";
            return true;
          default:
            return false;
        }
      });
    });
    // Pieces "0", "1", ... every 10 ms for as long as it is asked.
    router_->Handle("GET", "/endless", "endless", [this](const Request&, Response* r) {
      auto flag = std::make_shared<DestroyFlag>(log_);
      int i = 0;
      r->Stream([this, flag, i](std::string* chunk) mutable {
        log_->calls++;
        std::this_thread::sleep_for(milliseconds(10));
        *chunk = std::to_string(i++) + "\n";
        return true;
      });
    });
    // Blocks in its second call until abandoned.
    router_->Handle("GET", "/blocking", "blocking", [this](const Request&, Response* r) {
      auto flag = std::make_shared<DestroyFlag>(log_);
      auto release = std::make_shared<Gate>();
      int step = 0;
      r->Stream(
          [this, flag, release, step](std::string* chunk) mutable {
            log_->calls++;
            if (step++ == 0) {
              *chunk = "started\n";
              return true;
            }
            release->Wait(milliseconds(10000));
            return false;
          },
          [this, release] {
            log_->abandoned++;
            release->Open();
          });
    });
    // `n` pieces (query parameter), empty ones in between, each after a short pause.
    router_->Handle("GET", "/count", "count", [](const Request& req, Response* r) {
      const int n = std::stoi(req.QueryParam("n"));
      int calls = 0;
      r->Stream([n, calls](std::string* chunk) mutable {
        const int i = calls++;
        if (i >= 2 * n) return false;
        if (i % 2 == 1) return true;  // an empty piece is skipped
        std::this_thread::sleep_for(milliseconds(2));
        *chunk = "piece " + std::to_string(i / 2 + 1) + ";";
        return true;
      });
    });
    router_->Handle("GET", "/nocontent", "nocontent", [this](const Request&, Response* r) {
      r->status = 204;
      auto flag = std::make_shared<DestroyFlag>(log_);
      r->Stream([this, flag](std::string*) {
        log_->calls++;
        return false;
      });
    });
  }

  void Start(ServerOptions opts = {}) {
    auto s = Server::Start(std::move(opts), router_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }

  std::shared_ptr<Router> router_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<ProducerLog> log_ = std::make_shared<ProducerLog>();
  Gate gate_;
};

TEST_F(StreamTest, ChunksArriveInOrderAndBeforeTheNextIsProduced) {
  Start();
  const double before = RequestsTotal("gated", "200");
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("GET /gated HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"));
  std::string got;
  ReadUntil(c.fd(), &got, "5\r\nfirst\r\n");
  // The first piece is on the wire while the producer still waits to make the second.
  ASSERT_NE(got.find("5\r\nfirst\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(got.find("Content-Type: text/event-stream; charset=utf-8\r\n"), std::string::npos);
  EXPECT_EQ(got.find("Content-Length"), std::string::npos);
  EXPECT_EQ(got.find("Content-Encoding"), std::string::npos);
  // The producer is now blocked in its second call; nothing more arrives meanwhile.
  EXPECT_TRUE(WaitFor([&] { return log_->calls.load() == 2; }));
  ReadUntil(c.fd(), &got, "second", milliseconds(100));
  EXPECT_EQ(got.find("second"), std::string::npos);

  gate_.Open();
  ReadUntil(c.fd(), &got, "0\r\n\r\n");
  EXPECT_EQ(std::string_view(got).substr(got.find("\r\n\r\n") + 4),
            "5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n");
  EXPECT_TRUE(WaitFor([&] { return log_->destroyed.load() == 1; }));
  EXPECT_EQ(log_->calls.load(), 3);
  EXPECT_EQ(log_->abandoned.load(), 0);
  EXPECT_TRUE(WaitFor([&] { return RequestsTotal("gated", "200") == before + 1; }));
}

TEST_F(StreamTest, ClientSeesWholeBodyThroughCurl) {
  Start();
  ClientRequest req;
  req.url = "http://" + server_->address() + "/count?n=50";
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  std::string want;
  for (int i = 1; i <= 50; ++i) want += "piece " + std::to_string(i) + ";";
  EXPECT_EQ(r->body, want);
  EXPECT_EQ(r->Header("Transfer-Encoding"), "chunked");
}

TEST_F(StreamTest, DisconnectStopsAndDestroysTheProducer) {
  Start();
  const double before = RequestsTotal("endless", "200");
  {
    RawConn c(server_->port());
    ASSERT_TRUE(c.Send("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string got;
    ReadUntil(c.fd(), &got, "\r\n3\n\r\n");
    ASSERT_NE(got.find("\r\n3\n\r\n"), std::string::npos) << got;
  }  // closes the socket mid-stream
  ASSERT_TRUE(WaitFor([&] { return log_->destroyed.load() == 1; }))
      << "producer still alive after the client left";
  const int calls = log_->calls.load();
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(log_->calls.load(), calls) << "producer called after it was destroyed";
  EXPECT_TRUE(WaitFor([&] { return RequestsTotal("endless", "200") == before + 1; }));
}

TEST_F(StreamTest, DisconnectWhileProducerBlocksCallsAbandoned) {
  Start();
  {
    RawConn c(server_->port());
    ASSERT_TRUE(c.Send("GET /blocking HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string got;
    ReadUntil(c.fd(), &got, "started\n\r\n");
    ASSERT_NE(got.find("started"), std::string::npos) << got;
    ASSERT_TRUE(WaitFor([&] { return log_->calls.load() == 2; }));
  }
  // Without a write pending, only the disconnect watch can notice; the blocked call is told
  // to give up long before its own 10 s timeout.
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return log_->destroyed.load() == 1; }, milliseconds(3000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
  EXPECT_EQ(log_->abandoned.load(), 1);
  EXPECT_EQ(log_->calls.load(), 2);
}

TEST_F(StreamTest, ShutdownAbandonsABlockedProducer) {
  Start();
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("GET /blocking HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string got;
  ReadUntil(c.fd(), &got, "started\n\r\n");
  ASSERT_TRUE(WaitFor([&] { return log_->calls.load() == 2; }));
  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown(milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(4000));
  EXPECT_EQ(log_->abandoned.load(), 1);
  EXPECT_EQ(log_->destroyed.load(), 1);
  EXPECT_TRUE(c.WaitClosed(milliseconds(2000)));
}

TEST_F(StreamTest, KeepAliveAndPipeliningAfterAStreamedResponse) {
  Start();
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("GET /count?n=3 HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string got;
  ReadUntil(c.fd(), &got, "0\r\n\r\n");
  EXPECT_NE(got.find("Connection: keep-alive\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("8\r\npiece 3;\r\n0\r\n\r\n"), std::string::npos) << got;
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string next = c.ReadResponse();
  EXPECT_EQ(next.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << next;
  EXPECT_EQ(testing::ResponseBody(next), "hello world\n");

  // A request pipelined behind a stream is answered after it.
  ASSERT_TRUE(
      c.Send("GET /count?n=2 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  got.clear();
  ReadUntil(c.fd(), &got, "hello world\n");
  const size_t end = got.find("0\r\n\r\n");
  ASSERT_NE(end, std::string::npos) << got;
  EXPECT_NE(got.find("HTTP/1.1 200 OK", end), std::string::npos) << got;
  EXPECT_NE(got.find("hello world\n", end), std::string::npos) << got;
}

TEST_F(StreamTest, Http10GetsUnframedBodyAndClose) {
  Start();
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("GET /count?n=3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  std::string got;
  ASSERT_TRUE(c.WaitClosed(milliseconds(5000), &got));
  EXPECT_NE(got.find("Connection: close\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.find("Transfer-Encoding"), std::string::npos) << got;
  EXPECT_EQ(got.find("Content-Length"), std::string::npos) << got;
  EXPECT_EQ(testing::ResponseBody(got), "piece 1;piece 2;piece 3;");
}

TEST_F(StreamTest, HeadAndNoContentNeverCallTheProducer) {
  Start();
  const double before = RequestsTotal("gated", "200");
  RawConn c(server_->port());
  ASSERT_TRUE(c.Send("HEAD /gated HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string head = c.ReadResponse();
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  EXPECT_EQ(testing::ResponseBody(head), "");
  EXPECT_TRUE(WaitFor([&] { return log_->destroyed.load() == 1; }));
  EXPECT_EQ(log_->calls.load(), 0);
  EXPECT_TRUE(WaitFor([&] { return RequestsTotal("gated", "200") == before + 1; }));

  // The connection stays usable.
  ASSERT_TRUE(c.Send("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string none = c.ReadResponse();
  EXPECT_EQ(none.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u) << none;
  EXPECT_EQ(none.find("Transfer-Encoding"), std::string::npos) << none;
  EXPECT_TRUE(WaitFor([&] { return log_->destroyed.load() == 2; }));
  EXPECT_EQ(log_->calls.load(), 0);
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(testing::ResponseBody(c.ReadResponse()), "hello world\n");
}

TEST_F(StreamTest, ManyConcurrentStreams) {
  ServerOptions opts;
  opts.threads = 4;
  Start(opts);
  const double before = RequestsTotal("count", "200");
  constexpr int kClients = 40;
  std::vector<std::future<Result<ClientResponse>>> pending;
  for (int i = 0; i < kClients; ++i) {
    pending.push_back(std::async(std::launch::async, [this, i] {
      ClientRequest req;
      req.url = "http://" + server_->address() + "/count?n=" + std::to_string(10 + i);
      req.timeout = milliseconds(20000);
      return Fetch(req);
    }));
  }
  for (int i = 0; i < kClients; ++i) {
    auto r = pending[i].get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::string want;
    for (int k = 1; k <= 10 + i; ++k) want += "piece " + std::to_string(k) + ";";
    EXPECT_EQ(r->body, want) << i;
  }
  EXPECT_TRUE(WaitFor([&] { return RequestsTotal("count", "200") == before + kClients; }));
}

TEST(WireChunkTest, FramesPiecesInHex) {
  std::string out;
  AppendChunk(&out, "abc");
  AppendChunk(&out, std::string(300, 'x'));
  EXPECT_EQ(out.substr(0, 8), "3\r\nabc\r\n");
  EXPECT_EQ(out.substr(8, 5), "12c\r\n");
  EXPECT_EQ(out.size(), 8u + 5u + 300u + 2u);
  Response r;
  r.SetText(200, "ignored");
  const std::string chunked = SerializeResponseHead(r, true, BodyFraming::kChunked);
  EXPECT_NE(chunked.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_EQ(chunked.find("Content-Length"), std::string::npos);
  const std::string raw = SerializeResponseHead(r, false, BodyFraming::kUntilClose);
  EXPECT_EQ(raw.find("Transfer-Encoding"), std::string::npos);
  EXPECT_EQ(raw.find("Content-Length"), std::string::npos);
  EXPECT_NE(raw.find("Connection: close\r\n"), std::string::npos);
}

}  // namespace
}  // namespace infermetry::http
