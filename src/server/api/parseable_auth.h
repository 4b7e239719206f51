#pragma once
// HTTP Basic authentication for the Parseable-compatible API (docs/sql-api.md): the users come
// from the serve config's `auth:` section; without one, the single local default user
// admin/admin (what the Parseable guide's curl commands and Collector config send).
//
//   ApiAuth auth{{{"admin", "admin"}}};
//   if (!auth.Allows(req)) return RefuseUnauthorized(resp);
//
// Thread-safety: immutable after construction.

#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.h"

namespace infermetry::api {

struct ApiUser {
  std::string username;
  std::string password;
};

struct ApiAuth {
  std::vector<ApiUser> users;

  // True when the request's Authorization header is "Basic <base64 of user:password>" for one
  // of `users` (the scheme is matched case-insensitively).
  bool Allows(const http::Request& req) const;
};

// The local default: admin/admin.
std::vector<ApiUser> DefaultApiUsers();

// 401 with a one-line text body and `WWW-Authenticate: Basic realm="infermetry"`, except for
// requests sent with `X-Requested-With: XMLHttpRequest` (the web UI), which browsers would
// otherwise answer with their own password prompt.
void RefuseUnauthorized(const http::Request& req, http::Response* resp);

// Standard base64 (padding optional); false on any other byte.
bool DecodeBase64(std::string_view in, std::string* out);
std::string EncodeBase64(std::string_view in);

}  // namespace infermetry::api
