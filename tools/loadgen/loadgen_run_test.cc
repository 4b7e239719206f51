// Runs of the load generator against fake OpenAI-compatible servers: infermetry's HTTP server
// for JSON answers, and a raw-socket server for server-sent event streams.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "loadgen/client.h"
#include "loadgen/loadgen.h"
#include "server/http/server.h"

namespace infermetry::loadgen {
namespace {

using namespace std::chrono_literals;

struct ParsedBody {
  std::string model;
  std::string prompt;  // completions prompt or the chat message's content
  int max_tokens = 0;
  bool stream = false;
  bool include_usage = false;
};

ParsedBody ParseBody(const std::string& body) {
  ParsedBody out;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) return out;
  std::string_view s;
  if (root["model"].get(s) == simdjson::SUCCESS) out.model = s;
  if (root["prompt"].get(s) == simdjson::SUCCESS) out.prompt = s;
  if (root.at_pointer("/messages/0/content").get(s) == simdjson::SUCCESS) out.prompt = s;
  int64_t n = 0;
  if (root["max_tokens"].get(n) == simdjson::SUCCESS) out.max_tokens = static_cast<int>(n);
  bool b = false;
  if (root["stream"].get(b) == simdjson::SUCCESS) out.stream = b;
  if (root.at_pointer("/stream_options/include_usage").get(b) == simdjson::SUCCESS) {
    out.include_usage = b;
  }
  return out;
}

int Words(const std::string& s) {
  if (s.empty()) return 0;
  return 1 + static_cast<int>(std::count(s.begin(), s.end(), ' '));
}

// A non-streaming OpenAI-compatible server: usage.prompt_tokens is the prompt's word count and
// the completion is exactly max_tokens tokens. Every `fail_every`-th request gets a 503.
class FakeOpenAi {
 public:
  explicit FakeOpenAi(int fail_every = 0) : fail_every_(fail_every) {
    auto router = std::make_shared<http::Router>();
    router->Handle("GET", "/v1/models", "models", [](const http::Request&, http::Response* r) {
      r->SetText(200,
                 "{\"object\":\"list\",\"data\":[{\"id\":\"fake-model\",\"object\":\"model\"}]}");
      r->SetContentType("application/json");
    });
    for (const char* path : {"/v1/completions", "/v1/chat/completions"}) {
      router->Handle("POST", path, path, [this, path](const http::Request& req, http::Response* r) {
        Answer(path, req, r);
      });
    }
    http::ServerOptions opts;
    opts.threads = 8;
    auto s = http::Server::Start(opts, router);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }

  std::string url() const { return "http://" + server_->address(); }

  std::mutex mu;
  std::map<std::string, int> calls;  // by path
  std::vector<std::string> authorization;
  int64_t prompt_words = 0;
  int64_t max_tokens = 0;

 private:
  void Answer(const std::string& path, const http::Request& req, http::Response* r) {
    ParsedBody b = ParseBody(req.body);
    int n = 0;
    {
      std::lock_guard<std::mutex> l(mu);
      n = ++calls[path];
      authorization.emplace_back(req.Header("Authorization"));
    }
    if (fail_every_ > 0 && n % fail_every_ == 0) {
      r->SetText(503,
                 "{\"error\":{\"message\":\"overloaded\",\"type\":\"ServiceUnavailable\","
                 "\"param\":null,\"code\":503}}");
      return;
    }
    {
      std::lock_guard<std::mutex> l(mu);
      prompt_words += Words(b.prompt);
      max_tokens += b.max_tokens;
    }
    const int p = Words(b.prompt);
    std::string choice = path == std::string("/v1/completions")
                             ? "{\"index\":0,\"text\":\"ok\",\"finish_reason\":\"length\"}"
                             : "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                               "\"ok\"},\"finish_reason\":\"length\"}";
    r->SetText(200, "{\"id\":\"cmpl-1\",\"model\":\"" + b.model + "\",\"choices\":[" + choice +
                        "],\"usage\":{\"prompt_tokens\":" + std::to_string(p) +
                        ",\"total_tokens\":" + std::to_string(p + b.max_tokens) +
                        ",\"completion_tokens\":" + std::to_string(b.max_tokens) + "}}");
    r->SetContentType("application/json");
  }

