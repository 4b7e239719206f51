// Unit tests of the load generator's parts: percentiles, distributions, prompts, SSE framing
// and the OpenAI JSON shapes.

#include <gtest/gtest.h>

#include <set>

#include "loadgen/distribution.h"
#include "loadgen/openai.h"
#include "loadgen/progress.h"
#include "loadgen/prompt.h"
#include "loadgen/sse.h"
#include "loadgen/stats.h"

namespace infermetry::loadgen {
namespace {

// ---- percentiles ----

TEST(PercentileTest, InterpolatesBetweenClosestRanks) {
  const std::vector<double> v = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(Percentile(v, 0), 1);
  EXPECT_DOUBLE_EQ(Percentile(v, 50), 3);
  EXPECT_DOUBLE_EQ(Percentile(v, 90), 4.6);
  EXPECT_DOUBLE_EQ(Percentile(v, 95), 4.8);
  EXPECT_DOUBLE_EQ(Percentile(v, 100), 5);
  EXPECT_DOUBLE_EQ(Percentile({7}, 99), 7);
  EXPECT_DOUBLE_EQ(Percentile({}, 50), 0);
  EXPECT_DOUBLE_EQ(Percentile({10, 20}, 25), 12.5);

  std::vector<double> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  EXPECT_DOUBLE_EQ(Percentile(hundred, 99), 99.01);
  EXPECT_DOUBLE_EQ(Percentile(hundred, 50), 50.5);
}

TEST(PercentileTest, SummarizeSortsAndAverages) {
  Distribution d = Summarize({5, 1, 4, 2, 3});
  EXPECT_EQ(d.count, 5u);
  EXPECT_DOUBLE_EQ(d.mean, 3);
  EXPECT_DOUBLE_EQ(d.p50, 3);
  EXPECT_DOUBLE_EQ(d.p90, 4.6);
  EXPECT_DOUBLE_EQ(d.p99, 4.96);
  EXPECT_DOUBLE_EQ(d.max, 5);
  Distribution empty = Summarize({});
  EXPECT_EQ(empty.count, 0u);
  EXPECT_EQ(empty.max, 0);
}

TEST(ReportTest, CountsErrorsTokensAndThroughput) {
  std::vector<RequestResult> rs(4);
  rs[0] = {true, "", "", 200, 0.0, 1.0, 0.1, {0.2, 0.3}, 10, 5, true};
  rs[1] = {true, "", "", 200, 1.0, 1.0, 0.3, {0.1}, 20, 3, true};
  rs[2] = {false, "http_503", "busy", 503, 0.5, 0.1, -1, {}, 0, 0, false};
  rs[3] = {false, "timeout", "slow", 0, 0.5, 0.5, -1, {}, 0, 0, false};
  Report r = BuildReport(rs);
  EXPECT_EQ(r.requests, 4u);
  EXPECT_EQ(r.succeeded, 2u);
  EXPECT_EQ(r.failed, 2u);
  EXPECT_EQ(r.errors["http_503"], 1u);
  EXPECT_EQ(r.errors["timeout"], 1u);
  EXPECT_EQ(r.prompt_tokens, 30);
  EXPECT_EQ(r.completion_tokens, 8);
  EXPECT_DOUBLE_EQ(r.duration, 2.0);
  EXPECT_DOUBLE_EQ(r.request_throughput, 1.0);
  EXPECT_DOUBLE_EQ(r.output_throughput, 4.0);
  EXPECT_DOUBLE_EQ(r.total_throughput, 19.0);
  EXPECT_EQ(r.ttft.count, 2u);
  EXPECT_DOUBLE_EQ(r.ttft.mean, 0.2);
  EXPECT_EQ(r.itl.count, 3u);
  EXPECT_DOUBLE_EQ(r.itl.max, 0.3);
  // TPOT = (e2e - ttft) / (completion tokens - 1): 0.9/4 and 0.7/2.
  EXPECT_EQ(r.tpot.count, 2u);
  EXPECT_DOUBLE_EQ(r.tpot.max, 0.35);

  r.url = "http://127.0.0.1:8000";
  r.model = "m";
  std::string table = FormatTable(r);
  EXPECT_NE(table.find("Successful requests:"), std::string::npos) << table;
  EXPECT_NE(table.find("http_503"), std::string::npos) << table;
  EXPECT_NE(table.find("TTFT"), std::string::npos) << table;
  // Every latency row has the same width.
  size_t ttft = table.find("TTFT"), e2e = table.find("E2E");
  EXPECT_EQ(table.find('\n', ttft) - ttft, table.find('\n', e2e) - e2e);
  std::string json = ToJson(r);
  EXPECT_NE(json.find("\"errors\":{\"http_503\":1,\"timeout\":1}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"completion_tokens\":8"), std::string::npos) << json;
}

// ---- randomness ----

TEST(RngTest, SameSeedSameSequence) {
  Rng a(42), b(42), c(43);
  std::vector<uint64_t> va, vb, vc;
  for (int i = 0; i < 100; ++i) {
    va.push_back(a.Next());
    vb.push_back(b.Next());
    vc.push_back(c.Next());
  }
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
  // The sequence is fixed by the algorithm, not by the platform or standard library.
  Rng zero(0);
  EXPECT_EQ(zero.Next(), 11091344671253066420ull);
  EXPECT_EQ(zero.Next(), 13793997310169335082ull);
  Rng r(1);
  for (int i = 0; i < 1000; ++i) {
    const double u = r.Uniform();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    EXPECT_LT(r.Below(7), 7u);
  }
  EXPECT_EQ(r.Below(0), 0u);
}

TEST(DistributionTest, ParsesEveryKind) {
  auto f = LengthDistribution::Parse("256");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->kind, LengthDistribution::Kind::kFixed);
  EXPECT_EQ(f->ToString(), "fixed:256");
  auto u = LengthDistribution::Parse("uniform:10:20");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->ToString(), "uniform:10:20");
  auto n = LengthDistribution::Parse("normal:100:15.5:50:150");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->ToString(), "normal:100:15.5:50:150");
  EXPECT_EQ(LengthDistribution::Parse("normal:100:15")->ToString(), "normal:100:15");
  EXPECT_EQ(LengthDistribution::Parse("fixed:3")->ToString(), "fixed:3");
  for (const char* bad : {"", "0", "-5", "1.5", "uniform:20:10", "uniform:5", "normal:100",
                          "normal:100:-1", "normal:0:1", "poisson:3", "fixed:x", "12abc"}) {
    auto r = LengthDistribution::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    }
  }
}

