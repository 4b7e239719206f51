#include "alerting/notifier.h"

#include <algorithm>
#include <random>
#include <string_view>
#include <utility>

#include "alerting/notifier_json.h"
#include "common/http_client.h"
#include "common/strconv.h"

namespace infermetry::alerting {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

enum class TargetKind { kAlertmanager, kWebhook };

// "scheme://user:pass@host/..." -> "scheme://host/...", for labels and messages.
std::string RedactUserinfo(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  size_t host_start = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", host_start);
  std::string_view authority =
      url.substr(host_start, authority_end == std::string_view::npos ? std::string_view::npos
                                                                     : authority_end - host_start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, host_start)) + std::string(url.substr(host_start + at + 1));
}

// Checks that `url` is http(s)://host[...]; `what` names it in the error
// ("alertmanagers[0]").
Status CheckUrl(std::string_view url, const std::string& what, bool base_url) {
  auto fail = [&](std::string_view why) {
    return InvalidArgument("notifier: " + what + " \"" + RedactUserinfo(url) +
                           "\": " + std::string(why));
  };
  if (url.empty()) return fail("empty URL");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return fail("contains whitespace or a control character");
    }
  }
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    return fail("not an absolute URL (want http://host...)");
  std::string_view scheme = url.substr(0, scheme_end);
  if (!EqualsIgnoreCase(scheme, "http") && !EqualsIgnoreCase(scheme, "https")) {
    return fail("scheme \"" + std::string(scheme) + "\" is not http or https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (authority.empty() || authority.front() == ':') return fail("no host");
  if (base_url && rest.find_first_of("?#") != std::string_view::npos) {
    return fail(
        "a base URL may not have a query string or fragment (\"/api/v2/alerts\" is "
        "appended to it)");
  }
  return Status::Ok();
}

// Jittered exponential backoff. One per retry loop; not thread-safe.
class RetryDelay {
 public:
  RetryDelay(const NotifierOptions& o, uint64_t seed)
      : interval_ms_(static_cast<double>(o.initial_backoff.count())),
        max_ms_(static_cast<double>(o.max_backoff.count())),
        multiplier_(o.backoff_multiplier),
        jitter_(o.backoff_jitter),
        rng_(seed) {}

  milliseconds Next() {
    double lo = interval_ms_ * (1 - jitter_);
    double hi = interval_ms_ * (1 + jitter_);
    double wait = lo < hi ? std::uniform_real_distribution<double>(lo, hi)(rng_) : interval_ms_;
    interval_ms_ = std::min(interval_ms_ * multiplier_, max_ms_);
    wait = std::clamp(wait, 0.0, max_ms_);
    return milliseconds(static_cast<int64_t>(wait));
  }

 private:
  double interval_ms_;
  double max_ms_;
  double multiplier_;
  double jitter_;
  std::mt19937_64 rng_;
};

}  // namespace

struct Notifier::Target {
  TargetKind kind;
  std::string url;    // what is POSTed to
  std::string label;  // url without credentials
  selfmon::Counter* sent = nullptr;
  selfmon::Counter* errors = nullptr;
  selfmon::Histogram* latency = nullptr;
};

Result<std::unique_ptr<Notifier>> Notifier::Start(NotifierOptions options) {
  if (options.queue_capacity == 0) return InvalidArgument("notifier: queue_capacity must be >= 1");
  if (options.max_batch == 0) return InvalidArgument("notifier: max_batch must be >= 1");
  if (options.timeout.count() <= 0) {
    return InvalidArgument("notifier: timeout must be positive, got " +
                           std::to_string(options.timeout.count()) + "ms");
  }
  if (options.max_attempts < 1) {
    return InvalidArgument("notifier: max_attempts must be >= 1, got " +
                           std::to_string(options.max_attempts));
  }
  if (options.initial_backoff.count() < 0 || options.max_backoff.count() < 0) {
    return InvalidArgument("notifier: backoff intervals must not be negative");
  }
  if (!(options.backoff_multiplier >= 1.0)) {
    return InvalidArgument("notifier: backoff_multiplier must be >= 1");
  }
  if (!(options.backoff_jitter >= 0.0 && options.backoff_jitter <= 1.0)) {
    return InvalidArgument("notifier: backoff_jitter must be within [0, 1]");
  }
  for (size_t i = 0; i < options.alertmanagers.size(); ++i) {
    INFERMETRY_RETURN_IF_ERROR(
        CheckUrl(options.alertmanagers[i], "alertmanagers[" + std::to_string(i) + "]", true));
  }
  for (size_t i = 0; i < options.webhooks.size(); ++i) {
    INFERMETRY_RETURN_IF_ERROR(
        CheckUrl(options.webhooks[i], "webhooks[" + std::to_string(i) + "]", false));
  }
  std::unique_ptr<Notifier> n(new Notifier(std::move(options)));
  n->sender_ = std::thread([p = n.get()] { p->Run(); });
  return n;
}

