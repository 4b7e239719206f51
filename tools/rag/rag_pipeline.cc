#include "rag/rag_pipeline.h"

#include <thread>

#include "common/http_client.h"
#include "common/strconv.h"
#include "loadgen/openai.h"
#include "rag/documents.h"

namespace infermetry::rag {
namespace {

using telemetry::Tracer;

bool Tracing(const RagOptions& o) { return o.tracer != nullptr && o.tracer->enabled(); }

}  // namespace

std::string BuildPrompt(const std::string& question, const std::vector<std::string>& passages) {
  std::string p = "Answer the question using only the context below.\n\nContext:\n";
  for (size_t i = 0; i < passages.size(); ++i) {
    p += "[" + std::to_string(i + 1) + "] " + passages[i] + "\n";
  }
  p += "\nQuestion: " + question + "\nAnswer:";
  return p;
}

Result<QueryAnswer> Pipeline::Answer(const QueryRequest& request,
                                     const telemetry::TraceContext* query,
                                     const PassThrough& pass) const {
  Tracer* tracer = Tracing(options_) ? options_.tracer : nullptr;
  QueryAnswer answer;
  answer.model = options_.model;

  // Retrieval.
  std::optional<model::Span> retrieve;
  if (tracer != nullptr) {
    retrieve = tracer->StartSpan("rag.retrieve", query, telemetry::NowUnixNano(),
                                 telemetry::kSpanKindInternal);
  }
  std::vector<Retrieved> hits = Retrieve(request.question, options_.top_k);
  if (options_.retrieve_delay.count() > 0) std::this_thread::sleep_for(options_.retrieve_delay);
  std::vector<std::string> passages;
  std::string ids;
  for (const Retrieved& h : hits) {
    answer.document_ids.emplace_back(h.passage->id);
    answer.document_titles.emplace_back(h.passage->title);
    passages.push_back(std::string(h.passage->title) + ": " + std::string(h.passage->text));
    ids += (ids.empty() ? "" : ",") + std::string(h.passage->id);
  }
  if (retrieve) {
    telemetry::SetIntAttr(&*retrieve, "rag.retrieve.top_k", options_.top_k);
    telemetry::SetIntAttr(&*retrieve, "rag.retrieve.documents", static_cast<int64_t>(hits.size()));
    telemetry::SetStringAttr(&*retrieve, "rag.retrieve.document_ids", ids);
    tracer->End(std::move(*retrieve), telemetry::NowUnixNano());
  }

  // Generation.
  const int max_tokens = request.max_tokens > 0 ? request.max_tokens : options_.max_tokens;
  loadgen::CompletionRequest completion;
  completion.model = options_.model;
  completion.prompt = BuildPrompt(request.question, passages);
  completion.max_tokens = max_tokens;
  http::ClientRequest req;
  req.method = "POST";
  req.url = options_.vllm_url + "/v1/completions";
  req.timeout = options_.vllm_timeout;
  req.body = loadgen::BuildRequestBody(completion);
  req.headers.emplace_back("Content-Type", "application/json");

  std::optional<model::Span> generate;
  if (tracer != nullptr) {
    generate = tracer->StartSpan("rag.generate", query, telemetry::NowUnixNano(),
                                 telemetry::kSpanKindClient);
    telemetry::SetStringAttr(&*generate, "gen_ai.request.model", options_.model);
    telemetry::SetIntAttr(&*generate, "gen_ai.request.max_tokens", max_tokens);
    telemetry::SetStringAttr(&*generate, "http.request.method", "POST");
    telemetry::SetStringAttr(&*generate, "url.full", req.url);
    const telemetry::TraceContext ctx = tracer->ContextOf(*generate);
    req.headers.emplace_back("traceparent", telemetry::FormatTraceparent(ctx));
    if (!ctx.tracestate.empty()) req.headers.emplace_back("tracestate", ctx.tracestate);
    answer.trace_id = model::HexId(ctx.trace_id);
  } else {
    if (!pass.traceparent.empty()) req.headers.emplace_back("traceparent", pass.traceparent);
    if (!pass.tracestate.empty()) req.headers.emplace_back("tracestate", pass.tracestate);
  }

  Status failure;
  Result<http::ClientResponse> resp = http::Fetch(req);
  if (!resp.ok()) {
    failure = Unavailable("vLLM at " + options_.vllm_url + ": " + resp.status().message());
  } else {
    if (generate) telemetry::SetIntAttr(&*generate, "http.response.status_code", resp->status);
    if (resp->status != 200) {
      failure =
          Unavailable("vLLM at " + options_.vllm_url + " answered HTTP " +
                      std::to_string(resp->status) + ": " + loadgen::ErrorMessage(resp->body));
    } else if (auto parsed = loadgen::ParseCompletionResponse(resp->body); !parsed.ok()) {
      failure = Unavailable("vLLM at " + options_.vllm_url + ": " + parsed.status().message());
    } else {
      answer.answer = parsed->text;
      if (parsed->usage) {
        answer.prompt_tokens = parsed->usage->prompt_tokens;
        answer.completion_tokens = parsed->usage->completion_tokens;
      }
    }
  }
  if (generate) {
    if (failure.ok()) {
      telemetry::SetIntAttr(&*generate, "gen_ai.usage.prompt_tokens", answer.prompt_tokens);
      telemetry::SetIntAttr(&*generate, "gen_ai.usage.completion_tokens", answer.completion_tokens);
    } else {
      telemetry::SetError(&*generate, failure.message());
    }
    tracer->End(std::move(*generate), telemetry::NowUnixNano());
  }
  if (!failure.ok()) return failure;
  return answer;
}

}  // namespace infermetry::rag
