#include "alerting/notifier.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerting/notifier_json.h"
#include "server/http/router.h"
#include "server/http/server.h"

namespace infermetry::alerting {
namespace {

using std::chrono::milliseconds;

constexpr int64_t kStart = 1795563000123;  // 2026-11-24T23:30:00.123Z
constexpr int64_t kNow = kStart + 60000;

// Waits (generously) for `pred` to hold.
template <typename Pred>
bool WaitFor(Pred pred) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

Notification Make(std::string name, int64_t ends_at_ms = 0, std::string instance = "a:8000") {
  Notification n;
  n.labels = model::Labels{
      {"alertname", std::move(name)}, {"instance", std::move(instance)}, {"severity", "page"}};
  n.annotations = model::Labels{{"summary", "queue is \"long\""}, {"runbook", "http://rb/1"}};
  n.starts_at_ms = kStart;
  n.ends_at_ms = ends_at_ms;
  n.generator_url = "http://infermetry:9100/graph?g0.expr=up";
  return n;
}

std::string Str(simdjson::dom::element e) {
  std::string_view v;
  if (e.get_string().get(v) != simdjson::SUCCESS) return "<not a string>";
  return std::string(v);
}

// An HTTP server that records every POST and answers with scripted statuses (200 once the
// script is used up). While the gate is closed, handlers wait after recording their request.
class Receiver {
 public:
  struct Captured {
    std::string path;
    std::string content_type;
    std::string body;
  };

  Receiver() {
    auto router = std::make_shared<http::Router>();
    router->HandlePrefix(
        "POST", "/", "capture", [this](const http::Request& req, http::Response* resp) {
          std::unique_lock<std::mutex> l(mu_);
          requests_.push_back({req.path, std::string(req.Header("Content-Type")), req.body});
          cv_.wait(l, [this] { return gate_open_; });
          int status = 200;
          if (!script_.empty()) {
            status = script_.front();
            script_.pop_front();
          }
          resp->SetText(status, "status " + std::to_string(status) + "\n");
        });
    auto s = http::Server::Start(http::ServerOptions{}, router);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) server_ = std::move(*s);
  }
  ~Receiver() {
    OpenGate();
    if (server_) server_->Shutdown(milliseconds(5000));
  }

  std::string Url(std::string_view path = "") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }
  void Script(std::initializer_list<int> statuses) {
    std::lock_guard<std::mutex> l(mu_);
    script_.assign(statuses);
  }
  void CloseGate() {
    std::lock_guard<std::mutex> l(mu_);
    gate_open_ = false;
  }
  void OpenGate() {
    {
      std::lock_guard<std::mutex> l(mu_);
      gate_open_ = true;
    }
    cv_.notify_all();
  }
  size_t Count() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_.size();
  }
  std::vector<Captured> Requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Captured> requests_;
  std::deque<int> script_;
  bool gate_open_ = true;
  std::unique_ptr<http::Server> server_;
};

class NotifierTest : public ::testing::Test {
 protected:
  NotifierOptions Options() {
    NotifierOptions o;
    o.metrics = &registry_;
    o.now_ms = [] { return kNow; };
    o.initial_backoff = milliseconds(1);
    o.max_backoff = milliseconds(5);
    o.timeout = milliseconds(10000);
    o.external_url = "http://infermetry:9100";
    return o;
  }
  void Start(NotifierOptions o) {
    auto n = Notifier::Start(std::move(o));
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    notifier_ = std::move(*n);
  }
  double Counter(const std::string& name, std::string_view label) {
    return registry_.AddCounter(name, "", {"x"}).With({label}).Value();
  }
  double Sent(std::string_view target) {
    return Counter("infermetry_notifications_sent_total", target);
  }
  double Errors(std::string_view target) {
    return Counter("infermetry_notifications_errors_total", target);
  }
  double Dropped(std::string_view reason) {
    return Counter("infermetry_notifications_dropped_total", reason);
  }
  // alertname of every alert in a postableAlert array.
  static std::vector<std::string> AlertNames(const std::string& body) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::vector<std::string> out;
    if (parser.parse(simdjson::padded_string(body)).get(doc) != simdjson::SUCCESS) return out;
    simdjson::dom::array arr;
    if (doc.get_array().get(arr) != simdjson::SUCCESS) return out;
    for (simdjson::dom::element a : arr) out.push_back(Str(a["labels"]["alertname"]));
    return out;
  }

  selfmon::Registry registry_;
  Receiver rx_;  // destroyed after the notifier
  std::unique_ptr<Notifier> notifier_;
};

