#pragma once
// Synthetic prompts of a chosen length, with an optional prefix shared by every prompt (what
// exercises a server's prefix cache, as a system prompt or RAG context would).
//
// Lengths are counted in words drawn from a list of short, common English words, each about
// one token for the usual LLM tokenizers (a word with its leading space); the server's usage
// figures give the exact token counts.
//
//   PromptGenerator g(/*seed=*/7, /*shared_prefix=*/0.5);
//   std::string p = g.Make(/*words=*/256, &rng);  // first 128 words the same in every prompt
//
// Deterministic: the shared prefix depends on the seed only, the rest on `rng`.
// Thread-safety: Make is const; each caller passes its own Rng.

#include <cstdint>
#include <string>

#include "loadgen/distribution.h"

namespace infermetry::loadgen {

class PromptGenerator {
 public:
  // `shared_prefix` is the fraction (clamped to [0, 1]) of each prompt's words taken from the
  // common prefix.
  PromptGenerator(uint64_t seed, double shared_prefix);

  // A prompt of `words` words (at least 1), separated by single spaces.
  std::string Make(int words, Rng* rng) const;

 private:
  uint64_t seed_;
  double shared_prefix_;
};

}  // namespace infermetry::loadgen
