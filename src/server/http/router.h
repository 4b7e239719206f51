#pragma once
// Router: maps (method, path) to a Handler and a route name used as the self-metrics label.
//
//   auto router = std::make_shared<Router>();
//   router->Handle("GET", "/metrics", "metrics", ServeMetrics);
//   router->HandlePrefix("GET", "/api/v1/label/", "label_values", ServeLabelValues);
//   auto server = Server::Start(options, router);
//
// Matching: among routes whose method fits, an exact path wins over prefixes, and the longest
// matching prefix wins among prefixes. A method fits when it is equal, when the route's method
// is "*" (any), or when the request is HEAD and the route is GET (the server then strips the
// body but keeps the GET's Content-Length). A path that no route matches gets 404 with a
// one-line text body (route "unmatched"); a path matched only by routes for other methods gets
// 405 with an Allow header.
//
// Thread-safety: register every route before handing the router to a Server; after that the
// router is only read (Find/Dispatch are const and safe to call concurrently).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.h"

namespace infermetry::http {

inline constexpr std::string_view kUnmatchedRoute = "unmatched";

class Router {
 public:
  // Registers `handler` for `method` on exactly `path`. Registering the same method and path
  // again replaces the earlier handler.
  void Handle(std::string method, std::string path, std::string route_name, Handler handler);
  // Registers `handler` for `method` on every path starting with `prefix`.
  void HandlePrefix(std::string method, std::string prefix, std::string route_name,
                    Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null when status is 404 or 405; owned by the router
    std::string_view route_name;       // kUnmatchedRoute for 404; owned by the router
    int status = 200;                  // 200 (handler found), 404 or 405
    std::string allow;                 // for 405: "GET, HEAD, POST"
  };
  Match Find(std::string_view method, std::string_view path) const;

  // Runs the matching handler on `req`, or fills `resp` with the 404/405. A handler that throws
  // yields a 500. Returns the route name to label metrics with (valid as long as the router).
  std::string_view Dispatch(const Request& req, Response* resp) const;

 private:
  struct Route {
    std::string name;
    Handler handler;
  };
  using MethodMap = std::map<std::string, Route, std::less<>>;
  struct PrefixEntry {
    std::string prefix;
    MethodMap methods;
  };

  static const Route* Lookup(const MethodMap& methods, std::string_view method);
  static void CollectMethods(const MethodMap& methods, std::vector<std::string>* out);

  std::map<std::string, MethodMap, std::less<>> exact_;
  std::vector<PrefixEntry> prefixes_;  // longest prefix first
};

}  // namespace infermetry::http
