// The emulated vLLM server end to end, over HTTP on loopback: bodies and SSE framing against
// vllm.md §4 (ids and timestamps normalized), errors, auth, X-Request-Id, /metrics, tracing into
// an in-process OTLP receiver, client disconnects and instance restarts.

#include "emulator/api/emulated_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <regex>
#include <thread>

#include "common/http_client.h"
#include "config/yaml.h"
#include "emulator/api/request_span.h"
#include "emulator/api/text_gen.h"
#include "ingest/otlp/otlp_receiver.h"
#include "model/otlp/otlp_model.h"
#include "server/http/test_socket.h"

namespace infermetry::emulator {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

constexpr uint64_t kSeed = 11;

EmulatedServerOptions BaseOptions() {
  EmulatedServerOptions o;
  o.listen = "127.0.0.1:0";
  o.seed = kSeed;
  // Every request stops on its own after exactly 6 tokens (5 words and EOS).
  o.min_output_tokens = 6;
  o.mean_output_tokens = 6;
  o.http_threads = 16;
  o.idle_refresh = milliseconds(50);
  o.system_fingerprint = "vllm-0.21.0-test";
  return o;
}

std::unique_ptr<EmulatedServer> StartServer(EmulatedServerOptions o = BaseOptions()) {
  auto s = EmulatedServer::Start(std::move(o));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string request_id;
};

Reply Call(const EmulatedServer& s, std::string method, std::string path, std::string body = "",
           std::vector<std::pair<std::string, std::string>> headers = {}, bool json = true) {
  http::ClientRequest req;
  req.method = std::move(method);
  req.url = "http://" + s.address() + path;
  req.body = std::move(body);
  req.headers = std::move(headers);
  if (json && !req.body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  req.timeout = milliseconds(30000);
  auto r = http::Fetch(req);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  return Reply{r->status, r->body, std::string(r->Header("Content-Type")),
               std::string(r->Header("X-Request-Id"))};
}

// Replaces "created":<digits> with "created":0 and the random hex of ids with "X".
std::string Normalize(std::string s) {
  s = std::regex_replace(s, std::regex("\"created\":[0-9]+"), "\"created\":0");
  s = std::regex_replace(s, std::regex("(chatcmpl|cmpl|modelperm)-[0-9a-f]{16}"), "$1-X");
  return s;
}

// The text the server generates for response id `id`, tokens [0, n).
std::string ExpectedText(const std::string& id, int n) {
  TextGenerator g(TextGenOptions{.seed = kSeed, .min_output_tokens = 6, .mean_output_tokens = 6});
  return g.Text(Mix(Fnv1a(id), kSeed), 0, n);
}

// The value of the first sample line starting with `prefix` (summed over every such line).
double Metric(const std::string& text, const std::string& prefix) {
  double sum = 0;
  size_t pos = 0;
  while ((pos = text.find("\n" + prefix, pos)) != std::string::npos) {
    const size_t eol = text.find('\n', pos + 1);
    const std::string line = text.substr(pos + 1, eol - pos - 1);
    sum += std::stod(line.substr(line.rfind(' ') + 1));
    pos = eol;
  }
  return sum;
}

// Reads from `fd` until `needle` has arrived or `timeout` passed.
void ReadFor(int fd, std::string* out, std::string_view needle, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out->find(needle) == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return;
    out->append(buf, static_cast<size_t>(n));
  }
}

Result<telemetry::TracerOptions> VllmTracerOptionsForTest(const std::string& endpoint) {
  return VllmTracerOptions(endpoint, 0, [](const char* name) -> const char* {
    const std::string_view n(name);
    if (n == "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") return "http/protobuf";
    if (n == "OTEL_SERVICE_NAME") return "vllm-server";
    return nullptr;
  });
}

std::vector<std::string> SseEvents(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) {
      out.push_back("<unterminated>" + body.substr(pos));
      break;
    }
    out.push_back(body.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

TEST(EmulatedServerTest, NonStreamingChatHasVllmShape) {
  auto s = StartServer();
  ASSERT_NE(s, nullptr);
  Reply r =
      Call(*s, "POST", "/v1/chat/completions",
           R"({"model":"facebook/opt-125m","messages":[{"role":"user","content":"Hello there"}],
                     "max_tokens":4,"ignore_eos":true})",
           {{"X-Request-Id", "req-1"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  const int prompt = CountTokens("Hello there") + 5 + 3;
  EXPECT_EQ(
      Normalize(r.body),
      "{\"id\":\"chatcmpl-req-1\",\"object\":\"chat.completion\",\"created\":0,"
      "\"model\":\"facebook/opt-125m\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
      "\"assistant\",\"content\":\"" +
          ExpectedText("chatcmpl-req-1", 4) +
          "\","
          "\"refusal\":null,\"annotations\":null,\"audio\":null,\"function_call\":null,"
          "\"tool_calls\":[],\"reasoning\":null},\"logprobs\":null,\"finish_reason\":\"length\","
          "\"stop_reason\":null,\"token_ids\":null}],\"service_tier\":null,"
          "\"system_fingerprint\":\"vllm-0.21.0-test\",\"usage\":{\"prompt_tokens\":" +
          std::to_string(prompt) + ",\"total_tokens\":" + std::to_string(prompt + 4) +
          ",\"completion_tokens\":4,\"prompt_tokens_details\":null},"
          "\"prompt_logprobs\":null,\"prompt_token_ids\":null,\"prompt_text\":null,"
          "\"kv_transfer_params\":null}");
  // X-Request-Id is not echoed unless enabled.
  EXPECT_EQ(r.request_id, "");
}

TEST(EmulatedServerTest, NonStreamingCompletionStopsOnItsOwn) {
  auto s = StartServer();
  ASSERT_NE(s, nullptr);
  Reply r = Call(*s, "POST", "/v1/completions", R"({"prompt":"Once upon a time","max_tokens":50})",
                 {{"X-Request-Id", "c1"}});
  EXPECT_EQ(r.status, 200);
  const int prompt = 1 + CountTokens("Once upon a time");
  // Six tokens: five words and the EOS, which renders as nothing but is counted.
  EXPECT_EQ(Normalize(r.body),
            "{\"id\":\"cmpl-c1\",\"object\":\"text_completion\",\"created\":0,"
            "\"model\":\"facebook/opt-125m\",\"choices\":[{\"index\":0,\"text\":\"" +
                ExpectedText("cmpl-c1", 5) +
                "\",\"logprobs\":null,\"finish_reason\":\"stop\",\"stop_reason\":null,"
                "\"token_ids\":null,\"prompt_logprobs\":null,\"prompt_token_ids\":null}],"
                "\"service_tier\":null,\"system_fingerprint\":\"vllm-0.21.0-test\","
                "\"usage\":{\"prompt_tokens\":" +
                std::to_string(prompt) + ",\"total_tokens\":" + std::to_string(prompt + 6) +
                ",\"completion_tokens\":6,\"prompt_tokens_details\":null},"
                "\"kv_transfer_params\":null}");
}

TEST(EmulatedServerTest, ChatStreamFraming) {
  auto s = StartServer();
  ASSERT_NE(s, nullptr);
  Reply r = Call(*s, "POST", "/v1/chat/completions",
                 R"({"messages":[{"role":"user","content":"Hi"}],"stream":true,
                     "stream_options":{"include_usage":true}})",
                 {{"X-Request-Id", "s1"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/event-stream; charset=utf-8");
  std::vector<std::string> events = SseEvents(Normalize(r.body));
  const std::string head =
      "data: {\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"created\":0,"
      "\"model\":\"facebook/opt-125m\",";
  ASSERT_GE(events.size(), 4u) << r.body;
  EXPECT_EQ(events[0], head +
                           "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                           "\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],"
                           "\"prompt_token_ids\":null,\"prompt_text\":null}");
  // Token chunks (possibly several tokens in one when the reader lags) spell the text.
  std::string text;
  size_t i = 1;
  const std::string token_prefix = head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"";
  const std::string token_suffix =
      "\"},\"logprobs\":null,\"finish_reason\":null,\"token_ids\":null}]}";
  for (; i < events.size() && events[i].find("\"finish_reason\":null") != std::string::npos; ++i) {
    ASSERT_EQ(events[i].rfind(token_prefix, 0), 0u) << events[i];
    ASSERT_EQ(events[i].substr(events[i].size() - token_suffix.size()), token_suffix);
    text += events[i].substr(token_prefix.size(),
                             events[i].size() - token_prefix.size() - token_suffix.size());
  }
  EXPECT_EQ(text, ExpectedText("chatcmpl-s1", 5));
  ASSERT_EQ(events.size(), i + 3) << r.body;
  EXPECT_EQ(events[i], head +
                           "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},"
                           "\"logprobs\":null,\"finish_reason\":\"stop\",\"stop_reason\":null,"
                           "\"token_ids\":null}]}");
  const int prompt = CountTokens("Hi") + 5 + 3;
  EXPECT_EQ(events[i + 1],
            head + "\"choices\":[],\"usage\":{\"prompt_tokens\":" + std::to_string(prompt) +
                ",\"total_tokens\":" + std::to_string(prompt + 6) +
                ",\"completion_tokens\":6},\"system_fingerprint\":\"vllm-0.21.0-test\"}");
  EXPECT_EQ(events[i + 2], "data: [DONE]");
}

TEST(EmulatedServerTest, CompletionStreamWithContinuousUsage) {
  auto s = StartServer();
  ASSERT_NE(s, nullptr);
  Reply r = Call(*s, "POST", "/v1/completions",
                 R"({"prompt":"abc","max_tokens":3,"ignore_eos":true,"stream":true,
                     "stream_options":{"include_usage":true,"continuous_usage_stats":true}})",
                 {{"X-Request-Id", "s2"}});
  EXPECT_EQ(r.status, 200);
  std::vector<std::string> events = SseEvents(Normalize(r.body));
  ASSERT_GE(events.size(), 3u) << r.body;
  EXPECT_EQ(events.back(), "data: [DONE]");
  const int prompt = 1 + CountTokens("abc");
  const std::string head =
      "data: {\"id\":\"cmpl-s2\",\"object\":\"text_completion\",\"created\":0,"
      "\"model\":\"facebook/opt-125m\",";
  EXPECT_EQ(events[events.size() - 2],
            head + "\"choices\":[],\"usage\":{\"prompt_tokens\":" + std::to_string(prompt) +
                ",\"total_tokens\":" + std::to_string(prompt + 3) +
                ",\"completion_tokens\":3},\"system_fingerprint\":\"vllm-0.21.0-test\"}");
  // Every chunk carries the usage so far; the last one finishes with "length".
  const std::string& last = events[events.size() - 3];
  EXPECT_NE(last.find("\"finish_reason\":\"length\",\"stop_reason\":null,"
                      "\"prompt_token_ids\":null,\"token_ids\":null}],\"usage\":{"
                      "\"prompt_tokens\":" +
                      std::to_string(prompt) + ",\"total_tokens\":" + std::to_string(prompt + 3) +
                      ",\"completion_tokens\":3}}"),
            std::string::npos)
      << last;
  std::string text;
  for (size_t i = 0; i + 2 < events.size(); ++i) {
    ASSERT_EQ(events[i].rfind(head + "\"choices\":[{\"index\":0,\"text\":\"", 0), 0u) << events[i];
    EXPECT_NE(events[i].find("\"usage\":{\"prompt_tokens\":"), std::string::npos);
    const size_t start = events[i].find("\"text\":\"") + 8;
    text += events[i].substr(start, events[i].find("\",\"logprobs\"") - start);
  }
  EXPECT_EQ(text, ExpectedText("cmpl-s2", 3));
}

TEST(EmulatedServerTest, ErrorsHaveVllmShapesAndCodes) {
  auto s = StartServer();
  ASSERT_NE(s, nullptr);
  Reply r = Call(*s, "POST", "/v1/completions", R"({"model":"foo","prompt":"x"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(
      r.body,
      "{\"error\":{\"message\":\"The model `foo` does not exist.\",\"type\":\"NotFoundError\","
      "\"param\":\"model\",\"code\":404}}");
  EXPECT_EQ(r.content_type, "application/json");

  r = Call(*s, "POST", "/v1/chat/completions", "{\"messages\": [", {});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"type\":\"Bad Request\""), std::string::npos) << r.body;

  r = Call(*s, "POST", "/v1/completions", R"({"prompt":"x"})", {{"Content-Type", "text/plain"}},
           /*json=*/false);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Unsupported Media Type: Only 'application/json' is allowed"),
            std::string::npos)
      << r.body;

  r = Call(*s, "POST", "/v1/completions", R"({"prompt":"x","max_tokens":5000})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("This model's maximum context length is 2048 tokens"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\"type\":\"BadRequestError\""), std::string::npos);

  r = Call(*s, "POST", "/v1/completions", R"({"prompt":"x","n":2})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not supported by the emulator"), std::string::npos);

  r = Call(*s, "GET", "/no/such/route");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "{\"detail\":\"Not Found\"}");
  r = Call(*s, "GET", "/v1/completions");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, "{\"detail\":\"Method Not Allowed\"}");
}

