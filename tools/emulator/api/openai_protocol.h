#pragma once
// Request bodies of /v1/completions and /v1/chat/completions, parsed into the few fields the
// emulator acts on (unknown fields are accepted and ignored, as vLLM's models allow extras).
//
// Parse errors come back as vLLM would report them: malformed JSON, a body that is not an
// object, or a field of the wrong type is a FastAPI validation error (400, type "Bad Request");
// a missing `messages`/`prompt`, `stream_options` without `stream`, or a bad sampling value is a
// vLLM validation error (400 BadRequestError).
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "emulator/api/openai_errors.h"
#include "emulator/api/text_gen.h"

namespace infermetry::emulator {

struct GenerateParams {
  std::optional<std::string> model;   // absent = the served model
  std::optional<int64_t> max_tokens;  // chat: max_completion_tokens, else max_tokens
  int64_t n = 1;
  bool stream = false;
  bool include_usage = false;           // stream_options.include_usage
  bool continuous_usage_stats = false;  // stream_options.continuous_usage_stats
  std::optional<double> temperature;
  std::optional<double> top_p;
  bool ignore_eos = false;  // vLLM extra parameter
  int64_t min_tokens = 0;   // vLLM extra parameter
  std::string request_id;   // vLLM extra parameter; "" when absent
};

struct CompletionRequest {
  GenerateParams params;
  // One prompt, as text or as token ids (a list of ints).
  std::string prompt_text;
  std::optional<std::vector<uint32_t>> prompt_token_ids;
  int num_prompts = 1;  // > 1 for a batch (a list of strings or of token lists)
};

struct ChatRequest {
  GenerateParams params;
  std::vector<ChatTurn> messages;
};

template <typename T>
using Parsed = std::variant<T, ApiError>;

// Completions' max_tokens defaults to 16 (vLLM's CompletionRequest default).
inline constexpr int64_t kCompletionDefaultMaxTokens = 16;

Parsed<CompletionRequest> ParseCompletionRequest(std::string_view body);
Parsed<ChatRequest> ParseChatRequest(std::string_view body);

// The content-type rule of vLLM's OpenAI routes: the media type (before any ';', compared
// case-insensitively) must be application/json. Returns the error to answer otherwise.
std::optional<ApiError> CheckJsonContentType(std::string_view content_type);

}  // namespace infermetry::emulator
