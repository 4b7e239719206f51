#include "loadgen/client.h"

#include "common/http_client.h"
#include "loadgen/sse.h"

namespace infermetry::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

constexpr size_t kMaxErrorBody = 64 << 10;  // kept of a non-200 answer, for its message

http::ClientRequest MakeHttpRequest(const Target& t, std::string method, std::string path) {
  http::ClientRequest r;
  r.method = std::move(method);
  r.url = t.base_url + path;
  r.timeout = t.timeout;
  r.headers = t.headers;
  if (!t.api_key.empty()) r.headers.emplace_back("Authorization", "Bearer " + t.api_key);
  return r;
}

void SetTransportError(const Status& st, RequestResult* out) {
  out->ok = false;
  out->error_message = st.message();
  switch (st.code()) {
    case Code::kUnavailable:
      out->error_kind = "connection";
      break;
    case Code::kDeadlineExceeded:
      out->error_kind = "timeout";
      break;
    case Code::kCancelled:
      out->error_kind = "cancelled";
      break;
    default:
      out->error_kind = "transport";
  }
}

void SetHttpError(int status, std::string_view body, RequestResult* out) {
  out->ok = false;
  out->error_kind = "http_" + std::to_string(status);
  out->error_message = ErrorMessage(body);
}

void ExecuteStream(const Target& target, const CompletionRequest& req, Clock::time_point sent,
                   const std::atomic<bool>* cancel, RequestResult* out) {
  http::ClientRequest hr = MakeHttpRequest(target, "POST", std::string(EndpointPath(req.endpoint)));
  hr.headers.emplace_back("Content-Type", "application/json");
  hr.headers.emplace_back("Accept", "text/event-stream");
  hr.body = BuildRequestBody(req);
  hr.accept_gzip = false;  // a compressing server may hold chunks back

  SseParser parser;
  std::string error_body;
  bool done = false;
  std::optional<std::string> stream_error;
  std::optional<Status> bad;
  std::optional<Usage> usage;
  int content_chunks = 0;
  Clock::time_point last;
  auto on_event = [&](const SseEvent& e) {
    if (done || bad) return;
    Result<StreamChunk> chunk = ParseStreamData(e.data);
    if (!chunk.ok()) {
      bad = chunk.status();
      return;
    }
    if (chunk->done) {
      done = true;
      return;
    }
    if (chunk->error && !stream_error) stream_error = chunk->error;
    if (chunk->usage) usage = chunk->usage;
    if (!chunk->content.empty()) {
      const Clock::time_point now = Clock::now();
      if (content_chunks == 0) {
        out->ttft = Seconds(now - sent);
      } else {
        out->itl.push_back(Seconds(now - last));
      }
      last = now;
      ++content_chunks;
    }
  };
  auto r = http::FetchStream(hr, [&](const http::ClientResponse& head, std::string_view piece) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return false;
    if (head.status != 200) {
      if (error_body.size() < kMaxErrorBody) error_body.append(piece);
      return true;
    }
    parser.Feed(piece, on_event);
    return true;
  });
  out->e2e = Seconds(Clock::now() - sent);
  if (!r.ok()) {
    SetTransportError(r.status(), out);
    return;
  }
  out->http_status = r->status;
  if (r->status != 200) return SetHttpError(r->status, error_body, out);
  if (bad) {
    out->error_kind = "bad_response";
    out->error_message = bad->message();
    return;
  }
  if (stream_error) {
    out->error_kind = "stream_error";
    out->error_message = *stream_error;
    return;
  }
  if (!done) {
    out->error_kind = "incomplete_stream";
    out->error_message = "the stream ended without data: [DONE]";
    return;
  }
  out->ok = true;
  if (usage) {
    out->usage_reported = true;
    out->prompt_tokens = usage->prompt_tokens;
    out->completion_tokens = usage->completion_tokens;
  } else {
    out->completion_tokens = content_chunks;
  }
}

void ExecuteUnary(const Target& target, const CompletionRequest& req, Clock::time_point sent,
                  RequestResult* out) {
  http::ClientRequest hr = MakeHttpRequest(target, "POST", std::string(EndpointPath(req.endpoint)));
  hr.headers.emplace_back("Content-Type", "application/json");
  hr.body = BuildRequestBody(req);
  auto r = http::Fetch(hr);
  out->e2e = Seconds(Clock::now() - sent);
  if (!r.ok()) return SetTransportError(r.status(), out);
  out->http_status = r->status;
  if (r->status != 200) return SetHttpError(r->status, r->body, out);
  auto parsed = ParseCompletionResponse(r->body);
  if (!parsed.ok()) {
    out->error_kind = "bad_response";
    out->error_message = parsed.status().message();
    return;
  }
  out->ok = true;
  if (parsed->usage) {
    out->usage_reported = true;
    out->prompt_tokens = parsed->usage->prompt_tokens;
    out->completion_tokens = parsed->usage->completion_tokens;
  }
}

}  // namespace

std::string NormalizeBaseUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.ends_with("/v1")) url.resize(url.size() - 3);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

RequestResult Execute(const Target& target, const CompletionRequest& req, Clock::time_point epoch,
                      const std::atomic<bool>* cancel) {
  RequestResult out;
  const Clock::time_point sent = Clock::now();
  out.start = Seconds(sent - epoch);
  if (req.stream) {
    ExecuteStream(target, req, sent, cancel, &out);
  } else {
    ExecuteUnary(target, req, sent, &out);
  }
  return out;
}

Result<std::vector<std::string>> ListModels(const Target& target) {
  http::ClientRequest hr = MakeHttpRequest(target, "GET", "/v1/models");
  hr.timeout = std::min(target.timeout, std::chrono::milliseconds(30000));
  INFERMETRY_ASSIGN_OR_RETURN(http::ClientResponse r, http::Fetch(hr));
  if (r.status != 200) {
    return Unavailable("GET " + hr.url + ": HTTP " + std::to_string(r.status) + ": " +
                       ErrorMessage(r.body));
  }
  auto ids = ParseModelList(r.body);
  if (!ids.ok()) return ids.status().WithContext("GET " + hr.url);
  return ids;
}

}  // namespace infermetry::loadgen
