#include "common/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <system_error>

#include "common/strconv.h"

namespace infermetry::http {
namespace {

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// The URL without "user:password@", for error messages.
std::string RedactUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t authority = scheme_end + 3;
  const size_t authority_end = url.find_first_of("/?#", authority);
  const size_t at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority) return std::string(url);
  return std::string(url.substr(0, authority)) + std::string(url.substr(at + 1));
}

bool HasHeader(const ClientRequest& req, std::string_view name) {
  return std::any_of(req.headers.begin(), req.headers.end(),
                     [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

struct UrlParts {
  std::string scheme;
  std::string host;  // IPv6 in brackets
  std::string port;  // explicit or the scheme's default
  std::string with_host_replaced;
};

// Parses `url` with curl's URL API; when `new_host` is non-empty, also renders the URL with
// its host replaced.
Result<UrlParts> ParseUrl(const std::string& url, const std::string& new_host) {
  CURLU* u = curl_url();
  if (u == nullptr) return Internal("curl_url failed");
  std::unique_ptr<CURLU, void (*)(CURLU*)> guard(u, curl_url_cleanup);
  if (CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK) {
    return InvalidArgument("bad URL \"" + RedactUrl(url) + "\": " + curl_url_strerror(rc));
  }
  UrlParts parts;
  auto get = [&](CURLUPart part, unsigned flags, std::string* out) {
    char* v = nullptr;
    if (curl_url_get(u, part, &v, flags) == CURLUE_OK && v != nullptr) *out = v;
    curl_free(v);
  };
  get(CURLUPART_SCHEME, 0, &parts.scheme);
  get(CURLUPART_HOST, 0, &parts.host);
  get(CURLUPART_PORT, CURLU_DEFAULT_PORT, &parts.port);
  if (!new_host.empty()) {
    if (curl_url_set(u, CURLUPART_HOST, new_host.c_str(), 0) != CURLUE_OK) {
      return InvalidArgument("bad TLS server name \"" + new_host + "\"");
    }
    get(CURLUPART_URL, 0, &parts.with_host_replaced);
  }
  return parts;
}

Code CodeForCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return Code::kDeadlineExceeded;
    case CURLE_FILESIZE_EXCEEDED:
      return Code::kResourceExhausted;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Code::kInvalidArgument;
    case CURLE_BAD_CONTENT_ENCODING:
      return Code::kParseError;
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return Code::kInternal;
    default:
      // Refused, DNS, unreachable, reset, empty reply, TLS handshake and verification, ...
      return Code::kUnavailable;
  }
}

std::string_view CauseForCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
      return "connection failed";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "DNS lookup failed";
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "proxy DNS lookup failed";
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out";
    case CURLE_GOT_NOTHING:
      return "empty reply";
    case CURLE_SEND_ERROR:
      return "send failed";
    case CURLE_RECV_ERROR:
      return "receive failed";
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS handshake failed";
    case CURLE_PEER_FAILED_VERIFICATION:
      return "TLS certificate verification failed";
    case CURLE_SSL_CERTPROBLEM:
      return "TLS client certificate problem";
    case CURLE_SSL_CACERT_BADFILE:
      return "TLS CA file problem";
    case CURLE_FILESIZE_EXCEEDED:
      return "response too large";
    default:
      return "request failed";
  }
}

}  // namespace

std::string_view ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

void EnsureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_ALL); });
}

EasyTransfer::EasyTransfer() : error_buffer_(new char[CURL_ERROR_SIZE]) { error_buffer_[0] = '\0'; }

EasyTransfer::~EasyTransfer() {
  curl_slist_free_all(header_list_);
  curl_slist_free_all(connect_to_);
}

