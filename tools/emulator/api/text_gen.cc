#include "emulator/api/text_gen.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace infermetry::emulator {
namespace {

constexpr size_t kFirstPieceMax = 7;  // letters in the first piece of a word
constexpr size_t kLaterPieceMax = 6;  // letters in each later piece
constexpr size_t kDigitGroup = 3;

// Ids produced for pieces: above the byte range, below the special tokens.
constexpr uint32_t kFirstPieceId = 256;
constexpr uint32_t kPieceIds = kImStartToken - kFirstPieceId;

bool IsLetter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || c == '\'';
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

uint32_t PieceId(std::string_view piece) {
  return kFirstPieceId + static_cast<uint32_t>(Fnv1a(piece) % kPieceIds);
}

// Calls emit(piece) for every piece of `text`, left to right.
template <typename Emit>
void ForEachPiece(std::string_view text, Emit emit) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    // A single space directly before a letter or digit run belongs to that run's first piece.
    size_t start = i;
    size_t run = i;
    if (c == ' ' && i + 1 < n &&
        (IsLetter(static_cast<unsigned char>(text[i + 1])) ||
         IsDigit(static_cast<unsigned char>(text[i + 1])))) {
      run = i + 1;
    }
    const unsigned char r = static_cast<unsigned char>(text[run]);
    if (IsLetter(r)) {
      size_t end = run;
      while (end < n && IsLetter(static_cast<unsigned char>(text[end]))) ++end;
      size_t limit = kFirstPieceMax;
      size_t pos = run;
      while (pos < end) {
        const size_t take = std::min(limit, end - pos);
        emit(text.substr(start, pos + take - start));
        pos += take;
        start = pos;
        limit = kLaterPieceMax;
      }
      i = end;
    } else if (IsDigit(r)) {
      size_t end = run;
      while (end < n && IsDigit(static_cast<unsigned char>(text[end]))) ++end;
      size_t pos = run;
      while (pos < end) {
        const size_t take = std::min(kDigitGroup, end - pos);
        emit(text.substr(start, pos + take - start));
        pos += take;
        start = pos;
      }
      i = end;
    } else {
      emit(text.substr(i, 1));
      ++i;
    }
  }
}

constexpr std::string_view kWords[] = {
    "the",         "of",         "and",       "to",        "in",          "a",         "is",
    "that",        "for",        "it",        "as",        "was",         "with",      "be",
    "by",          "on",         "not",       "he",        "this",        "are",       "or",
    "his",         "from",       "at",        "which",     "but",         "have",      "an",
    "had",         "they",       "you",       "were",      "their",       "one",       "all",
    "we",          "can",        "her",       "has",       "there",       "been",      "if",
    "more",        "when",       "will",      "would",     "who",         "so",        "no",
    "model",       "request",    "token",     "server",    "cache",       "memory",    "latency",
    "batch",       "system",     "data",      "time",      "result",      "value",     "example",
    "first",       "second",     "new",       "other",     "some",        "these",     "many",
    "because",     "between",    "through",   "during",    "without",     "within",    "about",
    "important",   "different",  "possible",  "available", "following",   "several",   "general",
    "process",     "question",   "answer",    "context",   "response",    "document",  "section",
    "simple",      "complex",    "useful",    "common",    "specific",    "efficient", "reliable",
    "describe",    "explain",    "consider",  "provide",   "include",     "require",   "support",
    "improve",     "increase",   "reduce",    "measure",   "observe",     "compare",   "change",
    "each",        "most",       "only",      "also",      "very",        "well",      "just",
    "into",        "over",       "after",     "before",    "under",       "while",     "where",
    "how",         "what",       "why",       "then",      "than",        "them",      "these",
    "people",      "world",      "number",    "part",      "place",       "case",      "point",
    "group",       "problem",    "fact",      "way",       "information", "approach",  "method",
    "performance", "throughput", "scheduler", "prefix",    "sequence",    "inference", "engine",
    "prompt",      "output",     "input",     "layer",     "weights",     "attention", "kernel",
    "queue",       "user",       "service",   "metric",    "trace",       "signal",
};

