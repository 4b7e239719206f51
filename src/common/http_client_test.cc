#include "common/http_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include "server/http/server.h"

namespace infermetry::http {
namespace {

using std::chrono::milliseconds;

// A port with nothing listening on it: bound, then released.
uint16_t UnusedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

const std::string kLargeText(200000, 'L');

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    router->Handle("*", "/echo", "echo", [](const Request& req, Response* r) {
      std::string text = req.method + " " + req.target + "\n";
      for (const auto& [k, v] : req.headers) text += k + ": " + v + "\n";
      text += "\n" + req.body;
      r->SetText(200, text);
    });
    router->Handle("GET", "/teapot", "teapot", [](const Request&, Response* r) {
      r->SetText(418, "short and stout\n");
      r->SetHeader("X-Kettle", "on");
      r->AddHeader("X-Multi", "1");
      r->AddHeader("X-Multi", "2");
    });
    router->Handle("GET", "/large", "large",
                   [](const Request&, Response* r) { r->SetText(200, kLargeText); });
    router->Handle("GET", "/sleep", "sleep", [](const Request&, Response* r) {
      std::this_thread::sleep_for(milliseconds(800));
      r->SetText(200, "late\n");
    });
    router->Handle("GET", "/redirect", "redirect", [](const Request&, Response* r) {
      r->SetText(302, "moved\n");
      r->SetHeader("Location", "/teapot");
    });
    auto s = Server::Start(ServerOptions{}, router);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }

  std::string Url(std::string_view path) const {
    return "http://" + server_->address() + std::string(path);
  }

  std::unique_ptr<Server> server_;
};

TEST_F(HttpClientTest, ReturnsStatusHeadersAndBody) {
  ClientRequest req;
  req.url = Url("/teapot");
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 418);
  EXPECT_EQ(r->body, "short and stout\n");
  EXPECT_EQ(r->Header("x-kettle"), "on");
  EXPECT_EQ(r->Header("X-Multi"), "1");
  EXPECT_EQ(r->Header("absent"), "");
  int multi = 0;
  for (const auto& [k, v] : r->headers) multi += k == "X-Multi";
  EXPECT_EQ(multi, 2);
  EXPECT_GT(r->duration_seconds, 0.0);
  EXPECT_LT(r->duration_seconds, 5.0);
}

TEST_F(HttpClientTest, SendsMethodHeadersBodyAndBasicAuth) {
  ClientRequest req;
  req.method = "PUT";
  req.url = Url("/echo?a=1");
  req.headers = {{"X-Test", "yes"}, {"Content-Type", "application/json"}};
  req.body = "{\"k\":1}";
  req.basic_user = "alice";
  req.basic_password = "s3cret";
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body.rfind("PUT /echo?a=1\n", 0), 0u) << r->body;
  EXPECT_NE(r->body.find("X-Test: yes\n"), std::string::npos);
  EXPECT_NE(r->body.find("Content-Type: application/json\n"), std::string::npos);
  EXPECT_NE(r->body.find("Authorization: Basic YWxpY2U6czNjcmV0\n"), std::string::npos);
  EXPECT_NE(r->body.find("User-Agent: infermetry\n"), std::string::npos);
  EXPECT_EQ(r->body.find("Expect:"), std::string::npos);
  EXPECT_EQ(r->body.substr(r->body.size() - req.body.size()), req.body);

  ClientRequest post;
  post.method = "POST";
  post.url = Url("/echo");
  auto empty = Fetch(post);
  ASSERT_TRUE(empty.ok());
  EXPECT_NE(empty->body.find("Content-Length: 0\n"), std::string::npos) << empty->body;
}

TEST_F(HttpClientTest, DecodesGzipTransparently) {
  ClientRequest req;
  req.url = Url("/large");
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Header("Content-Encoding"), "gzip");
  EXPECT_EQ(r->body, kLargeText);

  req.accept_gzip = false;
  r = Fetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("Content-Encoding"), "");
  EXPECT_EQ(r->body, kLargeText);
}

TEST_F(HttpClientTest, TimeoutIsDeadlineExceeded) {
  ClientRequest req;
  req.url = Url("/sleep");
  req.timeout = milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  auto r = Fetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(700));
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded) << r.status().ToString();
  EXPECT_NE(r.status().message().find(req.url), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos);
}