size_t EasyTransfer::OnBody(char* data, size_t size, size_t n, void* self_ptr) {
  auto* self = static_cast<EasyTransfer*>(self_ptr);
  const size_t len = size * n;
  if (self->on_chunk_) {
    if (len == 0) return 0;
    if (self->response_.status == 0) {
      // Body bytes only come from the final response, whose status line is in by now.
      long status = 0;
      curl_easy_getinfo(self->handle_, CURLINFO_RESPONSE_CODE, &status);
      self->response_.status = static_cast<int>(status);
    }
    if (!self->on_chunk_(self->response_, std::string_view(data, len))) {
      self->aborted_ = true;
      return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
    return len;
  }
  if (len > self->max_response_bytes_ - self->response_.body.size()) {
    self->too_large_ = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  self->response_.body.append(data, len);
  return len;
}

size_t EasyTransfer::OnHeader(char* data, size_t size, size_t n, void* self_ptr) {
  auto* self = static_cast<EasyTransfer*>(self_ptr);
  const size_t len = size * n;
  std::string_view line(data, len);
  if (line.substr(0, 5) == "HTTP/") {
    // A new response begins (after 100 Continue or a redirect): keep only the last one's.
    self->response_.headers.clear();
    return len;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;  // blank line or folded continuation
  self->response_.headers.emplace_back(std::string(TrimSpace(line.substr(0, colon))),
                                       std::string(TrimSpace(line.substr(colon + 1))));
  return len;
}

Status EasyTransfer::Configure(CURL* h, const ClientRequest& req, BodyChunkHandler on_chunk) {
  EnsureCurlInitialized();
  curl_easy_reset(h);
  on_chunk_ = std::move(on_chunk);
  handle_ = h;
  aborted_ = false;
  curl_slist_free_all(header_list_);
  curl_slist_free_all(connect_to_);
  header_list_ = nullptr;
  connect_to_ = nullptr;
  response_ = ClientResponse();
  too_large_ = false;
  error_buffer_[0] = '\0';
  method_ = req.method.empty() ? "GET" : req.method;
  url_ = RedactUrl(req.url);
  effective_url_ = req.url;
  body_ = req.body;
  max_response_bytes_ = req.max_response_bytes;

  std::string host_header;
  const bool override_name = !req.tls.server_name.empty();
  if (override_name) {
    INFERMETRY_ASSIGN_OR_RETURN(UrlParts parts, ParseUrl(req.url, req.tls.server_name));
    if (EqualsIgnoreCase(parts.scheme, "https") && !EqualsIgnoreCase(parts.host, req.tls.server_name)) {
      // Connect to the URL's host but handshake (SNI and verification) as server_name.
      effective_url_ = parts.with_host_replaced;
      connect_to_entry_ =
          req.tls.server_name + ":" + parts.port + ":" + parts.host + ":" + parts.port;
      connect_to_ = curl_slist_append(nullptr, connect_to_entry_.c_str());
      host_header = "Host: " + parts.host + (parts.port == "443" ? "" : ":" + parts.port);
    }
  }

  CURLcode rc = CURLE_OK;
  auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  set(curl_easy_setopt(h, CURLOPT_URL, effective_url_.c_str()));
  set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer_.get()));
  set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
#if LIBCURL_VERSION_NUM >= 0x075500
  set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"));
#endif
  set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count())));
  set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(req.connect_timeout.count())));
  set(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &EasyTransfer::OnBody));
  set(curl_easy_setopt(h, CURLOPT_WRITEDATA, this));
  set(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &EasyTransfer::OnHeader));
  set(curl_easy_setopt(h, CURLOPT_HEADERDATA, this));
  if (req.accept_gzip) set(curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip"));
  set(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L));
  if (req.follow_redirects) set(curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L));
  set(curl_easy_setopt(h, CURLOPT_PROXY, req.proxy_url.c_str()));  // "" disables env proxies

  if (method_ == "HEAD") {
    set(curl_easy_setopt(h, CURLOPT_NOBODY, 1L));
  } else if (method_ == "POST" || !body_.empty()) {
    set(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size())));
    set(curl_easy_setopt(h, CURLOPT_POSTFIELDS, body_.data()));
    if (method_ != "POST") set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method_.c_str()));
  } else if (method_ != "GET") {
    set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method_.c_str()));
  }

  for (const auto& [name, value] : req.headers) {
    // "Name;" is curl's spelling of a header sent with an empty value.
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    header_list_ = curl_slist_append(header_list_, line.c_str());
  }
  // Send bodies at once rather than waiting up to a second for "100 Continue".
  if (!HasHeader(req, "Expect")) header_list_ = curl_slist_append(header_list_, "Expect:");
  if (!HasHeader(req, "User-Agent")) {
    header_list_ = curl_slist_append(header_list_, "User-Agent: infermetry");
  }
  if (!host_header.empty() && !HasHeader(req, "Host")) {
    header_list_ = curl_slist_append(header_list_, host_header.c_str());
  }
  set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list_));

  if (!req.basic_user.empty()) {
    set(curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)));
    set(curl_easy_setopt(h, CURLOPT_USERNAME, req.basic_user.c_str()));
    set(curl_easy_setopt(h, CURLOPT_PASSWORD, req.basic_password.c_str()));
  }

  const TlsOptions& tls = req.tls;
  if (!tls.ca_file.empty()) set(curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str()));
  if (!tls.cert_file.empty()) set(curl_easy_setopt(h, CURLOPT_SSLCERT, tls.cert_file.c_str()));
  if (!tls.key_file.empty()) set(curl_easy_setopt(h, CURLOPT_SSLKEY, tls.key_file.c_str()));
  if (tls.insecure_skip_verify) {
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L));
  }
  if (connect_to_ != nullptr) set(curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to_));

  if (rc != CURLE_OK) {
    return InvalidArgument(method_ + " " + url_ +
                           ": cannot configure request: " + curl_easy_strerror(rc));
  }
  return Status::Ok();
}

