#include "emulator/api/openai_render.h"

#include "emulator/api/json_writer.h"

namespace infermetry::emulator {
namespace {

void WriteHead(JsonWriter* w, const ResponseIds& ids, std::string_view object) {
  w->Key("id").String(ids.id);
  w->Key("object").String(object);
  w->Key("created").Int(ids.created);
  w->Key("model").String(ids.model);
}

// `all_fields`: model_dump() (prompt_tokens_details written even when null); otherwise
// exclude_unset / exclude_none (written only when set).
void WriteUsage(JsonWriter* w, const Usage& u, bool all_fields) {
  w->BeginObject();
  w->Key("prompt_tokens").Int(u.prompt_tokens);
  w->Key("total_tokens").Int(u.prompt_tokens + u.completion_tokens);
  w->Key("completion_tokens").Int(u.completion_tokens);
  if (u.cached_tokens.has_value()) {
    w->Key("prompt_tokens_details").BeginObject();
    w->Key("cached_tokens").Int(*u.cached_tokens);
    w->EndObject();
  } else if (all_fields) {
    w->Key("prompt_tokens_details").Null();
  }
  w->EndObject();
}

void WriteNullableString(JsonWriter* w, const Fingerprint& s) {
  if (s.has_value()) {
    w->String(*s);
  } else {
    w->Null();
  }
}

void WriteFinishReason(JsonWriter* w, std::string_view finish_reason) {
  if (finish_reason.empty()) {
    w->Null();
  } else {
    w->String(finish_reason);
  }
}

// The last chunk of a stream with stream_options.include_usage: no choices, the usage.
std::string UsageChunk(const ResponseIds& ids, std::string_view object, const Usage& usage,
                       const Fingerprint& fingerprint) {
  JsonWriter w;
  w.BeginObject();
  WriteHead(&w, ids, object);
  w.Key("choices").BeginArray().EndArray();
  w.Key("usage");
  WriteUsage(&w, usage, /*all_fields=*/false);
  if (fingerprint.has_value()) w.Key("system_fingerprint").String(*fingerprint);
  w.EndObject();
  return w.Take();
}

}  // namespace

std::string SseEvent(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 8);
  out += "data: ";
  out += json;
  out += "\n\n";
  return out;
}

std::string ChatCompletionJson(const ResponseIds& ids, std::string_view content,
                               std::string_view finish_reason, const Usage& usage,
                               const Fingerprint& fingerprint) {
  JsonWriter w;
  w.BeginObject();
  WriteHead(&w, ids, "chat.completion");
  w.Key("choices").BeginArray().BeginObject();
  w.Key("index").Int(0);
  w.Key("message").BeginObject();
  w.Key("role").String("assistant");
  w.Key("content").String(content);
  w.Key("refusal").Null();
  w.Key("annotations").Null();
  w.Key("audio").Null();
  w.Key("function_call").Null();
  w.Key("tool_calls").BeginArray().EndArray();
  w.Key("reasoning").Null();
  w.EndObject();
  w.Key("logprobs").Null();
  w.Key("finish_reason");
  WriteFinishReason(&w, finish_reason);
  w.Key("stop_reason").Null();
  w.Key("token_ids").Null();
  w.EndObject().EndArray();
  w.Key("service_tier").Null();
  w.Key("system_fingerprint");
  WriteNullableString(&w, fingerprint);
  w.Key("usage");
  WriteUsage(&w, usage, /*all_fields=*/true);
  w.Key("prompt_logprobs").Null();
  w.Key("prompt_token_ids").Null();
  w.Key("prompt_text").Null();
  w.Key("kv_transfer_params").Null();
  w.EndObject();
  return w.Take();
}

std::string CompletionJson(const ResponseIds& ids, std::string_view text,
                           std::string_view finish_reason, const Usage& usage,
                           const Fingerprint& fingerprint) {
  JsonWriter w;
  w.BeginObject();
  WriteHead(&w, ids, "text_completion");
  w.Key("choices").BeginArray().BeginObject();
  w.Key("index").Int(0);
  w.Key("text").String(text);
  w.Key("logprobs").Null();
  w.Key("finish_reason");
  WriteFinishReason(&w, finish_reason);
  w.Key("stop_reason").Null();
  w.Key("token_ids").Null();
  w.Key("prompt_logprobs").Null();
  w.Key("prompt_token_ids").Null();
  w.EndObject().EndArray();
  w.Key("service_tier").Null();
  w.Key("system_fingerprint");
  WriteNullableString(&w, fingerprint);
  w.Key("usage");
  WriteUsage(&w, usage, /*all_fields=*/true);
  w.Key("kv_transfer_params").Null();
  w.EndObject();
  return w.Take();
}