TEST(EmulatedServerTest, ApiKeyGuardsV1Only) {
  EmulatedServerOptions o = BaseOptions();
  o.api_key = "sekret";
  o.enable_request_id_headers = true;
  auto s = StartServer(o);
  ASSERT_NE(s, nullptr);
  const std::string body = R"({"prompt":"x","max_tokens":1})";
  Reply r = Call(*s, "POST", "/v1/completions", body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "{\"error\":\"Unauthorized\"}");
  EXPECT_EQ(r.request_id.size(), 32u);  // a fresh id when the request had none
  r = Call(*s, "POST", "/v1/completions", body, {{"Authorization", "Bearer wrong"}});
  EXPECT_EQ(r.status, 401);
  r = Call(*s, "GET", "/v1/models");
  EXPECT_EQ(r.status, 401);
  r = Call(*s, "POST", "/v1/completions", body,
           {{"Authorization", "bearer sekret"}, {"X-Request-Id", "mine"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.request_id, "mine");
  EXPECT_NE(r.body.find("\"id\":\"cmpl-mine\""), std::string::npos);
  EXPECT_EQ(Call(*s, "GET", "/health").status, 200);
  EXPECT_EQ(Call(*s, "GET", "/metrics").status, 200);
  EXPECT_EQ(Call(*s, "GET", "/version").status, 200);
}

TEST(EmulatedServerTest, InfoEndpoints) {
  EmulatedServerOptions o = BaseOptions();
  o.model_path = "/models/opt-125m";
  auto s = StartServer(o);
  ASSERT_NE(s, nullptr);
  Reply r = Call(*s, "GET", "/v1/models");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Normalize(r.body),
            "{\"object\":\"list\",\"data\":[{\"id\":\"facebook/opt-125m\",\"object\":\"model\","
            "\"created\":0,\"owned_by\":\"vllm\",\"root\":\"/models/opt-125m\",\"parent\":null,"
            "\"max_model_len\":2048,\"permission\":[{\"id\":\"modelperm-X\","
            "\"object\":\"model_permission\",\"created\":0,\"allow_create_engine\":false,"
            "\"allow_sampling\":true,\"allow_logprobs\":true,\"allow_search_indices\":false,"
            "\"allow_view\":true,\"allow_fine_tuning\":false,\"organization\":\"*\","
            "\"group\":null,\"is_blocking\":false}]}]}");
  r = Call(*s, "GET", "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  {
    http::testing::RawConn c(s->port());
    ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    const std::string raw = c.ReadResponse();
    EXPECT_NE(raw.find("\r\nserver: uvicorn\r\n"), std::string::npos) << raw;
    EXPECT_TRUE(std::regex_search(
        raw, std::regex("\r\ndate: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} "
                        "[0-9]{2}:[0-9]{2}:[0-9]{2} GMT\r\n")))
        << raw;
    EXPECT_NE(raw.find("\r\nContent-Length: 0\r\n"), std::string::npos) << raw;
  }
  EXPECT_EQ(Call(*s, "GET", "/ping").status, 200);
  EXPECT_EQ(Call(*s, "POST", "/ping").status, 200);
  EXPECT_EQ(Call(*s, "GET", "/version").body, "{\"version\":\"0.21.0\"}");
  EXPECT_EQ(Call(*s, "GET", "/load").body, "{\"server_load\":0}");
}

TEST(EmulatedServerTest, MetricsCountWhatWasServed) {
  EmulatedServerOptions o = BaseOptions();
  o.data_parallel_size = 2;
  auto s = StartServer(o);
  ASSERT_NE(s, nullptr);
  Reply m = Call(*s, "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(Metric(m.body, "vllm:generation_tokens_total{"), 0);
  EXPECT_EQ(Call(*s, "GET", "/metrics/").status, 200);
  {
    // The mounted app under /metrics/ gzips; /metrics itself does not.
    http::testing::RawConn c(s->port());
    ASSERT_TRUE(c.Send("GET /metrics/ HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"));
    EXPECT_NE(c.ReadResponse().find("Content-Encoding: gzip\r\n"), std::string::npos);
    ASSERT_TRUE(c.Send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"));
    EXPECT_EQ(c.ReadResponse().find("Content-Encoding"), std::string::npos);
  }

  int completion_tokens = 0;
  std::vector<std::thread> clients;
  std::mutex mu;
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&, i] {
      Reply r = Call(*s, "POST", "/v1/completions",
                     R"({"prompt":"request )" + std::to_string(i) + R"(","max_tokens":)" +
                         std::to_string(3 + i) + R"(,"ignore_eos":true})");
      EXPECT_EQ(r.status, 200);
      std::lock_guard<std::mutex> l(mu);
      const size_t p = r.body.find("\"completion_tokens\":");
      completion_tokens += std::stoi(r.body.substr(p + 20));
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(completion_tokens, 3 + 4 + 5 + 6 + 7 + 8);
  m = Call(*s, "GET", "/metrics");
  EXPECT_EQ(Metric(m.body, "vllm:generation_tokens_total{"), completion_tokens);
  EXPECT_EQ(Metric(m.body, "vllm:request_success_total{"), 6);
  // Both data-parallel engines took work.
  EXPECT_NE(m.body.find("vllm:generation_tokens_total{engine=\"1\""), std::string::npos);
  EXPECT_GT(Metric(m.body, "vllm:generation_tokens_total{engine=\"1\""), 0);
  EXPECT_GT(Metric(m.body, "vllm:generation_tokens_total{engine=\"0\""), 0);
  EXPECT_NE(
      m.body.find(
          "http_requests_total{handler=\"/v1/completions\",method=\"POST\",status=\"2xx\"} 6.0"),
      std::string::npos);
  EXPECT_EQ(m.body.find("handler=\"/metrics\""), std::string::npos);
}

TEST(EmulatedServerTest, ManyConcurrentStreams) {
  EmulatedServerOptions o = BaseOptions();
  o.http_threads = 0;  // sized from max_num_seqs
  auto s = StartServer(o);
  ASSERT_NE(s, nullptr);
  constexpr int kClients = 48;
  std::vector<std::thread> clients;
  std::atomic<int> done{0};
  std::atomic<int> tokens{0};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      Reply r =
          Call(*s, "POST", "/v1/chat/completions",
               R"({"messages":[{"role":"user","content":"client )" + std::to_string(i) +
                   R"("}],"max_tokens":)" + std::to_string(10 + i % 7) +
                   R"(,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}})");
      EXPECT_EQ(r.status, 200);
      if (r.body.size() >= kSseDone.size() &&
          r.body.compare(r.body.size() - kSseDone.size(), kSseDone.size(), kSseDone) == 0) {
        done++;
      }
      const size_t p = r.body.rfind("\"completion_tokens\":");
      if (p != std::string::npos) tokens += std::stoi(r.body.substr(p + 20));
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(done.load(), kClients);
  int want = 0;
  for (int i = 0; i < kClients; ++i) want += 10 + i % 7;
  EXPECT_EQ(tokens.load(), want);
  EXPECT_EQ(Metric(Call(*s, "GET", "/metrics").body, "vllm:generation_tokens_total{"), want);
}