Result<ClientResponse> EasyTransfer::Finish(CURL* h, int curl_code) {
  const auto rc = static_cast<CURLcode>(curl_code);
  if (rc != CURLE_OK) {
    const std::string prefix = method_ + " " + url_ + ": ";
    if (aborted_) return Status(Code::kCancelled, prefix + "aborted by the caller");
    if (too_large_ || rc == CURLE_FILESIZE_EXCEEDED) {
      return ResourceExhausted(prefix + "response body exceeds " +
                               std::to_string(max_response_bytes_) + " bytes");
    }
    std::string detail = error_buffer_[0] != '\0' ? error_buffer_.get() : curl_easy_strerror(rc);
    long os_errno = 0;
    if (curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK && os_errno != 0) {
      detail += " (" +
                std::error_code(static_cast<int>(os_errno), std::generic_category()).message() +
                ")";
    }
    return Status(CodeForCurlError(rc),
                  prefix + std::string(CauseForCurlError(rc)) + ": " + detail);
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t micros = 0;
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &micros);
  response_.status = static_cast<int>(status);
  response_.duration_seconds = static_cast<double>(micros) / 1e6;
  return std::move(response_);
}

Result<ClientResponse> Fetch(const ClientRequest& req) {
  EnsureCurlInitialized();
  std::unique_ptr<CURL, void (*)(CURL*)> handle(curl_easy_init(), curl_easy_cleanup);
  if (handle == nullptr) {
    return Internal(req.method + " " + RedactUrl(req.url) + ": curl_easy_init failed");
  }
  EasyTransfer transfer;
  INFERMETRY_RETURN_IF_ERROR(transfer.Configure(handle.get(), req));
  const CURLcode rc = curl_easy_perform(handle.get());
  return transfer.Finish(handle.get(), rc);
}

Result<ClientResponse> FetchStream(const ClientRequest& req, const BodyChunkHandler& on_chunk) {
  EnsureCurlInitialized();
  std::unique_ptr<CURL, void (*)(CURL*)> handle(curl_easy_init(), curl_easy_cleanup);
  if (handle == nullptr) {
    return Internal(req.method + " " + RedactUrl(req.url) + ": curl_easy_init failed");
  }
  EasyTransfer transfer;
  // A handler that is not callable would be called anyway; treat it as "keep nothing".
  BodyChunkHandler handler =
      on_chunk ? on_chunk : [](const ClientResponse&, std::string_view) { return true; };
  INFERMETRY_RETURN_IF_ERROR(transfer.Configure(handle.get(), req, std::move(handler)));
  const CURLcode rc = curl_easy_perform(handle.get());
  return transfer.Finish(handle.get(), rc);
}

}  // namespace infermetry::http
