#pragma once
// The OpenAI-compatible API as a load generator speaks it (vLLM's /v1/completions,
// /v1/chat/completions and /v1/models): request bodies, non-streaming responses, the data of
// each server-sent event of a streaming response, and error bodies.
//
// Parsers are total: malformed input is a kParseError naming what was wrong, never a crash.
// Thread-safe (each call parses with its own thread's parser).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace infermetry::loadgen {

enum class Endpoint { kCompletions, kChat };

// "completions" | "chat"; kInvalidArgument otherwise.
Result<Endpoint> ParseEndpoint(std::string_view s);
std::string_view EndpointName(Endpoint e);
// "/v1/completions" or "/v1/chat/completions".
std::string_view EndpointPath(Endpoint e);

struct CompletionRequest {
  Endpoint endpoint = Endpoint::kCompletions;
  std::string model;
  std::string prompt;  // chat: the content of one user message
  int max_tokens = 16;
  bool stream = false;
  bool include_usage = true;  // stream_options.include_usage (streaming only)
  bool ignore_eos = false;    // vLLM's ignore_eos: generate exactly max_tokens
  std::optional<double> temperature;
};

// The JSON body, compact.
std::string BuildRequestBody(const CompletionRequest& req);

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

// One non-streaming response (CompletionResponse or ChatCompletionResponse).
struct CompletionResult {
  std::string text;           // choices[0].text or choices[0].message.content
  std::string finish_reason;  // choices[0].finish_reason, "" when null
  std::optional<Usage> usage;
};
Result<CompletionResult> ParseCompletionResponse(std::string_view body);

// The data of one event of a streaming response.
struct StreamChunk {
  bool done = false;          // the "[DONE]" sentinel
  std::string content;        // text of this chunk: completions `text`, chat `delta.content`
                              // plus `delta.reasoning` / `delta.reasoning_content`, all choices
  std::string finish_reason;  // "" unless a choice finished here
  std::optional<Usage> usage;
  std::optional<std::string> error;  // in-band error: {"error": {...}} (message, or the JSON)
};
Result<StreamChunk> ParseStreamData(std::string_view data);

// The message of an error response body: {"error":{"message":...}} (current vLLM),
// {"message":...} (older vLLM), {"error":"..."}; else the body itself, trimmed and cut to 200
// bytes.
std::string ErrorMessage(std::string_view body);

// The model ids of a GET /v1/models answer, in order.
Result<std::vector<std::string>> ParseModelList(std::string_view body);

}  // namespace infermetry::loadgen
