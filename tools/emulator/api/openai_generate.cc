// /v1/completions and /v1/chat/completions: validation, submission to the Runner, and the JSON
// or SSE body produced as the engine generates.

#include <algorithm>
#include <ctime>
#include <variant>

#include "common/log.h"
#include "emulator/api/openai_api.h"
#include "emulator/api/openai_errors.h"
#include "emulator/api/openai_protocol.h"
#include "emulator/api/request_span.h"

namespace infermetry::emulator {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kEventStream = "text/event-stream; charset=utf-8";

void SetError(const ApiError& e, http::Response* resp) {
  resp->status = e.code;
  resp->body = ErrorJson(e);
  resp->SetContentType(kJson);
}

}  // namespace

// Everything about one generation request that its body producer needs.
struct OpenAiApi::Generation {
  bool chat = false;
  ResponseIds ids;
  std::string external_id;  // the engine request id (span gen_ai.request.id)
  GenerateParams params;
  std::vector<uint32_t> prompt;
  int prompt_tokens = 0;
  int max_tokens = 0;  // effective
  uint64_t text_seed = 0;
  double arrival_time = 0;
  std::optional<telemetry::TraceContext> parent;
};

// Produces the response body of one generation as the engine's outputs arrive. Owned by the
// streamed response; destroying it (client gone) cancels the request.
class OpenAiApi::ChunkProducer {
 public:
  ChunkProducer(OpenAiApi* api, std::shared_ptr<Generation> gen,
                std::shared_ptr<RequestStream> stream)
      : api_(api), gen_(std::move(gen)), stream_(std::move(stream)) {
    include_usage_ = gen_->params.include_usage || api_->options_.enable_force_include_usage;
    continuous_ = include_usage_ && gen_->params.continuous_usage_stats;
    if (api_->options_.enable_server_load_tracking) api_->server_load_.fetch_add(1);
  }
  ~ChunkProducer() {
    stream_->Cancel();  // no effect once finished
    if (api_->options_.enable_server_load_tracking) api_->server_load_.fetch_sub(1);
  }

  void Cancel() { stream_->Cancel(); }

  bool Next(std::string* out) {
    if (done_) return false;
    done_ = true;  // unless the loop below finds more to come
    if (!gen_->params.stream) return WholeBody(out);
    StreamEvent e;
    if (!stream_->Next(&e)) return StreamEnded(out);
    if (gen_->chat && !role_sent_) {
      role_sent_ = true;
      Usage u{gen_->prompt_tokens, 0, std::nullopt};
      *out += SseEvent(ChatRoleChunk(gen_->ids, continuous_ ? &u : nullptr));
    }
    const std::string text = NewText(e);
    const Usage so_far{gen_->prompt_tokens, e.total_tokens, std::nullopt};
    const Usage* usage = continuous_ ? &so_far : nullptr;
    const std::string_view reason = e.finished ? std::string_view(e.finish_reason) : "";
    if (e.finished && e.finish_reason == "error") {
      *out += SseEvent(StreamErrorJson(InternalError("Internal server error")));
      *out += kSseDone;
      return true;
    }
    // The terminal chunk carries the fingerprint unless a usage chunk follows.
    const Fingerprint fp =
        e.finished && !include_usage_ ? api_->options_.system_fingerprint : std::nullopt;
    *out += SseEvent(gen_->chat ? ChatContentChunk(gen_->ids, text, reason, usage, fp)
                                : CompletionChunk(gen_->ids, text, reason, usage, fp));
    if (!e.finished) {
      done_ = false;
      return true;
    }
    if (include_usage_) {
      const Usage final_usage = FinalUsage(e);
      *out += SseEvent(
          gen_->chat
              ? ChatUsageChunk(gen_->ids, final_usage, api_->options_.system_fingerprint)
              : CompletionUsageChunk(gen_->ids, final_usage, api_->options_.system_fingerprint));
    }
    *out += kSseDone;
    return true;
  }

