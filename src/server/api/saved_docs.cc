#include "server/api/saved_docs.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>

#include "common/env.h"
#include "common/strconv.h"
#include "server/api/parseable_json.h"

namespace infermetry::api {
namespace {

constexpr size_t kMaxDocBytes = size_t{1} << 20;
constexpr std::string_view kSuffix = ".json";

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string NowRfc3339() {
  const auto now = std::chrono::system_clock::now();
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

// One kind of document: its directory and the lock that orders writes and reads of it.
class DocKind {
 public:
  DocKind(std::string dir, ApiAuth auth) : dir_(std::move(dir)), auth_(std::move(auth)) {}

  void Serve(const http::Request& req, http::Response* resp, std::string_view id) {
    if (!auth_.Allows(req)) return RefuseUnauthorized(req, resp);
    std::lock_guard<std::mutex> lock(mu_);
    Status st;
    if (id.empty()) {
      st = req.method == "GET" ? List(resp) : Status(InvalidArgument("want a document id after the kind"));
    } else if (!ValidId(id)) {
      st = InvalidArgument("document id \"" + std::string(id) + "\": want 1-64 characters of A-Z a-z 0-9 _ -");
    } else if (req.method == "GET") {
      st = Get(id, resp);
    } else if (req.method == "PUT") {
      st = Put(id, req.body, resp);
    } else {
      st = Delete(id, resp);
    }
    if (!st.ok()) Fail(st, resp);
  }

 private:
  std::string PathOf(std::string_view id) const { return dir_ + "/" + std::string(id) + std::string(kSuffix); }

  static void Fail(const Status& st, http::Response* resp) {
    int code = 500;
    if (st.code() == Code::kInvalidArgument || st.code() == Code::kParseError) code = 400;
    if (st.code() == Code::kNotFound) code = 404;
    if (st.code() == Code::kResourceExhausted) code = 413;
    resp->SetText(code, st.message() + "\n");
  }

  Status List(http::Response* resp) {
    Env* env = DefaultEnv();
    INFERMETRY_RETURN_IF_ERROR(env->CreateDirs(dir_));
    INFERMETRY_ASSIGN_OR_RETURN(std::vector<std::string> names, env->List(dir_));
    std::sort(names.begin(), names.end());
    std::string out = "[";
    for (const std::string& name : names) {
      if (!name.ends_with(kSuffix) || !ValidId(std::string_view(name).substr(0, name.size() - kSuffix.size()))) continue;
      INFERMETRY_ASSIGN_OR_RETURN(std::string stored, ReadFile(env, dir_ + "/" + name));
      if (out.size() > 1) out += ',';
      out += stored;
    }
    out += ']';
    resp->SetContentType("application/json");
    resp->body = std::move(out);
    return Status::Ok();
  }

  Status Get(std::string_view id, http::Response* resp) {
    auto stored = ReadFile(DefaultEnv(), PathOf(id));
    if (!stored.ok()) return NotFound("no document \"" + std::string(id) + "\"");
    auto doc = ParseJson(*stored);
    const JsonValue* value = doc.ok() ? doc->Find("value") : nullptr;
    if (value == nullptr) return Internal("document file " + PathOf(id) + " is damaged");
    resp->SetContentType("application/json");
    resp->body = stored->substr(value->begin, value->end - value->begin);
    return Status::Ok();
  }

  Status Put(std::string_view id, const std::string& body, http::Response* resp) {
    if (body.size() > kMaxDocBytes) {
      return ResourceExhausted("document of " + std::to_string(body.size()) + " bytes: the limit is 1 MiB");
    }
    auto parsed = ParseJson(body);
    if (!parsed.ok()) return parsed.status();
    if (parsed->kind != JsonValue::Kind::kObject) return InvalidArgument("a document must be a JSON object");
    std::string head = "{\"id\":";
    AppendJsonString(&head, id);
    head += ",\"updated\":";
    AppendJsonString(&head, NowRfc3339());
    std::string stored = head + ",\"value\":" + body.substr(parsed->begin, parsed->end - parsed->begin) + "}";
    Env* env = DefaultEnv();
    INFERMETRY_RETURN_IF_ERROR(env->CreateDirs(dir_));
    INFERMETRY_RETURN_IF_ERROR(WriteFileAtomic(env, PathOf(id), stored));
    resp->SetContentType("application/json");
    resp->body = head + "}";
    return Status::Ok();
  }

  Status Delete(std::string_view id, http::Response* resp) {
    Env* env = DefaultEnv();
    if (!ReadFile(env, PathOf(id)).ok()) return NotFound("no document \"" + std::string(id) + "\"");
    INFERMETRY_RETURN_IF_ERROR(env->Remove(PathOf(id)));
    INFERMETRY_RETURN_IF_ERROR(env->SyncDir(dir_));
    resp->SetContentType("application/json");
    resp->body = "{\"id\":";
    AppendJsonString(&resp->body, id);
    resp->body += '}';
    return Status::Ok();
  }

  const std::string dir_;
  const ApiAuth auth_;
  std::mutex mu_;
};

}  // namespace

void RegisterSavedDocsApi(http::Router* router, SavedDocsOptions options) {
  for (std::string kind : {"dashboards", "filters"}) {
    auto docs = std::make_shared<DocKind>(options.dir + "/" + kind, options.auth);
    const std::string base = "/api/v1/" + kind;
    router->Handle("GET", base, kind, [docs](const http::Request& req, http::Response* resp) {
      docs->Serve(req, resp, "");
    });
    for (const char* method : {"GET", "PUT", "DELETE"}) {
      router->HandlePrefix(method, base + "/", kind, [docs, n = base.size() + 1](const http::Request& req, http::Response* resp) {
        docs->Serve(req, resp, std::string_view(req.path).substr(n));
      });
    }
  }
}

}  // namespace infermetry::api
