#pragma once
// Deterministic text for the emulated server: a stand-in tokenizer, a chat template, and
// generated output that reads like words.
//
// Tokenizer. Text is cut, left to right, into word pieces the way byte-level BPE tokenizers
// roughly do: a run of letters with its one leading space (" hello"), split every 6 bytes
// after the first 7; digit runs in groups of 3; every newline, every other space and every
// other byte (punctuation) on its own. Each piece is hashed to a token id. Cutting depends
// only on what precedes a position, so texts with a common prefix get token lists with a
// common prefix (up to the last piece of that prefix), which is what the engine's prefix cache
// needs. English prose comes out at about 1.3 tokens per word, as with real tokenizers.
//
// Chat template (ChatML-like): per message <|im_start|> role "\n" content <|im_end|> "\n", then
// <|im_start|> assistant "\n" as the generation prompt, a role being one token: 5 tokens per
// message plus 3.
//
// Output: token i of a request is a function of (request seed, i) only, so a stream can render
// any token without state. The output length a prompt would produce on its own (where the model
// "emits EOS") is a function of (generator seed, prompt tokens).
//
// All functions are pure and thread-safe.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace infermetry::emulator {

// Ids 0..255 are never produced by pieces; special tokens sit at the top of the vocabulary.
inline constexpr uint32_t kVocabSize = 50272;
inline constexpr uint32_t kBosToken = 2;
inline constexpr uint32_t kEosToken = 2;  // OPT-style: the same id
inline constexpr uint32_t kImStartToken = kVocabSize - 2;
inline constexpr uint32_t kImEndToken = kVocabSize - 1;

// 64-bit FNV-1a.
uint64_t Fnv1a(std::string_view s, uint64_t seed = 0xcbf29ce484222325ULL);
// A well-mixed 64-bit function of (a, b).
uint64_t Mix(uint64_t a, uint64_t b);

// Appends the token ids of `text`.
void AppendTokens(std::string_view text, std::vector<uint32_t>* out);
std::vector<uint32_t> Tokenize(std::string_view text);
// Same count as Tokenize(text).size(), without building the list.
int CountTokens(std::string_view text);

struct ChatTurn {
  std::string role;
  std::string content;  // text parts joined; non-text parts contribute nothing
};

// Prompt tokens of a chat request through the template (with the generation prompt).
std::vector<uint32_t> ChatPromptTokens(std::span<const ChatTurn> messages);
// Prompt tokens of a completion request: BOS then the prompt's tokens.
std::vector<uint32_t> CompletionPromptTokens(std::string_view prompt);

struct TextGenOptions {
  uint64_t seed = 0;
  // Natural output lengths: min_output_tokens plus an exponential tail with this mean.
  int min_output_tokens = 8;
  double mean_output_tokens = 160;
};

class TextGenerator {
 public:
  explicit TextGenerator(TextGenOptions options = {});

  // The length at which the output stops on its own ("stop", counting the EOS token), for a
  // request with `prompt`. Always >= 1.
  int NaturalOutputTokens(std::span<const uint32_t> prompt) const;

  // Text of output token `index` (0-based) of the request seeded by `request_seed`: a word
  // with its leading space (none for the first token), or punctuation. Never empty.
  std::string TokenText(uint64_t request_seed, int index) const;
  // Concatenated text of tokens [begin, end).
  std::string Text(uint64_t request_seed, int begin, int end) const;

  const TextGenOptions& options() const { return options_; }

 private:
  TextGenOptions options_;
};

}  // namespace infermetry::emulator
