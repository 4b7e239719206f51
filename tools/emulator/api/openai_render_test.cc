// The bodies and chunks against the exact strings of vllm.md §4 (captures of real vLLM output
// where the reference has them).

#include "emulator/api/openai_render.h"

#include <gtest/gtest.h>

#include "emulator/api/openai_errors.h"

namespace infermetry::emulator {
namespace {

const ResponseIds kQwen{"chatcmpl-ad6ca7ad89c6f55d", 1789154478, "Qwen/Qwen2.5-0.5B-Instruct"};

TEST(OpenAiRenderTest, ChatStreamMatchesTheCapturedVllmStream) {
  EXPECT_EQ(SseEvent(ChatContentChunk(kQwen, ".", "", nullptr, std::nullopt)),
            "data: {\"id\":\"chatcmpl-ad6ca7ad89c6f55d\",\"object\":\"chat.completion.chunk\","
            "\"created\":1789154478,\"model\":\"Qwen/Qwen2.5-0.5B-Instruct\",\"choices\":[{"
            "\"index\":0,\"delta\":{\"content\":\".\"},\"logprobs\":null,\"finish_reason\":null,"
            "\"token_ids\":null}]}\n\n");
  EXPECT_EQ(ChatContentChunk(kQwen, "", "stop", nullptr, std::nullopt),
            "{\"id\":\"chatcmpl-ad6ca7ad89c6f55d\",\"object\":\"chat.completion.chunk\","
            "\"created\":1789154478,\"model\":\"Qwen/Qwen2.5-0.5B-Instruct\",\"choices\":[{"
            "\"index\":0,\"delta\":{\"content\":\"\"},\"logprobs\":null,\"finish_reason\":\"stop\","
            "\"stop_reason\":null,\"token_ids\":null}]}");
  EXPECT_EQ(ChatUsageChunk(kQwen, Usage{35, 21, std::nullopt}, "vllm-0.29.0-13ff2e7e"),
            "{\"id\":\"chatcmpl-ad6ca7ad89c6f55d\",\"object\":\"chat.completion.chunk\","
            "\"created\":1789154478,\"model\":\"Qwen/Qwen2.5-0.5B-Instruct\",\"choices\":[],"
            "\"usage\":{\"prompt_tokens\":35,\"total_tokens\":56,\"completion_tokens\":21},"
            "\"system_fingerprint\":\"vllm-0.29.0-13ff2e7e\"}");
  EXPECT_EQ(kSseDone, "data: [DONE]\n\n");
}

TEST(OpenAiRenderTest, ChatRoleChunkMatchesTheCapture) {
  const ResponseIds ids{"chatcmpl-919b13ab4ff836ac", 1788338477, "/models/qwen235b"};
  EXPECT_EQ(ChatRoleChunk(ids, nullptr),
            "{\"id\":\"chatcmpl-919b13ab4ff836ac\",\"object\":\"chat.completion.chunk\","
            "\"created\":1788338477,\"model\":\"/models/qwen235b\",\"choices\":[{\"index\":0,"
            "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
            "\"finish_reason\":null}],\"prompt_token_ids\":null,\"prompt_text\":null}");
  // With continuous usage stats the usage object sits between choices and prompt_token_ids.
  const Usage u{12, 0, std::nullopt};
  EXPECT_EQ(ChatRoleChunk(ids, &u),
            "{\"id\":\"chatcmpl-919b13ab4ff836ac\",\"object\":\"chat.completion.chunk\","
            "\"created\":1788338477,\"model\":\"/models/qwen235b\",\"choices\":[{\"index\":0,"
            "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
            "\"finish_reason\":null}],\"usage\":{\"prompt_tokens\":12,\"total_tokens\":12,"
            "\"completion_tokens\":0},\"prompt_token_ids\":null,\"prompt_text\":null}");
}

TEST(OpenAiRenderTest, FinalChunkCarriesFingerprintAndContinuousUsage) {
  const Usage u{10, 5, std::nullopt};
  EXPECT_EQ(ChatContentChunk(kQwen, " end", "length", &u, "fp"),
            "{\"id\":\"chatcmpl-ad6ca7ad89c6f55d\",\"object\":\"chat.completion.chunk\","
            "\"created\":1789154478,\"model\":\"Qwen/Qwen2.5-0.5B-Instruct\",\"choices\":[{"
            "\"index\":0,\"delta\":{\"content\":\" end\"},\"logprobs\":null,"
            "\"finish_reason\":\"length\",\"stop_reason\":null,\"token_ids\":null}],"
            "\"usage\":{\"prompt_tokens\":10,\"total_tokens\":15,\"completion_tokens\":5},"
            "\"system_fingerprint\":\"fp\"}");
}

TEST(OpenAiRenderTest, CompletionChunksAndUsage) {
  const ResponseIds ids{"cmpl-abc", 100, "m"};
  EXPECT_EQ(CompletionChunk(ids, " hi", "", nullptr, std::nullopt),
            "{\"id\":\"cmpl-abc\",\"object\":\"text_completion\",\"created\":100,\"model\":\"m\","
            "\"choices\":[{\"index\":0,\"text\":\" hi\",\"logprobs\":null,\"finish_reason\":null,"
            "\"stop_reason\":null,\"prompt_token_ids\":null,\"token_ids\":null}]}");
  EXPECT_EQ(CompletionUsageChunk(ids, Usage{3, 4, 2}, std::nullopt),
            "{\"id\":\"cmpl-abc\",\"object\":\"text_completion\",\"created\":100,\"model\":\"m\","
            "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"total_tokens\":7,"
            "\"completion_tokens\":4,\"prompt_tokens_details\":{\"cached_tokens\":2}}}");
}

TEST(OpenAiRenderTest, NonStreamingBodiesHaveEveryFieldInOrder) {
  const ResponseIds chat{"chatcmpl-1", 5, "m"};
  EXPECT_EQ(
      ChatCompletionJson(chat, "Hi there", "stop", Usage{9, 3, std::nullopt}, "fp"),
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":5,\"model\":\"m\","
      "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi there\","
      "\"refusal\":null,\"annotations\":null,\"audio\":null,\"function_call\":null,"
      "\"tool_calls\":[],\"reasoning\":null},\"logprobs\":null,\"finish_reason\":\"stop\","
      "\"stop_reason\":null,\"token_ids\":null}],\"service_tier\":null,"
      "\"system_fingerprint\":\"fp\",\"usage\":{\"prompt_tokens\":9,\"total_tokens\":12,"
      "\"completion_tokens\":3,\"prompt_tokens_details\":null},\"prompt_logprobs\":null,"
      "\"prompt_token_ids\":null,\"prompt_text\":null,\"kv_transfer_params\":null}");
  const ResponseIds cmpl{"cmpl-1", 5, "m"};
  EXPECT_EQ(CompletionJson(cmpl, " text", "length", Usage{4, 16, 0}, std::nullopt),
            "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":5,\"model\":\"m\","
            "\"choices\":[{\"index\":0,\"text\":\" text\",\"logprobs\":null,"
            "\"finish_reason\":\"length\",\"stop_reason\":null,\"token_ids\":null,"
            "\"prompt_logprobs\":null,\"prompt_token_ids\":null}],\"service_tier\":null,"
            "\"system_fingerprint\":null,\"usage\":{\"prompt_tokens\":4,\"total_tokens\":20,"
            "\"completion_tokens\":16,\"prompt_tokens_details\":{\"cached_tokens\":0}},"
            "\"kv_transfer_params\":null}");
}

TEST(OpenAiRenderTest, ModelsVersionLoad) {
  ModelCard card{"facebook/opt-125m", "/models/opt", 1700000000, 2048,
                 "modelperm-0123456789abcdef"};
  EXPECT_EQ(ModelListJson(card),
            "{\"object\":\"list\",\"data\":[{\"id\":\"facebook/opt-125m\",\"object\":\"model\","
            "\"created\":1700000000,\"owned_by\":\"vllm\",\"root\":\"/models/opt\",\"parent\":null,"
            "\"max_model_len\":2048,\"permission\":[{\"id\":\"modelperm-0123456789abcdef\","
            "\"object\":\"model_permission\",\"created\":1700000000,\"allow_create_engine\":false,"
            "\"allow_sampling\":true,\"allow_logprobs\":true,\"allow_search_indices\":false,"
            "\"allow_view\":true,\"allow_fine_tuning\":false,\"organization\":\"*\","
            "\"group\":null,\"is_blocking\":false}]}]}");
  EXPECT_EQ(VersionJson("0.21.0"), "{\"version\":\"0.21.0\"}");
  EXPECT_EQ(LoadJson(3), "{\"server_load\":3}");
}

TEST(OpenAiErrorsTest, Shapes) {
  EXPECT_EQ(
      ErrorJson(ModelNotFound("foo")),
      "{\"error\":{\"message\":\"The model `foo` does not exist.\",\"type\":\"NotFoundError\","
      "\"param\":\"model\",\"code\":404}}");
  EXPECT_EQ(StreamErrorJson(BadRequest("bad")),
            "{\"error\": {\"message\": \"bad\", \"type\": \"BadRequestError\", \"param\": null, "
            "\"code\": 400}}");
  EXPECT_EQ(StreamErrorJson(InternalError("boom")),
            "{\"error\": {\"message\": \"boom\", \"type\": \"InternalServerError\", "
            "\"param\": null, \"code\": 500}}");
  EXPECT_EQ(kUnauthorizedBody, "{\"error\":\"Unauthorized\"}");
  EXPECT_EQ(PythonRepr("it's"), "\"it's\"");
  EXPECT_EQ(PythonRepr("plain"), "'plain'");
  EXPECT_EQ(PythonRepr("a'b\"c"), "'a\\'b\"c'");
}

}  // namespace
}  // namespace infermetry::emulator
