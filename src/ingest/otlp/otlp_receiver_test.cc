#include "ingest/otlp/otlp_receiver.h"

#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "common/self_metrics.h"
#include "google/rpc/error_details.pb.h"
#include "model/otlp/otlp_json.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "common/gzip.h"

namespace infermetry::otlp {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace trace = opentelemetry::proto::trace::v1;
namespace ctrace = opentelemetry::proto::collector::trace::v1;
namespace cmetrics = opentelemetry::proto::collector::metrics::v1;
namespace clogs = opentelemetry::proto::collector::logs::v1;
using google::protobuf::util::MessageDifferencer;

const std::string kTraceId("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16);
const std::string kSpanId("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8);

std::string ReadTestData(const std::string& rel) {
  std::filesystem::path dir = std::getenv("INFERMETRY_TESTDATA") != nullptr
                                  ? std::filesystem::path(std::getenv("INFERMETRY_TESTDATA"))
                                  : std::filesystem::path(INFERMETRY_SOURCE_DIR) / "test" / "data";
  std::ifstream in(dir / rel, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Records every batch and the client information it arrived with; answers with `result`.
class FakeConsumer : public process::Consumer {
 public:
  Status ConsumeTraces(process::Traces&& b) override {
    std::lock_guard<std::mutex> l(mu);
    traces.push_back(std::move(b));
    RecordClient();
    return result;
  }
  Status ConsumeMetrics(process::Metrics&& b) override {
    std::lock_guard<std::mutex> l(mu);
    metrics.push_back(std::move(b));
    RecordClient();
    return result;
  }
  Status ConsumeLogs(process::Logs&& b) override {
    std::lock_guard<std::mutex> l(mu);
    logs.push_back(std::move(b));
    RecordClient();
    return result;
  }
  void RecordClient() {
    const process::ClientInfo* c = process::CurrentClientInfo();
    clients.push_back(c != nullptr ? std::optional<process::ClientInfo>(*c) : std::nullopt);
  }
  void Fail(Status s) {
    std::lock_guard<std::mutex> l(mu);
    result = std::move(s);
  }

  std::mutex mu;
  std::vector<process::Traces> traces;
  std::vector<process::Metrics> metrics;
  std::vector<process::Logs> logs;
  std::vector<std::optional<process::ClientInfo>> clients;  // one per Consume call
  Status result;
};

process::Traces SampleTraces(int spans) {
  process::Traces t;
  auto* rs = t.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("vllm");
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("vllm.tracing");
  for (int i = 0; i < spans; ++i) {
    trace::Span* s = ss->add_spans();
    s->set_trace_id(kTraceId);
    std::string span_id = kSpanId;
    span_id[7] = static_cast<char>(i);
    s->set_span_id(span_id);
    s->set_name("llm_request");
    s->set_kind(trace::Span::SPAN_KIND_SERVER);
    s->set_start_time_unix_nano(1000 + i);
    s->set_end_time_unix_nano(2000 + i);
    auto* a = s->add_attributes();
    a->set_key("gen_ai.request.model");
    a->mutable_value()->set_string_value("llama");
    auto* b = s->add_attributes();
    b->set_key("gen_ai.usage.prompt_tokens");
    b->mutable_value()->set_int_value(100 + i);
  }
  return t;
}

process::Metrics SampleMetrics() {
  process::Metrics m;
  auto* metric = m.add_resource_metrics()->add_scope_metrics()->add_metrics();
  metric->set_name("vllm:num_requests_running");
  auto* p = metric->mutable_gauge()->add_data_points();
  p->set_as_int(3);
  p->set_time_unix_nano(5);
  metric->mutable_gauge()->add_data_points()->set_as_double(0.5);
  return m;
}

process::Logs SampleLogs() {
  process::Logs l;
  auto* r = l.add_resource_logs()->add_scope_logs()->add_log_records();
  r->mutable_body()->set_string_value("hello");
  r->set_trace_id(kTraceId);
  r->set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_INFO);
  return l;
}

double CounterValue(const std::string& name, const std::string& receiver,
                    const std::string& transport) {
  std::string text;
  selfmon::Default().WriteText(&text);
  std::string prefix = name + "{receiver=\"" + receiver + "\",transport=\"" + transport + "\"} ";
  size_t at = text.find(prefix);
  if (at == std::string::npos) return 0;
  return std::strtod(text.c_str() + at + prefix.size(), nullptr);
}

class OtlpReceiverTest : public ::testing::Test {
 protected:
  // Starts an `otlp/<id>` receiver from YAML under `receivers: otlp/<id>:`.
  void StartReceiver(const std::string& yaml, bool traces = true, bool metrics = true,
                     bool logs = true) {
    auto doc = config::Document::LoadString(yaml, "test.yaml");
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    doc_ = std::make_unique<config::Document>(std::move(*doc));
    process::ComponentConfig cfg{doc_.get(), doc_->root(), id_, "receivers." + id_};
    process::ReceiverOutputs out;
    if (traces) out.traces = &consumer_;
    if (metrics) out.metrics = &consumer_;
    if (logs) out.logs = &consumer_;
    auto r = CreateOtlpReceiver(cfg, out);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    receiver_.reset(static_cast<OtlpReceiver*>(r->release()));
    Status st = receiver_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE(receiver_->Ready());
  }

  void StartBoth(bool traces = true, bool metrics = true, bool logs = true) {
    StartReceiver(R"(
protocols:
  grpc:
    endpoint: 127.0.0.1:0
    max_recv_msg_size_mib: 1
  http:
    endpoint: 127.0.0.1:0
    max_request_body_size: 200000
)",
                  traces, metrics, logs);
  }

  void TearDown() override {
    if (receiver_ != nullptr) {
      EXPECT_TRUE(receiver_->Shutdown(std::chrono::seconds(5)).ok());
    }
  }

  http::ClientResponse Post(const std::string& path, const std::string& content_type,
                            const std::string& body,
                            std::vector<std::pair<std::string, std::string>> extra = {}) {
    http::ClientRequest req;
    req.method = "POST";
    req.url = "http://127.0.0.1:" + std::to_string(receiver_->http_port()) + path;
    req.headers = std::move(extra);
    if (!content_type.empty()) req.headers.emplace_back("Content-Type", content_type);
    req.body = body;
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }

  std::shared_ptr<grpc::Channel> Channel() {
    return grpc::CreateChannel("127.0.0.1:" + std::to_string(receiver_->grpc_port()),
                               grpc::InsecureChannelCredentials());
  }

  std::string id_ =
      "otlp/" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<config::Document> doc_;
  FakeConsumer consumer_;
  std::unique_ptr<OtlpReceiver> receiver_;
};

// ---- config ----

Result<OtlpReceiverConfig> Decode(const std::string& yaml) {
  auto doc = config::Document::LoadString(yaml, "c.yaml");
  if (!doc.ok()) return doc.status();
  process::ComponentConfig cfg{&*doc, doc->root(), "otlp", "receivers.otlp"};
  return DecodeOtlpReceiverConfig(cfg);
}

TEST(OtlpReceiverConfigTest, Defaults) {
  auto c = Decode("protocols:\n  grpc:\n  http:\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->grpc && c->http);
  EXPECT_EQ(c->grpc->endpoint, "0.0.0.0:4317");
  EXPECT_EQ(c->grpc->max_recv_msg_size_mib, 4u);
  EXPECT_EQ(c->http->endpoint, "0.0.0.0:4318");
  EXPECT_EQ(c->http->routes.traces_url_path, "/v1/traces");
  EXPECT_EQ(c->http->routes.metrics_url_path, "/v1/metrics");
  EXPECT_EQ(c->http->routes.logs_url_path, "/v1/logs");
  EXPECT_EQ(c->http->max_request_body_size, 64u << 20);
}

TEST(OtlpReceiverConfigTest, OnlyListedProtocols) {
  auto c = Decode("protocols:\n  http:\n    endpoint: localhost:9999\n    traces_url_path: t\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->grpc);
  ASSERT_TRUE(c->http);
  EXPECT_EQ(c->http->endpoint, "localhost:9999");
  EXPECT_EQ(c->http->routes.traces_url_path, "/t");
  c = Decode("protocols:\n  grpc:\n    endpoint: \"[::1]:4317\"\n    max_recv_msg_size_mib: 16\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->http);
  EXPECT_EQ(c->grpc->max_recv_msg_size_mib, 16u);
}

TEST(OtlpReceiverConfigTest, Errors) {
  auto c = Decode("protocols:\n  grpc:\n    endpont: 1.2.3.4:5\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "c.yaml:3:5: unknown field \"endpont\" in receivers.otlp.protocols.grpc");
  c = Decode("protocols:\n  http:\n    endpoint: nowhere\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(
      c.status().message(),
      "c.yaml:3:15: receivers.otlp.protocols.http.endpoint: invalid endpoint \"nowhere\": expected "
      "host:port");
  c = Decode("protocols:\n  thrift:\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "c.yaml:2:3: unknown field \"thrift\" in receivers.otlp.protocols");
  c = Decode("protocols:\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("must specify at least one protocol"), std::string::npos)
      << c.status().message();
  c = Decode("{}");
  ASSERT_FALSE(c.ok());
  c = Decode("protocols:\n  grpc:\n    max_recv_msg_size_mib: many\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("c.yaml:3:28"), std::string::npos) << c.status().message();
}

TEST(OtlpReceiverConfigTest, IncludeMetadata) {
  auto c = Decode("protocols:\n  grpc:\n  http:\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->grpc->include_metadata);
  EXPECT_FALSE(c->http->routes.include_metadata);
  c = Decode(
      "protocols:\n  grpc:\n    include_metadata: true\n  http:\n    include_metadata: true\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->grpc->include_metadata);
  EXPECT_TRUE(c->http->routes.include_metadata);
  c = Decode("protocols:\n  http:\n    include_metadata: maybe\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("c.yaml:3:23"), std::string::npos) << c.status().message();
}

TEST(OtlpReceiverConfigTest, GrpcTls) {
  auto c = Decode("protocols:\n  grpc:\n    tls:\n      cert_file: s.crt\n      key_file: s.key\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->grpc->tls_cert_file, "s.crt");
  EXPECT_EQ(c->grpc->tls_key_file, "s.key");
  c = Decode("protocols:\n  grpc:\n    tls:\n      cert_file: s.crt\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "c.yaml:4:7: receivers.otlp.protocols.grpc.tls: cert_file and key_file are both "
            "required");
  c = Decode("protocols:\n  grpc:\n    tls:\n      ca_file: x\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "c.yaml:4:7: unknown field \"ca_file\" in receivers.otlp.protocols.grpc.tls");
}

TEST(OtlpReceiverConfigTest, GrpcTlsMissingFileFailsStart) {
  auto doc = config::Document::LoadString(
      "protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n    tls:\n      cert_file: "
      "/nonexistent.crt\n"
      "      key_file: /nonexistent.key\n",
      "t.yaml");
  ASSERT_TRUE(doc.ok());
  process::ComponentConfig cfg{&*doc, doc->root(), "otlp/tls", "receivers.otlp/tls"};
  FakeConsumer consumer;
  auto r = CreateOtlpReceiver(cfg, process::ReceiverOutputs{&consumer, nullptr, nullptr});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Status st = (*r)->Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("tls.cert_file"), std::string::npos) << st.ToString();
  EXPECT_FALSE((*r)->Ready());
}

TEST(OtlpReceiverConfigTest, RegistryHasOtlp) {
  bool found = false;
  for (const process::ReceiverFactory& f : process::Receivers()) {
    if (f.type == "otlp") found = f.create != nullptr;
  }
  EXPECT_TRUE(found);
}

TEST_F(OtlpReceiverTest, WildcardEndpointBinds) {
  StartReceiver("protocols:\n  grpc:\n    endpoint: 0.0.0.0:0\n  http:\n    endpoint: 0.0.0.0:0\n");
  EXPECT_NE(receiver_->grpc_port(), 0);
  EXPECT_NE(receiver_->http_port(), 0);
  auto r = Post("/v1/logs", "application/x-protobuf", SampleLogs().SerializeAsString());
  EXPECT_EQ(r.status, 200);
}

TEST_F(OtlpReceiverTest, BindFailureIsReported) {
  StartBoth();
  std::string yaml =
      "protocols:\n  http:\n    endpoint: 127.0.0.1:" + std::to_string(receiver_->http_port()) +
      "\n";
  auto doc = config::Document::LoadString(yaml, "b.yaml");
  ASSERT_TRUE(doc.ok());
  process::ComponentConfig cfg{&*doc, doc->root(), "otlp/b", "receivers.otlp/b"};
  auto r = CreateOtlpReceiver(cfg, process::ReceiverOutputs{&consumer_, nullptr, nullptr});
  ASSERT_TRUE(r.ok());
  Status st = (*r)->Start();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("receiver otlp/b"), std::string::npos) << st.ToString();
  EXPECT_FALSE((*r)->Ready());
}

// ---- HTTP ----

TEST_F(OtlpReceiverTest, HttpIncludeMetadata) {
  StartReceiver("protocols:\n  http:\n    endpoint: 127.0.0.1:0\n    include_metadata: true\n");
  auto r = Post("/v1/traces", "application/x-protobuf", SampleTraces(1).SerializeAsString(),
                {{"Authorization", "Basic YWRtaW46YWRtaW4="},
                 {"X-P-Stream", "vLLMmetrics"},
                 {"X-Multi", "a"},
                 {"X-Multi", "b"}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.clients.size(), 1u);
  ASSERT_TRUE(consumer_.clients[0].has_value());
  const process::ClientInfo& c = *consumer_.clients[0];
  EXPECT_EQ(c.address.rfind("127.0.0.1:", 0), 0u) << c.address;
  ASSERT_EQ(c.Get("authorization").size(), 1u);
  EXPECT_EQ(c.Get("authorization")[0], "Basic YWRtaW46YWRtaW4=");
  ASSERT_EQ(c.Get("X-P-Stream").size(), 1u);
  EXPECT_EQ(c.Get("X-P-Stream")[0], "vLLMmetrics");
  EXPECT_EQ(c.Get("content-type").at(0), "application/x-protobuf");
  std::vector<std::string_view> multi = c.Get("x-multi");
  ASSERT_EQ(multi.size(), 2u);
  EXPECT_EQ(multi[0], "a");
  EXPECT_EQ(multi[1], "b");
  for (const auto& [k, v] : c.metadata) {
    for (char ch : k) EXPECT_FALSE(ch >= 'A' && ch <= 'Z') << k;
  }
  // Only the pipeline call sees it.
  EXPECT_EQ(process::CurrentClientInfo(), nullptr);
}

TEST_F(OtlpReceiverTest, HttpWithoutIncludeMetadata) {
  StartBoth();
  auto r = Post("/v1/metrics", "application/x-protobuf", SampleMetrics().SerializeAsString(),
                {{"Authorization", "Bearer t"}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.clients.size(), 1u);
  ASSERT_TRUE(consumer_.clients[0].has_value());
  EXPECT_TRUE(consumer_.clients[0]->metadata.empty());
  EXPECT_EQ(consumer_.clients[0]->address.rfind("127.0.0.1:", 0), 0u);
}

TEST_F(OtlpReceiverTest, HttpProtobufTraces) {
  StartBoth();
  process::Traces sent = SampleTraces(3);
  auto r = Post("/v1/traces", "application/x-protobuf", sent.SerializeAsString());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/x-protobuf");
  ExportTraceServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_FALSE(resp.has_partial_success());
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.traces.size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(consumer_.traces[0], sent));
  EXPECT_EQ(consumer_.traces[0].resource_spans(0).scope_spans(0).spans(2).trace_id(), kTraceId);
  EXPECT_EQ(CounterValue("infermetry_receiver_accepted_spans_total", id_, "http"), 3);
  EXPECT_EQ(CounterValue("infermetry_receiver_refused_spans_total", id_, "http"), 0);
}

TEST_F(OtlpReceiverTest, HttpJsonTracesFixture) {
  StartBoth();
  std::string body = ReadTestData("otlp/traces.json");
  ASSERT_FALSE(body.empty());
  auto r = Post("/v1/traces", "application/json; charset=utf-8", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.body, "{}");
  ExportTraceServiceRequest expected;
  ASSERT_TRUE(DecodeJson(body, expected).ok());
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.traces.size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(consumer_.traces[0], expected));
  const trace::Span& s = consumer_.traces[0].resource_spans(0).scope_spans(0).spans(0);
  EXPECT_EQ(s.trace_id(), kTraceId);
  EXPECT_EQ(s.span_id(), kSpanId);
  EXPECT_EQ(s.attributes(0).value().string_value(), "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(s.attributes(4).value().bytes_value(), std::string("\x00\x01\x02\xff", 4));
}

TEST_F(OtlpReceiverTest, HttpMetricsAndLogsBothEncodings) {
  StartBoth();
  auto r = Post("/v1/metrics", "application/x-protobuf", SampleMetrics().SerializeAsString());
  EXPECT_EQ(r.status, 200) << r.body;
  r = Post("/v1/metrics", "application/json", ReadTestData("otlp/metrics.json"));
  EXPECT_EQ(r.status, 200) << r.body;
  r = Post("/v1/logs", "Application/X-Protobuf", SampleLogs().SerializeAsString());
  EXPECT_EQ(r.status, 200) << r.body;
  r = Post("/v1/logs", "application/json", ReadTestData("otlp/logs.json"));
  EXPECT_EQ(r.status, 200) << r.body;
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.metrics.size(), 2u);
  ASSERT_EQ(consumer_.logs.size(), 2u);
  EXPECT_EQ(consumer_.metrics[0]
                .resource_metrics(0)
                .scope_metrics(0)
                .metrics(0)
                .gauge()
                .data_points(0)
                .as_int(),
            3);
  EXPECT_EQ(consumer_.metrics[1].resource_metrics(0).scope_metrics(0).metrics_size(), 5);
  EXPECT_EQ(consumer_.logs[0].resource_logs(0).scope_logs(0).log_records(0).trace_id(), kTraceId);
  EXPECT_EQ(consumer_.logs[1].resource_logs(0).scope_logs(0).log_records(1).event_name(),
            "browser.page_view");
  EXPECT_EQ(CounterValue("infermetry_receiver_accepted_metric_points_total", id_, "http"), 2 + 6);
  EXPECT_EQ(CounterValue("infermetry_receiver_accepted_log_records_total", id_, "http"), 1 + 2);
}

TEST_F(OtlpReceiverTest, HttpGzipBody) {
  StartBoth();
  process::Traces sent = SampleTraces(50);
  auto gz = http::GzipCompress(sent.SerializeAsString());
  ASSERT_TRUE(gz.ok());
  auto r = Post("/v1/traces", "application/x-protobuf", *gz, {{"Content-Encoding", "gzip"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto gzj = http::GzipCompress(EncodeJson(sent));
  ASSERT_TRUE(gzj.ok());
  r = Post("/v1/traces", "application/json", *gzj, {{"Content-Encoding", "gzip"}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.traces.size(), 2u);
  EXPECT_TRUE(MessageDifferencer::Equals(consumer_.traces[0], sent));
  EXPECT_TRUE(MessageDifferencer::Equals(consumer_.traces[1], sent));
}

TEST_F(OtlpReceiverTest, HttpClientErrors) {
  StartBoth(/*traces=*/true, /*metrics=*/true, /*logs=*/false);
  // Unknown content type.
  auto r = Post("/v1/traces", "text/plain", "x");
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("application/x-protobuf"), std::string::npos);
  r = Post("/v1/traces", "", "x");
  EXPECT_EQ(r.status, 415);
  // Undecodable protobuf: google.rpc.Status in protobuf.
  r = Post("/v1/traces", "application/x-protobuf", "\xff\xff\xff");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Header("Content-Type"), "application/x-protobuf");
  RpcStatus st;
  ASSERT_TRUE(st.ParseFromString(r.body));
  EXPECT_EQ(st.code(), 3);
  EXPECT_NE(st.message().find("ExportTraceServiceRequest"), std::string::npos) << st.message();
  // Undecodable JSON: google.rpc.Status in JSON, naming the place.
  r = Post("/v1/traces", "application/json",
           R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"abc"}]}]}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  ASSERT_TRUE(DecodeJson(r.body, st).ok()) << r.body;
  EXPECT_EQ(st.code(), 3);
  EXPECT_EQ(st.message(),
            "resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters, got 3");
  // Unsupported Content-Encoding.
  r = Post("/v1/traces", "application/x-protobuf", "", {{"Content-Encoding", "zstd"}});
  EXPECT_EQ(r.status, 400);
  // Wrong method.
  http::ClientRequest get;
  get.url = "http://127.0.0.1:" + std::to_string(receiver_->http_port()) + "/v1/traces";
  auto g = http::Fetch(get);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->status, 405);
  EXPECT_EQ(g->Header("Allow"), "POST");
  // A signal no pipeline takes.
  r = Post("/v1/logs", "application/x-protobuf", SampleLogs().SerializeAsString());
  EXPECT_EQ(r.status, 404);
  // Over max_request_body_size (200000 bytes), also after gunzip.
  process::Traces big = SampleTraces(3);
  big.mutable_resource_spans(0)
      ->mutable_resource()
      ->mutable_attributes(0)
      ->mutable_value()
      ->set_string_value(std::string(300000, 'a'));
  r = Post("/v1/traces", "application/x-protobuf", big.SerializeAsString());
  EXPECT_EQ(r.status, 413);
  auto gz = http::GzipCompress(big.SerializeAsString());
  ASSERT_TRUE(gz.ok());
  ASSERT_LT(gz->size(), 200000u);
  r = Post("/v1/traces", "application/x-protobuf", *gz, {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 413);
  std::lock_guard<std::mutex> l(consumer_.mu);
  EXPECT_TRUE(consumer_.traces.empty());
}

TEST_F(OtlpReceiverTest, HttpConsumerErrors) {
  StartBoth();
  struct Case {
    Status result;
    int http;
    int grpc_code;
    bool retry_after;
  } cases[] = {
      {ResourceExhausted("memory limit"), 429, 8, true},
      {Unavailable("exporter queue full"), 503, 14, true},
      {DeadlineExceeded("slow"), 503, 4, true},
      {InvalidArgument("bad data"), 400, 3, false},
      {Internal("bug"), 500, 13, false},
  };
  for (const Case& c : cases) {
    consumer_.Fail(c.result);
    for (const char* type : {"application/x-protobuf", "application/json"}) {
      bool proto = std::string(type) == "application/x-protobuf";
      process::Traces t = SampleTraces(2);
      auto r = Post("/v1/traces", type, proto ? t.SerializeAsString() : EncodeJson(t));
      EXPECT_EQ(r.status, c.http) << c.result.ToString();
      EXPECT_EQ(r.Header("Retry-After"), c.retry_after ? "1" : "") << c.result.ToString();
      RpcStatus st;
      if (proto) {
        ASSERT_TRUE(st.ParseFromString(r.body));
      } else {
        ASSERT_TRUE(DecodeJson(r.body, st).ok()) << r.body;
      }
      EXPECT_EQ(st.code(), c.grpc_code);
      EXPECT_EQ(st.message(), c.result.message());
      if (proto && c.retry_after) {
        ASSERT_EQ(st.details_size(), 1);
        google::rpc::RetryInfo info;
        ASSERT_TRUE(st.details(0).UnpackTo(&info));
        EXPECT_EQ(info.retry_delay().seconds(), 1);
      }
    }
  }
  EXPECT_EQ(CounterValue("infermetry_receiver_refused_spans_total", id_, "http"), 2 * 2 * 5);
  EXPECT_EQ(CounterValue("infermetry_receiver_accepted_spans_total", id_, "http"), 0);
}

TEST_F(OtlpReceiverTest, HttpPartialSuccess) {
  StartBoth();
  process::Traces t = SampleTraces(4);
  auto* spans = t.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans();
  spans->Mutable(1)->set_trace_id(kTraceId.substr(0, 15));
  spans->Mutable(3)->set_span_id(std::string(8, '\0'));
  auto r = Post("/v1/traces", "application/x-protobuf", t.SerializeAsString());
  ASSERT_EQ(r.status, 200);
  ExportTraceServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_EQ(resp.partial_success().rejected_spans(), 2);
  EXPECT_EQ(resp.partial_success().error_message(),
            "rejected 2 invalid spans: resourceSpans[0].scopeSpans[0].spans[1]: traceId must be 16 "
            "bytes, "
            "got 15; resourceSpans[0].scopeSpans[0].spans[3]: spanId is all zeroes");
  // JSON: an all-zero trace id is well-formed hex but invalid.
  r = Post(
      "/v1/traces", "application/json",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"00000000000000000000000000000000",)"
      R"("spanId":"eee19b7ec3c1b174"},{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}]})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"partialSuccess":{"rejectedSpans":"1","errorMessage":"rejected 1 invalid spans: )"
            R"(resourceSpans[0].scopeSpans[0].spans[0]: traceId is all zeroes"}})");
  // Everything invalid: nothing is delivered.
  process::Metrics m;
  m.add_resource_metrics()->add_scope_metrics()->add_metrics()->mutable_gauge()->add_data_points();
  r = Post("/v1/metrics", "application/x-protobuf", m.SerializeAsString());
  ASSERT_EQ(r.status, 200);
  ExportMetricsServiceResponse mresp;
  ASSERT_TRUE(mresp.ParseFromString(r.body));
  EXPECT_EQ(mresp.partial_success().rejected_data_points(), 1);
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.traces.size(), 2u);
  const auto& got = consumer_.traces[0].resource_spans(0).scope_spans(0).spans();
  ASSERT_EQ(got.size(), 2);
  EXPECT_EQ(got[0].start_time_unix_nano(), 1000u);
  EXPECT_EQ(got[1].start_time_unix_nano(), 1002u);
  EXPECT_TRUE(consumer_.metrics.empty());
  EXPECT_EQ(CounterValue("infermetry_receiver_accepted_spans_total", id_, "http"), 3);
  EXPECT_EQ(CounterValue("infermetry_receiver_refused_spans_total", id_, "http"), 3);
  EXPECT_EQ(CounterValue("infermetry_receiver_refused_metric_points_total", id_, "http"), 1);
}

// ---- gRPC ----

TEST_F(OtlpReceiverTest, GrpcExportAllSignals) {
  StartBoth();
  auto channel = Channel();
  process::Traces t = SampleTraces(5);
  {
    auto stub = ctrace::TraceService::NewStub(channel);
    grpc::ClientContext ctx;
    ExportTraceServiceResponse resp;
    grpc::Status st = stub->Export(&ctx, t, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_FALSE(resp.has_partial_success());
  }
  {
    auto stub = cmetrics::MetricsService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    ExportMetricsServiceResponse resp;
    grpc::Status st = stub->Export(&ctx, SampleMetrics(), &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  {
    auto stub = clogs::LogsService::NewStub(channel);
    grpc::ClientContext ctx;
    ExportLogsServiceResponse resp;
    grpc::Status st = stub->Export(&ctx, SampleLogs(), &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.traces.size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(consumer_.traces[0], t));
  ASSERT_EQ(consumer_.metrics.size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(consumer_.metrics[0], SampleMetrics()));
  ASSERT_EQ(consumer_.logs.size(), 1u);
  EXPECT_EQ(consumer_.logs[0].resource_logs(0).scope_logs(0).log_records(0).body().string_value(),
            "hello");
  EXPECT_EQ(CounterValue("infermetry_receiver_accepted_spans_total", id_, "grpc"), 5);
  EXPECT_EQ(CounterValue("infermetry_receiver_accepted_metric_points_total", id_, "grpc"), 2);
  EXPECT_EQ(CounterValue("infermetry_receiver_accepted_log_records_total", id_, "grpc"), 1);
}

TEST_F(OtlpReceiverTest, GrpcIncludeMetadata) {
  StartReceiver("protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n    include_metadata: true\n");
  auto stub = ctrace::TraceService::NewStub(Channel());
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer auth_test_token");
  ctx.AddMetadata("dash0-dataset", "vllm-e2e");
  ctx.AddMetadata("x-multi", "a");
  ctx.AddMetadata("x-multi", "b");
  ExportTraceServiceResponse resp;
  grpc::Status st = stub->Export(&ctx, SampleTraces(2), &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.clients.size(), 1u);
  ASSERT_TRUE(consumer_.clients[0].has_value());
  const process::ClientInfo& c = *consumer_.clients[0];
  EXPECT_EQ(c.address.rfind("127.0.0.1:", 0), 0u) << c.address;
  EXPECT_EQ(c.Get("Authorization").at(0), "Bearer auth_test_token");
  EXPECT_EQ(c.Get("dash0-dataset").at(0), "vllm-e2e");
  ASSERT_EQ(c.Get("x-multi").size(), 2u);
  EXPECT_EQ(c.Get("x-multi")[1], "b");
}

TEST_F(OtlpReceiverTest, GrpcWithoutIncludeMetadata) {
  StartBoth();
  auto stub = ctrace::TraceService::NewStub(Channel());
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer t");
  ExportTraceServiceResponse resp;
  grpc::Status st = stub->Export(&ctx, SampleTraces(1), &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.clients.size(), 1u);
  ASSERT_TRUE(consumer_.clients[0].has_value());
  EXPECT_TRUE(consumer_.clients[0]->metadata.empty());
  EXPECT_FALSE(consumer_.clients[0]->address.empty());
}

TEST_F(OtlpReceiverTest, GrpcPartialSuccess) {
  StartBoth();
  process::Logs logs = SampleLogs();
  logs.mutable_resource_logs(0)->mutable_scope_logs(0)->add_log_records()->set_span_id("short");
  auto stub = clogs::LogsService::NewStub(Channel());
  grpc::ClientContext ctx;
  ExportLogsServiceResponse resp;
  grpc::Status st = stub->Export(&ctx, logs, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.partial_success().rejected_log_records(), 1);
  EXPECT_EQ(resp.partial_success().error_message(),
            "rejected 1 invalid log records: resourceLogs[0].scopeLogs[0].logRecords[1]: spanId "
            "must be 8 "
            "bytes, got 5");
  std::lock_guard<std::mutex> l(consumer_.mu);
  ASSERT_EQ(consumer_.logs.size(), 1u);
  EXPECT_EQ(consumer_.logs[0].resource_logs(0).scope_logs(0).log_records_size(), 1);
}

TEST_F(OtlpReceiverTest, GrpcErrorMapping) {
  StartBoth(/*traces=*/true, /*metrics=*/true, /*logs=*/false);
  auto channel = Channel();
  auto stub = ctrace::TraceService::NewStub(channel);
  struct Case {
    Status result;
    grpc::StatusCode code;
    bool retry_info;
  } cases[] = {
      {ResourceExhausted("memory limit"), grpc::StatusCode::RESOURCE_EXHAUSTED, true},
      {Unavailable("queue full"), grpc::StatusCode::UNAVAILABLE, true},
      {InvalidArgument("bad"), grpc::StatusCode::INVALID_ARGUMENT, false},
      {Internal("bug"), grpc::StatusCode::INTERNAL, false},
  };
  for (const Case& c : cases) {
    consumer_.Fail(c.result);
    grpc::ClientContext ctx;
    ExportTraceServiceResponse resp;
    grpc::Status st = stub->Export(&ctx, SampleTraces(1), &resp);
    EXPECT_EQ(st.error_code(), c.code) << c.result.ToString();
    EXPECT_EQ(st.error_message(), c.result.message());
    RpcStatus details;
    ASSERT_TRUE(details.ParseFromString(st.error_details()));
    EXPECT_EQ(details.code(), static_cast<int>(c.code));
    if (c.retry_info) {
      ASSERT_EQ(details.details_size(), 1);
      google::rpc::RetryInfo info;
      ASSERT_TRUE(details.details(0).UnpackTo(&info));
      EXPECT_EQ(info.retry_delay().seconds(), 1);
    } else {
      EXPECT_EQ(details.details_size(), 0);
    }
  }
  consumer_.Fail(Status::Ok());

  // Undecodable request bytes.
  grpc::GenericStub generic(channel);
  std::string garbage = "\xff\xff\xff\xff";
  grpc::Slice slice(garbage);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::ClientContext ctx;
  std::promise<grpc::Status> done;
  generic.UnaryCall(&ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                    grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) { done.set_value(s); });
  grpc::Status st = done.get_future().get();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("ExportTraceServiceRequest"), std::string::npos)
      << st.error_message();

  // A signal no pipeline takes.
  {
    auto logs = clogs::LogsService::NewStub(channel);
    grpc::ClientContext c2;
    ExportLogsServiceResponse resp;
    grpc::Status s = logs->Export(&c2, SampleLogs(), &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(s.error_message(),
              "unknown service opentelemetry.proto.collector.logs.v1.LogsService");
  }
  // Over max_recv_msg_size_mib (1 MiB).
  {
    process::Traces big = SampleTraces(1);
    big.mutable_resource_spans(0)
        ->mutable_resource()
        ->mutable_attributes(0)
        ->mutable_value()
        ->set_string_value(std::string(2 << 20, 'a'));
    grpc::ClientContext c3;
    ExportTraceServiceResponse resp;
    grpc::Status s = stub->Export(&c3, big, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  }
  std::lock_guard<std::mutex> l(consumer_.mu);
  EXPECT_EQ(consumer_.traces.size(), 4u);  // only the four refused by the consumer
}

TEST_F(OtlpReceiverTest, ConcurrentClientsAndShutdown) {
  StartBoth();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  auto channel = Channel();
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < 10; ++j) {
        if (i % 2 == 0) {
          auto stub = ctrace::TraceService::NewStub(channel);
          grpc::ClientContext ctx;
          ExportTraceServiceResponse resp;
          if (stub->Export(&ctx, SampleTraces(2), &resp).ok()) ++ok;
        } else {
          auto r =
              Post("/v1/traces", "application/x-protobuf", SampleTraces(2).SerializeAsString());
          if (r.status == 200) ++ok;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(CounterValue("infermetry_receiver_accepted_spans_total", id_, "grpc") +
                CounterValue("infermetry_receiver_accepted_spans_total", id_, "http"),
            80);
  EXPECT_TRUE(receiver_->Shutdown(std::chrono::seconds(5)).ok());
  EXPECT_FALSE(receiver_->Ready());
  receiver_.reset();
}

}  // namespace
}  // namespace infermetry::otlp