std::string ChatRoleChunk(const ResponseIds& ids, const Usage* usage) {
  JsonWriter w;
  w.BeginObject();
  WriteHead(&w, ids, "chat.completion.chunk");
  w.Key("choices").BeginArray().BeginObject();
  w.Key("index").Int(0);
  w.Key("delta").BeginObject().Key("role").String("assistant").Key("content").String("");
  w.EndObject();
  w.Key("logprobs").Null();
  w.Key("finish_reason").Null();
  w.EndObject().EndArray();
  if (usage != nullptr) {
    w.Key("usage");
    WriteUsage(&w, *usage, /*all_fields=*/false);
  }
  w.Key("prompt_token_ids").Null();
  w.Key("prompt_text").Null();
  w.EndObject();
  return w.Take();
}

std::string ChatContentChunk(const ResponseIds& ids, std::string_view content,
                             std::string_view finish_reason, const Usage* usage,
                             const Fingerprint& fingerprint) {
  JsonWriter w;
  w.BeginObject();
  WriteHead(&w, ids, "chat.completion.chunk");
  w.Key("choices").BeginArray().BeginObject();
  w.Key("index").Int(0);
  w.Key("delta").BeginObject().Key("content").String(content).EndObject();
  w.Key("logprobs").Null();
  w.Key("finish_reason");
  WriteFinishReason(&w, finish_reason);
  if (!finish_reason.empty()) w.Key("stop_reason").Null();
  w.Key("token_ids").Null();
  w.EndObject().EndArray();
  if (usage != nullptr) {
    w.Key("usage");
    WriteUsage(&w, *usage, /*all_fields=*/false);
  }
  if (fingerprint.has_value()) w.Key("system_fingerprint").String(*fingerprint);
  w.EndObject();
  return w.Take();
}

std::string ChatUsageChunk(const ResponseIds& ids, const Usage& usage,
                           const Fingerprint& fingerprint) {
  return UsageChunk(ids, "chat.completion.chunk", usage, fingerprint);
}

std::string CompletionChunk(const ResponseIds& ids, std::string_view text,
                            std::string_view finish_reason, const Usage* usage,
                            const Fingerprint& fingerprint) {
  JsonWriter w;
  w.BeginObject();
  WriteHead(&w, ids, "text_completion");
  w.Key("choices").BeginArray().BeginObject();
  w.Key("index").Int(0);
  w.Key("text").String(text);
  w.Key("logprobs").Null();
  w.Key("finish_reason");
  WriteFinishReason(&w, finish_reason);
  w.Key("stop_reason").Null();
  w.Key("prompt_token_ids").Null();
  w.Key("token_ids").Null();
  w.EndObject().EndArray();
  if (usage != nullptr) {
    w.Key("usage");
    WriteUsage(&w, *usage, /*all_fields=*/false);
  }
  if (fingerprint.has_value()) w.Key("system_fingerprint").String(*fingerprint);
  w.EndObject();
  return w.Take();
}

std::string CompletionUsageChunk(const ResponseIds& ids, const Usage& usage,
                                 const Fingerprint& fingerprint) {
  return UsageChunk(ids, "text_completion", usage, fingerprint);
}

std::string ModelListJson(const ModelCard& card) {
  JsonWriter w;
  w.BeginObject();
  w.Key("object").String("list");
  w.Key("data").BeginArray().BeginObject();
  w.Key("id").String(card.id);
  w.Key("object").String("model");
  w.Key("created").Int(card.created);
  w.Key("owned_by").String("vllm");
  w.Key("root").String(card.root);
  w.Key("parent").Null();
  w.Key("max_model_len").Int(card.max_model_len);
  w.Key("permission").BeginArray().BeginObject();
  w.Key("id").String(card.permission_id);
  w.Key("object").String("model_permission");
  w.Key("created").Int(card.created);
  w.Key("allow_create_engine").Bool(false);
  w.Key("allow_sampling").Bool(true);
  w.Key("allow_logprobs").Bool(true);
  w.Key("allow_search_indices").Bool(false);
  w.Key("allow_view").Bool(true);
  w.Key("allow_fine_tuning").Bool(false);
  w.Key("organization").String("*");
  w.Key("group").Null();
  w.Key("is_blocking").Bool(false);
  w.EndObject().EndArray();
  w.EndObject().EndArray();
  w.EndObject();
  return w.Take();
}

std::string VersionJson(std::string_view version) {
  JsonWriter w;
  w.BeginObject().Key("version").String(version).EndObject();
  return w.Take();
}

std::string LoadJson(int64_t server_load) {
  JsonWriter w;
  w.BeginObject().Key("server_load").Int(server_load).EndObject();
  return w.Take();
}

}  // namespace infermetry::emulator
