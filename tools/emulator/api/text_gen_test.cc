#include "emulator/api/text_gen.h"

#include <gtest/gtest.h>

#include <set>

namespace infermetry::emulator {
namespace {

TEST(TokenizerTest, CommonPrefixGivesCommonTokenPrefix) {
  const std::string system = "You are a helpful assistant. Answer briefly and precisely.";
  const auto a = Tokenize(system + " What is the capital of France?");
  const auto b = Tokenize(system + " Summarize the following document in 3 bullet points.");
  const auto s = Tokenize(system);
  ASSERT_GT(s.size(), 8u);
  ASSERT_GE(a.size(), s.size());
  ASSERT_GE(b.size(), s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(a[i], s[i]) << i;
    EXPECT_EQ(b[i], s[i]) << i;
  }
  EXPECT_NE(a, b);
  EXPECT_EQ(Tokenize(system), s);  // deterministic
}

TEST(TokenizerTest, PiecesAndCounts) {
  EXPECT_EQ(CountTokens(""), 0);
  EXPECT_EQ(CountTokens("hello"), 1);
  EXPECT_EQ(CountTokens("hello world"), 2);           // "hello", " world"
  EXPECT_EQ(CountTokens("Hello, world!"), 4);         // "Hello" "," " world" "!"
  EXPECT_EQ(CountTokens("internationalization"), 4);  // 7 + 6 + 6 + 1
  EXPECT_EQ(CountTokens("1234567"), 3);               // 123 456 7
  EXPECT_EQ(CountTokens("a\n\nb"), 4);
  EXPECT_EQ(CountTokens("two  spaces"), 3);  // "two" " " " spaces"
  EXPECT_EQ(static_cast<int>(Tokenize("The quick brown fox").size()),
            CountTokens("The quick brown fox"));
  for (uint32_t id : Tokenize("Some text, with 42 numbers and punctuation!?")) {
    EXPECT_GE(id, 256u);
    EXPECT_LT(id, kImStartToken);
  }
  // English prose: roughly 1.1-1.6 tokens per word.
  const std::string prose =
      "Observability for inference servers means collecting metrics, traces and logs from "
      "every replica, correlating them by request, and answering questions about latency, "
      "throughput and cost without guessing what happened inside the scheduler.";
  const double words = 36;
  const double ratio = CountTokens(prose) / words;
  EXPECT_GT(ratio, 1.0);
  EXPECT_LT(ratio, 1.7);
}

TEST(ChatTemplateTest, AddsFiveTokensPerMessagePlusThree) {
  std::vector<ChatTurn> msgs = {{"system", "Be brief."}, {"user", "Hello there"}};
  const auto tokens = ChatPromptTokens(msgs);
  EXPECT_EQ(static_cast<int>(tokens.size()),
            CountTokens("Be brief.") + CountTokens("Hello there") + 2 * 5 + 3);
  EXPECT_EQ(tokens.front(), kImStartToken);
  // A conversation extended by a turn shares the earlier turns' tokens.
  std::vector<ChatTurn> longer = msgs;
  longer.push_back({"assistant", "Hi."});
  longer.push_back({"user", "Tell me more"});
  const auto more = ChatPromptTokens(longer);
  const size_t shared = tokens.size() - 3;  // all but the generation prompt
  for (size_t i = 0; i < shared; ++i) EXPECT_EQ(more[i], tokens[i]) << i;
  EXPECT_EQ(CompletionPromptTokens("hi").size(), 2u);
  EXPECT_EQ(CompletionPromptTokens("hi")[0], kBosToken);
}

TEST(TextGeneratorTest, DeterministicReadableText) {
  TextGenerator g(TextGenOptions{.seed = 7});
  const std::string text = g.Text(42, 0, 60);
  EXPECT_EQ(text, g.Text(42, 0, 60));
  EXPECT_NE(text, g.Text(43, 0, 60));
  EXPECT_EQ(g.Text(42, 0, 30) + g.Text(42, 30, 60), text);
  ASSERT_FALSE(text.empty());
  EXPECT_TRUE(text[0] >= 'A' && text[0] <= 'Z') << text;
  EXPECT_NE(text[0], ' ');
  EXPECT_EQ(text.find(".."), std::string::npos);
  EXPECT_EQ(text.find(",."), std::string::npos);
  for (int i = 0; i < 200; ++i) EXPECT_FALSE(g.TokenText(9, i).empty());
  // Sentences start with a capital letter.
  for (int i = 1; i < 500; ++i) {
    if (g.TokenText(5, i - 1) == ".") {
      const std::string next = g.TokenText(5, i);
      ASSERT_GE(next.size(), 2u);
      EXPECT_TRUE(next[1] >= 'A' && next[1] <= 'Z') << next;
    }
  }
}

TEST(TextGeneratorTest, NaturalLengthsDependOnPromptAndSeed) {
  TextGenerator g(TextGenOptions{.seed = 1, .min_output_tokens = 8, .mean_output_tokens = 100});
  const auto p = Tokenize("a prompt");
  EXPECT_EQ(g.NaturalOutputTokens(p), g.NaturalOutputTokens(p));
  std::set<int> lengths;
  double sum = 0;
  constexpr int kN = 2000;
  for (int i = 0; i < kN; ++i) {
    const int n = g.NaturalOutputTokens(Tokenize("prompt number " + std::to_string(i)));
    EXPECT_GE(n, 8);
    lengths.insert(n);
    sum += n;
  }
  EXPECT_GT(lengths.size(), 100u);
  EXPECT_NEAR(sum / kN, 100, 12);
  TextGenerator other(TextGenOptions{.seed = 2});
  int differ = 0;
  for (int i = 0; i < 20; ++i) {
    const auto q = Tokenize("q" + std::to_string(i));
    differ += g.NaturalOutputTokens(q) != other.NaturalOutputTokens(q);
  }
  EXPECT_GT(differ, 10);
}

}  // namespace
}  // namespace infermetry::emulator
