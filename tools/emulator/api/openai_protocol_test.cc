#include "emulator/api/openai_protocol.h"

#include <gtest/gtest.h>

namespace infermetry::emulator {
namespace {

template <typename T>
T Ok(const Parsed<T>& p) {
  if (const ApiError* e = std::get_if<ApiError>(&p)) {
    ADD_FAILURE() << e->message;
    return T{};
  }
  return std::get<T>(p);
}

template <typename T>
ApiError Err(const Parsed<T>& p) {
  if (const ApiError* e = std::get_if<ApiError>(&p)) return *e;
  ADD_FAILURE() << "parsed without error";
  return {};
}

TEST(OpenAiProtocolTest, ChatRequestFields) {
  const ChatRequest r = Ok(ParseChatRequest(R"({
      "model": "m", "messages": [{"role": "system", "content": "Be brief."},
                                 {"role": "user", "content": [{"type": "text", "text": "a"},
                                                              {"type": "image_url"},
                                                              {"type": "text", "text": "b"}]}],
      "max_tokens": 5, "max_completion_tokens": 7, "stream": true,
      "stream_options": {"include_usage": true, "continuous_usage_stats": true},
      "temperature": 0, "top_p": 0.9, "ignore_eos": true, "min_tokens": 2,
      "request_id": "abc", "unknown_field": {"x": [1, 2]}})"));
  EXPECT_EQ(r.params.model, "m");
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[1].role, "user");
  EXPECT_EQ(r.messages[1].content, "a\nb");
  EXPECT_EQ(r.params.max_tokens, 7);  // max_completion_tokens wins
  EXPECT_TRUE(r.params.stream);
  EXPECT_TRUE(r.params.include_usage);
  EXPECT_TRUE(r.params.continuous_usage_stats);
  EXPECT_EQ(r.params.temperature, 0.0);
  EXPECT_EQ(r.params.top_p, 0.9);
  EXPECT_TRUE(r.params.ignore_eos);
  EXPECT_EQ(r.params.min_tokens, 2);
  EXPECT_EQ(r.params.request_id, "abc");

  const ChatRequest d = Ok(ParseChatRequest(R"({"messages": []})"));
  EXPECT_FALSE(d.params.model.has_value());
  EXPECT_FALSE(d.params.max_tokens.has_value());  // chat: unset until the prompt is known
}

TEST(OpenAiProtocolTest, CompletionPrompts) {
  const CompletionRequest t = Ok(ParseCompletionRequest(R"({"prompt": "Hello"})"));
  EXPECT_EQ(t.prompt_text, "Hello");
  EXPECT_EQ(t.params.max_tokens, kCompletionDefaultMaxTokens);
  const CompletionRequest ids =
      Ok(ParseCompletionRequest(R"({"prompt": [1, 2, 3], "max_tokens": 4.0})"));
  ASSERT_TRUE(ids.prompt_token_ids.has_value());
  EXPECT_EQ(ids.prompt_token_ids->size(), 3u);
  EXPECT_EQ(ids.params.max_tokens, 4);
  EXPECT_EQ(Ok(ParseCompletionRequest(R"({"prompt": ["a", "b"]})")).num_prompts, 2);
}

TEST(OpenAiProtocolTest, Errors) {
  ApiError e = Err(ParseChatRequest("{not json"));
  EXPECT_EQ(e.code, 400);
  EXPECT_EQ(e.type, "Bad Request");
  EXPECT_NE(e.message.find("JSON decode error"), std::string::npos);

  e = Err(ParseChatRequest(R"({"model": "m"})"));
  EXPECT_EQ(e.type, "Bad Request");
  EXPECT_NE(e.message.find("'loc': ('body', 'messages')"), std::string::npos) << e.message;

  e = Err(ParseChatRequest(R"({"messages": [], "max_tokens": "ten"})"));
  EXPECT_EQ(e.type, "Bad Request");
  EXPECT_EQ(e.message,
            "1 validation error:\n  {'type': 'int_type', 'loc': ('body', 'max_tokens'), 'msg': "
            "'Input should be a valid integer', 'input': 'ten'}\n [{'type': 'int_type', 'loc': "
            "('body', 'max_tokens'), 'msg': 'Input should be a valid integer', 'input': 'ten'}]");

  e = Err(ParseChatRequest(R"({"messages": [], "stream_options": {"include_usage": true}})"));
  EXPECT_EQ(e.type, "BadRequestError");
  EXPECT_EQ(e.param, "stream_options");
  EXPECT_EQ(e.message, "Stream options can only be defined when `stream=True`.");

  e = Err(ParseCompletionRequest(R"({"prompt": ""})"));
  EXPECT_EQ(e.type, "BadRequestError");
  EXPECT_EQ(e.param, "prompt");

  e = Err(ParseCompletionRequest(R"({"prompt": "x", "max_tokens": 0})"));
  EXPECT_EQ(e.code, 400);
  EXPECT_EQ(e.message, "max_tokens must be at least 1, got 0.");

  e = Err(ParseCompletionRequest("[1]"));
  EXPECT_EQ(e.type, "Bad Request");

  ASSERT_TRUE(CheckJsonContentType("text/plain").has_value());
  EXPECT_EQ(ErrorJson(*CheckJsonContentType("text/plain")),
            "{\"error\":{\"message\":\"1 validation error:\\n  Unsupported Media Type: Only "
            "'application/json' is allowed\\n [\\\"Unsupported Media Type: Only "
            "'application/json' is allowed\\\"]\",\"type\":\"Bad Request\",\"param\":null,"
            "\"code\":400}}");
  EXPECT_FALSE(CheckJsonContentType("application/json").has_value());
  EXPECT_FALSE(CheckJsonContentType("Application/JSON; charset=utf-8").has_value());
  EXPECT_TRUE(CheckJsonContentType("").has_value());
}

}  // namespace
}  // namespace infermetry::emulator