TEST(NotifierJsonTest, TimesAndFingerprints) {
  EXPECT_EQ(FormatRfc3339Millis(kStart), "2026-11-24T23:30:00.123Z");
  EXPECT_EQ(FormatRfc3339Millis(951825600000), "2000-02-29T12:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
  model::Labels a{{"alertname", "X"}, {"job", "vllm"}};
  model::Labels b = model::Labels::FromUnsorted({{"job", "vllm"}, {"alertname", "X"}});
  model::Labels c{{"alertname", "X"}, {"job", "sglang"}};
  EXPECT_EQ(AlertFingerprint(a).size(), 16u);
  EXPECT_EQ(AlertFingerprint(a).find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(AlertFingerprint(a), AlertFingerprint(b));
  EXPECT_NE(AlertFingerprint(a), AlertFingerprint(c));
  // ends_at_ms 0 and an empty generator URL are left out of postableAlert.
  Notification n;
  n.labels = model::Labels{{"alertname", "X"}};
  EXPECT_EQ(EncodePostableAlerts({n}), R"([{"labels":{"alertname":"X"},"annotations":{}}])");
}

TEST_F(NotifierTest, AlertmanagerBody) {
  Start([&] {
    auto o = Options();
    o.alertmanagers = {rx_.Url("/prefix/")};
    return o;
  }());
  notifier_->Send({Make("HighQueue", kNow + 180000), Make("NoEnd", 0)});
  ASSERT_TRUE(WaitFor([&] { return rx_.Count() == 1; }));
  auto req = rx_.Requests()[0];
  EXPECT_EQ(req.path, "/prefix/api/v2/alerts");
  EXPECT_EQ(req.content_type, "application/json");

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(simdjson::padded_string(req.body)).get(doc), simdjson::SUCCESS)
      << req.body;
  simdjson::dom::array arr;
  ASSERT_EQ(doc.get_array().get(arr), simdjson::SUCCESS);
  ASSERT_EQ(arr.size(), 2u);
  simdjson::dom::element first = arr.at(0);
  EXPECT_EQ(Str(first["labels"]["alertname"]), "HighQueue");
  EXPECT_EQ(Str(first["labels"]["instance"]), "a:8000");
  EXPECT_EQ(Str(first["labels"]["severity"]), "page");
  EXPECT_EQ(Str(first["annotations"]["summary"]), "queue is \"long\"");
  EXPECT_EQ(Str(first["startsAt"]), "2026-11-24T23:30:00.123Z");
  EXPECT_EQ(Str(first["endsAt"]), "2026-11-24T23:34:00.123Z");
  EXPECT_EQ(Str(first["generatorURL"]), "http://infermetry:9100/graph?g0.expr=up");
  simdjson::dom::element second = arr.at(1);
  EXPECT_EQ(Str(second["labels"]["alertname"]), "NoEnd");
  EXPECT_EQ(second["endsAt"].error(), simdjson::NO_SUCH_FIELD);

  std::string target = rx_.Url("/prefix/api/v2/alerts");
  ASSERT_TRUE(WaitFor([&] { return Sent(target) == 2; }));
  EXPECT_EQ(Errors(target), 0);
  EXPECT_EQ(registry_
                .AddHistogram("infermetry_notifications_latency_seconds", "", {"target"},
                              selfmon::LatencyBuckets())
                .With({target})
                .Count(),
            1u);
  EXPECT_TRUE(notifier_->Stop(milliseconds(10000)).ok());
}

TEST_F(NotifierTest, WebhookBody) {
  Start([&] {
    auto o = Options();
    o.webhooks = {rx_.Url("/hook")};
    return o;
  }());
  // One firing (ends in the future), one resolved (ended before now): the message is firing.
  Notification other = Make("Other", kNow - 1000, "b:8000");
  other.annotations = model::Labels{{"summary", "something else"}, {"runbook", "http://rb/1"}};
  notifier_->Send({Make("HighQueue", kNow + 180000), other});
  ASSERT_TRUE(WaitFor([&] { return rx_.Count() == 1; }));
  std::string body = rx_.Requests()[0].body;
  EXPECT_EQ(rx_.Requests()[0].path, "/hook");

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(simdjson::padded_string(body)).get(doc), simdjson::SUCCESS) << body;
  EXPECT_EQ(Str(doc["version"]), "4");
  EXPECT_EQ(Str(doc["status"]), "firing");
  EXPECT_EQ(Str(doc["receiver"]), "infermetry");
  EXPECT_EQ(Str(doc["groupKey"]), "{}:{}");
  EXPECT_EQ(Str(doc["externalURL"]), "http://infermetry:9100");
  int64_t truncated = -1;
  EXPECT_EQ(doc["truncatedAlerts"].get_int64().get(truncated), simdjson::SUCCESS);
  EXPECT_EQ(truncated, 0);
  simdjson::dom::object group, common, common_ann;
  ASSERT_EQ(doc["groupLabels"].get_object().get(group), simdjson::SUCCESS);
  EXPECT_EQ(group.size(), 0u);
  // Only the pairs both alerts share.
  ASSERT_EQ(doc["commonLabels"].get_object().get(common), simdjson::SUCCESS);
  EXPECT_EQ(common.size(), 1u);
  EXPECT_EQ(Str(common["severity"]), "page");
  ASSERT_EQ(doc["commonAnnotations"].get_object().get(common_ann), simdjson::SUCCESS);
  EXPECT_EQ(common_ann.size(), 1u);
  EXPECT_EQ(Str(common_ann["runbook"]), "http://rb/1");

  simdjson::dom::array alerts;
  ASSERT_EQ(doc["alerts"].get_array().get(alerts), simdjson::SUCCESS);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(Str(alerts.at(0)["status"]), "firing");
  EXPECT_EQ(Str(alerts.at(0)["startsAt"]), "2026-11-24T23:30:00.123Z");
  EXPECT_EQ(Str(alerts.at(0)["endsAt"]), "2026-11-24T23:34:00.123Z");
  EXPECT_EQ(Str(alerts.at(0)["generatorURL"]), "http://infermetry:9100/graph?g0.expr=up");
  EXPECT_EQ(Str(alerts.at(0)["fingerprint"]), AlertFingerprint(Make("HighQueue").labels));
  EXPECT_EQ(Str(alerts.at(1)["status"]), "resolved");
  EXPECT_EQ(Str(alerts.at(1)["labels"]["instance"]), "b:8000");

  // A batch of resolved alerts only is a resolved message.
  notifier_->Send({Make("HighQueue", kNow - 5)});
  ASSERT_TRUE(WaitFor([&] { return rx_.Count() == 2; }));
  body = rx_.Requests()[1].body;
  ASSERT_EQ(parser.parse(simdjson::padded_string(body)).get(doc), simdjson::SUCCESS) << body;
  EXPECT_EQ(Str(doc["status"]), "resolved");
  EXPECT_EQ(Str(doc["commonLabels"]["alertname"]), "HighQueue");
}