TEST_F(HttpClientTest, RefusedConnectionIsUnavailable) {
  ClientRequest req;
  req.url = "http://user:pw@127.0.0.1:" + std::to_string(UnusedPort()) + "/metrics";
  auto r = Fetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("GET http://127.0.0.1:"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(r.status().message().find("pw"), std::string::npos) << "credentials leaked";

  req.url = "http://no-such-host.invalid/metrics";
  r = Fetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
}

TEST_F(HttpClientTest, ResponseOverLimitIsResourceExhausted) {
  ClientRequest req;
  req.url = Url("/large");
  req.max_response_bytes = 1000;
  for (bool gzip : {true, false}) {
    req.accept_gzip = gzip;
    auto r = Fetch(req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kResourceExhausted) << r.status().ToString();
    EXPECT_NE(r.status().message().find("1000 bytes"), std::string::npos);
  }
  req.max_response_bytes = kLargeText.size();
  auto exact = Fetch(req);
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
}

TEST_F(HttpClientTest, RedirectsOnlyWhenAsked) {
  ClientRequest req;
  req.url = Url("/redirect");
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->Header("Location"), "/teapot");

  req.follow_redirects = true;
  r = Fetch(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 418);
  EXPECT_EQ(r->Header("Location"), "");  // headers of the final response only
}

TEST_F(HttpClientTest, BadUrlsAreInvalidArgument) {
  for (const char* url : {"not a url", "ftp://127.0.0.1/x", "file:///etc/passwd"}) {
    ClientRequest req;
    req.url = url;
    auto r = Fetch(req);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << url << ": " << r.status().ToString();
  }
}

TEST_F(HttpClientTest, TlsFailureIsUnavailable) {
  ClientRequest req;
  req.url = "https://" + server_->address() + "/teapot";  // plain HTTP behind it
  req.tls.server_name = "metrics.example";
  req.timeout = milliseconds(3000);
  auto r = Fetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("TLS"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find(req.url), std::string::npos) << r.status().ToString();
}

TEST_F(HttpClientTest, UsesConfiguredProxyAndIgnoresEnvironment) {
  ClientRequest req;
  req.url = "http://upstream.invalid/echo";
  req.proxy_url = "http://" + server_->address();
  auto via = Fetch(req);
  ASSERT_TRUE(via.ok()) << via.status().ToString();
  // The server saw the absolute-form target a proxy receives.
  EXPECT_EQ(via->body, "404 not found: http://upstream.invalid/echo\n");

  ::setenv("http_proxy", "http://127.0.0.1:1", 1);
  req = ClientRequest();
  req.url = Url("/teapot");
  auto direct = Fetch(req);
  ::unsetenv("http_proxy");
  ASSERT_TRUE(direct.ok()) << direct.status().ToString();
  EXPECT_EQ(direct->status, 418);
}

// Runs `argv` as a child process; returns its pid or -1.
pid_t Spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

int RunToCompletion(std::vector<std::string> args) {
  const pid_t pid = Spawn(std::move(args));
  if (pid < 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// End-to-end TLS against `openssl s_server` with a self-signed certificate for
// "metrics.example"; skipped when the openssl tool is not installed.
TEST(HttpClientTlsTest, VerifiesCertificateAgainstServerName) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("infermetry_tls_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string();
  const std::string key = (dir / "key.pem").string();
  if (RunToCompletion({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                       "-out", cert, "-days", "2", "-subj", "/CN=metrics.example", "-addext",
                       "subjectAltName=DNS:metrics.example"}) != 0) {
    std::filesystem::remove_all(dir);
    GTEST_SKIP() << "openssl tool not available";
  }
  const uint16_t port = UnusedPort();
  const pid_t server = Spawn({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
                              "-cert", cert, "-key", key, "-www", "-quiet"});
  ASSERT_GT(server, 0);

  ClientRequest req;
  req.url = "https://127.0.0.1:" + std::to_string(port) + "/";
  req.tls.insecure_skip_verify = true;
  Result<ClientResponse> r = Unavailable("not tried");
  for (int i = 0; i < 50 && !(r = Fetch(req)).ok(); ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(r.ok()) << r.status().ToString();

  req.tls = TlsOptions();
  r = Fetch(req);  // self-signed, no CA given
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("TLS"), std::string::npos) << r.status().ToString();

  req.tls.ca_file = cert;
  r = Fetch(req);  // trusted, but the certificate is not for 127.0.0.1
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();

  req.tls.server_name = "metrics.example";
  r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);

  ::kill(server, SIGTERM);
  ::waitpid(server, nullptr, 0);
  std::filesystem::remove_all(dir);
}

TEST_F(HttpClientTest, ConcurrentFetches) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        ClientRequest req;
        req.url = Url("/teapot");
        auto r = Fetch(req);
        if (r.ok() && r->status == 418) ok.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
}

TEST_F(HttpClientTest, FetchStreamDeliversTheBodyInPieces) {
  for (bool gzip : {true, false}) {
    ClientRequest req;
    req.url = Url("/large");
    req.accept_gzip = gzip;
    std::string body;
    int calls = 0;
    int first_status = 0;
    auto r = FetchStream(req, [&](const ClientResponse& head, std::string_view chunk) {
      if (calls++ == 0) {
        first_status = head.status;
        EXPECT_EQ(head.Header("Content-Encoding"), gzip ? "gzip" : "");
      }
      EXPECT_FALSE(chunk.empty());
      EXPECT_TRUE(head.body.empty());
      body.append(chunk);
      return true;
    });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(first_status, 200);
    EXPECT_TRUE(r->body.empty());
    EXPECT_EQ(body, kLargeText) << "gzip=" << gzip;
    EXPECT_GT(calls, 1);  // 200 kB do not come in one read
  }
}

