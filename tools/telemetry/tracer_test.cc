#include "telemetry/tracer.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <thread>

#include "config/yaml.h"
#include "ingest/otlp/otlp_receiver.h"
#include "model/otlp/otlp_model.h"

namespace infermetry::telemetry {
namespace {

using namespace std::chrono_literals;

const char kValid[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TracerTest, DisabledTracerMakesIdsButExportsNothing) {
  auto t = Tracer::Create(TracerOptions{});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_FALSE((*t)->enabled());
  model::Span root = (*t)->StartSpan("root", nullptr, 1000);
  TraceContext ctx = (*t)->ContextOf(root);
  model::Span child = (*t)->StartSpan("child", &ctx, 1001, kSpanKindClient);
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_EQ(child.parent_span_id, root.span_id);
  EXPECT_NE(child.span_id, root.span_id);
  EXPECT_EQ(child.kind, kSpanKindClient);
  EXPECT_EQ(root.parent_span_id, model::SpanId{});
  (*t)->End(std::move(child), 2000);
  EXPECT_TRUE((*t)->Flush(1s).ok());
  EXPECT_EQ((*t)->dropped_spans(), 0u);
  EXPECT_EQ((*t)->exported_spans(), 0u);
}

TEST(TracerTest, CreateRejectsUnusableOptions) {
  TracerOptions o;
  o.protocol = "http/protobuf";
  o.endpoint = "collector:4318";  // no scheme
  auto t = Tracer::Create(o);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
  EXPECT_NE(t.status().message().find("collector:4318"), std::string::npos)
      << t.status().ToString();

  o.protocol = "grpc";
  o.endpoint = "127.0.0.1:4317";
  o.insecure = false;
  o.ca_file = "/nonexistent/ca.pem";
  t = Tracer::Create(o);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("/nonexistent/ca.pem"), std::string::npos)
      << t.status().ToString();
}

// ---- end to end, through infermetry's own OTLP receiver ----

class CapturingConsumer : public process::Consumer {
 public:
  Status ConsumeTraces(process::Traces&& batch) override {
    std::lock_guard<std::mutex> l(mu_);
    batches_.push_back(std::move(batch));
    return result_;
  }
  std::vector<process::Traces> batches() {
    std::lock_guard<std::mutex> l(mu_);
    return batches_;
  }
  std::vector<model::Span> spans() {
    std::vector<model::Span> out;
    for (const process::Traces& t : batches()) otlp::AppendSpans(t, &out);
    return out;
  }
  void Fail(Status s) {
    std::lock_guard<std::mutex> l(mu_);
    result_ = std::move(s);
  }