  int fail_every_;
  std::unique_ptr<http::Server> server_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LoadgenRunTest, ClosedLoopAgainstJsonServer) {
  FakeOpenAi server;
  LoadgenOptions o;
  o.url = server.url() + "/v1/";
  o.stream = false;
  o.requests = 20;
  o.concurrency = 4;
  o.prompt_len = LengthDistribution::Fixed(10);
  o.output_len = *LengthDistribution::Parse("uniform:5:9");
  o.api_key = "secret";
  o.progress = ProgressMode::kOff;
  o.json_path =
      (std::filesystem::temp_directory_path() / ("loadgen-" + std::to_string(::getpid()) + ".json"))
          .string();
  auto r = loadgen::Run(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->model, "fake-model");  // discovered through /v1/models
  EXPECT_EQ(r->requests, 20u);
  EXPECT_EQ(r->succeeded, 20u);
  EXPECT_EQ(r->failed, 0u);
  EXPECT_EQ(r->prompt_tokens, 200);
  EXPECT_EQ(r->completion_tokens, server.max_tokens);
  EXPECT_GE(r->completion_tokens, 100);
  EXPECT_LE(r->completion_tokens, 180);
  EXPECT_EQ(r->e2e.count, 20u);
  EXPECT_EQ(r->ttft.count, 0u);  // not measurable without streaming
  EXPECT_GT(r->request_throughput, 0);
  EXPECT_EQ(server.calls["/v1/completions"], 20);
  for (const std::string& a : server.authorization) EXPECT_EQ(a, "Bearer secret");

  const std::string json = ReadFile(o.json_path);
  std::filesystem::remove(o.json_path);
  EXPECT_NE(json.find("\"succeeded\":20"), std::string::npos) << json;
  EXPECT_NE(json.find("\"completion_tokens\":" + std::to_string(r->completion_tokens)),
            std::string::npos)
      << json;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;

  // The same seed asks for the same output lengths again.
  FakeOpenAi again;
  o.url = again.url();
  o.json_path.clear();
  auto r2 = loadgen::Run(o);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->completion_tokens, r->completion_tokens);
}

TEST(LoadgenRunTest, OpenLoopChatCountsErrorsByKind) {
  FakeOpenAi server(/*fail_every=*/5);
  LoadgenOptions o;
  o.url = server.url();
  o.model = "m";
  o.endpoint = Endpoint::kChat;
  o.stream = false;
  o.rate = 200;
  o.arrival = ArrivalProcess::kFixed;
  o.max_concurrency = 3;
  o.requests = 15;
  o.prompt_len = LengthDistribution::Fixed(4);
  o.output_len = LengthDistribution::Fixed(3);
  o.progress = ProgressMode::kOff;
  auto r = loadgen::Run(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->requests, 15u);
  EXPECT_EQ(r->failed, 3u);
  EXPECT_EQ(r->errors["http_503"], 3u);
  EXPECT_EQ(r->succeeded, 12u);
  EXPECT_EQ(r->completion_tokens, 36);
  EXPECT_EQ(r->prompt_tokens, 48);
  EXPECT_EQ(server.calls["/v1/chat/completions"], 15);
  EXPECT_NE(FormatTable(*r).find("http_503"), std::string::npos);
}