TEST(EmulatedServerTest, ClientDisconnectAbortsTheRequest) {
  auto s = StartServer();
  ASSERT_NE(s, nullptr);
  {
    http::testing::RawConn c(s->port());
    ASSERT_GE(c.fd(), 0);
    const std::string body =
        R"({"prompt":"long","max_tokens":2000,"ignore_eos":true,"stream":true})";
    ASSERT_TRUE(
        c.Send("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: "
               "application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body));
    std::string got;
    ReadFor(c.fd(), &got, "\"text\"", milliseconds(5000));
    ASSERT_NE(got.find("\"text\""), std::string::npos) << got;
    Reply m = Call(*s, "GET", "/metrics");
    EXPECT_EQ(Metric(m.body, "vllm:num_requests_running{"), 1);
  }  // the client goes away mid-stream
  double running = 1;
  double tokens_then = 0;
  for (int i = 0; i < 100 && running > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
    const std::string text = Call(*s, "GET", "/metrics").body;
    running = Metric(text, "vllm:num_requests_running{");
    tokens_then = Metric(text, "vllm:generation_tokens_total{");
  }
  EXPECT_EQ(running, 0) << "the request kept running after its client left";
  EXPECT_LT(tokens_then, 1000);
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(Metric(Call(*s, "GET", "/metrics").body, "vllm:generation_tokens_total{"), tokens_then);
}

TEST(EmulatedServerTest, CrashRefusesConnectionsAndRestartResetsCounters) {
  auto s = StartServer();
  ASSERT_NE(s, nullptr);
  const uint16_t port = s->port();
  ASSERT_EQ(Call(*s, "POST", "/v1/completions", R"({"prompt":"x","max_tokens":2})").status, 200);
  EXPECT_EQ(Metric(Call(*s, "GET", "/metrics").body, "vllm:request_success_total{"), 1);
  s->Crash();
  EXPECT_TRUE(s->down());
  http::testing::RawConn refused(port);
  EXPECT_LT(refused.fd(), 0) << "a crashed vLLM must refuse connections";
  ASSERT_TRUE(s->Recover().ok());
  EXPECT_EQ(s->port(), port);
  Reply m = Call(*s, "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(Metric(m.body, "vllm:request_success_total{"), 0);
}

TEST(EmulatedServerTest, DownWindowsFollowTheSchedule) {
  EmulatedServerOptions o = BaseOptions();
  o.down_windows = {{0.3, 0.7}};
  auto s = StartServer(o);
  ASSERT_NE(s, nullptr);
  const uint16_t port = s->port();
  EXPECT_FALSE(s->down());
  std::this_thread::sleep_for(milliseconds(450));
  EXPECT_TRUE(s->down());
  EXPECT_LT(http::testing::RawConn(port).fd(), 0);
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_FALSE(s->down());
  EXPECT_EQ(Call(*s, "GET", "/health").status, 200);
}

TEST(EmulatedServerTest, EngineDeadBehaviour) {
  EmulatedServerOptions o = BaseOptions();
  o.down_behavior = DownBehavior::kEngineDead;
  auto s = StartServer(o);
  ASSERT_NE(s, nullptr);
  s->Crash();
  EXPECT_EQ(Call(*s, "GET", "/health").status, 503);
  Reply r = Call(*s, "POST", "/v1/completions", R"({"prompt":"x"})");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("\"type\":\"InternalServerError\""), std::string::npos);
  EXPECT_EQ(Call(*s, "GET", "/metrics").status, 200);
  ASSERT_TRUE(s->Recover().ok());
  EXPECT_EQ(Call(*s, "GET", "/health").status, 200);
}

// ---- tracing, through infermetry's own OTLP receiver ----

class CapturingConsumer : public process::Consumer {
 public:
  Status ConsumeTraces(process::Traces&& batch) override {
    std::lock_guard<std::mutex> l(mu_);
    batches_.push_back(std::move(batch));
    return Status::Ok();
  }
  std::vector<model::Span> spans() {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<model::Span> out;
    for (const process::Traces& t : batches_) otlp::AppendSpans(t, &out);
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<process::Traces> batches_;
};

TEST(EmulatedServerTracingTest, LlmRequestSpanIsAChildOfTheIncomingTraceparent) {
  auto doc = config::Document::LoadString("protocols:\n  http:\n    endpoint: 127.0.0.1:0\n",
                                          "receiver.yaml");
  ASSERT_TRUE(doc.ok());
  CapturingConsumer consumer;
  process::ComponentConfig cfg{&*doc, doc->root(), "otlp", "receivers.otlp"};
  process::ReceiverOutputs outputs;
  outputs.traces = &consumer;
  auto created = otlp::CreateOtlpReceiver(cfg, outputs);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<otlp::OtlpReceiver> receiver(
      static_cast<otlp::OtlpReceiver*>(created->release()));
  ASSERT_TRUE(receiver->Start().ok());

  EmulatedServerOptions o = BaseOptions();
  auto tracer_options = VllmTracerOptionsForTest(
      "http://127.0.0.1:" + std::to_string(receiver->http_port()) + "/v1/traces");
  ASSERT_TRUE(tracer_options.ok()) << tracer_options.status().ToString();
  o.tracer = std::move(*tracer_options);
  auto s = StartServer(o);
  ASSERT_NE(s, nullptr);
  ASSERT_NE(s->tracer(), nullptr);

  const double before = Runner::WallNow();
  Reply r = Call(*s, "POST", "/v1/chat/completions",
                 R"({"messages":[{"role":"user","content":"traced"}],"max_tokens":3,
                     "ignore_eos":true,"temperature":0})",
                 {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
                  {"tracestate", "vendor=abc"},
                  {"X-Request-Id", "t1"}});
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(Call(*s, "POST", "/v1/completions", R"({"prompt":"root","max_tokens":2})",
                 {{"X-Request-Id", "t2"}})
                .status,
            200);
  const double after = Runner::WallNow();
  ASSERT_TRUE(s->tracer()->Flush(10s).ok());

  std::vector<model::Span> spans = consumer.spans();
  ASSERT_EQ(spans.size(), 2u);
  const model::Span* child = nullptr;
  const model::Span* root = nullptr;
  for (const model::Span& sp : spans) {
    const model::AttrValue* id = model::FindAttr(sp.attributes, "gen_ai.request.id");
    ASSERT_NE(id, nullptr);
    if (id->s == "chatcmpl-t1") child = &sp;
    if (id->s == "cmpl-t2-0") root = &sp;
  }
  ASSERT_NE(child, nullptr);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(child->name, "llm_request");
  EXPECT_EQ(child->kind, telemetry::kSpanKindServer);
  EXPECT_EQ(model::HexId(child->trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(model::HexId(child->parent_span_id), "00f067aa0ba902b7");
  EXPECT_EQ(child->trace_state, "vendor=abc");
  EXPECT_EQ(child->scope_name, "vllm.tracing.otel");
  EXPECT_GE(child->start_ns, static_cast<int64_t>(before * 1e9) - 1000);
  EXPECT_GT(child->end_ns, child->start_ns);
  EXPECT_LE(child->end_ns, static_cast<int64_t>(after * 1e9) + 1000);
  const model::AttrValue* completion =
      model::FindAttr(child->attributes, "gen_ai.usage.completion_tokens");
  ASSERT_NE(completion, nullptr);
  EXPECT_EQ(completion->i, 3);
  EXPECT_EQ(model::FindAttr(child->attributes, "gen_ai.request.temperature"), nullptr);  // greedy
  const model::AttrValue* max_tokens =
      model::FindAttr(child->attributes, "gen_ai.request.max_tokens");
  ASSERT_NE(max_tokens, nullptr);
  EXPECT_EQ(max_tokens->i, 3);
  const model::AttrValue* module =
      model::FindAttr(child->resource_attributes, "vllm.instrumenting_module_name");
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(module->s, "vllm.llm_engine");
  // Without a traceparent the span starts a trace of its own.
  EXPECT_EQ(root->parent_span_id, model::SpanId{});
  EXPECT_NE(root->trace_id, child->trace_id);
  const model::AttrValue* temperature =
      model::FindAttr(root->attributes, "gen_ai.request.temperature");
  ASSERT_NE(temperature, nullptr);
  EXPECT_EQ(temperature->d, 1.0);

  s->Shutdown();
  receiver->Shutdown(2s).ok();
}

}  // namespace
}  // namespace infermetry::emulator
