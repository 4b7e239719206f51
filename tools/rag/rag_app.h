#pragma once
// The RAG demo application: the FastAPI app of the vLLM observability guide, in C++. It
// answers questions by retrieving passages from a small built-in corpus (documents.h) and
// asking vLLM's /v1/completions to answer from them, traced end to end:
//
//   rag.query     SERVER    child of the request's traceparent, if any
//   ├ rag.retrieve INTERNAL  rag.retrieve.top_k, rag.retrieve.documents (count),
//   │                        rag.retrieve.document_ids
//   └ rag.generate CLIENT    gen_ai.request.model, gen_ai.request.max_tokens, then
//                            gen_ai.usage.prompt_tokens, gen_ai.usage.completion_tokens;
//                            its traceparent goes to vLLM, whose llm_request span becomes
//                            its child
//
// HTTP surface (infermetry's HTTP server):
//   POST /query   {"question": "...", "max_tokens": N}   (max_tokens optional)
//   GET  /query?q=...&max_tokens=N
//        200 {"question", "answer", "model", "documents": [{"id", "title"}],
//             "usage": {"prompt_tokens", "completion_tokens"}, "trace_id"}
//        400 {"error": ...} for a missing question or a bad max_tokens
//        502 {"error": ...} when vLLM cannot be reached or answers an error (the spans then
//            have status ERROR)
//   GET  /metrics  Prometheus text: rag_queries_total{status="ok"|"error"|"invalid"},
//                  rag_query_duration_seconds (histogram, queries that reached retrieval),
//                  rag_generate_tokens_total{type="prompt"|"completion"}; a registry of the
//                  app's own, not the process default
//   GET  /health   200 "ok"
//
// Without a tracer (or with a disabled one) no spans are made and an incoming traceparent /
// tracestate is passed on to vLLM unchanged.
//
// Thread-safety: Query and the HTTP handlers run concurrently; Shutdown from any thread but a
// handler.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "telemetry/tracer.h"

namespace infermetry::rag {

struct RagOptions {
  std::string listen = "127.0.0.1:8001";           // the guide's rag-app port
  std::string vllm_url = "http://127.0.0.1:8000";  // base URL; "/v1/completions" is appended
  std::string model = "facebook/opt-125m";
  int max_tokens = 100;                         // when the request does not say
  int top_k = 3;                                // passages per question
  std::chrono::milliseconds retrieve_delay{5};  // stands in for a vector store's latency
  std::chrono::milliseconds vllm_timeout{60000};
  int threads = 8;                      // HTTP worker threads
  telemetry::Tracer* tracer = nullptr;  // not owned; outlives the app; may be null
};

struct QueryRequest {
  std::string question;
  int max_tokens = 0;  // 0: RagOptions::max_tokens
};

struct QueryAnswer {
  std::string answer;
  std::string model;
  std::vector<std::string> document_ids;
  std::vector<std::string> document_titles;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  std::string trace_id;  // hex; "" without tracing
};

class RagApp {
 public:
  // Validates the options and starts serving. kInvalidArgument for a bad option (naming it),
  // or the server's bind error.
  static Result<std::unique_ptr<RagApp>> Start(RagOptions options);
  ~RagApp();  // Shutdown(5 s)

  RagApp(const RagApp&) = delete;
  RagApp& operator=(const RagApp&) = delete;

  uint16_t port() const;
  std::string address() const;  // "127.0.0.1:8001"
  void Shutdown(std::chrono::milliseconds deadline);

  // What POST /query does (spans and metrics included), as a child of `parent` (null: a new
  // trace). kInvalidArgument for an empty question or max_tokens outside [1, 1000000];
  // kUnavailable naming vLLM's URL and the cause when vLLM fails.
  Result<QueryAnswer> Query(const QueryRequest& request, const telemetry::TraceContext* parent);

  // The /metrics body.
  std::string MetricsText() const;

 private:
  struct Impl;
  explicit RagApp(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace infermetry::rag