TEST(LoadgenRunTest, DurationBoundsTheRun) {
  FakeOpenAi server;
  LoadgenOptions o;
  o.url = server.url();
  o.model = "m";
  o.stream = false;
  o.requests = 0;
  o.duration = 300ms;
  o.rate = 50;
  o.progress = ProgressMode::kOff;
  auto r = loadgen::Run(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->requests, 0u);
  EXPECT_LE(r->requests, 40u);  // ~15 expected at 50 req/s for 0.3 s
  EXPECT_EQ(r->failed, 0u);
}

TEST(LoadgenRunTest, ErrorsThatPreventARun) {
  LoadgenOptions o;
  o.url = "127.0.0.1:8000";
  EXPECT_EQ(loadgen::Run(o).status().code(), Code::kInvalidArgument);
  o.url = "http://127.0.0.1:1";
  o.requests = 0;
  EXPECT_EQ(loadgen::Run(o).status().code(), Code::kInvalidArgument);
  o.requests = 1;
  o.shared_prefix = 2;
  EXPECT_EQ(loadgen::Run(o).status().code(), Code::kInvalidArgument);
  o.shared_prefix = 0;
  auto r = loadgen::Run(o);  // model discovery against a closed port
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
}

TEST(LoadgenRunTest, ConnectionErrorsAreCounted) {
  LoadgenOptions o;
  o.url = "http://127.0.0.1:1";
  o.model = "m";
  o.requests = 3;
  o.progress = ProgressMode::kOff;
  auto r = loadgen::Run(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->failed, 3u);
  EXPECT_EQ(r->errors["connection"], 3u);
}

// ---- streaming, over a raw socket ----

// Serves each connection one chunked text/event-stream answer shaped like vLLM's, with as many
// content chunks as max_tokens. The model name picks a behaviour: "error-model" sends an
// in-band error, "cut-model" ends without [DONE]; anything else streams normally.
class FakeSseServer {
 public:
  FakeSseServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 64);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~FakeSseServer() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
    std::lock_guard<std::mutex> l(mu_);
    for (std::thread& t : handlers_) t.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::atomic<int> requests{0};
  std::atomic<int> with_usage_option{0};

 private:
  void Accept() {
    while (!stopping_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::lock_guard<std::mutex> l(mu_);
      handlers_.emplace_back([this, c] { Serve(c); });
    }
  }

  static void Send(int fd, const std::string& s) { (void)!::write(fd, s.data(), s.size()); }
  static void Chunk(int fd, const std::string& payload) {
    char size[16];
    std::snprintf(size, sizeof(size), "%zx\r\n", payload.size());
    Send(fd, size + payload + "\r\n");
  }

  void Serve(int fd) {
    std::string in;
    char buf[8192];
    size_t header_end = std::string::npos;
    size_t body_len = 0;
    while (true) {
      const ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        std::string lower = in.substr(0, header_end);
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        const size_t cl = lower.find("content-length:");
        if (cl != std::string::npos) body_len = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
      }
      if (in.size() >= header_end + 4 + body_len) break;
    }
    ParsedBody b = ParseBody(in.substr(header_end + 4));
    requests.fetch_add(1);
    if (b.include_usage) with_usage_option.fetch_add(1);
    Send(fd,
         "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
         "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    const std::string head =
        "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,"
        "\"model\":\"" +
        b.model + "\",\"choices\":[";
    if (b.model == "error-model") {
      Chunk(fd, "data: " + head + "{\"index\":0,\"text\":\"a\",\"finish_reason\":null}]}\n\n");
      Chunk(fd,
            "data: {\"error\": {\"message\": \"engine died\", \"type\": "
            "\"InternalServerError\", \"param\": null, \"code\": 500}}\n\ndata: [DONE]\n\n");
    } else {
      for (int i = 0; i < b.max_tokens; ++i) {
        // Split each event across two chunks to exercise reassembly.
        const std::string event =
            "data: " + head + "{\"index\":0,\"text\":\" t" + std::to_string(i) +
            "\",\"finish_reason\":" + (i + 1 == b.max_tokens ? "\"length\"" : "null") + "}]}\n\n";
        Chunk(fd, event.substr(0, event.size() / 2));
        Chunk(fd, event.substr(event.size() / 2));
        std::this_thread::sleep_for(1ms);
      }
      if (b.include_usage) {
        Chunk(fd, "data: " + head +
                      "],\"usage\":{\"prompt_tokens\":" + std::to_string(Words(b.prompt)) +
                      ",\"total_tokens\":0,"
                      "\"completion_tokens\":" +
                      std::to_string(b.max_tokens) + "}}\n\n");
      }
      if (b.model != "cut-model") Chunk(fd, "data: [DONE]\n\n");
    }
    Send(fd, "0\r\n\r\n");
    ::close(fd);
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> handlers_;
};

