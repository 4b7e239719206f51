#pragma once
// The work behind one RAG query, below the rag.query span: retrieval (rag.retrieve) and the
// call to vLLM (rag.generate), each a child span of the query's context when tracing.
// Used by RagApp; not an API of its own.
//
// Thread-safety: Answer may run concurrently.

#include <string>

#include "common/result.h"
#include "rag/rag_app.h"

namespace infermetry::rag {

// Trace headers to hand to vLLM unchanged when this app makes no spans of its own.
struct PassThrough {
  std::string traceparent;
  std::string tracestate;
};

class Pipeline {
 public:
  explicit Pipeline(const RagOptions& options) : options_(options) {}

  // Retrieves passages for `request.question` and asks vLLM to answer from them. `query` is
  // the context of the rag.query span (null without tracing; `pass` is then forwarded).
  // REQUIRES: the request was validated (non-empty question, max_tokens >= 1).
  // kUnavailable naming vLLM's URL when vLLM cannot be reached, answers an error status, or
  // answers something that is not a completion.
  Result<QueryAnswer> Answer(const QueryRequest& request, const telemetry::TraceContext* query,
                             const PassThrough& pass) const;

 private:
  const RagOptions& options_;
};

// The prompt for `question` given the retrieved passages (exposed for tests).
std::string BuildPrompt(const std::string& question, const std::vector<std::string>& passages);

}  // namespace infermetry::rag
