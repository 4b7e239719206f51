// Routes, middleware and the small endpoints of OpenAiApi; generation is in
// openai_generate.cc.

#include "emulator/api/openai_api.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "common/gzip.h"
#include "emulator/api/openai_errors.h"

namespace infermetry::emulator {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kJson = "application/json";

// Every method+path the API serves, for telling 405 from 404.
struct KnownRoute {
  std::string_view path;
  std::string_view allow;
};
constexpr KnownRoute kKnownRoutes[] = {
    {"/v1/completions", "POST"},
    {"/v1/chat/completions", "POST"},
    {"/v1/models", "GET"},
    {"/health", "GET"},
    {"/ping", "GET, POST"},
    {"/version", "GET"},
    {"/load", "GET"},
};

bool IsGuarded(std::string_view path) {
  for (std::string_view prefix : {"/v1", "/v2", "/inference"}) {
    if (path.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

int64_t RequestBytes(const http::Request& req) {
  const std::string_view v = req.Header("Content-Length");
  if (v.empty()) return 0;
  char* end = nullptr;
  const long long n = std::strtoll(std::string(v).c_str(), &end, 10);
  return n > 0 ? n : 0;
}

// RFC 9110 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::time_t t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// Records the http_* sample of a streamed response when its producer goes away (finished or
// abandoned), which is when the instrumentator's middleware returns.
class HttpRecord {
 public:
  HttpRecord(VllmMetrics* metrics, std::string handler, std::string method, int status,
             int64_t request_bytes, Clock::time_point start)
      : metrics_(metrics),
        handler_(std::move(handler)),
        method_(std::move(method)),
        status_(status),
        request_bytes_(request_bytes),
        start_(start) {}
  ~HttpRecord() {
    metrics_->RecordHttp(handler_, method_, status_, request_bytes_, 0,
                         std::chrono::duration<double>(Clock::now() - start_).count());
  }

 private:
  VllmMetrics* metrics_;
  std::string handler_;
  std::string method_;
  int status_;
  int64_t request_bytes_;
  Clock::time_point start_;
};

}  // namespace

std::string DefaultFingerprint(std::string_view vllm_version, std::string_view model,
                               uint64_t seed) {
  static constexpr char kHex[] = "0123456789abcdef";
  const uint64_t h = Mix(Fnv1a(model), seed);
  std::string hex;
  for (int i = 0; i < 8; ++i) hex += kHex[(h >> (60 - 4 * i)) & 0xf];
  return "vllm-" + std::string(vllm_version) + "-" + hex;
}

OpenAiApi::OpenAiApi(ApiOptions options, ApiBackends backends)
    : options_(std::move(options)), backends_(backends), text_(options_.text) {}

OpenAiApi::~OpenAiApi() = default;

void OpenAiApi::Register(http::Router* router) {
  auto bind = [this](void (OpenAiApi::*m)(const http::Request&, http::Response*)) -> Inner {
    return [this, m](const http::Request& req, http::Response* resp) { (this->*m)(req, resp); };
  };
  router->Handle("POST", "/v1/completions", "v1_completions",
                 Wrap("/v1/completions", bind(&OpenAiApi::HandleCompletions)));
  router->Handle("POST", "/v1/chat/completions", "v1_chat_completions",
                 Wrap("/v1/chat/completions", bind(&OpenAiApi::HandleChat)));
  router->Handle("GET", "/v1/models", "v1_models",
                 Wrap("/v1/models", bind(&OpenAiApi::HandleModels)));
  router->Handle("GET", "/health", "health", Wrap("/health", bind(&OpenAiApi::HandleHealth)));
  router->Handle("GET", "/ping", "ping", Wrap("/ping", bind(&OpenAiApi::HandleHealth)));
  router->Handle("POST", "/ping", "ping", Wrap("/ping", bind(&OpenAiApi::HandleHealth)));
  router->Handle("GET", "/version", "version",
                 Wrap("/version", [this](const http::Request&, http::Response* resp) {
                   resp->body = VersionJson(options_.vllm_version);
                   resp->SetContentType(kJson);
                 }));
  router->Handle("GET", "/load", "load",
                 Wrap("/load", [this](const http::Request&, http::Response* resp) {
                   resp->body = LoadJson(server_load_.load());
                   resp->SetContentType(kJson);
                 }));
  // vLLM mounts its metrics app on ^/metrics(.*)$, so every path starting so serves metrics.
  router->HandlePrefix("GET", "/metrics", "metrics",
                       Wrap("/metrics", bind(&OpenAiApi::HandleMetrics)));
  router->HandlePrefix("*", "/", "unmatched", Wrap("none", bind(&OpenAiApi::HandleUnknown)));
}

http::Handler OpenAiApi::Wrap(std::string handler_label, Inner inner) {
  return [this, label = std::move(handler_label), inner = std::move(inner)](
             const http::Request& req, http::Response* resp) { Serve(label, inner, req, resp); };
}

bool OpenAiApi::Authorized(const http::Request& req) const {
  const std::string_view value = req.Header("Authorization");
  const size_t space = value.find(' ');
  const std::string_view scheme = value.substr(0, space);
  const std::string_view token =
      space == std::string_view::npos ? std::string_view() : value.substr(space + 1);
  return !value.empty() && http::EqualsIgnoreCase(scheme, "bearer") && token == options_.api_key;
}

void OpenAiApi::Serve(const std::string& handler_label, const Inner& inner,
                      const http::Request& req, http::Response* resp) {
  const Clock::time_point start = Clock::now();
  if (!options_.api_key.empty() && req.method != "OPTIONS" && IsGuarded(req.path) &&
      !Authorized(req)) {
    resp->status = 401;
    resp->body = std::string(kUnauthorizedBody);
    resp->SetContentType(kJson);
  } else {
    inner(req, resp);
  }
  // uvicorn's default headers, on every response.
  resp->AddHeader("date", HttpDate(std::time(nullptr)));
  resp->AddHeader("server", "uvicorn");
  if (options_.enable_request_id_headers) {
    const std::string_view given = req.Header("X-Request-Id");
    resp->AddHeader("X-Request-Id", given.empty() ? RandomHex(32) : std::string(given));
  }
  if (backends_.metrics == nullptr) return;
  const int64_t request_bytes = RequestBytes(req);
  if (!resp->streamed()) {
    backends_.metrics->RecordHttp(handler_label, req.method, resp->status, request_bytes,
                                  static_cast<int64_t>(resp->body.size()),
                                  std::chrono::duration<double>(Clock::now() - start).count());
    return;
  }
  auto record = std::make_shared<HttpRecord>(backends_.metrics, handler_label, req.method,
                                             resp->status, request_bytes, start);
  resp->stream = [next = std::move(resp->stream), record](std::string* chunk) {
    return next(chunk);
  };
}

void OpenAiApi::HandleModels(const http::Request&, http::Response* resp) {
  ModelCard card;
  card.id = options_.served_model_name;
  card.root = options_.model_path.empty() ? options_.served_model_name : options_.model_path;
  card.created = static_cast<int64_t>(std::time(nullptr));
  card.max_model_len = options_.max_model_len;
  card.permission_id = "modelperm-" + RandomHex(16);
  resp->body = ModelListJson(card);
  resp->SetContentType(kJson);
}

void OpenAiApi::HandleHealth(const http::Request&, http::Response* resp) {
  resp->status = healthy() ? 200 : 503;
  resp->body.clear();
}

void OpenAiApi::HandleMetrics(const http::Request& req, http::Response* resp) {
  if (backends_.metrics == nullptr) {
    resp->status = 404;
    resp->body = std::string(kNotFoundBody);
    resp->SetContentType(kJson);
    return;
  }
  resp->body = backends_.metrics->Render(Runner::WallNow());
  resp->SetContentType(backends_.metrics->content_type());
  // /metrics itself is the instrumentator's uncompressed route; every other path reaches
  // prometheus_client's mounted app, which gzips whenever the client mentions gzip.
  if (req.path != "/metrics" && req.Header("Accept-Encoding").find("gzip") != std::string::npos) {
    Result<std::string> gz = http::GzipCompress(resp->body);
    if (gz.ok()) {
      resp->body = std::move(*gz);
      resp->SetHeader("Content-Encoding", "gzip");
    }
  }
}

void OpenAiApi::HandleUnknown(const http::Request& req, http::Response* resp) {
  resp->SetContentType(kJson);
  for (const KnownRoute& r : kKnownRoutes) {
    if (r.path == req.path) {
      resp->status = 405;
      resp->body = std::string(kMethodNotAllowedBody);
      resp->SetHeader("Allow", r.allow);
      return;
    }
  }
  resp->status = 404;
  resp->body = std::string(kNotFoundBody);
}

std::string OpenAiApi::RandomHex(int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(static_cast<size_t>(digits));
  uint64_t h = 0;
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 0) {
      // Unpredictable across processes unless a seed is given.
      const uint64_t base = options_.id_seed != 0
                                ? options_.id_seed
                                : static_cast<uint64_t>(Clock::now().time_since_epoch().count());
      h = Mix(base, id_counter_.fetch_add(1));
    }
    out += kHex[(h >> (60 - 4 * (i % 16))) & 0xf];
  }
  return out;
}

}  // namespace infermetry::emulator