 private:
  // Non-streaming: waits for the finish and returns the whole JSON body as one piece.
  bool WholeBody(std::string* out) {
    StreamEvent e;
    std::string text;
    for (;;) {
      if (!stream_->Next(&e)) {
        const RequestStream::State s = stream_->state();
        if (s == RequestStream::State::kCancelled) return false;
        *out = ErrorJson(s == RequestStream::State::kRejected
                             ? BadRequest(stream_->error())
                             : InternalError("The engine stopped before the request finished."));
        return true;
      }
      text += NewText(e);
      if (e.finished) break;
    }
    if (e.finish_reason == "error") {
      *out = ErrorJson(InternalError("Internal server error"));
      return true;
    }
    const Usage usage = FinalUsage(e);
    const Fingerprint& fp = api_->options_.system_fingerprint;
    *out = gen_->chat ? ChatCompletionJson(gen_->ids, text, e.finish_reason, usage, fp)
                      : CompletionJson(gen_->ids, text, e.finish_reason, usage, fp);
    return true;
  }

  // The stream ended without a finish: an engine rejection or a shutdown becomes an in-stream
  // error; a cancellation (the client is gone) ends the body.
  bool StreamEnded(std::string* out) {
    switch (stream_->state()) {
      case RequestStream::State::kRejected:
        *out = SseEvent(StreamErrorJson(BadRequest(stream_->error())));
        break;
      case RequestStream::State::kShutdown:
        *out = SseEvent(
            StreamErrorJson(InternalError("The engine stopped before the request finished.")));
        break;
      default:
        return false;
    }
    *out += kSseDone;
    return true;
  }

  // Text of the tokens `e` adds; a final EOS token (finish_reason "stop") renders as nothing.
  std::string NewText(const StreamEvent& e) {
    const int begin = sent_tokens_;
    int end = e.total_tokens;
    if (e.finished && e.finish_reason == "stop") end = std::max(begin, end - 1);
    sent_tokens_ = e.total_tokens;
    return api_->text_.Text(gen_->text_seed, begin, end);
  }

  Usage FinalUsage(const StreamEvent& e) const {
    Usage u{gen_->prompt_tokens, e.total_tokens, std::nullopt};
    // Completions report the cached tokens whenever details are on; chat only when there are
    // some.
    if (api_->options_.enable_prompt_tokens_details &&
        (!gen_->chat || e.stats.num_cached_tokens > 0)) {
      u.cached_tokens = e.stats.num_cached_tokens;
    }
    return u;
  }

  OpenAiApi* const api_;
  const std::shared_ptr<Generation> gen_;
  const std::shared_ptr<RequestStream> stream_;
  bool include_usage_ = false;
  bool continuous_ = false;
  bool role_sent_ = false;
  bool done_ = false;
  int sent_tokens_ = 0;
};

void OpenAiApi::HandleCompletions(const http::Request& req, http::Response* resp) {
  if (auto e = CheckJsonContentType(req.Header("Content-Type"))) return SetError(*e, resp);
  Parsed<CompletionRequest> parsed = ParseCompletionRequest(req.body);
  if (auto* e = std::get_if<ApiError>(&parsed)) return SetError(*e, resp);
  CompletionRequest& r = std::get<CompletionRequest>(parsed);
  auto gen = std::make_shared<Generation>();
  gen->params = std::move(r.params);
  if (r.num_prompts > 1) {
    return SetError(BadRequest("Batched prompts are not supported by the emulator; send one "
                               "prompt per request.",
                               "prompt"),
                    resp);
  }
  gen->prompt = r.prompt_token_ids.has_value() ? std::move(*r.prompt_token_ids)
                                               : CompletionPromptTokens(r.prompt_text);
  Generate(std::move(gen), req, resp);
}

void OpenAiApi::HandleChat(const http::Request& req, http::Response* resp) {
  if (auto e = CheckJsonContentType(req.Header("Content-Type"))) return SetError(*e, resp);
  Parsed<ChatRequest> parsed = ParseChatRequest(req.body);
  if (auto* e = std::get_if<ApiError>(&parsed)) return SetError(*e, resp);
  ChatRequest& r = std::get<ChatRequest>(parsed);
  auto gen = std::make_shared<Generation>();
  gen->chat = true;
  gen->params = std::move(r.params);
  gen->prompt = ChatPromptTokens(r.messages);
  Generate(std::move(gen), req, resp);
}