TEST_F(NotifierTest, RetriesServerErrorsThenDelivers) {
  rx_.Script({500, 500});
  Start([&] {
    auto o = Options();
    o.alertmanagers = {rx_.Url()};
    return o;
  }());
  notifier_->Send({Make("A"), Make("B")});
  std::string target = rx_.Url("/api/v2/alerts");
  ASSERT_TRUE(WaitFor([&] { return Sent(target) == 2; }));
  auto reqs = rx_.Requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].body, reqs[2].body);
  EXPECT_EQ(AlertNames(reqs[2].body), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(Errors(target), 2);
  EXPECT_EQ(Dropped("target_failed"), 0);
}

TEST_F(NotifierTest, ClientErrorIsNotRetried) {
  rx_.Script({400});
  Start([&] {
    auto o = Options();
    o.alertmanagers = {rx_.Url()};
    return o;
  }());
  notifier_->Send({Make("A")});
  ASSERT_TRUE(WaitFor([&] { return Dropped("target_failed") == 1; }));
  ASSERT_TRUE(notifier_->Stop(milliseconds(10000)).ok());  // the sender is done
  EXPECT_EQ(rx_.Count(), 1u);
  EXPECT_EQ(Errors(rx_.Url("/api/v2/alerts")), 1);
  EXPECT_EQ(Sent(rx_.Url("/api/v2/alerts")), 0);
}