TEST(DistributionTest, SamplesAreDeterministicAndInRange) {
  auto u = *LengthDistribution::Parse("uniform:10:20");
  auto n = *LengthDistribution::Parse("normal:100:30:60:140");
  Rng r1(7), r2(7);
  std::set<int> seen;
  double sum = 0;
  for (int i = 0; i < 2000; ++i) {
    const int a = u.Sample(&r1);
    EXPECT_EQ(a, u.Sample(&r2));
    EXPECT_GE(a, 10);
    EXPECT_LE(a, 20);
    seen.insert(a);
    const int b = n.Sample(&r1);
    EXPECT_EQ(b, n.Sample(&r2));
    EXPECT_GE(b, 60);
    EXPECT_LE(b, 140);
    sum += b;
  }
  EXPECT_EQ(seen.size(), 11u);  // every value of the range shows up
  EXPECT_NEAR(sum / 2000, 100, 3);
  EXPECT_EQ(LengthDistribution::Fixed(5).Sample(&r1), 5);
}

TEST(DistributionTest, ArrivalGaps) {
  Rng r(3);
  EXPECT_DOUBLE_EQ(NextArrivalGap(ArrivalProcess::kFixed, 4, &r), 0.25);
  double sum = 0;
  for (int i = 0; i < 20000; ++i) {
    const double g = NextArrivalGap(ArrivalProcess::kPoisson, 4, &r);
    EXPECT_GT(g, 0);
    sum += g;
  }
  EXPECT_NEAR(sum / 20000, 0.25, 0.01);
  EXPECT_TRUE(ParseArrivalProcess("poisson").ok());
  EXPECT_FALSE(ParseArrivalProcess("gamma").ok());
}

TEST(PromptTest, LengthsSharedPrefixAndDeterminism) {
  PromptGenerator g(11, 0.5);
  Rng r1(1), r2(2), r3(1);
  const std::string a = g.Make(40, &r1);
  const std::string b = g.Make(40, &r2);
  EXPECT_EQ(a, g.Make(40, &r3));
  auto words = [](const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
      size_t sp = s.find(' ', start);
      out.push_back(s.substr(start, sp - start));
      if (sp == std::string::npos) return out;
      start = sp + 1;
    }
  };
  std::vector<std::string> wa = words(a), wb = words(b);
  ASSERT_EQ(wa.size(), 40u);
  ASSERT_EQ(wb.size(), 40u);
  EXPECT_TRUE(std::equal(wa.begin(), wa.begin() + 20, wb.begin()));
  EXPECT_NE(std::vector<std::string>(wa.begin() + 20, wa.end()),
            std::vector<std::string>(wb.begin() + 20, wb.end()));
  // Another seed, another prefix; no sharing, no common prefix.
  Rng r4(1);
  EXPECT_NE(PromptGenerator(12, 0.5).Make(40, &r4), a);
  EXPECT_EQ(words(PromptGenerator(1, 0).Make(0, &r4)).size(), 1u);
}

