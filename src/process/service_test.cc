#include "process/service.h"

#include <gtest/gtest.h>

#include "common/http_client.h"
#include "process/fake_components.h"
#include "process/fanout.h"
#include "process/health_check.h"

namespace infermetry::process {
namespace {

using namespace std::chrono_literals;
using testing::BuildString;
using testing::Events;
using testing::Fake;
using testing::MakeTraces;
using testing::RecordingConsumer;

const char kHead[] = R"(receivers:
  otlp:
  prometheus:
processors:
  batch:
  cumulativetodelta:
exporters:
  debug:
  otlp/a:
)";

TEST(ServiceTest, StartsAndStopsInOrder) {
  auto svc = BuildString(std::string(kHead) + R"(service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug, otlp/a]
)");
  ASSERT_TRUE(svc.ok()) << svc.status().ToString();
  Events().clear();
  EXPECT_FALSE((*svc)->Ready());
  ASSERT_TRUE((*svc)->Start().ok());
  EXPECT_TRUE((*svc)->Ready());
  Fake((*svc)->graph(), "debug")->ready = false;
  EXPECT_FALSE((*svc)->Ready());
  Fake((*svc)->graph(), "debug")->ready = true;
  ASSERT_TRUE((*svc)->Shutdown(1s).ok());
  EXPECT_FALSE((*svc)->Ready());
  EXPECT_EQ(Events(), (std::vector<std::string>{"start exporters.debug", "start exporters.otlp/a",
                                                "start receivers.otlp", "stop receivers.otlp",
                                                "stop exporters.otlp/a", "stop exporters.debug"}));
  EXPECT_TRUE((*svc)->Shutdown(1s).ok());  // idempotent
}

TEST(ServiceTest, FailedStartStopsWhatStarted) {
  auto svc = BuildString(std::string(kHead) + R"(  otlp/b:
    fail_start: true
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug, otlp/b]
)");
  ASSERT_TRUE(svc.ok()) << svc.status().ToString();
  Events().clear();
  Status st = (*svc)->Start();
  EXPECT_EQ(st.ToString(), "unavailable: starting exporters.otlp/b: cannot connect");
  EXPECT_EQ(Events(), (std::vector<std::string>{"start exporters.debug", "start exporters.otlp/b",
                                                "stop exporters.debug"}));
  EXPECT_FALSE((*svc)->Ready());
}

TEST(FanoutTest, CallsEveryConsumerAndReturnsFirstError) {
  RecordingConsumer a, b, c;
  b.status = Unavailable("b down");
  c.status = ResourceExhausted("c full");
  FanoutConsumer fan({&a, &b, &c});
  Status st = fan.ConsumeTraces(MakeTraces(1, 1, 2));
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(a.traces.size(), 1u);
  EXPECT_EQ(b.traces.size(), 1u);
  EXPECT_EQ(c.traces.size(), 1u);
  EXPECT_EQ(CountItems(a.traces[0]), 2);
  EXPECT_EQ(CountItems(c.traces[0]), 2);
  b.status = Status::Ok();
  c.status = Status::Ok();
  EXPECT_TRUE(fan.ConsumeLogs(testing::MakeLogs(1)).ok());
}

std::string Get(uint16_t port, int* status) {
  http::ClientRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/health";
  auto resp = http::Fetch(req);
  if (!resp.ok()) {
    *status = -1;
    return resp.status().ToString();
  }
  *status = resp->status;
  return resp->body;
}

TEST(HealthCheckTest, ServesServiceReadiness) {
  auto svc = BuildString(std::string(kHead) + R"(extensions:
  health_check:
    endpoint: 127.0.0.1:0
    path: /health
service:
  extensions: [health_check]
  pipelines:
    traces: {receivers: [otlp], exporters: [debug]}
)");
  ASSERT_TRUE(svc.ok()) << svc.status().ToString();
  auto* hc = dynamic_cast<HealthCheck*>((*svc)->graph().extension("health_check"));
  ASSERT_NE(hc, nullptr);
  EXPECT_EQ(hc->port(), 0);
  ASSERT_TRUE((*svc)->Start().ok());
  ASSERT_NE(hc->port(), 0);
  int status = 0;
  std::string body = Get(hc->port(), &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body.rfind("{\"status\":\"Server available\",\"upSince\":\"", 0), 0u) << body;
  EXPECT_NE(body.find("\"uptime\":\""), std::string::npos);

  Fake((*svc)->graph(), "debug")->ready = false;
  body = Get(hc->port(), &status);
  EXPECT_EQ(status, 503);
  EXPECT_EQ(body.rfind("{\"status\":\"Server not available\"", 0), 0u) << body;
  Fake((*svc)->graph(), "debug")->ready = true;
  EXPECT_EQ((Get(hc->port(), &status), status), 200);
  ASSERT_TRUE((*svc)->Shutdown(1s).ok());
}

TEST(HealthCheckTest, ConfigErrors) {
  testing::YamlConfig tls("tls: {cert_file: x}\n", "health_check");
  EXPECT_EQ(DecodeHealthCheckOptions(tls.cfg).status().message(),
            "test.yaml:1:6: processors.health_check.tls: not supported");
  testing::YamlConfig defaults("", "health_check");
  auto o = DecodeHealthCheckOptions(defaults.cfg);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->endpoint, "0.0.0.0:13133");
  EXPECT_EQ(o->path, "/");
}

}  // namespace
}  // namespace infermetry::process
