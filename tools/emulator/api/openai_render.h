#pragma once
// The JSON bodies and SSE events of vLLM's OpenAI-compatible server, byte for byte
// (vllm.md §4.2-§4.5): every field in model order, nulls written out where vLLM writes them.
//
// Non-streaming bodies are pydantic model_dump() through Starlette's JSONResponse: compact, all
// fields present. Stream chunks are model_dump_json(exclude_unset=True): only the fields vLLM
// passes, so token chunks, the final chunk and the usage chunk differ in which keys they have.
// UsageInfo's key order is prompt_tokens, total_tokens, completion_tokens.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace infermetry::emulator {

// What every body and chunk of one response repeats.
struct ResponseIds {
  std::string id;       // "chatcmpl-…" or "cmpl-…"
  int64_t created = 0;  // Unix seconds, the same in every chunk
  std::string model;    // the served model name
};

struct Usage {
  int prompt_tokens = 0;
  int completion_tokens = 0;
  // prompt_tokens_details.cached_tokens when reported (--enable-prompt-tokens-details).
  std::optional<int> cached_tokens;
};

// nullopt = system_fingerprint is null / not stamped.
using Fingerprint = std::optional<std::string>;

// "data: <json>\n\n" and the terminator.
std::string SseEvent(std::string_view json);
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

// ---- non-streaming ----
std::string ChatCompletionJson(const ResponseIds& ids, std::string_view content,
                               std::string_view finish_reason, const Usage& usage,
                               const Fingerprint& fingerprint);
std::string CompletionJson(const ResponseIds& ids, std::string_view text,
                           std::string_view finish_reason, const Usage& usage,
                           const Fingerprint& fingerprint);

// ---- chat stream ----
// The first chunk: delta {"role":"assistant","content":""}, plus prompt_token_ids and
// prompt_text as null; `usage` (continuous usage stats) when given.
std::string ChatRoleChunk(const ResponseIds& ids, const Usage* usage);
// A content chunk; `finish_reason` empty for a token chunk, else the final chunk (which also
// has stop_reason). `fingerprint` is stamped when given (final chunk, no usage chunk after).
std::string ChatContentChunk(const ResponseIds& ids, std::string_view content,
                             std::string_view finish_reason, const Usage* usage,
                             const Fingerprint& fingerprint);
// choices [] and the usage (exclude_none: no prompt_tokens_details unless set, no null
// fingerprint).
std::string ChatUsageChunk(const ResponseIds& ids, const Usage& usage,
                           const Fingerprint& fingerprint);

// ---- completion stream ----
std::string CompletionChunk(const ResponseIds& ids, std::string_view text,
                            std::string_view finish_reason, const Usage* usage,
                            const Fingerprint& fingerprint);
std::string CompletionUsageChunk(const ResponseIds& ids, const Usage& usage,
                                 const Fingerprint& fingerprint);

// ---- models, version, load ----
struct ModelCard {
  std::string id;    // served model name
  std::string root;  // model path
  int64_t created = 0;
  int max_model_len = 0;
  std::string permission_id;  // "modelperm-<16 hex>"
};
std::string ModelListJson(const ModelCard& card);
std::string VersionJson(std::string_view version);
std::string LoadJson(int64_t server_load);

}  // namespace infermetry::emulator
