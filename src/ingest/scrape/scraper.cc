#include "ingest/scrape/scraper.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>

#include "common/http_client.h"
#include "common/log.h"
#include "common/self_metrics.h"
#include "common/strconv.h"

namespace infermetry::scrape {
namespace {

using Clock = std::chrono::steady_clock;

// What Prometheus 2.42 sends: OpenMetrics preferred, text format accepted.
constexpr const char* kAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Metrics {
  selfmon::Family<selfmon::Counter>& scrapes = selfmon::Default().AddCounter(
      "infermetry_scrapes_total", "Scrapes by job, target instance and result (ok, or the error code).",
      {"job", "instance", "result"});
  selfmon::Family<selfmon::Counter>& samples = selfmon::Default().AddCounter(
      "infermetry_scrape_samples_total", "Samples scraped and kept after metric relabeling, by job.", {"job"});
  selfmon::Family<selfmon::Histogram>& duration = selfmon::Default().AddHistogram(
      "infermetry_scrape_duration_seconds", "Time to fetch and append one scrape, by job.", {"job"},
      selfmon::LatencyBuckets());
};

Metrics& M() {
  static Metrics* m = new Metrics();
  return *m;
}

}  // namespace

struct Scraper::TargetState {
  TargetState(Target t, storage::Appendable* app) : loop(std::move(t), app) {}
  ~TargetState() {
    if (easy != nullptr) curl_easy_cleanup(easy);
  }

