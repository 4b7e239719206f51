#include "export/otlp_http_exporter.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <thread>

#include "export/export_test_util.h"
#include "model/otlp/otlp_json.h"
#include "server/http/router.h"
#include "server/http/server.h"

namespace infermetry::exporter {
namespace {

using namespace std::chrono_literals;
using testing::ConfigFor;
using testing::CounterValue;

// An OTLP/HTTP destination that records every request and answers from a script (then 200).
class FakeDestination {
 public:
  struct Reply {
    int status = 200;
    http::HeaderList headers;
    std::string body;
  };
  struct Seen {
    http::Request req;
    std::chrono::steady_clock::time_point at;
  };

  FakeDestination() {
    auto router = std::make_shared<http::Router>();
    router->HandlePrefix("POST", "/", "otlp",
                         [this](const http::Request& req, http::Response* resp) {
                           std::lock_guard<std::mutex> l(mu_);
                           seen_.push_back({req, std::chrono::steady_clock::now()});
                           Reply r;
                           if (!script_.empty()) {
                             r = script_.front();
                             script_.erase(script_.begin());
                           }
                           resp->status = r.status;
                           resp->headers = r.headers;
                           resp->body = r.body;
                         });
    auto s = http::Server::Start(http::ServerOptions(), router);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  ~FakeDestination() { server_->Shutdown(1s); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  void Script(std::vector<Reply> replies) {
    std::lock_guard<std::mutex> l(mu_);
    script_ = std::move(replies);
  }
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::vector<Reply> script_;
  std::vector<Seen> seen_;
  std::unique_ptr<http::Server> server_;
};

std::unique_ptr<process::Exporter> Make(const std::string& id, const std::string& settings) {
  auto ec = ConfigFor("exporters:\n  " + id + ":\n" + settings, id);
  auto e = CreateOtlpHttpExporter(ec.cfg);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  if (!e.ok()) return nullptr;
  EXPECT_TRUE((*e)->Start().ok());
  return std::move(*e);
}

// The seed config's shape (Parseable), sending synchronously so that each Consume is one request.
std::string ParseableSettings(const std::string& url, const std::string& extra = "") {
  return "    endpoint: \"" + url +
         "\"\n"
         "    headers:\n"
         "      Authorization: \"Basic YWRtaW46YWRtaW4=\"\n"
         "      X-P-Stream: vLLMmetrics\n"
         "      X-P-Log-Source: otel-metrics\n"
         "    tls:\n"
         "      insecure: true\n"
         "    sending_queue: {enabled: false}\n"
         "    retry_on_failure: {initial_interval: 10ms, max_interval: 20ms}\n" +
         extra;
}

TEST(OtlpHttpExporterTest, PostsProtobufWithHeaders) {
  const std::string id = testing::UniqueId("otlphttp/parseablemetrics");
  FakeDestination dest;
  auto e = Make(id, ParseableSettings(dest.url()));
  ASSERT_TRUE(e->ConsumeMetrics(testing::MakeMetrics(3)).ok());
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(2)).ok());
  ASSERT_TRUE(e->ConsumeLogs(testing::MakeLogs(1)).ok());
  auto seen = dest.seen();
  ASSERT_EQ(seen.size(), 3u);
  const http::Request& m = seen[0].req;
  EXPECT_EQ(m.path, "/v1/metrics");
  EXPECT_EQ(m.Header("Content-Type"), "application/x-protobuf");
  EXPECT_EQ(m.Header("Authorization"), "Basic YWRtaW46YWRtaW4=");
  EXPECT_EQ(m.Header("X-P-Stream"), "vLLMmetrics");
  EXPECT_EQ(m.Header("X-P-Log-Source"), "otel-metrics");
  EXPECT_TRUE(m.Header("User-Agent").starts_with("infermetry/"));
  process::Metrics got;
  ASSERT_TRUE(got.ParseFromString(m.body));  // the server already gunzipped it
  EXPECT_EQ(process::CountItems(got), 3);
  EXPECT_EQ(seen[1].req.path, "/v1/traces");
  EXPECT_EQ(seen[2].req.path, "/v1/logs");
  e->Shutdown(1s).ok();
  EXPECT_EQ(CounterValue("infermetry_exporter_sent_metric_points_total", id), 3);
}

TEST(OtlpHttpExporterTest, RetriesServiceUnavailableHonouringRetryAfter) {
  FakeDestination dest;
  dest.Script({{503, {{"Retry-After", "1"}}, "busy"}});
  auto e = Make("otlphttp/retry", ParseableSettings(dest.url()));
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(2)).ok());
  auto seen = dest.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GE(seen[1].at - seen[0].at, 950ms);
  e->Shutdown(1s).ok();
}

TEST(OtlpHttpExporterTest, BadRequestIsNotRetried) {
  const std::string id = testing::UniqueId("otlphttp/bad");
  FakeDestination dest;
  otlp::RpcStatus rpc;
  rpc.set_code(3);
  rpc.set_message("resource_spans[0] is malformed");
  dest.Script({{400, {{"Content-Type", "application/x-protobuf"}}, rpc.SerializeAsString()}});
  auto e = Make(id, ParseableSettings(dest.url()));
  Status st = e->ConsumeTraces(testing::MakeTraces(2));
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("HTTP 400"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("resource_spans[0] is malformed"), std::string::npos)
      << st.ToString();
  EXPECT_EQ(dest.seen().size(), 1u);
  EXPECT_EQ(CounterValue("infermetry_exporter_send_failed_spans_total", id), 2);
  e->Shutdown(1s).ok();
}

