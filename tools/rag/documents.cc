#include "rag/documents.h"

#include <algorithm>
#include <cctype>

namespace infermetry::rag {
namespace {

constexpr Passage kCorpus[] = {
    {"doc-01", "Time to first token",
     "Time to first token (TTFT) is the delay between a request arriving and the first output "
     "token streaming back. It is dominated by queueing and by the prefill phase, which grows "
     "with prompt length. TTFT is the latency users notice most in chat applications."},
    {"doc-02", "Inter-token latency",
     "Inter-token latency is the gap between consecutive output tokens while a response "
     "streams. It reflects the decode phase: every running request adds work to each engine "
     "step, so larger batches raise inter-token latency even when throughput improves."},
    {"doc-03", "KV cache usage",
     "The KV cache holds attention keys and values for every token in flight, in fixed-size "
     "blocks. When cache usage approaches one hundred percent, the scheduler must preempt "
     "running requests, which then recompute their prompt later and lose time."},
    {"doc-04", "Preemption",
     "A preemption evicts a running request from GPU memory to make room for others. A rising "
     "preemption rate together with high KV cache usage means the server needs more memory, "
     "fewer concurrent sequences, or another replica."},
    {"doc-05", "Request queue",
     "Requests wait in a queue until the scheduler has capacity. The number of waiting "
     "requests rises before latency degrades, which makes queue depth the earliest capacity "
     "warning for an inference server."},
    {"doc-06", "Prefix caching",
     "Prefix caching reuses the KV cache blocks of a prompt prefix already computed for an "
     "earlier request. Shared system prompts and retrieval context benefit most; the prefix "
     "cache hit rate shows how much prefill work is saved."},
    {"doc-07", "Distributed tracing",
     "Distributed tracing follows one request across services. A W3C traceparent header carries "
     "the trace id and the parent span id, so the inference server's span becomes a child of "
     "the application span that called it, forming one trace."},
    {"doc-08", "OpenTelemetry Collector",
     "The OpenTelemetry Collector receives traces over OTLP, scrapes Prometheus metrics, "
     "processes them in pipelines, and exports them to backends. Routing through a collector "
     "decouples instrumentation from export policy, retries and enrichment."},
    {"doc-09", "Prometheus metrics",
     "An inference server exposes Prometheus metrics on a metrics endpoint: counters for prompt "
     "and generation tokens, histograms for end-to-end latency and time to first token, and "
     "gauges for running and waiting requests."},
    {"doc-10", "Throughput and batching",
     "Continuous batching adds new requests to the running batch at every engine step instead "
     "of waiting for a batch to finish. Throughput in generated tokens per second rises with "
     "batch size until memory or compute becomes the limit."},
    {"doc-11", "Capacity planning",
     "Plan capacity from generation throughput per GPU, the arrival rate of requests and their "
     "prompt and output lengths. Keep latency targets for TTFT and inter-token latency at the "
     "99th percentile, not the mean."},
    {"doc-12", "Retrieval augmented generation",
     "Retrieval augmented generation retrieves passages relevant to a question and adds them to "
     "the prompt, so the model answers from that context. Longer context raises prompt tokens "
     "and therefore prefill time and time to first token."},
};

constexpr std::string_view kStopwords[] = {
    "about", "and",  "are",   "but",   "can", "does",  "for",  "from",  "has",  "have", "how",
    "into",  "its",  "not",   "that",  "the", "their", "then", "there", "they", "this", "was",
    "what",  "when", "where", "which", "who", "why",   "will", "with",  "you",  "your",
};

}  // namespace

std::span<const Passage> Corpus() { return kCorpus; }

std::vector<std::string> Terms(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 3 &&
        std::find(std::begin(kStopwords), std::end(kStopwords), word) == std::end(kStopwords)) {
      out.push_back(word);
    }
    word.clear();
  };
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      word.push_back(static_cast<char>(std::tolower(u)));
    } else {
      flush();
    }
  }
  flush();
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<Retrieved> Retrieve(std::string_view question, int k) {
  const std::vector<std::string> q = Terms(question);
  std::vector<Retrieved> scored;
  for (const Passage& p : kCorpus) {
    const std::vector<std::string> terms = Terms(std::string(p.title) + " " + std::string(p.text));
    int score = 0;
    for (const std::string& t : q) score += std::binary_search(terms.begin(), terms.end(), t);
    scored.push_back({&p, score});
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Retrieved& a, const Retrieved& b) { return a.score > b.score; });
  scored.resize(std::min<size_t>(scored.size(), static_cast<size_t>(std::max(k, 0))));
  return scored;
}

}  // namespace infermetry::rag