// Punctuation candidates; a candidate becomes punctuation unless the token before it is also a
// candidate, so two punctuation tokens never follow each other.
int Candidate(uint64_t seed, int index) {
  if (index <= 0) return 0;
  const uint64_t h = Mix(seed, static_cast<uint64_t>(index));
  if (h % 13 == 0) return 1;
  if (h % 17 == 0) return 2;
  return 0;
}

// What token `index` of a request is: 0 word, 1 period, 2 comma.
int Kind(uint64_t seed, int index) {
  const int c = Candidate(seed, index);
  return c != 0 && Candidate(seed, index - 1) == 0 ? c : 0;
}

// A role name is one token, as "system", "user" and "assistant" are in real vocabularies.
uint32_t RoleToken(std::string_view role) { return PieceId("\x01role:" + std::string(role)); }

}  // namespace

uint64_t Fnv1a(std::string_view s, uint64_t seed) {
  uint64_t h = seed;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t Mix(uint64_t a, uint64_t b) {
  // splitmix64 finalizer over a combination of both.
  uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void AppendTokens(std::string_view text, std::vector<uint32_t>* out) {
  ForEachPiece(text, [out](std::string_view piece) { out->push_back(PieceId(piece)); });
}

std::vector<uint32_t> Tokenize(std::string_view text) {
  std::vector<uint32_t> out;
  AppendTokens(text, &out);
  return out;
}

int CountTokens(std::string_view text) {
  int n = 0;
  ForEachPiece(text, [&n](std::string_view) { ++n; });
  return n;
}

std::vector<uint32_t> ChatPromptTokens(std::span<const ChatTurn> messages) {
  std::vector<uint32_t> out;
  const uint32_t newline = PieceId("\n");
  for (const ChatTurn& m : messages) {
    out.push_back(kImStartToken);
    out.push_back(RoleToken(m.role));
    out.push_back(newline);
    AppendTokens(m.content, &out);
    out.push_back(kImEndToken);
    out.push_back(newline);
  }
  out.push_back(kImStartToken);
  out.push_back(RoleToken("assistant"));
  out.push_back(newline);
  return out;
}

std::vector<uint32_t> CompletionPromptTokens(std::string_view prompt) {
  std::vector<uint32_t> out{kBosToken};
  AppendTokens(prompt, &out);
  return out;
}

TextGenerator::TextGenerator(TextGenOptions options) : options_(options) {}

int TextGenerator::NaturalOutputTokens(std::span<const uint32_t> prompt) const {
  uint64_t h = options_.seed;
  for (uint32_t t : prompt) h = Mix(h, t);
  // Uniform in (0, 1), then an exponential tail above the minimum.
  const double u = (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0;
  const double tail = std::max(0.0, options_.mean_output_tokens - options_.min_output_tokens);
  const double len = options_.min_output_tokens - std::log(u) * tail;
  return std::max(1, static_cast<int>(std::min(len, 1e9)));
}

std::string TextGenerator::TokenText(uint64_t request_seed, int index) const {
  const int kind = Kind(request_seed, index);
  if (kind == 1) return ".";
  if (kind == 2) return ",";
  const uint64_t h = Mix(request_seed ^ 0x5bd1e995ULL, static_cast<uint64_t>(index));
  std::string word(kWords[h % std::size(kWords)]);
  const bool sentence_start = index == 0 || Kind(request_seed, index - 1) == 1;
  if (sentence_start && word[0] >= 'a' && word[0] <= 'z') word[0] = static_cast<char>(word[0] - 32);
  return index == 0 ? word : " " + word;
}

std::string TextGenerator::Text(uint64_t request_seed, int begin, int end) const {
  std::string out;
  for (int i = begin; i < end; ++i) out += TokenText(request_seed, i);
  return out;
}

}  // namespace infermetry::emulator