void OpenAiApi::Generate(std::shared_ptr<Generation> gen, const http::Request& req,
                         http::Response* resp) {
  gen->arrival_time = Runner::WallNow();
  GenerateParams& p = gen->params;
  if (p.model.has_value() && *p.model != options_.served_model_name) {
    return SetError(ModelNotFound(*p.model), resp);
  }
  if (p.n > 1) {
    return SetError(BadRequest("n > 1 is not supported by the emulator.", "n"), resp);
  }
  if (!healthy()) {
    return SetError(InternalError("EngineCore encountered an issue. See stack trace (above) for "
                                  "the root cause."),
                    resp);
  }
  const int max_len = options_.max_model_len;
  gen->prompt_tokens = static_cast<int>(gen->prompt.size());
  const int prompt = gen->prompt_tokens;
  if (prompt >= max_len) {
    return SetError(BadRequest("This model's maximum context length is " + std::to_string(max_len) +
                               " tokens. However, your request has " + std::to_string(prompt) +
                               " input tokens. Please reduce the length of the input messages."),
                    resp);
  }
  if (p.max_tokens.has_value() && *p.max_tokens > max_len - prompt) {
    return SetError(
        BadRequest("This model's maximum context length is " + std::to_string(max_len) +
                       " tokens. However, you requested " + std::to_string(*p.max_tokens) +
                       " output tokens and your prompt contains at least " +
                       std::to_string(prompt) + " input tokens, for a total of at least " +
                       std::to_string(prompt + *p.max_tokens) + " tokens.",
                   "max_tokens"),
        resp);
  }
  gen->max_tokens = static_cast<int>(p.max_tokens.value_or(max_len - prompt));

  std::string base(req.Header("X-Request-Id"));
  if (base.empty()) base = p.request_id;
  if (base.empty()) base = RandomHex(16);
  gen->ids.id = (gen->chat ? "chatcmpl-" : "cmpl-") + base;
  gen->ids.created = static_cast<int64_t>(std::time(nullptr));
  gen->ids.model = options_.served_model_name;
  // Completions hand the engine one sub-request per prompt, suffixed with its index.
  gen->external_id = gen->chat ? gen->ids.id : gen->ids.id + "-0";
  gen->text_seed = Mix(Fnv1a(gen->ids.id), options_.text.seed);

  telemetry::Tracer* tracer = backends_.tracer;
  const bool tracing = tracer != nullptr && tracer->enabled();
  const std::string_view traceparent = req.Header("traceparent");
  const std::string_view tracestate = req.Header("tracestate");
  if (tracing) {
    gen->parent = ExtractTraceContext(traceparent, tracestate);
  } else if (!traceparent.empty() || !tracestate.empty()) {
    std::call_once(trace_warning_once_, [] {
      log::Warn("Received a request with trace context but tracing is disabled");
    });
  }

  Submission sub;
  sub.spec.external_id = gen->external_id;
  sub.spec.prompt = gen->prompt;
  sub.spec.max_tokens = gen->max_tokens;
  sub.spec.target_output_tokens =
      p.ignore_eos ? gen->max_tokens + 1
                   : std::max<int>(text_.NaturalOutputTokens(gen->prompt),
                                   static_cast<int>(std::min<int64_t>(p.min_tokens, 1 << 30)) + 1);
  sub.spec.n = 1;
  sub.spec.temperature = p.temperature.value_or(1.0);
  sub.spec.top_p = p.top_p.value_or(1.0);
  sub.arrival_time = gen->arrival_time;
  if (tracing) {
    std::optional<telemetry::TraceContext> parent = gen->parent;
    sub.on_finished = [tracer, parent](const FinishedRequest& f) {
      EmitLlmRequestSpan(tracer, f, parent.has_value() ? &*parent : nullptr);
    };
  }
  std::shared_ptr<RequestStream> stream = backends_.runner->Submit(std::move(sub));

  resp->status = 200;
  resp->SetContentType(gen->params.stream ? kEventStream : kJson);
  auto producer = std::make_shared<ChunkProducer>(this, std::move(gen), std::move(stream));
  resp->Stream([producer](std::string* chunk) { return producer->Next(chunk); },
               [producer] { producer->Cancel(); });
}

}  // namespace infermetry::emulator