// ---- server-sent events ----

// A vLLM chat stream (role chunk, two tokens, final chunk, usage chunk, [DONE]).
const std::string kChatStream =
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
    "\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
    "\"logprobs\":null,\"finish_reason\":null}],\"prompt_token_ids\":null}\n\n"
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
    "\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"logprobs\":null,"
    "\"finish_reason\":null,\"token_ids\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
    "\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"logprobs\":null,"
    "\"finish_reason\":null,\"token_ids\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
    "\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"logprobs\":null,"
    "\"finish_reason\":\"stop\",\"stop_reason\":null,\"token_ids\":null}]}\n\n"
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
    "\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":35,\"total_tokens\":37,"
    "\"completion_tokens\":2}}\n\n"
    "data: [DONE]\n\n";

std::vector<std::string> Events(const std::string& stream, const std::vector<size_t>& cuts) {
  SseParser p;
  std::vector<std::string> out;
  size_t at = 0;
  for (size_t cut : cuts) {
    p.Feed(std::string_view(stream).substr(at, cut - at),
           [&](const SseEvent& e) { out.push_back(e.data); });
    at = cut;
  }
  p.Feed(std::string_view(stream).substr(at), [&](const SseEvent& e) { out.push_back(e.data); });
  EXPECT_FALSE(p.Pending());
  return out;
}

TEST(SseTest, SameEventsHoweverTheStreamIsCut) {
  const std::vector<std::string> whole = Events(kChatStream, {});
  ASSERT_EQ(whole.size(), 6u);
  EXPECT_EQ(whole.back(), "[DONE]");
  // Byte by byte.
  std::vector<size_t> every;
  for (size_t i = 1; i < kChatStream.size(); ++i) every.push_back(i);
  EXPECT_EQ(Events(kChatStream, every), whole);
  // Pseudo-random cuts.
  Rng r(5);
  for (int round = 0; round < 50; ++round) {
    std::vector<size_t> cuts;
    for (size_t at = r.Below(40) + 1; at < kChatStream.size(); at += r.Below(40) + 1) {
      cuts.push_back(at);
    }
    EXPECT_EQ(Events(kChatStream, cuts), whole) << "round " << round;
  }
}

TEST(SseTest, LineEndingsCommentsFieldsAndMultilineData) {
  const std::string s =
      "\xEF\xBB\xBF: a comment\r\n"
      "event: ping\r\nid: 7\r\ndata: one\r\ndata:two\r\n\r\n"
      "data: cr only\r\rdata\n\n"
      "retry: 10\n\n"        // no data: not dispatched
      "data: unterminated";  // no blank line: held
  for (size_t split = 1; split < s.size(); ++split) {
    SseParser p;
    std::vector<SseEvent> got;
    auto cb = [&](const SseEvent& e) { got.push_back(e); };
    p.Feed(std::string_view(s).substr(0, split), cb);
    p.Feed(std::string_view(s).substr(split), cb);
    ASSERT_EQ(got.size(), 3u) << "split at " << split;
    EXPECT_EQ(got[0].event, "ping");
    EXPECT_EQ(got[0].id, "7");
    EXPECT_EQ(got[0].data, "one\ntwo");
    EXPECT_EQ(got[1].data, "cr only");
    EXPECT_EQ(got[1].event, "");
    EXPECT_EQ(got[2].data, "");
    EXPECT_TRUE(p.Pending());
  }
}

// ---- OpenAI JSON ----

TEST(OpenAiTest, StreamChunks) {
  std::vector<StreamChunk> chunks;
  for (const std::string& data : Events(kChatStream, {})) {
    auto c = ParseStreamData(data);
    ASSERT_TRUE(c.ok()) << c.status().ToString() << " " << data;
    chunks.push_back(*c);
  }
  EXPECT_EQ(chunks[0].content, "");  // the role chunk carries no text
  EXPECT_EQ(chunks[1].content, "Hel");
  EXPECT_EQ(chunks[2].content, "lo");
  EXPECT_EQ(chunks[3].finish_reason, "stop");
  EXPECT_FALSE(chunks[3].usage.has_value());
  ASSERT_TRUE(chunks[4].usage.has_value());
  EXPECT_EQ(chunks[4].usage->prompt_tokens, 35);
  EXPECT_EQ(chunks[4].usage->completion_tokens, 2);
  EXPECT_TRUE(chunks[5].done);

  auto completion = ParseStreamData(
      "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\","
      "\"choices\":[{\"index\":0,\"text\":\" world\",\"logprobs\":null,\"finish_reason\":null,"
      "\"stop_reason\":null}]}");
  ASSERT_TRUE(completion.ok());
  EXPECT_EQ(completion->content, " world");
  auto reasoning = ParseStreamData(
      "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hmm\",\"content\":null}}]}");
  ASSERT_TRUE(reasoning.ok());
  EXPECT_EQ(reasoning->content, "hmm");

  // vLLM's in-band errors are written by json.dumps, with spaces.
  auto err = ParseStreamData(
      "{\"error\": {\"message\": \"max_tokens is too large\", \"type\": \"BadRequestError\", "
      "\"param\": null, \"code\": 400}}");
  ASSERT_TRUE(err.ok());
  ASSERT_TRUE(err->error.has_value());
  EXPECT_EQ(*err->error, "max_tokens is too large");

  EXPECT_EQ(ParseStreamData("{not json").status().code(), Code::kParseError);
  EXPECT_EQ(ParseStreamData("[1,2]").status().code(), Code::kParseError);
}

