#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <mutex>

#include "common/http_client.h"
#include "config/yaml.h"
#include "ingest/otlp/otlp_receiver.h"
#include "model/otlp/otlp_model.h"
#include "rag/documents.h"
#include "rag/rag_app.h"
#include "rag/rag_pipeline.h"
#include "server/http/server.h"

namespace infermetry::rag {
namespace {

using namespace std::chrono_literals;

// ---- retrieval ----

TEST(DocumentsTest, TermsDropShortAndCommonWords) {
  EXPECT_EQ(Terms("What is the KV-cache usage, and why is KV usage high?"),
            (std::vector<std::string>{"cache", "high", "usage"}));
}

TEST(DocumentsTest, RetrievesByWordOverlapDeterministically) {
  auto hits = Retrieve("What is time to first token?", 3);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].passage->id, "doc-01");
  EXPECT_EQ(hits[0].score, 3);  // time, first, token
  EXPECT_GE(hits[0].score, hits[1].score);
  EXPECT_GE(hits[1].score, hits[2].score);
  auto again = Retrieve("What is time to first token?", 3);
  for (size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(hits[i].passage, again[i].passage);

  EXPECT_EQ(Retrieve("preemption and KV cache", 1)[0].passage->id, "doc-04");
  // No overlap at all still fills the places, in corpus order.
  auto none = Retrieve("zzz qqq", 2);
  ASSERT_EQ(none.size(), 2u);
  EXPECT_EQ(none[0].passage->id, "doc-01");
  EXPECT_EQ(none[0].score, 0);
  EXPECT_EQ(Retrieve("anything", 100).size(), Corpus().size());
}

TEST(DocumentsTest, PromptListsPassagesThenTheQuestion) {
  EXPECT_EQ(BuildPrompt("Why?", {"A: a", "B: b"}),
            "Answer the question using only the context below.\n\nContext:\n[1] A: a\n[2] B: b\n"
            "\nQuestion: Why?\nAnswer:");
}

// ---- the app against a fake vLLM, traced into an in-process OTLP receiver ----

// Answers POST /v1/completions like vLLM and remembers the trace headers it was sent.
class FakeVllm {
 public:
  FakeVllm() {
    auto router = std::make_shared<http::Router>();
    router->Handle("POST", "/v1/completions", "completions",
                   [this](const http::Request& req, http::Response* r) {
                     std::lock_guard<std::mutex> l(mu);
                     traceparents.emplace_back(req.Header("traceparent"));
                     tracestates.emplace_back(req.Header("tracestate"));
                     bodies.push_back(req.body);
                     if (fail) {
                       r->SetText(500,
                                  "{\"error\":{\"message\":\"engine crashed\",\"type\":"
                                  "\"InternalServerError\",\"param\":null,\"code\":500}}");
                       return;
                     }
                     r->SetText(200,
                                "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,"
                                "\"model\":\"facebook/opt-125m\",\"choices\":[{\"index\":0,"
                                "\"text\":\" Prefill and queueing.\",\"logprobs\":null,"
                                "\"finish_reason\":\"stop\",\"stop_reason\":null}],"
                                "\"usage\":{\"prompt_tokens\":120,\"total_tokens\":126,"
                                "\"completion_tokens\":6}}");
                     r->SetContentType("application/json");
                   });
    auto s = http::Server::Start(http::ServerOptions{}, router);
    EXPECT_TRUE(s.ok());
    server_ = std::move(*s);
  }
  std::string url() const { return "http://" + server_->address(); }

  std::mutex mu;
  std::vector<std::string> traceparents, tracestates, bodies;
  std::atomic<bool> fail{false};

 private:
  std::unique_ptr<http::Server> server_;
};

class SpanSink : public process::Consumer {
 public:
  Status ConsumeTraces(process::Traces&& batch) override {
    std::lock_guard<std::mutex> l(mu_);
    otlp::AppendSpans(batch, &spans_);
    return Status::Ok();
  }
  std::vector<model::Span> spans() {
    std::lock_guard<std::mutex> l(mu_);
    return spans_;
  }