TEST(OtlpHttpExporterTest, UnauthorizedIsPermanent) {
  FakeDestination dest;
  dest.Script({{401, {}, "no"}});
  auto e = Make("otlphttp/auth", ParseableSettings(dest.url()));
  EXPECT_FALSE(e->ConsumeLogs(testing::MakeLogs(1)).ok());
  EXPECT_EQ(dest.seen().size(), 1u);
  e->Shutdown(1s).ok();
}

TEST(OtlpHttpExporterTest, JsonEncoding) {
  FakeDestination dest;
  auto e = Make("otlphttp/json", ParseableSettings(dest.url(), "    encoding: json\n"));
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(2)).ok());
  auto seen = dest.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].req.Header("Content-Type"), "application/json");
  otlp::ExportTraceServiceRequest got;
  ASSERT_TRUE(otlp::DecodeJson(seen[0].req.body, got).ok()) << seen[0].req.body;
  EXPECT_EQ(process::CountItems(got), 2);
  EXPECT_NE(seen[0].req.body.find("\"traceId\":\"01010101010101010101010101010101\""),
            std::string::npos);
  e->Shutdown(1s).ok();
}

TEST(OtlpHttpExporterTest, PerSignalEndpointAndPartialSuccess) {
  const std::string id = testing::UniqueId("otlphttp/partial");
  FakeDestination dest;
  otlp::ExportTraceServiceResponse partial;
  partial.mutable_partial_success()->set_rejected_spans(1);
  partial.mutable_partial_success()->set_error_message("span too old");
  dest.Script({{200, {{"Content-Type", "application/x-protobuf"}}, partial.SerializeAsString()}});
  auto e = Make(id, ParseableSettings(
                        dest.url(), "    traces_endpoint: \"" + dest.url() + "/custom/traces\"\n"));
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(4)).ok());
  auto seen = dest.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].req.path, "/custom/traces");
  EXPECT_EQ(CounterValue("infermetry_exporter_sent_spans_total", id), 3);
  EXPECT_EQ(CounterValue("infermetry_exporter_send_failed_spans_total", id), 1);
  e->Shutdown(1s).ok();
}

TEST(OtlpHttpExporterTest, QueuedDeliveryThroughShutdown) {
  FakeDestination dest;
  auto e = Make("otlphttp/queued", "    endpoint: " + dest.url() + "\n");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(e->ConsumeLogs(testing::MakeLogs(2)).ok());
  ASSERT_TRUE(e->Shutdown(5s).ok());
  EXPECT_EQ(dest.seen().size(), 5u);
}

// Accepts one connection and returns the raw request bytes (headers and Content-Length body),
// answering 200; for checking what goes on the wire.
class RawListener {
 public:
  RawListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 1);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RawListener() {
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string request() {
    thread_.join();
    thread_ = std::thread([] {});
    return request_;
  }

 private:
  void Serve() {
    int c = ::accept(fd_, nullptr, nullptr);
    char buf[65536];
    size_t want = std::string::npos;
    while (want == std::string::npos || request_.size() < want) {
      ssize_t n = ::read(c, buf, sizeof(buf));
      if (n <= 0) break;
      request_.append(buf, static_cast<size_t>(n));
      size_t end = request_.find("\r\n\r\n");
      if (want == std::string::npos && end != std::string::npos) {
        size_t cl = request_.find("Content-Length: ");
        want = end + 4 + (cl == std::string::npos ? 0 : std::stoul(request_.substr(cl + 16)));
      }
    }
    std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ::write(c, resp.data(), resp.size());
    ::close(c);
  }

  int fd_;
  uint16_t port_;
  std::thread thread_;
  std::string request_;
};

std::string Gunzip(std::string_view in) {
  z_stream zs{};
  inflateInit2(&zs, 15 + 16);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "";
}

TEST(OtlpHttpExporterTest, GzipOnTheWire) {
  RawListener raw;
  auto e = Make("otlphttp/gzip", ParseableSettings(raw.url()));
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(20)).ok());
  std::string req = raw.request();
  size_t end = req.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  std::string head = req.substr(0, end);
  EXPECT_NE(head.find("POST /v1/traces HTTP/1.1"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Encoding: gzip"), std::string::npos) << head;
  process::Traces got;
  ASSERT_TRUE(got.ParseFromString(Gunzip(req.substr(end + 4))));
  EXPECT_EQ(process::CountItems(got), 20);
  e->Shutdown(1s).ok();
}

TEST(OtlpHttpExporterTest, NoCompression) {
  RawListener raw;
  auto e = Make("otlphttp/plain", ParseableSettings(raw.url(), "    compression: none\n"));
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(2)).ok());
  std::string req = raw.request();
  size_t end = req.find("\r\n\r\n");
  EXPECT_EQ(req.substr(0, end).find("Content-Encoding"), std::string::npos);
  process::Traces got;
  ASSERT_TRUE(got.ParseFromString(req.substr(end + 4)));
  e->Shutdown(1s).ok();
}

TEST(OtlpHttpExporterTest, ConfigErrors) {
  auto missing = ConfigFor("exporters:\n  otlphttp:\n    compression: gzip\n", "otlphttp");
  EXPECT_FALSE(CreateOtlpHttpExporter(missing.cfg).ok());
  auto bad =
      ConfigFor("exporters:\n  otlphttp:\n    endpoint: http://x\n    encoding: xml\n", "otlphttp");
  auto r = CreateOtlpHttpExporter(bad.cfg);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("test.yaml:4:"), std::string::npos) << r.status().ToString();
  auto unknown =
      ConfigFor("exporters:\n  otlphttp:\n    endpoint: http://x\n    endpont: y\n", "otlphttp");
  EXPECT_FALSE(CreateOtlpHttpExporter(unknown.cfg).ok());
}

}  // namespace
}  // namespace infermetry::exporter
