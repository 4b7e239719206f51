#include "server/http/router.h"

#include <algorithm>
#include <exception>

#include "common/log.h"

namespace infermetry::http {

void Router::Handle(std::string method, std::string path, std::string route_name, Handler handler) {
  exact_[std::move(path)][std::move(method)] = Route{std::move(route_name), std::move(handler)};
}

void Router::HandlePrefix(std::string method, std::string prefix, std::string route_name,
                          Handler handler) {
  auto it = std::find_if(prefixes_.begin(), prefixes_.end(),
                         [&](const PrefixEntry& e) { return e.prefix == prefix; });
  if (it == prefixes_.end()) {
    prefixes_.push_back(PrefixEntry{std::move(prefix), {}});
    it = prefixes_.end() - 1;
  }
  it->methods[std::move(method)] = Route{std::move(route_name), std::move(handler)};
  std::stable_sort(
      prefixes_.begin(), prefixes_.end(),
      [](const PrefixEntry& a, const PrefixEntry& b) { return a.prefix.size() > b.prefix.size(); });
}

const Router::Route* Router::Lookup(const MethodMap& methods, std::string_view method) {
  if (auto it = methods.find(method); it != methods.end()) return &it->second;
  if (method == "HEAD") {
    if (auto it = methods.find("GET"); it != methods.end()) return &it->second;
  }
  if (auto it = methods.find("*"); it != methods.end()) return &it->second;
  return nullptr;
}

void Router::CollectMethods(const MethodMap& methods, std::vector<std::string>* out) {
  for (const auto& [m, route] : methods) {
    out->push_back(m);
    if (m == "GET") out->push_back("HEAD");
  }
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  const MethodMap* exact = nullptr;
  if (auto it = exact_.find(path); it != exact_.end()) {
    exact = &it->second;
    if (const Route* r = Lookup(*exact, method)) {
      match.handler = &r->handler;
      match.route_name = r->name;
      return match;
    }
  }
  std::vector<const PrefixEntry*> prefix_hits;
  for (const PrefixEntry& e : prefixes_) {
    if (path.substr(0, e.prefix.size()) != e.prefix) continue;
    if (const Route* r = Lookup(e.methods, method)) {
      match.handler = &r->handler;
      match.route_name = r->name;
      return match;
    }
    prefix_hits.push_back(&e);
  }
  if (exact == nullptr && prefix_hits.empty()) {
    match.status = 404;
    match.route_name = kUnmatchedRoute;
    return match;
  }
  std::vector<std::string> methods;
  if (exact != nullptr) CollectMethods(*exact, &methods);
  for (const PrefixEntry* e : prefix_hits) CollectMethods(e->methods, &methods);
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  for (const std::string& m : methods) {
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += m;
  }
  match.status = 405;
  // Label with the route the path belongs to, so a misused endpoint shows up under its name.
  match.route_name = exact != nullptr
                         ? std::string_view(exact->begin()->second.name)
                         : std::string_view(prefix_hits.front()->methods.begin()->second.name);
  return match;
}

std::string_view Router::Dispatch(const Request& req, Response* resp) const {
  Match m = Find(req.method, req.path);
  if (m.status == 404) {
    resp->SetText(404, "404 not found: " + req.path + "\n");
    return m.route_name;
  }
  if (m.status == 405) {
    resp->SetText(405, "405 method " + req.method + " not allowed for " + req.path + "\n");
    resp->SetHeader("Allow", m.allow);
    return m.route_name;
  }
  try {
    (*m.handler)(req, resp);
  } catch (const std::exception& e) {
    log::Error("http handler threw",
               {{"route", m.route_name}, {"path", req.path}, {"err", e.what()}});
    *resp = Response();
    resp->SetText(500, "500 internal server error\n");
  } catch (...) {
    log::Error("http handler threw", {{"route", m.route_name}, {"path", req.path}});
    *resp = Response();
    resp->SetText(500, "500 internal server error\n");
  }
  return m.route_name;
}

}  // namespace infermetry::http