 private:
  std::mutex mu_;
  std::vector<model::Span> spans_;
};

const model::Span* Named(const std::vector<model::Span>& spans, std::string_view name) {
  for (const model::Span& s : spans) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

int64_t IntAttr(const model::Span& s, std::string_view key) {
  const model::AttrValue* v = model::FindAttr(s.attributes, key);
  return v == nullptr ? -1 : v->i;
}

// The value of the sample `series` (name and labels exactly as written) in `text`, or -1.
double Sample(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + series.size() + 2, nullptr);
}

class RagAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto doc = config::Document::LoadString("protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n",
                                            "receiver.yaml");
    ASSERT_TRUE(doc.ok());
    doc_ = std::make_unique<config::Document>(std::move(*doc));
    process::ComponentConfig cfg{doc_.get(), doc_->root(), "otlp/rag", "receivers.otlp"};
    process::ReceiverOutputs out;
    out.traces = &sink_;
    auto r = otlp::CreateOtlpReceiver(cfg, out);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    receiver_.reset(static_cast<otlp::OtlpReceiver*>(r->release()));
    ASSERT_TRUE(receiver_->Start().ok());

    telemetry::TracerOptions to;
    to.service_name = "rag-app";
    to.scope_name = "rag-app";
    to.endpoint = "127.0.0.1:" + std::to_string(receiver_->grpc_port());
    to.export_interval = 1h;
    to.shutdown_timeout = 1s;
    auto t = telemetry::Tracer::Create(to);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    tracer_ = std::move(*t);
    StartApp(tracer_.get());
  }

  void StartApp(telemetry::Tracer* tracer) {
    RagOptions o;
    o.listen = "127.0.0.1:0";
    o.vllm_url = vllm_.url() + "/v1";
    o.max_tokens = 50;
    o.retrieve_delay = 2ms;
    o.tracer = tracer;
    auto app = RagApp::Start(o);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
  }

  void TearDown() override {
    app_.reset();
    tracer_.reset();
    if (receiver_ != nullptr) receiver_->Shutdown(2s).ok();
  }

  http::ClientResponse Call(const std::string& method, const std::string& target,
                            const std::string& body = "",
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::ClientRequest req;
    req.method = method;
    req.url = "http://" + app_->address() + target;
    req.body = body;
    req.headers = std::move(headers);
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    auto r = http::Fetch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  }

  std::vector<model::Span> FlushedSpans() {
    Status st = tracer_->Flush(10s);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return sink_.spans();
  }

  FakeVllm vllm_;
  std::unique_ptr<config::Document> doc_;
  SpanSink sink_;
  std::unique_ptr<otlp::OtlpReceiver> receiver_;
  std::unique_ptr<telemetry::Tracer> tracer_;
  std::unique_ptr<RagApp> app_;
};