Notifier::Notifier(NotifierOptions options) : options_(std::move(options)) {
  selfmon::Registry& reg = options_.metrics ? *options_.metrics : selfmon::Default();
  auto& sent = reg.AddCounter("infermetry_notifications_sent_total",
                              "Alert notifications delivered, by target.", {"target"});
  auto& errors = reg.AddCounter("infermetry_notifications_errors_total",
                                "Failed notification attempts, by target.", {"target"});
  auto& dropped = reg.AddCounter("infermetry_notifications_dropped_total",
                                 "Alert notifications dropped, by reason.", {"reason"});
  auto& queue = reg.AddGauge("infermetry_notifications_queue_length",
                             "Alert notifications waiting to be sent.");
  auto& latency = reg.AddHistogram("infermetry_notifications_latency_seconds",
                                   "Duration of successful notification requests, by target.",
                                   {"target"}, selfmon::LatencyBuckets());
  dropped_queue_full_ = &dropped.With({"queue_full"});
  dropped_target_failed_ = &dropped.With({"target_failed"});
  dropped_shutdown_ = &dropped.With({"shutdown"});
  queue_length_ = &queue.With({});

  auto add = [&](TargetKind kind, std::string url) {
    auto t = std::make_unique<Target>();
    t->kind = kind;
    t->url = std::move(url);
    t->label = RedactUserinfo(t->url);
    t->sent = &sent.With({t->label});
    t->errors = &errors.With({t->label});
    t->latency = &latency.With({t->label});
    targets_.push_back(std::move(t));
  };
  for (const std::string& base : options_.alertmanagers) {
    std::string url = base;
    while (!url.empty() && url.back() == '/') url.pop_back();
    add(TargetKind::kAlertmanager, url + "/api/v2/alerts");
  }
  for (const std::string& url : options_.webhooks) add(TargetKind::kWebhook, url);
  seed_ = std::random_device{}();
}

Notifier::~Notifier() { (void)Stop(milliseconds(0)); }

void Notifier::Send(std::vector<Notification> notifications) {
  if (notifications.empty()) return;
  size_t overflow = 0, rejected = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) {
      rejected = notifications.size();
    } else {
      for (Notification& n : notifications) queue_.push_back(std::move(n));
      while (queue_.size() > options_.queue_capacity) {
        queue_.pop_front();
        ++overflow;
      }
      queue_length_->Set(static_cast<double>(queue_.size()));
    }
  }
  if (overflow > 0) dropped_queue_full_->Inc(static_cast<double>(overflow));
  if (rejected > 0) dropped_shutdown_->Inc(static_cast<double>(rejected));
  if (rejected == 0) cv_.notify_all();
}

Status Notifier::Stop(milliseconds deadline) {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  if (stopped_) return Status::Ok();
  stopped_ = true;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    // Clamped so that a "forever" deadline cannot overflow the clock.
    stop_deadline_ =
        steady_clock::now() + std::clamp(deadline, milliseconds(0), milliseconds(int64_t{1} << 40));
  }
  cv_.notify_all();
  if (sender_.joinable()) sender_.join();
  size_t left;
  {
    std::lock_guard<std::mutex> l(mu_);
    left = queue_.size();
    queue_.clear();
    queue_length_->Set(0);
  }
  if (left == 0) return Status::Ok();
  dropped_shutdown_->Inc(static_cast<double>(left));
  return DeadlineExceeded("notifier: stop deadline of " + std::to_string(deadline.count()) +
                          "ms passed with " + std::to_string(left) +
                          " notifications still queued; they were dropped");
}