TEST_F(NotifierTest, UnreachableTargetIsDroppedOtherTargetsStillServed) {
  std::string dead;
  {  // a port that was just free and that nobody listens on any more
    Receiver gone;
    dead = gone.Url();
  }
  Start([&] {
    auto o = Options();
    o.max_attempts = 3;
    o.alertmanagers = {dead, rx_.Url()};
    return o;
  }());
  notifier_->Send({Make("A"), Make("B")});
  ASSERT_TRUE(WaitFor([&] { return Dropped("target_failed") == 2; }));
  EXPECT_EQ(Errors(dead + "/api/v2/alerts"), 3);
  EXPECT_EQ(Sent(dead + "/api/v2/alerts"), 0);
  ASSERT_TRUE(notifier_->Stop(milliseconds(10000)).ok());
  EXPECT_EQ(rx_.Count(), 1u);  // the live target got the batch once, not once per retry
  EXPECT_EQ(Sent(rx_.Url("/api/v2/alerts")), 2);
}

TEST_F(NotifierTest, QueueOverflowDropsOldest) {
  rx_.CloseGate();
  Start([&] {
    auto o = Options();
    o.queue_capacity = 3;
    o.alertmanagers = {rx_.Url()};
    return o;
  }());
  notifier_->Send({Make("a0")});
  ASSERT_TRUE(WaitFor([&] { return rx_.Count() == 1; }));  // the sender is now blocked
  notifier_->Send({Make("a1"), Make("a2")});
  notifier_->Send({Make("a3"), Make("a4"), Make("a5")});
  EXPECT_EQ(notifier_->QueueLength(), 3u);
  EXPECT_EQ(Dropped("queue_full"), 2);  // a1 and a2
  EXPECT_EQ(registry_.AddGauge("infermetry_notifications_queue_length", "").With({}).Value(), 3);
  rx_.OpenGate();
  ASSERT_TRUE(WaitFor([&] { return rx_.Count() == 2; }));
  auto reqs = rx_.Requests();
  EXPECT_EQ(AlertNames(reqs[0].body), (std::vector<std::string>{"a0"}));
  EXPECT_EQ(AlertNames(reqs[1].body), (std::vector<std::string>{"a3", "a4", "a5"}));
  ASSERT_TRUE(notifier_->Stop(milliseconds(10000)).ok());
  EXPECT_EQ(Sent(rx_.Url("/api/v2/alerts")), 4);
}

TEST_F(NotifierTest, StopDeliversWhatIsQueued) {
  rx_.CloseGate();
  Start([&] {
    auto o = Options();
    o.max_batch = 2;
    o.alertmanagers = {rx_.Url()};
    o.webhooks = {rx_.Url("/hook")};
    return o;
  }());
  notifier_->Send({Make("a0")});
  ASSERT_TRUE(WaitFor([&] { return rx_.Count() == 1; }));
  for (int i = 1; i <= 6; ++i) notifier_->Send({Make("a" + std::to_string(i))});
  rx_.OpenGate();
  Status s = notifier_->Stop(milliseconds(20000));
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> delivered;
  size_t hooks = 0;
  for (const auto& r : rx_.Requests()) {
    if (r.path == "/hook") {
      ++hooks;
      continue;
    }
    for (auto& name : AlertNames(r.body)) delivered.push_back(name);
  }
  EXPECT_EQ(delivered, (std::vector<std::string>{"a0", "a1", "a2", "a3", "a4", "a5", "a6"}));
  EXPECT_EQ(hooks, 4u);  // batches of at most 2: {a0} then three pairs
  EXPECT_EQ(Sent(rx_.Url("/hook")), 7);
  EXPECT_EQ(notifier_->QueueLength(), 0u);
}