TEST(LoadgenStreamTest, MeasuresTtftAndInterTokenLatency) {
  FakeSseServer server;
  LoadgenOptions o;
  o.url = server.url();
  o.model = "m";
  o.requests = 6;
  o.concurrency = 3;
  o.prompt_len = LengthDistribution::Fixed(12);
  o.output_len = LengthDistribution::Fixed(5);
  o.progress = ProgressMode::kOff;
  auto r = loadgen::Run(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->succeeded, 6u) << FormatTable(*r);
  EXPECT_EQ(server.with_usage_option.load(), 6);
  EXPECT_EQ(r->prompt_tokens, 72);
  EXPECT_EQ(r->completion_tokens, 30);
  EXPECT_EQ(r->usage_missing, 0u);
  EXPECT_EQ(r->ttft.count, 6u);
  EXPECT_EQ(r->itl.count, 24u);  // 4 gaps between 5 content chunks, per request
  EXPECT_EQ(r->tpot.count, 6u);
  EXPECT_GT(r->ttft.mean, 0);
  EXPECT_GT(r->itl.mean, 0);
  EXPECT_LE(r->ttft.max, r->e2e.max);

  // Without the usage chunk, completion tokens are estimated from the content chunks.
  o.include_usage = false;
  r = loadgen::Run(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->succeeded, 6u);
  EXPECT_EQ(r->completion_tokens, 30);
  EXPECT_EQ(r->prompt_tokens, 0);
  EXPECT_EQ(r->usage_missing, 6u);
}

TEST(LoadgenStreamTest, InBandErrorsAndCutStreams) {
  FakeSseServer server;
  Target target;
  target.base_url = server.url();
  CompletionRequest req;
  req.stream = true;
  req.max_tokens = 3;
  req.prompt = "hello";

  req.model = "error-model";
  RequestResult e = Execute(target, req, std::chrono::steady_clock::now());
  EXPECT_FALSE(e.ok);
  EXPECT_EQ(e.error_kind, "stream_error");
  EXPECT_EQ(e.error_message, "engine died");
  EXPECT_EQ(e.http_status, 200);

  req.model = "cut-model";
  RequestResult c = Execute(target, req, std::chrono::steady_clock::now());
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.error_kind, "incomplete_stream");

  req.model = "fine";
  RequestResult ok = Execute(target, req, std::chrono::steady_clock::now());
  EXPECT_TRUE(ok.ok) << ok.error_kind << ": " << ok.error_message;
  EXPECT_EQ(ok.completion_tokens, 3);
  EXPECT_EQ(ok.itl.size(), 2u);
}

TEST(LoadgenStreamTest, HttpErrorBeforeTheStream) {
  FakeOpenAi server;  // answers streaming requests with JSON too; here: an error status
  Target target;
  target.base_url = NormalizeBaseUrl(server.url() + "/");
  CompletionRequest req;
  req.stream = true;
  req.model = "m";
  req.prompt = "x";
  target.base_url += "/nowhere";
  RequestResult r = Execute(target, req, std::chrono::steady_clock::now());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, "http_404");
  EXPECT_EQ(r.http_status, 404);
}

}  // namespace
}  // namespace infermetry::loadgen
