#include "loadgen/prompt.h"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace infermetry::loadgen {
namespace {

constexpr std::string_view kWords[] = {
    "the",   "of",    "and",   "to",    "in",    "is",    "that",  "for",   "it",    "as",
    "was",   "with",  "be",    "by",    "on",    "not",   "he",    "this",  "are",   "or",
    "his",   "from",  "at",    "which", "but",   "have",  "an",    "had",   "they",  "you",
    "were",  "their", "one",   "all",   "we",    "can",   "her",   "has",   "there", "been",
    "if",    "more",  "when",  "will",  "would", "who",   "so",    "no",    "time",  "out",
    "up",    "into",  "what",  "about", "some",  "than",  "them",  "may",   "only",  "other",
    "new",   "two",   "first", "then",  "do",    "also",  "any",   "like",  "over",  "after",
    "could", "its",   "these", "most",  "made",  "such",  "make",  "work",  "well",  "way",
    "model", "data",  "cache", "token", "query", "light", "water", "world", "year",  "day",
    "state", "long",  "place", "small", "great", "group", "right", "point", "house", "hand",
    "part",  "life",  "case",  "need",  "high",  "end",   "line",  "order", "set",   "run",
};
constexpr uint64_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

}  // namespace

PromptGenerator::PromptGenerator(uint64_t seed, double shared_prefix)
    : seed_(seed), shared_prefix_(std::clamp(shared_prefix, 0.0, 1.0)) {}

std::string PromptGenerator::Make(int words, Rng* rng) const {
  words = std::max(words, 1);
  const int shared = static_cast<int>(std::floor(shared_prefix_ * words));
  std::string out;
  out.reserve(static_cast<size_t>(words) * 6);
  for (int i = 0; i < words; ++i) {
    // Word i of the shared prefix is a function of the seed and i alone.
    const uint64_t pick = i < shared ? Mix64(seed_ ^ Mix64(static_cast<uint64_t>(i))) % kWordCount
                                     : rng->Below(kWordCount);
    if (i > 0) out.push_back(' ');
    out.append(kWords[pick]);
  }
  return out;
}

}  // namespace infermetry::loadgen