TEST_F(RagAppTest, OneTraceFromTheCallerThroughVllm) {
  const std::string incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  auto resp = Call("POST", "/query",
                   "{\"question\": \"What is time to first token?\", "
                   "\"max_tokens\": 20}",
                   {{"traceparent", incoming}, {"tracestate", "congo=t61rcWkgMzE"}});
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_EQ(resp.Header("Content-Type"), "application/json");

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(resp.body).get(root), simdjson::SUCCESS) << resp.body;
  std::string_view answer, trace_id, first_doc;
  ASSERT_EQ(root["answer"].get(answer), simdjson::SUCCESS);
  EXPECT_EQ(answer, " Prefill and queueing.");
  ASSERT_EQ(root["trace_id"].get(trace_id), simdjson::SUCCESS);
  EXPECT_EQ(trace_id, "0af7651916cd43dd8448eb211c80319c");
  ASSERT_EQ(root.at_pointer("/documents/0/id").get(first_doc), simdjson::SUCCESS);
  EXPECT_EQ(first_doc, "doc-01");
  int64_t completion = 0;
  ASSERT_EQ(root.at_pointer("/usage/completion_tokens").get(completion), simdjson::SUCCESS);
  EXPECT_EQ(completion, 6);

  std::vector<model::Span> spans = FlushedSpans();
  ASSERT_EQ(spans.size(), 3u);
  const model::Span* query = Named(spans, "rag.query");
  const model::Span* retrieve = Named(spans, "rag.retrieve");
  const model::Span* generate = Named(spans, "rag.generate");
  ASSERT_TRUE(query && retrieve && generate);
  for (const model::Span& s : spans) {
    EXPECT_EQ(model::HexId(s.trace_id), "0af7651916cd43dd8448eb211c80319c") << s.name;
    EXPECT_EQ(s.service_name, "rag-app");
    EXPECT_EQ(s.trace_state, "congo=t61rcWkgMzE");
  }
  EXPECT_EQ(query->kind, telemetry::kSpanKindServer);
  EXPECT_EQ(model::HexId(query->parent_span_id), "b7ad6b7169203331");
  EXPECT_EQ(retrieve->kind, telemetry::kSpanKindInternal);
  EXPECT_EQ(retrieve->parent_span_id, query->span_id);
  EXPECT_EQ(generate->kind, telemetry::kSpanKindClient);
  EXPECT_EQ(generate->parent_span_id, query->span_id);
  EXPECT_LE(query->start_ns, retrieve->start_ns);
  EXPECT_LE(retrieve->end_ns, generate->start_ns);
  EXPECT_LE(generate->end_ns, query->end_ns);
  EXPECT_GE(retrieve->end_ns - retrieve->start_ns, 2'000'000);  // the simulated store latency
  EXPECT_EQ(IntAttr(*retrieve, "rag.retrieve.documents"), 3);
  EXPECT_EQ(IntAttr(*generate, "gen_ai.request.max_tokens"), 20);
  EXPECT_EQ(IntAttr(*generate, "gen_ai.usage.prompt_tokens"), 120);
  EXPECT_EQ(IntAttr(*generate, "gen_ai.usage.completion_tokens"), 6);
  EXPECT_EQ(model::FindAttr(generate->attributes, "gen_ai.request.model")->s, "facebook/opt-125m");
  EXPECT_EQ(IntAttr(*query, "http.response.status_code"), 200);
  EXPECT_EQ(query->status_code, telemetry::kStatusUnset);

  // What vLLM received names rag.generate as the parent of its own span.
  std::lock_guard<std::mutex> l(vllm_.mu);
  ASSERT_EQ(vllm_.traceparents.size(), 1u);
  auto sent = telemetry::ParseTraceparent(vllm_.traceparents[0]);
  ASSERT_TRUE(sent.has_value()) << vllm_.traceparents[0];
  EXPECT_EQ(sent->trace_id, generate->trace_id);
  EXPECT_EQ(sent->span_id, generate->span_id);
  EXPECT_TRUE(sent->sampled());
  EXPECT_EQ(vllm_.tracestates[0], "congo=t61rcWkgMzE");
  EXPECT_NE(vllm_.bodies[0].find("\"max_tokens\":20"), std::string::npos) << vllm_.bodies[0];
  EXPECT_NE(vllm_.bodies[0].find("Time to first token"), std::string::npos);
}

TEST_F(RagAppTest, GetStartsANewTrace) {
  auto resp = Call("GET", "/query?q=How+does+prefix+caching+help%3F");
  ASSERT_EQ(resp.status, 200) << resp.body;
  std::vector<model::Span> spans = FlushedSpans();
  ASSERT_EQ(spans.size(), 3u);
  const model::Span* query = Named(spans, "rag.query");
  ASSERT_NE(query, nullptr);
  EXPECT_EQ(query->parent_span_id, model::SpanId{});
  for (const model::Span& s : spans) EXPECT_EQ(s.trace_id, query->trace_id);
  EXPECT_NE(resp.body.find("\"trace_id\":\"" + model::HexId(query->trace_id) + "\""),
            std::string::npos);
  std::lock_guard<std::mutex> l(vllm_.mu);
  EXPECT_NE(vllm_.bodies[0].find("\"max_tokens\":50"), std::string::npos);  // the default
  EXPECT_NE(vllm_.bodies[0].find("Prefix caching"), std::string::npos);
}

TEST_F(RagAppTest, VllmErrorsAreBadGatewayAndErrorSpans) {
  vllm_.fail = true;
  auto resp = Call("POST", "/query", "{\"question\":\"What is a preemption?\"}");
  EXPECT_EQ(resp.status, 502);
  EXPECT_NE(resp.body.find("engine crashed"), std::string::npos) << resp.body;
  std::vector<model::Span> spans = FlushedSpans();
  ASSERT_EQ(spans.size(), 3u);
  const model::Span* generate = Named(spans, "rag.generate");
  const model::Span* query = Named(spans, "rag.query");
  ASSERT_TRUE(generate && query);
  EXPECT_EQ(generate->status_code, telemetry::kStatusError);
  EXPECT_NE(generate->status_message.find("HTTP 500"), std::string::npos);
  EXPECT_EQ(IntAttr(*generate, "http.response.status_code"), 500);
  EXPECT_EQ(query->status_code, telemetry::kStatusError);
  EXPECT_EQ(IntAttr(*query, "http.response.status_code"), 502);
}

