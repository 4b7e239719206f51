#pragma once
// The HTTP surface of one emulated vLLM API server (vllm.md §4): the routes an emulator needs,
// with vLLM's bodies, status codes, headers, middleware behaviour and http_* metrics.
//
//   OpenAiApi api(options, {.runner = runner, .metrics = metrics, .tracer = tracer});
//   auto router = std::make_shared<http::Router>();
//   api.Register(router.get());
//   auto server = http::Server::Start(server_options, router);
//
// Routes:
//   POST /v1/completions, POST /v1/chat/completions   JSON or SSE (stream=true)
//   GET  /v1/models                                   ModelList
//   GET  /health, GET|POST /ping                      200 empty body (503 while unhealthy)
//   GET  /version                                     {"version":"<vllm_version>"}
//   GET  /load                                        {"server_load":N}
//   GET  /metrics, /metrics/…                         VllmMetrics::Render, its content type
//                                                     (gzipped on /metrics/… when accepted)
//   anything else                                     404 {"detail":"Not Found"} (405 for a
//                                                     known path with another method)
// Middleware, applied to every route:
//   - with an api_key, paths starting with /v1, /v2 or /inference need
//     "Authorization: Bearer <key>" (any method but OPTIONS), else 401 {"error":"Unauthorized"};
//   - every response carries uvicorn's "date" and "server: uvicorn" headers;
//   - with enable_request_id_headers, every response carries X-Request-Id (the request's, or a
//     new 32-hex id);
//   - each request is recorded with VllmMetrics::RecordHttp(handler template or "none", method,
//     status, request Content-Length, response body size (0 when streamed), seconds), which
//     itself ignores the handlers vLLM excludes.
// Generation requests: the response id is chatcmpl-/cmpl- followed by the X-Request-Id header,
// else the body's request_id, else 16 random hex digits; created is the arrival second. The
// prompt is tokenized by text_gen.h; max_tokens defaults to max_model_len - prompt tokens
// (chat) or 16 (completions); prompt + max_tokens over max_model_len is a 400. The request goes
// to the Runner; the output stops on its own at TextGenerator::NaturalOutputTokens (at least
// min_tokens + 1) with finish_reason "stop" and a final EOS token that renders as "", or at
// max_tokens with "length"; ignore_eos=true always runs to max_tokens. Both JSON and SSE
// responses are sent as streamed HTTP responses (chunked), so that a client that disconnects
// cancels its request in the engine (as vLLM aborts on disconnect). n > 1 and batched prompts
// are rejected with 400 (not supported by the emulator).
// Tracing: when the tracer is enabled, traceparent/tracestate of the request become the parent
// of its llm_request span, emitted when the request finishes in the engine (not for requests
// the client abandoned). When it is not, a request carrying them logs one warning per API.
//
// Thread-safety: handlers run concurrently on server workers; OpenAiApi must outlive the server
// that uses its routes.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/api/openai_render.h"
#include "emulator/api/runner.h"
#include "emulator/api/text_gen.h"
#include "emulator/metrics/vllm_metrics.h"
#include "server/http/router.h"
#include "telemetry/tracer.h"

namespace infermetry::emulator {

// The vLLM version the emulator reports by default (/version, the fingerprint).
inline constexpr std::string_view kDefaultVllmVersion = "0.21.0";

struct ApiOptions {
  std::string served_model_name = "facebook/opt-125m";  // --served-model-name
  std::string model_path;                               // --model; "" = served_model_name
  int max_model_len = 2048;
  std::string api_key;                        // --api-key / VLLM_API_KEY; "" = no auth
  bool enable_request_id_headers = false;     // --enable-request-id-headers
  bool enable_prompt_tokens_details = false;  // --enable-prompt-tokens-details
  bool enable_force_include_usage = false;    // --enable-force-include-usage
  bool enable_server_load_tracking = false;   // --enable-server-load-tracking
  Fingerprint system_fingerprint;             // nullopt: null (--fingerprint-mode none)
  std::string vllm_version = std::string(kDefaultVllmVersion);
  TextGenOptions text;
  uint64_t id_seed = 0;  // seeds the random ids (response ids, permission ids)
};

// What the routes drive; not owned, must outlive the OpenAiApi.
struct ApiBackends {
  Runner* runner = nullptr;
  VllmMetrics* metrics = nullptr;       // null: /metrics is 404 and nothing is recorded
  telemetry::Tracer* tracer = nullptr;  // null or disabled: no spans
};

// vLLM's default fingerprint shape: "vllm-<version>-<8 hex of a hash of the model and seed>".
std::string DefaultFingerprint(std::string_view vllm_version, std::string_view model,
                               uint64_t seed);

class OpenAiApi {
 public:
  OpenAiApi(ApiOptions options, ApiBackends backends);
  ~OpenAiApi();
  OpenAiApi(const OpenAiApi&) = delete;
  OpenAiApi& operator=(const OpenAiApi&) = delete;

  // Registers every route on `router`.
  void Register(http::Router* router);

  // While unhealthy, /health and /ping answer 503 and generation requests 500, as a vLLM whose
  // engine died does (the server itself keeps answering).
  void SetHealthy(bool healthy) { healthy_.store(healthy); }
  bool healthy() const { return healthy_.load(); }

  const ApiOptions& options() const { return options_; }

 private:
  struct Generation;
  class ChunkProducer;
  using Inner = std::function<void(const http::Request&, http::Response*)>;

  // The middleware around every route: auth, X-Request-Id, http_* metrics.
  http::Handler Wrap(std::string handler_label, Inner inner);
  void Serve(const std::string& handler_label, const Inner& inner, const http::Request& req,
             http::Response* resp);

  void HandleCompletions(const http::Request& req, http::Response* resp);
  void HandleChat(const http::Request& req, http::Response* resp);
  void HandleModels(const http::Request& req, http::Response* resp);
  void HandleHealth(const http::Request& req, http::Response* resp);
  void HandleMetrics(const http::Request& req, http::Response* resp);
  void HandleUnknown(const http::Request& req, http::Response* resp);

  // Submits `gen` and makes `resp` stream its JSON or SSE body.
  void Generate(std::shared_ptr<Generation> gen, const http::Request& req, http::Response* resp);
  std::string RandomHex(int digits);
  bool Authorized(const http::Request& req) const;

  const ApiOptions options_;
  const ApiBackends backends_;
  const TextGenerator text_;
  std::atomic<bool> healthy_{true};
  std::atomic<int64_t> server_load_{0};
  std::atomic<uint64_t> id_counter_{0};
  std::once_flag trace_warning_once_;
};

}  // namespace infermetry::emulator