TEST(OpenAiTest, RequestBodies) {
  CompletionRequest r;
  r.model = "facebook/opt-125m";
  r.prompt = "say \"hi\"";
  r.max_tokens = 5;
  EXPECT_EQ(BuildRequestBody(r),
            "{\"model\":\"facebook/opt-125m\",\"prompt\":\"say \\\"hi\\\"\",\"max_tokens\":5,"
            "\"stream\":false}");
  r.endpoint = Endpoint::kChat;
  r.stream = true;
  r.ignore_eos = true;
  r.temperature = 0.5;
  EXPECT_EQ(BuildRequestBody(r),
            "{\"model\":\"facebook/opt-125m\",\"messages\":[{\"role\":\"user\",\"content\":"
            "\"say \\\"hi\\\"\"}],\"max_tokens\":5,\"temperature\":0.5,\"ignore_eos\":true,"
            "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
  r.include_usage = false;
  EXPECT_EQ(BuildRequestBody(r).find("stream_options"), std::string::npos);
}

TEST(OpenAiTest, ResponsesErrorsAndModels) {
  auto c = ParseCompletionResponse(
      "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\","
      "\"choices\":[{\"index\":0,\"text\":\"Paris\",\"logprobs\":null,\"finish_reason\":\"length\","
      "\"stop_reason\":null}],\"usage\":{\"prompt_tokens\":5,\"total_tokens\":12,"
      "\"completion_tokens\":7,\"prompt_tokens_details\":null}}");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->text, "Paris");
  EXPECT_EQ(c->finish_reason, "length");
  ASSERT_TRUE(c->usage.has_value());
  EXPECT_EQ(c->usage->completion_tokens, 7);
  auto chat = ParseCompletionResponse(
      "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
      "\"finish_reason\":\"stop\"}],\"usage\":null}");
  ASSERT_TRUE(chat.ok());
  EXPECT_EQ(chat->text, "Hi");
  EXPECT_FALSE(chat->usage.has_value());
  EXPECT_FALSE(ParseCompletionResponse("{}").ok());

  EXPECT_EQ(ErrorMessage("{\"error\":{\"message\":\"The model `x` does not exist.\","
                         "\"type\":\"NotFoundError\",\"param\":\"model\",\"code\":404}}"),
            "The model `x` does not exist.");
  EXPECT_EQ(ErrorMessage("{\"object\":\"error\",\"message\":\"old shape\",\"code\":400}"),
            "old shape");
  EXPECT_EQ(ErrorMessage("{\"error\":\"Unauthorized\"}"), "Unauthorized");
  EXPECT_EQ(ErrorMessage("  Bad Gateway\n"), "Bad Gateway");

  auto models = ParseModelList(
      "{\"object\":\"list\",\"data\":[{\"id\":\"a\",\"object\":\"model\"},{\"id\":\"b\"}]}");
  ASSERT_TRUE(models.ok());
  EXPECT_EQ(*models, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(ParseModelList("{\"data\":3}").ok());
}

TEST(ProgressTest, FormatsCountAndTimeBoundedRuns) {
  ProgressState s;
  s.done = 50;
  s.total = 200;
  s.elapsed = 10;
  s.errors = 2;
  std::string line = FormatProgress(s, 80);
  EXPECT_LE(line.size(), 80u);
  EXPECT_NE(line.find(" 50/200"), std::string::npos) << line;
  EXPECT_NE(line.find("25%"), std::string::npos) << line;
  EXPECT_NE(line.find("5.0 req/s"), std::string::npos) << line;
  EXPECT_NE(line.find("errors 2"), std::string::npos) << line;
  s.total = 0;
  s.duration = 60;
  line = FormatProgress(s, 80);
  EXPECT_NE(line.find("0:10/1:00"), std::string::npos) << line;
}

}  // namespace
}  // namespace infermetry::loadgen