TEST_F(HttpClientTest, FetchStreamHandsOverErrorResponsesToo) {
  ClientRequest req;
  req.url = Url("/teapot");
  std::string body;
  int status = 0;
  auto r = FetchStream(req, [&](const ClientResponse& head, std::string_view chunk) {
    status = head.status;
    body.append(chunk);
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 418);
  EXPECT_EQ(status, 418);
  EXPECT_EQ(body, "short and stout\n");
  EXPECT_EQ(r->Header("X-Kettle"), "on");
}

TEST_F(HttpClientTest, FetchStreamAbortsWhenTheHandlerSaysSo) {
  ClientRequest req;
  req.url = Url("/large");
  req.accept_gzip = false;
  size_t received = 0;
  auto r = FetchStream(req, [&](const ClientResponse&, std::string_view chunk) {
    received += chunk.size();
    return false;
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCancelled) << r.status().ToString();
  EXPECT_NE(r.status().message().find(req.url), std::string::npos) << r.status().ToString();
  EXPECT_GT(received, 0u);
  EXPECT_LT(received, kLargeText.size());
}

TEST_F(HttpClientTest, FetchStreamReportsTransportErrors) {
  ClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/events";
  bool called = false;
  auto r = FetchStream(req, [&](const ClientResponse&, std::string_view) {
    called = true;
    return true;
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
  EXPECT_FALSE(called);
}

// A one-shot HTTP server on a raw socket that sends a chunked response in two parts and only
// sends the second once the test says so: proof that the client delivers the first part
// before the response is complete.
class TwoPartServer {
 public:
  TwoPartServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listen_fd_, 1);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TwoPartServer() {
    thread_.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  void Release() { released_early_ = true; }  // the client got part one
  std::atomic<bool> released_early_{false};
  std::atomic<bool> waited_in_vain_{false};

 private:
  void Serve() {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    auto send = [&](const std::string& s) { (void)!::write(fd, s.data(), s.size()); };
    send(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n");
    send("f\r\ndata: part one\n\r\n");
    // Wait (bounded) until the client has seen part one.
    for (int i = 0; i < 1000 && !released_early_; ++i) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    if (!released_early_) waited_in_vain_ = true;
    send("f\r\ndata: part two\n\r\n0\r\n\r\n");
    ::close(fd);
  }

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(HttpClientStreamTest, DeliversEachPartAsItArrives) {
  TwoPartServer server;
  ClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/v1/completions";
  std::vector<std::string> parts;
  std::string all;
  auto r = FetchStream(req, [&](const ClientResponse& head, std::string_view chunk) {
    EXPECT_EQ(head.Header("Content-Type"), "text/event-stream");
    all.append(chunk);
    if (all.find("part one") != std::string::npos) server.Release();
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(all, "data: part one\ndata: part two\n");
  EXPECT_FALSE(server.waited_in_vain_) << "part one was held back until the response ended";
}

TEST_F(HttpClientTest, EasyTransferDrivesCurlMulti) {
  CURLM* multi = curl_multi_init();
  ASSERT_NE(multi, nullptr);
  std::vector<std::unique_ptr<EasyTransfer>> transfers;
  std::vector<CURL*> handles;
  const std::vector<std::string> paths = {"/teapot", "/large", "/echo"};
  for (const std::string& path : paths) {
    ClientRequest req;
    req.url = Url(path);
    transfers.push_back(std::make_unique<EasyTransfer>());
    CURL* h = curl_easy_init();
    ASSERT_TRUE(transfers.back()->Configure(h, req).ok());
    curl_easy_setopt(h, CURLOPT_PRIVATE, transfers.back().get());
    curl_multi_add_handle(multi, h);
    handles.push_back(h);
  }
  std::map<std::string, int> statuses;
  int running = 1;
  while (running > 0) {
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      EasyTransfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      auto r = t->Finish(msg->easy_handle, msg->data.result);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      statuses[std::to_string(r->status) + ":" + std::to_string(r->body.size())]++;
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  for (CURL* h : handles) {
    curl_multi_remove_handle(multi, h);
    curl_easy_cleanup(h);
  }
  curl_multi_cleanup(multi);
  EXPECT_EQ(statuses.size(), 3u);
  EXPECT_EQ(statuses.count("418:16"), 1u);
  EXPECT_EQ(statuses.count("200:" + std::to_string(kLargeText.size())), 1u);
}

}  // namespace
}  // namespace infermetry::http