TEST_F(NotifierTest, StopDeadlineDropsTheRest) {
  rx_.CloseGate();
  Start([&] {
    auto o = Options();
    o.alertmanagers = {rx_.Url()};
    return o;
  }());
  notifier_->Send({Make("a0")});
  ASSERT_TRUE(WaitFor([&] { return rx_.Count() == 1; }));
  notifier_->Send({Make("a1"), Make("a2"), Make("a3")});
  // Stop(0) waits only for the attempt in flight; nothing after it is sent.
  auto stopped = std::async(std::launch::async, [&] { return notifier_->Stop(milliseconds(0)); });
  // Probe until Send is refused, i.e. Stop has begun; probes queued before that are dropped with
  // the rest.
  int probes = 0;
  ASSERT_TRUE(WaitFor([&] {
    notifier_->Send({Make("probe")});
    ++probes;
    return Dropped("shutdown") >= 1;
  }));
  rx_.OpenGate();
  Status s = stopped.get();
  EXPECT_EQ(s.code(), Code::kDeadlineExceeded) << s.ToString();
  EXPECT_NE(s.message().find(std::to_string(3 + probes - 1) + " notifications"), std::string::npos)
      << s.ToString();
  EXPECT_EQ(Dropped("shutdown"), 3 + probes);
  EXPECT_EQ(rx_.Count(), 1u);
  EXPECT_EQ(Sent(rx_.Url("/api/v2/alerts")), 1);
  notifier_->Send({Make("late")});  // after Stop: dropped, not queued
  EXPECT_EQ(Dropped("shutdown"), 4 + probes);
  EXPECT_EQ(notifier_->QueueLength(), 0u);
  EXPECT_TRUE(notifier_->Stop(milliseconds(0)).ok());  // idempotent
}

TEST_F(NotifierTest, StartRejectsBadUrls) {
  struct Case {
    std::vector<std::string> alertmanagers, webhooks;
    std::string want;
  };
  std::vector<Case> cases = {
      {{"ftp://am:9093"}, {}, "alertmanagers[0] \"ftp://am:9093\": scheme \"ftp\" is not http"},
      {{"http://ok:9093"},
       {"http://ok/hook", "127.0.0.1:9093"},
       "webhooks[1] \"127.0.0.1:9093\": not an absolute URL"},
      {{"http://"}, {}, "alertmanagers[0] \"http://\": no host"},
      {{"http://am:9093?x=1"}, {}, "query string or fragment"},
      {{}, {"http://a b/hook"}, "webhooks[0] \"http://a b/hook\": contains whitespace"},
      {{"https://user:secret@:9093"}, {}, "alertmanagers[0] \"https://:9093\": no host"},
  };
  for (const Case& c : cases) {
    NotifierOptions o = Options();
    o.alertmanagers = c.alertmanagers;
    o.webhooks = c.webhooks;
    auto n = Notifier::Start(o);
    ASSERT_FALSE(n.ok()) << c.want;
    EXPECT_EQ(n.status().code(), Code::kInvalidArgument);
    EXPECT_NE(n.status().message().find(c.want), std::string::npos) << n.status().ToString();
    EXPECT_EQ(n.status().message().find("secret"), std::string::npos);
  }
  NotifierOptions o = Options();
  o.max_attempts = 0;
  EXPECT_FALSE(Notifier::Start(o).ok());
  o = Options();
  o.queue_capacity = 0;
  EXPECT_FALSE(Notifier::Start(o).ok());
}

TEST_F(NotifierTest, TargetLabelHasNoCredentials) {
  std::string url = "http://user:secret@127.0.0.1:" + rx_.Url().substr(rx_.Url().rfind(':') + 1);
  Start([&] {
    auto o = Options();
    o.alertmanagers = {url};
    return o;
  }());
  notifier_->Send({Make("A")});
  ASSERT_TRUE(WaitFor([&] { return Sent(rx_.Url("/api/v2/alerts")) == 1; }));
  std::string text;
  registry_.WriteText(&text);
  EXPECT_EQ(text.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace infermetry::alerting
