#include "rag/rag_app.h"

#include <simdjson.h>

#include "common/self_metrics.h"
#include "common/strconv.h"
#include "rag/rag_pipeline.h"
#include "server/http/server.h"

namespace infermetry::rag {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxTokensLimit = 1000000;

std::string ErrorJson(std::string_view message) {
  std::string out = "{\"error\":";
  AppendJsonString(&out, message);
  out += "}";
  return out;
}

std::string AnswerJson(const std::string& question, const QueryAnswer& a) {
  std::string out = "{\"question\":";
  AppendJsonString(&out, question);
  out += ",\"answer\":";
  AppendJsonString(&out, a.answer);
  out += ",\"model\":";
  AppendJsonString(&out, a.model);
  out += ",\"documents\":[";
  for (size_t i = 0; i < a.document_ids.size(); ++i) {
    if (i > 0) out += ",";
    out += "{\"id\":";
    AppendJsonString(&out, a.document_ids[i]);
    out += ",\"title\":";
    AppendJsonString(&out, a.document_titles[i]);
    out += "}";
  }
  out += "],\"usage\":{\"prompt_tokens\":" + std::to_string(a.prompt_tokens) +
         ",\"completion_tokens\":" + std::to_string(a.completion_tokens) + "},\"trace_id\":";
  AppendJsonString(&out, a.trace_id);
  out += "}";
  return out;
}

// The question and max_tokens of a POST /query body; kInvalidArgument saying what is wrong.
Result<QueryRequest> ParseQueryBody(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return InvalidArgument("the body must be a JSON object like {\"question\": \"...\"}");
  }
  QueryRequest q;
  std::string_view question;
  if (root["question"].get(question) != simdjson::SUCCESS) {
    return InvalidArgument("\"question\" (a string) is required");
  }
  q.question = std::string(question);
  simdjson::dom::element mt;
  if (root["max_tokens"].get(mt) == simdjson::SUCCESS && !mt.is_null()) {
    int64_t n = 0;
    if (mt.get_int64().get(n) != simdjson::SUCCESS || n < 1 || n > kMaxTokensLimit) {
      return InvalidArgument("\"max_tokens\" must be a whole number from 1 to " +
                             std::to_string(kMaxTokensLimit));
    }
    q.max_tokens = static_cast<int>(n);
  }
  return q;
}

Result<QueryRequest> ParseQueryParams(const http::Request& req) {
  QueryRequest q;
  q.question = req.QueryParam("q");
  if (const std::string mt = req.QueryParam("max_tokens"); !mt.empty()) {
    int64_t n = 0;
    if (!ParseInt64(mt, &n) || n < 1 || n > kMaxTokensLimit) {
      return InvalidArgument("max_tokens must be a whole number from 1 to " +
                             std::to_string(kMaxTokensLimit));
    }
    q.max_tokens = static_cast<int>(n);
  }
  return q;
}

Status CheckRequest(const QueryRequest& q) {
  bool blank = true;
  for (char c : q.question) blank = blank && (c == ' ' || c == '\t' || c == '\n' || c == '\r');
  if (blank) return InvalidArgument("the question is empty");
  if (q.max_tokens < 0 || q.max_tokens > kMaxTokensLimit) {
    return InvalidArgument("max_tokens must be from 1 to " + std::to_string(kMaxTokensLimit));
  }
  return Status::Ok();
}

}  // namespace

struct RagApp::Impl {
  explicit Impl(RagOptions o)
      : options(std::move(o)),
        pipeline(options),
        queries(metrics.AddCounter("rag_queries_total", "RAG queries answered, by outcome.",
                                   {"status"})),
        duration(metrics
                     .AddHistogram("rag_query_duration_seconds",
                                   "Time to answer a RAG query, retrieval and generation.", {},
                                   {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})
                     .With({})),
        tokens(metrics.AddCounter("rag_generate_tokens_total",
                                  "Tokens of the completions requested from vLLM.", {"type"})) {
    // Every series exists from the start, at zero.
    for (const char* status : {"ok", "error", "invalid"}) queries.With({status});
    for (const char* type : {"prompt", "completion"}) tokens.With({type});
  }

  // One query under a rag.query span (when tracing). `method` and `route` label the span.
  Result<QueryAnswer> Serve(const QueryRequest& request, const telemetry::TraceContext* parent,
                            const PassThrough& pass, std::string_view method) {
    if (Status st = CheckRequest(request); !st.ok()) {
      queries.With({"invalid"}).Inc();
      return st;
    }
    telemetry::Tracer* tracer =
        options.tracer != nullptr && options.tracer->enabled() ? options.tracer : nullptr;
    const Clock::time_point start = Clock::now();
    std::optional<model::Span> span;
    std::optional<telemetry::TraceContext> ctx;
    if (tracer != nullptr) {
      span = tracer->StartSpan("rag.query", parent, telemetry::NowUnixNano(),
                               telemetry::kSpanKindServer);
      if (!method.empty()) {
        telemetry::SetStringAttr(&*span, "http.request.method", method);
        telemetry::SetStringAttr(&*span, "http.route", "/query");
      }
      ctx = tracer->ContextOf(*span);
    }
    Result<QueryAnswer> answer = pipeline.Answer(request, ctx ? &*ctx : nullptr, pass);
    duration.Observe(std::chrono::duration<double>(Clock::now() - start).count());
    queries.With({answer.ok() ? "ok" : "error"}).Inc();
    if (answer.ok()) {
      tokens.With({"prompt"}).Inc(static_cast<double>(answer->prompt_tokens));
      tokens.With({"completion"}).Inc(static_cast<double>(answer->completion_tokens));
    }
    if (span) {
      if (!method.empty()) {
        telemetry::SetIntAttr(&*span, "http.response.status_code", answer.ok() ? 200 : 502);
      }
      if (!answer.ok()) telemetry::SetError(&*span, answer.status().message());
      tracer->End(std::move(*span), telemetry::NowUnixNano());
    }
    return answer;
  }