 private:
  std::mutex mu_;
  std::vector<process::Traces> batches_;
  Status result_;
};

class TracerExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto doc = config::Document::LoadString(
        "protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n  http:\n    endpoint: 127.0.0.1:0\n",
        "receiver.yaml");
    ASSERT_TRUE(doc.ok());
    doc_ = std::make_unique<config::Document>(std::move(*doc));
    process::ComponentConfig cfg{doc_.get(), doc_->root(), "otlp/telemetry", "receivers.otlp"};
    process::ReceiverOutputs out;
    out.traces = &consumer_;
    auto r = otlp::CreateOtlpReceiver(cfg, out);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    receiver_.reset(static_cast<otlp::OtlpReceiver*>(r->release()));
    ASSERT_TRUE(receiver_->Start().ok());
  }
  void TearDown() override {
    if (receiver_ != nullptr) receiver_->Shutdown(2s).ok();
  }

  std::string GrpcEndpoint() const { return "127.0.0.1:" + std::to_string(receiver_->grpc_port()); }
  std::string HttpBase() const {
    return "http://127.0.0.1:" + std::to_string(receiver_->http_port());
  }

  TracerOptions Options(const std::string& protocol) const {
    TracerOptions o;
    o.service_name = "rag-app";
    o.resource_attributes = {{"deployment.environment.name", "test"}};
    o.scope_name = "infermetry.rag";
    o.scope_version = "1.2.3";
    o.protocol = protocol;
    o.endpoint = protocol == "grpc" ? GrpcEndpoint() : HttpBase() + "/v1/traces";
    o.export_interval = 1h;  // only Flush and full batches export
    o.shutdown_timeout = 1s;
    return o;
  }

  // Makes a server span with a client child, ends both, flushes and checks what arrived.
  void ExportAndCheck(const TracerOptions& options) {
    auto t = Tracer::Create(options);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ASSERT_TRUE((*t)->enabled());
    auto remote = ParseTraceparent(kValid);
    ASSERT_TRUE(remote.has_value());
    remote->tracestate = "vendor=abc";
    model::Span server =
        (*t)->StartSpan("rag.query", &*remote, 1'700'000'000'000'000'000, kSpanKindServer);
    TraceContext ctx = (*t)->ContextOf(server);
    model::Span client =
        (*t)->StartSpan("rag.generate", &ctx, 1'700'000'000'100'000'000, kSpanKindClient);
    SetStringAttr(&client, "gen_ai.request.model", "facebook/opt-125m");
    SetIntAttr(&client, "gen_ai.request.max_tokens", 100);
    SetDoubleAttr(&client, "gen_ai.latency.e2e", 0.25);
    SetBoolAttr(&client, "cached", false);
    SetError(&client, "upstream 500");
    const model::SpanId client_id = client.span_id;
    const model::SpanId server_id = server.span_id;
    (*t)->End(std::move(client), 1'700'000'000'200'000'000);
    (*t)->End(std::move(server), 1'700'000'000'300'000'000);
    Status st = (*t)->Flush(10s);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ((*t)->exported_spans(), 2u);
    EXPECT_EQ((*t)->dropped_spans(), 0u);

    auto batches = consumer_.batches();
    ASSERT_EQ(batches.size(), 1u);
    ASSERT_EQ(batches[0].resource_spans_size(), 1u);
    std::vector<model::Span> spans = consumer_.spans();
    ASSERT_EQ(spans.size(), 2u);
    const model::Span& c = spans[0];
    const model::Span& s = spans[1];
    EXPECT_EQ(s.name, "rag.query");
    EXPECT_EQ(s.kind, kSpanKindServer);
    EXPECT_EQ(model::HexId(s.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(model::HexId(s.parent_span_id), "00f067aa0ba902b7");
    EXPECT_EQ(s.span_id, server_id);
    EXPECT_EQ(s.trace_state, "vendor=abc");
    EXPECT_EQ(s.start_ns, 1'700'000'000'000'000'000);
    EXPECT_EQ(s.end_ns, 1'700'000'000'300'000'000);
    EXPECT_EQ(c.name, "rag.generate");
    EXPECT_EQ(c.kind, kSpanKindClient);
    EXPECT_EQ(c.trace_id, s.trace_id);
    EXPECT_EQ(c.parent_span_id, server_id);
    EXPECT_EQ(c.span_id, client_id);
    EXPECT_EQ(c.status_code, kStatusError);
    EXPECT_EQ(c.status_message, "upstream 500");
    const model::AttrValue* model = model::FindAttr(c.attributes, "gen_ai.request.model");
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(model->s, "facebook/opt-125m");
    const model::AttrValue* max_tokens = model::FindAttr(c.attributes, "gen_ai.request.max_tokens");
    ASSERT_NE(max_tokens, nullptr);
    EXPECT_EQ(max_tokens->type, model::AttrValue::Type::kInt);
    EXPECT_EQ(max_tokens->i, 100);
    const model::AttrValue* e2e = model::FindAttr(c.attributes, "gen_ai.latency.e2e");
    ASSERT_NE(e2e, nullptr);
    EXPECT_EQ(e2e->type, model::AttrValue::Type::kDouble);
    EXPECT_EQ(e2e->d, 0.25);
    const model::AttrValue* cached = model::FindAttr(c.attributes, "cached");
    ASSERT_NE(cached, nullptr);
    EXPECT_EQ(cached->type, model::AttrValue::Type::kBool);
    EXPECT_EQ(cached->i, 0);
    for (const model::Span* span : {&c, &s}) {
      EXPECT_EQ(span->service_name, "rag-app");
      EXPECT_EQ(span->scope_name, "infermetry.rag");
      EXPECT_EQ(span->scope_version, "1.2.3");
      const model::AttrValue* sdk =
          model::FindAttr(span->resource_attributes, "telemetry.sdk.name");
      ASSERT_NE(sdk, nullptr);
      EXPECT_EQ(sdk->s, "infermetry");
      const model::AttrValue* env =
          model::FindAttr(span->resource_attributes, "deployment.environment.name");
      ASSERT_NE(env, nullptr);
      EXPECT_EQ(env->s, "test");
    }
  }

  std::unique_ptr<config::Document> doc_;
  CapturingConsumer consumer_;
  std::unique_ptr<otlp::OtlpReceiver> receiver_;
};

TEST_F(TracerExportTest, Grpc) { ExportAndCheck(Options("grpc")); }
TEST_F(TracerExportTest, GrpcWithSchemes) {
  TracerOptions o = Options("grpc");
  o.endpoint = "grpc://" + GrpcEndpoint();
  ExportAndCheck(o);
}
TEST_F(TracerExportTest, HttpProtobuf) { ExportAndCheck(Options("http/protobuf")); }
TEST_F(TracerExportTest, HttpJson) { ExportAndCheck(Options("http/json")); }

TEST_F(TracerExportTest, ConfiguredFromEnvironment) {
  TracerOptions d = Options("grpc");
  d.endpoint.clear();
  const std::map<std::string, std::string> env = {
      {"OTEL_EXPORTER_OTLP_ENDPOINT", HttpBase()},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20t"}};
  auto o = TracerOptions::FromEnv(d, [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->endpoint, HttpBase() + "/v1/traces");
  ExportAndCheck(*o);
}

TEST_F(TracerExportTest, FlushWaitsForEverySpanAndFullBatchesGoWithoutFlush) {
  TracerOptions o = Options("grpc");
  o.max_export_batch = 10;
  auto t = Tracer::Create(o);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE((*t)->Flush(1s).ok());  // nothing queued
  for (int i = 0; i < 25; ++i) {
    (*t)->End((*t)->StartSpan("s" + std::to_string(i), nullptr, 1000 + i), 2000 + i);
  }
  // Two full batches leave on their own; the remaining 5 wait for the (1 h) interval or Flush.
  for (int i = 0; i < 200 && (*t)->exported_spans() < 20; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ((*t)->exported_spans(), 20u);
  ASSERT_TRUE((*t)->Flush(10s).ok());
  EXPECT_EQ((*t)->exported_spans(), 25u);
  EXPECT_EQ(consumer_.spans().size(), 25u);
  for (const process::Traces& b : consumer_.batches()) {
    EXPECT_LE(b.resource_spans(0).scope_spans(0).spans_size(), 10);
  }
}

TEST_F(TracerExportTest, OverflowDropsAndCounts) {
  TracerOptions o = Options("grpc");
  o.max_queue_spans = 10;
  o.max_export_batch = 1000;  // never full: nothing leaves before Flush
  auto t = Tracer::Create(o);
  ASSERT_TRUE(t.ok());
  for (int i = 0; i < 25; ++i) (*t)->End((*t)->StartSpan("s", nullptr, 1), 2);
  EXPECT_EQ((*t)->dropped_spans(), 15u);
  ASSERT_TRUE((*t)->Flush(10s).ok());
  EXPECT_EQ((*t)->exported_spans(), 10u);
  EXPECT_EQ(consumer_.spans().size(), 10u);
}

TEST_F(TracerExportTest, UnsampledSpansAreNotExported) {
  auto t = Tracer::Create(Options("grpc"));
  ASSERT_TRUE(t.ok());
  auto parent = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(parent.has_value());
  model::Span s = (*t)->StartSpan("child", &*parent, 1);
  EXPECT_EQ((*t)->ContextOf(s).flags, 0);
  (*t)->End(std::move(s), 2);
  ASSERT_TRUE((*t)->Flush(5s).ok());
  EXPECT_EQ((*t)->exported_spans(), 0u);
  EXPECT_EQ((*t)->dropped_spans(), 0u);
  EXPECT_TRUE(consumer_.batches().empty());
}

TEST_F(TracerExportTest, RejectedBatchIsAnErrorFromFlush) {
  consumer_.Fail(InvalidArgument("bad spans"));  // the receiver answers 400: not retried
  auto t = Tracer::Create(Options("http/protobuf"));
  ASSERT_TRUE(t.ok());
  (*t)->End((*t)->StartSpan("s", nullptr, 1), 2);
  Status st = (*t)->Flush(10s);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ((*t)->failed_spans(), 1u);
  EXPECT_EQ((*t)->exported_spans(), 0u);
}

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

TEST(TracerUnreachableTest, FlushGivesUpAtItsDeadline) {
  TracerOptions o;
  o.endpoint = "127.0.0.1:" + std::to_string(UnusedPort());
  o.shutdown_timeout = 200ms;
  auto t = Tracer::Create(o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  (*t)->End((*t)->StartSpan("s", nullptr, 1), 2);
  Status st = (*t)->Flush(300ms);
  EXPECT_EQ(st.code(), Code::kDeadlineExceeded) << st.ToString();
  t->reset();  // the destructor abandons the retries instead of waiting for them
}

}  // namespace
}  // namespace infermetry::telemetry
