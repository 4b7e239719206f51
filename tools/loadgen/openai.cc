#include "loadgen/openai.h"

#include <simdjson.h>

#include <cctype>

#include "common/strconv.h"

namespace infermetry::loadgen {
namespace {

using simdjson::dom::element;

simdjson::dom::parser& Parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

Result<element> Parse(std::string_view json, std::string_view what) {
  element root;
  if (auto err = Parser().parse(json.data(), json.size()).get(root); err) {
    return ParseError(std::string(what) + ": not JSON (" + simdjson::error_message(err) + ")");
  }
  return root;
}

// Member `key` of `e` when `e` is an object that has it.
std::optional<element> Member(element e, std::string_view key) {
  element v;
  if (!e.is_object() || e.at_key(key).get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::string StringOr(std::optional<element> e, std::string_view fallback = "") {
  std::string_view s;
  if (e && e->get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return std::string(fallback);
}

int64_t IntOr(std::optional<element> e, int64_t fallback = 0) {
  if (!e) return fallback;
  int64_t i = 0;
  if (e->get_int64().get(i) == simdjson::SUCCESS) return i;
  double d = 0;
  if (e->get_double().get(d) == simdjson::SUCCESS) return static_cast<int64_t>(d);
  return fallback;
}

std::optional<Usage> UsageOf(element root) {
  std::optional<element> u = Member(root, "usage");
  if (!u || !u->is_object()) return std::nullopt;
  return Usage{IntOr(Member(*u, "prompt_tokens")), IntOr(Member(*u, "completion_tokens"))};
}

std::string ErrorText(element err) {
  if (err.is_string()) return StringOr(err);
  if (auto m = Member(err, "message"); m && m->is_string()) return StringOr(m);
  return simdjson::minify(err);
}

}  // namespace

Result<Endpoint> ParseEndpoint(std::string_view s) {
  if (s == "completions") return Endpoint::kCompletions;
  if (s == "chat") return Endpoint::kChat;
  return InvalidArgument("endpoint \"" + std::string(s) + "\": expected completions or chat");
}

std::string_view EndpointName(Endpoint e) { return e == Endpoint::kChat ? "chat" : "completions"; }

std::string_view EndpointPath(Endpoint e) {
  return e == Endpoint::kChat ? "/v1/chat/completions" : "/v1/completions";
}

std::string BuildRequestBody(const CompletionRequest& r) {
  std::string out = "{\"model\":";
  AppendJsonString(&out, r.model);
  if (r.endpoint == Endpoint::kChat) {
    out += ",\"messages\":[{\"role\":\"user\",\"content\":";
    AppendJsonString(&out, r.prompt);
    out += "}]";
  } else {
    out += ",\"prompt\":";
    AppendJsonString(&out, r.prompt);
  }
  out += ",\"max_tokens\":" + std::to_string(r.max_tokens);
  if (r.temperature) {
    out += ",\"temperature\":";
    AppendGoFloat(&out, *r.temperature);
  }
  if (r.ignore_eos) out += ",\"ignore_eos\":true";
  out += r.stream ? ",\"stream\":true" : ",\"stream\":false";
  if (r.stream && r.include_usage) out += ",\"stream_options\":{\"include_usage\":true}";
  out += "}";
  return out;
}

Result<CompletionResult> ParseCompletionResponse(std::string_view body) {
  INFERMETRY_ASSIGN_OR_RETURN(element root, Parse(body, "completion response"));
  if (auto err = Member(root, "error")) {
    return ParseError("completion response is an error: " + ErrorText(*err));
  }
  simdjson::dom::array choices;
  std::optional<element> c = Member(root, "choices");
  if (!c || c->get_array().get(choices) != simdjson::SUCCESS) {
    return ParseError("completion response has no \"choices\" array");
  }
  CompletionResult out;
  for (element choice : choices) {
    out.text = StringOr(Member(choice, "text"));
    if (auto msg = Member(choice, "message")) out.text = StringOr(Member(*msg, "content"));
    out.finish_reason = StringOr(Member(choice, "finish_reason"));
    break;
  }
  out.usage = UsageOf(root);
  return out;
}

Result<StreamChunk> ParseStreamData(std::string_view data) {
  StreamChunk out;
  std::string_view trimmed = data;
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\n')) {
    trimmed.remove_suffix(1);
  }
  if (trimmed == "[DONE]") {
    out.done = true;
    return out;
  }
  INFERMETRY_ASSIGN_OR_RETURN(element root, Parse(data, "stream event"));
  if (!root.is_object()) return ParseError("stream event is not a JSON object");
  if (auto err = Member(root, "error"); err && !err->is_null()) {
    out.error = ErrorText(*err);
    return out;
  }
  simdjson::dom::array choices;
  if (auto c = Member(root, "choices"); c && c->get_array().get(choices) == simdjson::SUCCESS) {
    for (element choice : choices) {
      out.content += StringOr(Member(choice, "text"));
      if (auto delta = Member(choice, "delta")) {
        out.content += StringOr(Member(*delta, "reasoning"));
        out.content += StringOr(Member(*delta, "reasoning_content"));
        out.content += StringOr(Member(*delta, "content"));
      }
      std::string reason = StringOr(Member(choice, "finish_reason"));
      if (!reason.empty()) out.finish_reason = std::move(reason);
    }
  }
  out.usage = UsageOf(root);
  return out;
}

std::string ErrorMessage(std::string_view body) {
  element root;
  if (Parser().parse(body.data(), body.size()).get(root) == simdjson::SUCCESS && root.is_object()) {
    if (auto err = Member(root, "error")) return ErrorText(*err);
    if (auto msg = Member(root, "message"); msg && msg->is_string()) return StringOr(msg);
  }
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) {
    body.remove_suffix(1);
  }
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) {
    body.remove_prefix(1);
  }
  return std::string(body.substr(0, 200));
}

Result<std::vector<std::string>> ParseModelList(std::string_view body) {
  INFERMETRY_ASSIGN_OR_RETURN(element root, Parse(body, "model list"));
  simdjson::dom::array data;
  std::optional<element> d = Member(root, "data");
  if (!d || d->get_array().get(data) != simdjson::SUCCESS) {
    return ParseError("model list has no \"data\" array");
  }
  std::vector<std::string> ids;
  for (element m : data) {
    std::string id = StringOr(Member(m, "id"));
    if (!id.empty()) ids.push_back(std::move(id));
  }
  return ids;
}

}  // namespace infermetry::loadgen