  void HandleQuery(const http::Request& req, http::Response* resp) {
    resp->SetContentType("application/json");
    Result<QueryRequest> q =
        req.method == "POST" ? ParseQueryBody(req.body) : ParseQueryParams(req);
    if (!q.ok()) {
      queries.With({"invalid"}).Inc();
      resp->status = 400;
      resp->body = ErrorJson(q.status().message());
      return;
    }
    PassThrough pass{std::string(req.Header("traceparent")), std::string(req.Header("tracestate"))};
    std::optional<telemetry::TraceContext> parent = telemetry::ParseTraceparent(pass.traceparent);
    if (parent) parent->tracestate = pass.tracestate;
    Result<QueryAnswer> answer = Serve(*q, parent ? &*parent : nullptr, pass, req.method);
    if (answer.ok()) {
      resp->status = 200;
      resp->body = AnswerJson(q->question, *answer);
    } else {
      resp->status = answer.status().code() == Code::kInvalidArgument ? 400 : 502;
      resp->body = ErrorJson(answer.status().message());
    }
  }

  RagOptions options;
  Pipeline pipeline;
  selfmon::Registry metrics;
  selfmon::Family<selfmon::Counter>& queries;
  selfmon::Histogram& duration;
  selfmon::Family<selfmon::Counter>& tokens;
  std::unique_ptr<http::Server> server;
};

RagApp::RagApp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RagApp::~RagApp() { Shutdown(std::chrono::seconds(5)); }

Result<std::unique_ptr<RagApp>> RagApp::Start(RagOptions options) {
  while (!options.vllm_url.empty() && options.vllm_url.back() == '/') options.vllm_url.pop_back();
  if (options.vllm_url.ends_with("/v1")) options.vllm_url.resize(options.vllm_url.size() - 3);
  if (!options.vllm_url.starts_with("http://") && !options.vllm_url.starts_with("https://")) {
    return InvalidArgument("vllm_url \"" + options.vllm_url + "\": expected http:// or https://");
  }
  if (options.model.empty()) return InvalidArgument("model: required");
  if (options.max_tokens < 1) return InvalidArgument("max_tokens: must be >= 1");
  if (options.top_k < 1) return InvalidArgument("top_k: must be >= 1");
  if (options.threads < 1) return InvalidArgument("threads: must be >= 1");
  if (options.vllm_timeout.count() <= 0) return InvalidArgument("vllm_timeout: must be > 0");

  auto impl = std::make_unique<Impl>(std::move(options));
  Impl* raw = impl.get();
  auto router = std::make_shared<http::Router>();
  for (const char* method : {"GET", "POST"}) {
    router->Handle(
        method, "/query", "query",
        [raw](const http::Request& req, http::Response* resp) { raw->HandleQuery(req, resp); });
  }
  router->Handle("GET", "/metrics", "metrics", [raw](const http::Request&, http::Response* resp) {
    resp->status = 200;
    raw->metrics.WriteText(&resp->body);
    resp->SetContentType("text/plain; version=0.0.4; charset=utf-8");
  });
  router->Handle("GET", "/health", "health",
                 [](const http::Request&, http::Response* resp) { resp->SetText(200, "ok\n"); });
  http::ServerOptions server_options;
  server_options.listen = raw->options.listen;
  server_options.threads = raw->options.threads;
  INFERMETRY_ASSIGN_OR_RETURN(raw->server, http::Server::Start(server_options, router));
  return std::unique_ptr<RagApp>(new RagApp(std::move(impl)));
}

uint16_t RagApp::port() const { return impl_->server->port(); }
std::string RagApp::address() const { return impl_->server->address(); }

void RagApp::Shutdown(std::chrono::milliseconds deadline) {
  if (impl_->server != nullptr) impl_->server->Shutdown(deadline);
}

Result<QueryAnswer> RagApp::Query(const QueryRequest& request,
                                  const telemetry::TraceContext* parent) {
  PassThrough pass;
  if (parent != nullptr) {
    pass.traceparent = telemetry::FormatTraceparent(*parent);
    pass.tracestate = parent->tracestate;
  }
  return impl_->Serve(request, parent, pass, "");
}

std::string RagApp::MetricsText() const {
  std::string out;
  impl_->metrics.WriteText(&out);
  return out;
}

}  // namespace infermetry::rag