size_t Notifier::QueueLength() const {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.size();
}

int64_t Notifier::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

milliseconds Notifier::TimeLeft(milliseconds cap) const {
  std::lock_guard<std::mutex> l(mu_);
  if (!stopping_) return cap;
  auto left = std::chrono::duration_cast<milliseconds>(stop_deadline_ - steady_clock::now());
  return std::min(cap, left);
}

void Notifier::Run() {
  std::vector<Notification> batch;
  for (;;) {
    batch.clear();
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      if (stopping_ && steady_clock::now() >= stop_deadline_) return;
      size_t n = std::min(options_.max_batch, queue_.size());
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queue_length_->Set(static_cast<double>(queue_.size()));
    }
    Deliver(batch);
  }
}

bool Notifier::WaitForRetry(milliseconds wait) {
  std::unique_lock<std::mutex> l(mu_);
  auto until = steady_clock::now() + wait;
  for (;;) {
    if (stopping_ && stop_deadline_ < until) until = stop_deadline_;
    if (steady_clock::now() >= until) break;
    cv_.wait_until(l, until);
  }
  return !(stopping_ && steady_clock::now() >= stop_deadline_);
}

void Notifier::Deliver(const std::vector<Notification>& batch) {
  if (targets_.empty() || batch.empty()) return;
  std::string am_body, webhook_body;
  std::vector<Target*> pending;
  for (auto& t : targets_) {
    pending.push_back(t.get());
    if (t->kind == TargetKind::kAlertmanager && am_body.empty()) {
      am_body = EncodePostableAlerts(batch);
    }
    if (t->kind == TargetKind::kWebhook && webhook_body.empty()) {
      webhook_body = EncodeWebhookMessage(batch, options_.external_url, NowMs());
    }
  }
  const double count = static_cast<double>(batch.size());
  RetryDelay delay(options_, seed_++);
  for (int attempt = 1;; ++attempt) {
    std::vector<Target*> retry;
    size_t abandoned = 0;
    for (Target* t : pending) {
      milliseconds timeout = TimeLeft(options_.timeout);
      if (timeout.count() <= 0) {  // Stop's deadline passed mid-batch
        ++abandoned;
        continue;
      }
      http::ClientRequest req;
      req.method = "POST";
      req.url = t->url;
      req.headers = {{"Content-Type", "application/json"}, {"User-Agent", "infermetry"}};
      req.body = t->kind == TargetKind::kAlertmanager ? am_body : webhook_body;
      req.timeout = timeout;
      req.connect_timeout = std::min(timeout, milliseconds(5000));
      auto start = steady_clock::now();
      Result<http::ClientResponse> resp = http::Fetch(req);
      if (resp.ok() && resp->status >= 200 && resp->status < 300) {
        std::chrono::duration<double> took = steady_clock::now() - start;
        t->latency->Observe(took.count());
        t->sent->Inc(count);
        continue;
      }
      t->errors->Inc();
      if (!resp.ok() || resp->status >= 500 || resp->status == 429) {
        retry.push_back(t);
      } else {
        dropped_target_failed_->Inc(count);  // permanent: a 4xx, or a 3xx (not followed)
      }
    }
    if (abandoned > 0) dropped_shutdown_->Inc(count * static_cast<double>(abandoned));
    if (retry.empty()) return;
    if (attempt >= options_.max_attempts) {
      dropped_target_failed_->Inc(count * static_cast<double>(retry.size()));
      return;
    }
    if (!WaitForRetry(delay.Next())) {
      dropped_shutdown_->Inc(count * static_cast<double>(retry.size()));
      return;
    }
    pending = std::move(retry);
  }
}

}  // namespace infermetry::alerting
