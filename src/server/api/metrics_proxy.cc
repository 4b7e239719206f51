#include "server/api/metrics_proxy.h"

#include <vector>

#include "common/http_client.h"
#include "common/log.h"
#include "common/self_metrics.h"
#include "ingest/textparse/parser.h"
#include "ingest/textparse/writer.h"

namespace infermetry::api {
namespace {

struct ProxyMetrics {
  selfmon::Family<selfmon::Counter>& upstream = selfmon::Default().AddCounter(
      "infermetry_proxy_upstream_requests_total",
      "Upstream fetches by the metrics proxy, by result (ok, unavailable, http_error, timeout).", {"result"});
  selfmon::Family<selfmon::Counter>& parse_errors = selfmon::Default().AddCounter(
      "infermetry_proxy_parse_errors_total", "Malformed upstream lines dropped by the metrics proxy.");
  selfmon::Family<selfmon::Histogram>& duration = selfmon::Default().AddHistogram(
      "infermetry_proxy_upstream_duration_seconds", "Time to fetch the upstream exposition.", {},
      selfmon::LatencyBuckets());
};

ProxyMetrics& PM() {
  static ProxyMetrics* m = new ProxyMetrics();
  return *m;
}

void ServeProxy(const ProxyOptions& opt, const http::Request& req, http::Response* resp) {
  http::ClientRequest creq;
  creq.url = opt.target_url;
  creq.timeout = opt.timeout;
  std::string_view accept = req.Header("Accept");
  if (!accept.empty()) creq.headers.emplace_back("Accept", std::string(accept));
  auto r = http::Fetch(creq);
  if (!r.ok()) {
    bool timeout = r.status().code() == Code::kDeadlineExceeded;
    PM().upstream.With({timeout ? "timeout" : "unavailable"}).Inc();
    resp->SetText(timeout ? 504 : 502, "upstream " + r.status().message() + "\n");
    log::Warn("metrics proxy upstream failed", {{"target", opt.target_url}, {"err", r.status().message()}});
    return;
  }
  PM().duration.With({}).Observe(r->duration_seconds);
  if (r->status != 200) {
    PM().upstream.With({"http_error"}).Inc();
    resp->SetText(502, "upstream " + opt.target_url + " returned HTTP status " + std::to_string(r->status) + "\n");
    return;
  }
  PM().upstream.With({"ok"}).Inc();
  std::string_view ctype = r->Header("Content-Type");
  size_t dropped = 0;
  resp->body = NormalizeExposition(r->body, ctype, opt.policy, &dropped);
  if (dropped > 0) {
    PM().parse_errors.With({}).Inc(static_cast<double>(dropped));
    log::Warn("metrics proxy dropped malformed upstream lines",
              {{"target", opt.target_url}, {"lines", dropped}});
  }
  resp->SetContentType(textparse::ContentType(textparse::FormatFromContentType(ctype)));
}

}  // namespace

std::string NormalizeExposition(std::string_view body, std::string_view content_type,
                                NamePolicy policy, size_t* dropped_lines) {
  textparse::Format format = textparse::FormatFromContentType(content_type);
  textparse::Parser p(body, format);
  std::string out;
  out.reserve(body.size());
  textparse::Writer w(format, &out);
  std::string scratch;
  textparse::ExemplarView ex;
  for (;;) {
    textparse::Entry e = p.Next();
    if (e == textparse::Entry::kEof) break;
    switch (e) {
      case textparse::Entry::kInvalid:
        ++*dropped_lines;
        break;
      case textparse::Entry::kHelp:
        w.Help(NormalizeName(policy, p.FamilyName(), &scratch), p.Help());
        break;
      case textparse::Entry::kType:
        w.Type(NormalizeName(policy, p.FamilyName(), &scratch), p.Type());
        break;
      case textparse::Entry::kUnit:
        w.Unit(NormalizeName(policy, p.FamilyName(), &scratch), p.Unit());
        break;
      case textparse::Entry::kSeries: {
        std::optional<int64_t> ts;
        if (p.HasTimestamp()) ts = p.TimestampMs();
        bool has_ex = p.Exemplar(&ex);
        w.Sample(NormalizeName(policy, p.MetricName(), &scratch), p.Labels(), p.Value(), ts,
                 has_ex ? &ex : nullptr);
        break;
      }
      default:
        break;
    }
  }
  if (format == textparse::Format::kOpenMetrics) w.Eof();
  return out;
}

void ServeSelfMetrics(const http::Request&, http::Response* resp) {
  selfmon::Default().WriteText(&resp->body);
  resp->SetContentType(textparse::ContentType(textparse::Format::kPrometheusText));
}

void RegisterMetricsProxy(const ProxyOptions& options, http::Router* router) {
  router->Handle("GET", options.metrics_path, "proxy_metrics",
                 [options](const http::Request& req, http::Response* resp) { ServeProxy(options, req, resp); });
  router->Handle("GET", "/health", "health",
                 [](const http::Request&, http::Response* resp) { resp->SetText(200, "ok\n"); });
  router->Handle("GET", options.self_metrics_path, "self_metrics", ServeSelfMetrics);
}

}  // namespace infermetry::api
