#pragma once
// One request against an OpenAI-compatible server, timed the way a user would feel it: when
// it was sent, when the first content arrived (TTFT), the gaps between content chunks (ITL),
// and when the response ended (e2e). Streaming responses are read as server-sent events as
// they arrive.
//
// Classification of the outcome (RequestResult::error_kind):
//   connection         refused, reset, DNS, TLS (the client's kUnavailable)
//   timeout            the request's timeout passed
//   http_<status>      any status but 200 (error_message from the error body)
//   stream_error       an in-band {"error": ...} event in a stream
//   incomplete_stream  the stream ended without "data: [DONE]"
//   bad_response       a body or event that is not the expected JSON
//   cancelled          the run was stopped while the request was in flight
//   transport          any other client error
//
// Thread-safety: Execute may run concurrently on any number of threads.

#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "loadgen/openai.h"
#include "loadgen/stats.h"

namespace infermetry::loadgen {

struct Target {
  std::string base_url;  // "http://127.0.0.1:8000", no trailing '/' nor "/v1"
  std::string api_key;   // sent as "Authorization: Bearer <key>" when non-empty
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  std::chrono::milliseconds timeout{600000};
};

// "http://h:8000/", "http://h:8000/v1" and "http://h:8000" all become "http://h:8000".
std::string NormalizeBaseUrl(std::string url);

// Sends `req` and measures it. `epoch` is the run's start (RequestResult::start is relative
// to it). `cancel`, when set during a streamed request, aborts it at the next chunk.
RequestResult Execute(const Target& target, const CompletionRequest& req,
                      std::chrono::steady_clock::time_point epoch,
                      const std::atomic<bool>* cancel = nullptr);

// GET {base}/v1/models: the served model ids.
Result<std::vector<std::string>> ListModels(const Target& target);

}  // namespace infermetry::loadgen