TEST_F(RagAppTest, MetricsCountQueriesByOutcome) {
  const std::string before = Call("GET", "/metrics").body;
  EXPECT_EQ(Sample(before, "rag_queries_total{status=\"ok\"}"), 0) << before;
  EXPECT_EQ(Call("GET", "/query?q=throughput").status, 200);
  EXPECT_EQ(Call("POST", "/query", "{\"question\":\"batching\"}").status, 200);
  EXPECT_EQ(Call("POST", "/query", "{\"max_tokens\":3}").status, 400);
  EXPECT_EQ(Call("POST", "/query", "{\"question\":\"x\",\"max_tokens\":0}").status, 400);
  EXPECT_EQ(Call("GET", "/query?q=").status, 400);
  vllm_.fail = true;
  EXPECT_EQ(Call("GET", "/query?q=queue").status, 502);

  auto m = Call("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.Header("Content-Type").find("text/plain"), std::string::npos);
  const std::string& text = m.body;
  EXPECT_EQ(Sample(text, "rag_queries_total{status=\"ok\"}"), 2) << text;
  EXPECT_EQ(Sample(text, "rag_queries_total{status=\"error\"}"), 1) << text;
  EXPECT_EQ(Sample(text, "rag_queries_total{status=\"invalid\"}"), 3) << text;
  EXPECT_EQ(Sample(text, "rag_query_duration_seconds_count"), 3) << text;
  EXPECT_EQ(Sample(text, "rag_query_duration_seconds_bucket{le=\"+Inf\"}"), 3) << text;
  EXPECT_GT(Sample(text, "rag_query_duration_seconds_sum"), 0) << text;
  EXPECT_EQ(Sample(text, "rag_generate_tokens_total{type=\"completion\"}"), 12) << text;
  EXPECT_EQ(Sample(text, "rag_generate_tokens_total{type=\"prompt\"}"), 240) << text;
  EXPECT_NE(text.find("# TYPE rag_query_duration_seconds histogram"), std::string::npos);
  EXPECT_EQ(app_->MetricsText().find("rag_queries_total"), text.find("rag_queries_total"));
  EXPECT_EQ(Call("GET", "/health").body, "ok\n");
}

TEST_F(RagAppTest, QueryWithoutHttp) {
  auto parent =
      telemetry::ParseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  auto a = app_->Query({"What does the KV cache hold?", 8}, &*parent);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->document_ids.size(), 3u);
  EXPECT_EQ(a->document_ids[0], "doc-03");
  EXPECT_EQ(a->trace_id, "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(app_->Query({"  ", 0}, nullptr).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(FlushedSpans().size(), 3u);
}

TEST_F(RagAppTest, WithoutATracerTheIncomingContextIsPassedOn) {
  app_.reset();
  StartApp(nullptr);
  const std::string incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  auto resp = Call("GET", "/query?q=tracing", "", {{"traceparent", incoming}});
  ASSERT_EQ(resp.status, 200) << resp.body;
  EXPECT_NE(resp.body.find("\"trace_id\":\"\""), std::string::npos) << resp.body;
  std::lock_guard<std::mutex> l(vllm_.mu);
  ASSERT_EQ(vllm_.traceparents.size(), 1u);
  EXPECT_EQ(vllm_.traceparents[0], incoming);
  EXPECT_TRUE(FlushedSpans().empty());
}

TEST(RagAppStartTest, RejectsBadOptions) {
  RagOptions o;
  o.listen = "127.0.0.1:0";
  o.vllm_url = "vllm:8000";
  EXPECT_EQ(RagApp::Start(o).status().code(), Code::kInvalidArgument);
  o.vllm_url = "http://127.0.0.1:1";
  o.top_k = 0;
  EXPECT_EQ(RagApp::Start(o).status().code(), Code::kInvalidArgument);
  o.top_k = 3;
  auto app = RagApp::Start(o);
  ASSERT_TRUE(app.ok());
  auto a = (*app)->Query({"anything", 0}, nullptr);  // nothing listens on port 1
  EXPECT_EQ(a.status().code(), Code::kUnavailable) << a.status().ToString();
  EXPECT_NE(a.status().message().find("http://127.0.0.1:1"), std::string::npos);
}

}  // namespace
}  // namespace infermetry::rag