  ScrapeLoop loop;
  http::ClientRequest request;  // built once from the config
  http::EasyTransfer transfer;
  CURL* easy = nullptr;
  bool in_flight = false;
  int64_t start_ms = 0;
  Clock::time_point start;
  Clock::time_point next_due;
  ScrapeReport last;
};

namespace {

http::ClientRequest RequestFor(const Target& t) {
  const ScrapeConfig& sc = *t.config;
  http::ClientRequest req;
  req.url = t.url;
  req.timeout = sc.scrape_timeout;
  req.connect_timeout = sc.scrape_timeout;
  if (sc.body_size_limit > 0) req.max_response_bytes = sc.body_size_limit;
  req.headers = {
      {"Accept", kAccept},
      {"User-Agent", "infermetry/" INFERMETRY_VERSION},
      {"X-Prometheus-Scrape-Timeout-Seconds", FormatGoFloat(static_cast<double>(sc.scrape_timeout.count()) / 1000.0)},
  };
  if (!sc.authorization_credentials.empty()) {
    req.headers.emplace_back("Authorization", sc.authorization_type + " " + sc.authorization_credentials);
  }
  req.basic_user = sc.basic_auth_username;
  req.basic_password = sc.basic_auth_password;
  req.tls = sc.tls;
  return req;
}

}  // namespace

Scraper::Scraper(ScrapeFileConfig cfg, storage::Appendable* app) : cfg_(std::move(cfg)) {
  http::EnsureCurlInitialized();
  multi_ = curl_multi_init();
  for (const ScrapeConfig& sc : cfg_.scrape_configs) {
    for (Target& t : TargetsFromConfig(sc)) {
      auto st = std::make_unique<TargetState>(std::move(t), app);
      st->request = RequestFor(st->loop.target());
      st->easy = curl_easy_init();
      targets_.push_back(std::move(st));
    }
  }
}

Scraper::~Scraper() {
  Stop();
  for (auto& t : targets_) {
    if (t->in_flight) curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
  }
  targets_.clear();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

const Target& Scraper::target(size_t i) const { return targets_[i]->loop.target(); }

void Scraper::Begin(TargetState* t) {
  t->start = Clock::now();
  t->start_ms = NowMs();
  Status st = t->transfer.Configure(t->easy, t->request);
  if (!st.ok()) {
    Record(t, t->loop.Append("", "", t->start_ms, 0, st));
    return;
  }
  curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
  t->in_flight = true;
  curl_multi_add_handle(static_cast<CURLM*>(multi_), t->easy);
}

void Scraper::Complete(TargetState* t, int curl_code) {
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
  t->in_flight = false;
  double secs = std::chrono::duration<double>(Clock::now() - t->start).count();
  Result<http::ClientResponse> r = t->transfer.Finish(t->easy, curl_code);
  Status err = r.status();
  if (r.ok() && r->status != 200) {
    err = Unavailable("scrape of " + t->loop.target().url + ": server returned HTTP status " +
                      std::to_string(r->status));
  }
  if (!err.ok()) {
    Record(t, t->loop.Append("", "", t->start_ms, secs, err));
    return;
  }
  Record(t, t->loop.Append(r->body, r->Header("Content-Type"), t->start_ms, secs, err));
}

void Scraper::Record(TargetState* t, ScrapeReport report) {
  t->last = std::move(report);
  const std::string& job = t->loop.target().config->job_name;
  std::string result = t->last.error.ok() ? "ok" : std::string(CodeName(t->last.error.code()));
  M().scrapes.With({job, t->loop.target().labels.Get("instance"), result}).Inc();
  M().samples.With({job}).Inc(static_cast<double>(t->last.samples_post_relabeling));
  M().duration.With({job}).Observe(std::chrono::duration<double>(Clock::now() - t->start).count());
  if (!t->last.error.ok()) {
    log::Warn("scrape failed", {{"job", job}, {"target", t->loop.target().url}, {"err", t->last.error.message()}});
  }
}

void Scraper::Pump(int timeout_ms) {
  CURLM* m = static_cast<CURLM*>(multi_);
  int running = 0;
  curl_multi_perform(m, &running);
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(m, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    TargetState* t = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    Complete(t, msg->data.result);
  }
  if (timeout_ms > 0) curl_multi_poll(m, nullptr, 0, timeout_ms, nullptr);
}

std::vector<ScrapeReport> Scraper::ScrapeOnce() {
  for (auto& t : targets_) Begin(t.get());
  auto busy = [&] {
    for (auto& t : targets_) {
      if (t->in_flight) return true;
    }
    return false;
  };
  while (busy()) Pump(100);
  std::vector<ScrapeReport> out;
  for (auto& t : targets_) out.push_back(t->last);
  return out;
}

Status Scraper::Start() {
  // Prometheus's offset: a stable hash of the target's identity, placed within the interval
  // relative to the wall clock so that restarts keep the same phase.
  int64_t now_ms = NowMs();
  Clock::time_point now = Clock::now();
  for (auto& t : targets_) {
    int64_t interval = t->loop.target().config->scrape_interval.count();
    uint64_t h = t->loop.target().labels.Hash() ^ std::hash<std::string>()(t->loop.target().url);
    int64_t base = interval - now_ms % interval;
    int64_t offset = (static_cast<int64_t>(h % static_cast<uint64_t>(interval)) + base) % interval;
    t->next_due = now + std::chrono::milliseconds(offset);
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Scraper::Run() {
  while (!stop_.load()) {
    Clock::time_point now = Clock::now();
    Clock::time_point next = now + std::chrono::seconds(1);
    for (auto& t : targets_) {
      if (t->in_flight) continue;
      if (now >= t->next_due) {
        Begin(t.get());
        auto interval = t->loop.target().config->scrape_interval;
        // Keep the phase; skip slots missed while a slow scrape was in flight.
        while (t->next_due <= now) t->next_due += interval;
      }
      next = std::min(next, t->next_due);
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
    Pump(static_cast<int>(std::clamp<int64_t>(wait, 1, 1000)));
  }
}

void Scraper::Stop() {
  if (!thread_.joinable()) return;
  stop_.store(true);
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  thread_.join();
  int64_t now = NowMs();
  for (auto& t : targets_) {
    if (t->in_flight) {
      curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
      t->in_flight = false;
    }
    t->loop.Stop(now);
  }
}

}  // namespace infermetry::scrape
