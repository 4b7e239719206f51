#pragma once
// The RAG demo's knowledge base: a small built-in set of passages about serving and observing
// LLMs, and a deterministic keyword retriever over it (the stand-in for an embedding model and
// a vector store).
//
// Retrieve scores each passage by the number of distinct question terms it contains (terms:
// lower-cased runs of letters and digits, at least 3 long, common English words left out) and
// returns the `k` best, highest score first, ties in corpus order. Passages that share no term
// with the question still fill the k places, after those that do.
//
// Thread-safety: everything here is immutable; safe from any thread.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace infermetry::rag {

struct Passage {
  std::string_view id;  // "doc-01"
  std::string_view title;
  std::string_view text;
};

// The built-in corpus, in a fixed order.
std::span<const Passage> Corpus();

struct Retrieved {
  const Passage* passage;
  int score;  // distinct question terms found in the passage
};

std::vector<Retrieved> Retrieve(std::string_view question, int k);

// The distinct terms of `text`, sorted (exposed for tests).
std::vector<std::string> Terms(std::string_view text);

}  // namespace infermetry::rag
