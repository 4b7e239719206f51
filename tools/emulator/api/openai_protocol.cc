#include "emulator/api/openai_protocol.h"

#include <simdjson.h>

#include <cmath>
#include <limits>

#include "emulator/api/json_writer.h"
#include "server/http/message.h"

namespace infermetry::emulator {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The Python repr of a scalar JSON value, as pydantic reports it under 'input'.
std::string InputRepr(element v) {
  switch (v.type()) {
    case element_type::STRING:
      return PythonRepr(std::string_view(v.get_string().value_unsafe()));
    case element_type::INT64:
      return std::to_string(v.get_int64().value_unsafe());
    case element_type::UINT64:
      return std::to_string(v.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return PythonFloat(v.get_double().value_unsafe());
    case element_type::BOOL:
      return v.get_bool().value_unsafe() ? "True" : "False";
    case element_type::NULL_VALUE:
      return "None";
    case element_type::ARRAY:
      return "[...]";
    case element_type::OBJECT:
      return "{...}";
  }
  return "None";
}

// One pydantic error rendered as its dict repr.
ApiError FieldError(std::string_view field, std::string_view type, std::string_view msg,
                    const element* input) {
  std::string e = "{'type': " + PythonRepr(type) + ", 'loc': ('body', " + PythonRepr(field) +
                  "), 'msg': " + PythonRepr(msg);
  if (input != nullptr) e += ", 'input': " + InputRepr(*input);
  e += "}";
  ApiError err = ValidationError(e, e);
  err.param = std::nullopt;
  return err;
}

ApiError JsonDecodeError() {
  const std::string e =
      "{'type': 'json_invalid', 'loc': ('body', 0), 'msg': 'JSON decode error', 'input': {}, "
      "'ctx': {'error': 'Expecting value'}}";
  return ValidationError(e, e);
}

// Field readers: false with *err set when the value has the wrong type. A JSON null counts as
// absent (the fields read here are all Optional in vLLM's models).
bool ReadInt(element v, std::string_view field, std::optional<int64_t>* out, ApiError* err) {
  if (v.is_null()) return true;
  if (v.is_int64()) {
    *out = v.get_int64().value_unsafe();
    return true;
  }
  if (v.is_double()) {
    const double d = v.get_double().value_unsafe();
    if (std::floor(d) == d && std::fabs(d) < 9.2e18) {
      *out = static_cast<int64_t>(d);
      return true;
    }
    *err = FieldError(field, "int_from_float",
                      "Input should be a valid integer, got a number with a fractional part", &v);
    return false;
  }
  *err = FieldError(field, "int_type", "Input should be a valid integer", &v);
  return false;
}

bool ReadDouble(element v, std::string_view field, std::optional<double>* out, ApiError* err) {
  if (v.is_null()) return true;
  if (v.is_int64() || v.is_uint64() || v.is_double()) {
    *out = v.get_double().value_unsafe();
    return true;
  }
  *err = FieldError(field, "float_type", "Input should be a valid number", &v);
  return false;
}

bool ReadBool(element v, std::string_view field, bool* out, ApiError* err) {
  if (v.is_null()) return true;
  if (v.is_bool()) {
    *out = v.get_bool().value_unsafe();
    return true;
  }
  *err = FieldError(field, "bool_type", "Input should be a valid boolean", &v);
  return false;
}

bool ReadString(element v, std::string_view field, std::optional<std::string>* out, ApiError* err) {
  if (v.is_null()) return true;
  if (v.is_string()) {
    *out = std::string(v.get_string().value_unsafe());
    return true;
  }
  *err = FieldError(field, "string_type", "Input should be a valid string", &v);
  return false;
}

// Parses `body` into an object root; false with *err set otherwise.
bool ParseRoot(std::string_view body, simdjson::dom::parser* parser, simdjson::dom::object* root,
               ApiError* err) {
  element doc;
  if (parser->parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS) {
    *err = JsonDecodeError();
    return false;
  }
  if (doc.get_object().get(*root) != simdjson::SUCCESS) {
    const std::string e =
        "{'type': 'model_attributes_type', 'loc': ('body',), 'msg': 'Input should be a valid "
        "dictionary or object to extract fields from', 'input': " +
        InputRepr(doc) + "}";
    *err = ValidationError(e, e);
    return false;
  }
  return true;
}

// Reads the fields both endpoints share; `chat` selects max_completion_tokens handling.
bool ReadCommon(simdjson::dom::object root, bool chat, GenerateParams* p, ApiError* err) {
  std::optional<int64_t> max_tokens;
  std::optional<int64_t> max_completion_tokens;
  std::optional<int64_t> n;
  std::optional<int64_t> min_tokens;
  std::optional<std::string> request_id;
  bool has_stream_options = false;
  for (auto [key, value] : root) {
    bool ok = true;
    if (key == "model") {
      ok = ReadString(value, key, &p->model, err);
    } else if (key == "max_tokens") {
      ok = ReadInt(value, key, &max_tokens, err);
    } else if (chat && key == "max_completion_tokens") {
      ok = ReadInt(value, key, &max_completion_tokens, err);
    } else if (key == "n") {
      ok = ReadInt(value, key, &n, err);
    } else if (key == "stream") {
      ok = ReadBool(value, key, &p->stream, err);
    } else if (key == "stream_options") {
      if (value.is_null()) continue;
      simdjson::dom::object so;
      if (value.get_object().get(so) != simdjson::SUCCESS) {
        *err = FieldError(key, "model_type",
                          "Input should be a valid dictionary or instance of "
                          "StreamOptions",
                          &value);
        return false;
      }
      has_stream_options = true;
      for (auto [k, v] : so) {
        if (k == "include_usage") ok = ReadBool(v, "include_usage", &p->include_usage, err);
        if (ok && k == "continuous_usage_stats") {
          ok = ReadBool(v, "continuous_usage_stats", &p->continuous_usage_stats, err);
        }
        if (!ok) return false;
      }
    } else if (key == "temperature") {
      ok = ReadDouble(value, key, &p->temperature, err);
    } else if (key == "top_p") {
      ok = ReadDouble(value, key, &p->top_p, err);
    } else if (key == "ignore_eos") {
      ok = ReadBool(value, key, &p->ignore_eos, err);
    } else if (key == "min_tokens") {
      ok = ReadInt(value, key, &min_tokens, err);
    } else if (key == "request_id") {
      ok = ReadString(value, key, &request_id, err);
    }
    if (!ok) return false;
  }
  if (has_stream_options && !p->stream) {
    *err = BadRequest("Stream options can only be defined when `stream=True`.", "stream_options");
    return false;
  }
  p->max_tokens = chat && max_completion_tokens.has_value() ? max_completion_tokens : max_tokens;
  if (!chat && !p->max_tokens.has_value()) p->max_tokens = kCompletionDefaultMaxTokens;
  if (p->max_tokens.has_value() && *p->max_tokens < 1) {
    *err = BadRequest("max_tokens must be at least 1, got " + std::to_string(*p->max_tokens) + ".",
                      "max_tokens");
    return false;
  }
  if (n.has_value()) p->n = *n;
  if (p->n < 1) {
    *err = BadRequest("n must be at least 1, got " + std::to_string(p->n) + ".", "n");
    return false;
  }
  if (min_tokens.has_value()) p->min_tokens = *min_tokens;
  if (p->min_tokens < 0) {
    *err = BadRequest(
        "min_tokens must be greater than or equal to 0, got " + std::to_string(p->min_tokens) + ".",
        "min_tokens");
    return false;
  }
  if (p->temperature.has_value() && *p->temperature < 0) {
    *err = BadRequest("temperature must be non-negative, got " + PythonFloat(*p->temperature) + ".",
                      "temperature");
    return false;
  }
  if (p->top_p.has_value() && (*p->top_p <= 0 || *p->top_p > 1)) {
    *err = BadRequest("top_p must be in (0, 1], got " + PythonFloat(*p->top_p) + ".", "top_p");
    return false;
  }
  if (request_id.has_value()) p->request_id = *request_id;
  return true;
}

// Text of a chat message's content: a string, null, or a list of parts whose "text" parts are
// joined with newlines (as vLLM's chat utils join text parts).
bool ReadContent(element v, std::string* out, ApiError* err) {
  if (v.is_null()) return true;
  if (v.is_string()) {
    *out = std::string(v.get_string().value_unsafe());
    return true;
  }
  simdjson::dom::array parts;
  if (v.get_array().get(parts) != simdjson::SUCCESS) {
    *err = FieldError("messages", "string_type", "Input should be a valid string", &v);
    return false;
  }
  bool first = true;
  for (element part : parts) {
    std::string_view type;
    std::string_view text;
    if (part["type"].get(type) == simdjson::SUCCESS && type == "text" &&
        part["text"].get(text) == simdjson::SUCCESS) {
      if (!first) *out += '\n';
      *out += text;
      first = false;
    }
  }
  return true;
}

}  // namespace

Parsed<CompletionRequest> ParseCompletionRequest(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  ApiError err;
  if (!ParseRoot(body, &parser, &root, &err)) return err;
  CompletionRequest req;
  if (!ReadCommon(root, /*chat=*/false, &req.params, &err)) return err;
  element prompt;
  if (root["prompt"].get(prompt) != simdjson::SUCCESS || prompt.is_null() ||
      (prompt.is_string() && prompt.get_string().value_unsafe().empty())) {
    return BadRequest("Either prompt or prompt_embeds must be provided and non-empty.", "prompt");
  }
  if (prompt.is_string()) {
    req.prompt_text = std::string(prompt.get_string().value_unsafe());
    return req;
  }
  simdjson::dom::array arr;
  if (prompt.get_array().get(arr) != simdjson::SUCCESS || arr.size() == 0) {
    return FieldError("prompt", "string_type", "Input should be a valid string", &prompt);
  }
  element first = arr.at(0).value_unsafe();
  if (first.is_int64() || first.is_uint64()) {  // one prompt as token ids
    std::vector<uint32_t> ids;
    for (element t : arr) {
      int64_t id = 0;
      if (t.get_int64().get(id) != simdjson::SUCCESS || id < 0 ||
          id > std::numeric_limits<uint32_t>::max()) {
        return FieldError("prompt", "int_type", "Input should be a valid integer", &t);
      }
      ids.push_back(static_cast<uint32_t>(id));
    }
    req.prompt_token_ids = std::move(ids);
    return req;
  }
  req.num_prompts = static_cast<int>(arr.size());
  if (first.is_string()) req.prompt_text = std::string(first.get_string().value_unsafe());
  return req;
}

Parsed<ChatRequest> ParseChatRequest(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  ApiError err;
  if (!ParseRoot(body, &parser, &root, &err)) return err;
  ChatRequest req;
  if (!ReadCommon(root, /*chat=*/true, &req.params, &err)) return err;
  element messages;
  if (root["messages"].get(messages) != simdjson::SUCCESS) {
    const std::string e =
        "{'type': 'missing', 'loc': ('body', 'messages'), 'msg': 'Field required'}";
    return ValidationError(e, e);
  }
  simdjson::dom::array arr;
  if (messages.get_array().get(arr) != simdjson::SUCCESS) {
    return FieldError("messages", "list_type", "Input should be a valid list", &messages);
  }
  for (element m : arr) {
    simdjson::dom::object obj;
    if (m.get_object().get(obj) != simdjson::SUCCESS) {
      return FieldError("messages", "model_type", "Input should be a valid dictionary", &m);
    }
    ChatTurn turn;
    std::string_view role;
    if (obj["role"].get(role) != simdjson::SUCCESS) {
      const std::string e =
          "{'type': 'missing', 'loc': ('body', 'messages', 'role'), 'msg': 'Field required'}";
      return ValidationError(e, e);
    }
    turn.role = std::string(role);
    element content;
    if (obj["content"].get(content) == simdjson::SUCCESS &&
        !ReadContent(content, &turn.content, &err)) {
      return err;
    }
    req.messages.push_back(std::move(turn));
  }
  return req;
}

std::optional<ApiError> CheckJsonContentType(std::string_view content_type) {
  const std::string_view media = content_type.substr(0, content_type.find(';'));
  std::string_view trimmed = media;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
  if (http::EqualsIgnoreCase(trimmed, "application/json")) return std::nullopt;
  return ValidationError("Unsupported Media Type: Only 'application/json' is allowed",
                         "\"Unsupported Media Type: Only 'application/json' is allowed\"");
}

}  // namespace infermetry::emulator
