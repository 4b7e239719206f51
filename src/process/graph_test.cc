#include "process/graph.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/log.h"
#include "process/fake_components.h"
#include "process/service.h"

namespace infermetry::process {
namespace {

using namespace std::chrono_literals;
using testing::BuildString;
using testing::ErrorOf;
using testing::Fake;
using testing::FakeExporter;
using testing::FakeRecv;
using testing::MakeSums;
using testing::MakeTraces;
using testing::Tables;
using testing::TestData;

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

TEST(GraphTest, Dash0SeedConfig) {
  setenv("DASH0_ENDPOINT_OTLP_GRPC_HOSTNAME", "ingress.eu-west-1.aws.dash0.com", 1);
  setenv("DASH0_ENDPOINT_OTLP_GRPC_PORT", "4317", 1);
  setenv("DASH0_AUTH_TOKEN", "auth_token_123", 1);
  setenv("DASH0_DATASET", "vllm", 1);
  auto doc = config::Document::LoadFile(
      (TestData() / "collector" / "collector-config-dash0.yaml").string());
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  auto svc = Service::Build(*doc, Tables());
  ASSERT_TRUE(svc.ok()) << svc.status().ToString();
  const Graph& g = (*svc)->graph();

  ASSERT_EQ(g.pipelines().size(), 2u);
  const Pipeline* traces = g.pipeline("traces");
  const Pipeline* metrics = g.pipeline("metrics");
  ASSERT_NE(traces, nullptr);
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ(traces->signal, Signal::kTraces);
  EXPECT_EQ(traces->receiver_ids, (std::vector<std::string>{"otlp"}));
  EXPECT_EQ(metrics->receiver_ids, (std::vector<std::string>{"otlp", "prometheus"}));
  EXPECT_EQ(traces->exporter_ids, (std::vector<std::string>{"debug", "otlp/dash0"}));

  // Exporters are shared; processors are per pipeline.
  EXPECT_EQ(traces->exporters, metrics->exporters);
  ASSERT_EQ(traces->processors.size(), 1u);
  ASSERT_EQ(metrics->processors.size(), 1u);
  EXPECT_NE(traces->processors[0], metrics->processors[0]);
  for (const Pipeline* p : {traces, metrics}) {
    const BatchOptions* b = p->processors[0]->batching();
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->send_batch_size, 1024u);
    EXPECT_EQ(b->send_batch_max_size, 0u);
    EXPECT_EQ(b->timeout, 1s);
    EXPECT_EQ(p->entry, p->processors[0]);
    EXPECT_FALSE(p->durable);
  }

  // Receivers: otlp feeds both pipelines (one of each signal), prometheus only metrics.
  const ReceiverOutputs* otlp = g.receiver_outputs("otlp");
  ASSERT_NE(otlp, nullptr);
  EXPECT_EQ(otlp->traces, traces->entry);
  EXPECT_EQ(otlp->metrics, metrics->entry);
  EXPECT_EQ(otlp->logs, nullptr);
  const ReceiverOutputs* prom = g.receiver_outputs("prometheus");
  ASSERT_NE(prom, nullptr);
  EXPECT_EQ(prom->traces, nullptr);
  EXPECT_EQ(prom->metrics, metrics->entry);
  EXPECT_EQ(FakeRecv(g, "otlp")->out.traces, traces->entry);

  // Env substitution reached the exporter's settings.
  FakeExporter* dash0 = Fake(g, "otlp/dash0");
  ASSERT_NE(dash0, nullptr);
  EXPECT_EQ(dash0->endpoint, "ingress.eu-west-1.aws.dash0.com:4317");
  EXPECT_EQ(dash0->headers["Authorization"], "Bearer auth_token_123");
  EXPECT_EQ(dash0->headers["Dash0-Dataset"], "vllm");
  EXPECT_EQ(dash0->batching_calls, 0);

  ASSERT_NE(g.extension("health_check"), nullptr);
  EXPECT_EQ(g.exporters().size(), 2u);
  EXPECT_EQ(g.receivers().size(), 2u);
}

TEST(GraphTest, ParseableSeedConfigs) {
  log::SetLevel(log::Level::kWarn);
  auto doc = config::Document::LoadFile(
      (TestData() / "collector" / "collector-config-parseable.yaml").string());
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  auto svc = Service::Build(*doc, Tables());
  ASSERT_TRUE(svc.ok()) << svc.status().ToString();
  EXPECT_EQ(log::GetLevel(), log::Level::kInfo);  // service.telemetry.logs.level
  const Graph& g = (*svc)->graph();
  ASSERT_EQ(g.pipelines().size(), 1u);
  const Pipeline& m = g.pipelines()[0];
  EXPECT_EQ(m.name, "metrics");
  EXPECT_EQ(m.exporter_ids, (std::vector<std::string>{"otlphttp/parseablemetrics"}));
  EXPECT_EQ(m.processors[0]->batching()->send_batch_size, 100u);
  EXPECT_EQ(m.processors[0]->batching()->timeout, 10s);
  EXPECT_EQ(Fake(g, "otlphttp/parseablemetrics")->headers["X-P-Stream"], "vLLMmetrics");
  // The processor chain ends at the only exporter, without a fan-out.
  EXPECT_EQ(g.receiver_outputs("prometheus")->metrics, m.entry);

  auto doc2 = config::Document::LoadFile(
      (TestData() / "collector" / "collector-config-parseable-traces.yaml").string());
  ASSERT_TRUE(doc2.ok());
  auto svc2 = Service::Build(*doc2, Tables());
  ASSERT_TRUE(svc2.ok()) << svc2.status().ToString();
  const Graph& g2 = (*svc2)->graph();
  ASSERT_EQ(g2.pipelines().size(), 2u);
  EXPECT_EQ(g2.pipeline("metrics")->exporters, g2.pipeline("traces")->exporters);
  EXPECT_EQ(g2.exporters().size(), 1u);
  EXPECT_EQ(g2.receiver_outputs("otlp")->metrics, nullptr);
  EXPECT_EQ(g2.receiver_outputs("otlp")->traces, g2.pipeline("traces")->entry);
  EXPECT_EQ(g2.receiver_outputs("prometheus")->metrics, g2.pipeline("metrics")->entry);
  EXPECT_EQ(g2.extensions().size(), 0u);
}

TEST(GraphTest, ValidationErrors) {
  EXPECT_EQ(ErrorOf(std::string(kHead) + "  kafka:\nservice:\n  pipelines:\n"
                                         "    traces: {receivers: [otlp], exporters: [debug]}\n"),
            "g.yaml:10:3: exporters.kafka: unknown exporter type \"kafka\" (known types: debug, "
            "fakequeue, otlp, otlphttp)");
  EXPECT_EQ(
      ErrorOf("receivers:\n  jaeger:\n" + std::string(kHead).substr(11) +
              "service:\n  pipelines:\n    traces: {receivers: [otlp], exporters: [debug]}\n"),
      "g.yaml:2:3: receivers.jaeger: unknown receiver type \"jaeger\" (known types: otlp, "
      "prometheus)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "extensions:\n  zpages:\nservice:\n  pipelines:\n"
                                         "    traces: {receivers: [otlp], exporters: [debug]}\n"),
            "g.yaml:11:3: extensions.zpages: unknown extension type \"zpages\" (known types: "
            "file_storage, health_check)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "  probe/x:\nservice:\n  pipelines:\n"
                                         "    traces: {receivers: [otlp], exporters: [debug]}\n"),
            "g.yaml:10:3: exporters.probe/x: unknown exporter type \"probe\" (known types: debug, "
            "fakequeue, otlp, otlphttp)");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "service:\n  pipelines:\n    traces:\n"
                                         "      receivers: [otlp, prometheus]\n"
                                         "      exporters: [debug]\n"),
            "g.yaml:13:25: service.pipelines.traces.receivers[1]: receiver \"prometheus\" does not "
            "support traces");
  EXPECT_EQ(ErrorOf(std::string(kHead) + "service:\n  pipelines:\n    logs:\n"
                                         "      receivers: [otlp]\n"
                                         "      processors: [batch, cumulativetodelta]\n"
                                         "      exporters: [debug]\n"),
            "g.yaml:14:27: service.pipelines.logs.processors[1]: processor \"cumulativetodelta\" "
            "does not support logs");
  // A factory's own error names the component's settings.
  EXPECT_EQ(ErrorOf("receivers: {otlp: }\nprocessors:\n  batch:\n    timeout: soon\n"
                    "exporters: {debug: }\nservice:\n  pipelines:\n"
                    "    traces: {receivers: [otlp], processors: [batch], exporters: [debug]}\n"),
            "g.yaml:4:14: processors.batch.timeout: invalid duration \"soon\": expected a number");
}

TEST(GraphTest, FanOutAcrossPipelinesAndSharedExporters) {
  auto svc = BuildString(std::string(kHead) + R"(service:
  pipelines:
    metrics/a:
      receivers: [otlp]
      exporters: [debug, otlp/a]
    metrics/b:
      receivers: [otlp, prometheus]
      exporters: [debug]
)");
  ASSERT_TRUE(svc.ok()) << svc.status().ToString();
  const Graph& g = (*svc)->graph();
  const ReceiverOutputs* otlp = g.receiver_outputs("otlp");
  auto* fan = dynamic_cast<FanoutConsumer*>(otlp->metrics);
  ASSERT_NE(fan, nullptr);
  EXPECT_EQ(fan->consumers(), (std::vector<Consumer*>{g.pipeline("metrics/a")->entry,
                                                      g.pipeline("metrics/b")->entry}));
  // metrics/a's entry fans out to its two exporters; metrics/b's is the exporter itself.
  EXPECT_NE(dynamic_cast<FanoutConsumer*>(g.pipeline("metrics/a")->entry), nullptr);
  EXPECT_EQ(g.pipeline("metrics/b")->entry, g.exporter("debug"));
  EXPECT_EQ(g.receiver_outputs("prometheus")->metrics, g.pipeline("metrics/b")->entry);

  ASSERT_TRUE((*svc)->Start().ok());
  ASSERT_TRUE(otlp->metrics->ConsumeMetrics(MakeSums({"x"}, 3)).ok());
  EXPECT_EQ(Fake(g, "debug")->metrics.size(), 2u);  // once per pipeline
  EXPECT_EQ(Fake(g, "otlp/a")->metrics.size(), 1u);
  EXPECT_EQ(CountItems(Fake(g, "debug")->metrics[1]), 3);
  ASSERT_TRUE((*svc)->Shutdown(1s).ok());
}

TEST(GraphTest, DurableExporterMovesBatchingIntoExporters) {
  auto svc = BuildString(std::string(kHead) + R"(  fakequeue:
    durable: true
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [fakequeue, otlp/a]
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug]
)");
  ASSERT_TRUE(svc.ok()) << svc.status().ToString();
  const Graph& g = (*svc)->graph();
  EXPECT_TRUE(g.pipeline("traces")->durable);
  EXPECT_FALSE(g.pipeline("metrics")->durable);
  for (std::string_view id : {"fakequeue", "otlp/a"}) {
    FakeExporter* e = Fake(g, id);
    EXPECT_EQ(e->batching_calls, 1) << id;
    EXPECT_EQ(e->batching.send_batch_size, 8192u);
    EXPECT_EQ(e->batching.timeout, 200ms);
  }
  EXPECT_EQ(Fake(g, "debug")->batching_calls, 0);

  ASSERT_TRUE((*svc)->Start().ok());
  // Pass-through: the durable pipeline's data reaches the exporters at once; the other batches.
  ASSERT_TRUE(g.receiver_outputs("otlp")->traces->ConsumeTraces(MakeTraces(1, 1, 2)).ok());
  EXPECT_EQ(Fake(g, "fakequeue")->traces.size(), 1u);
  EXPECT_EQ(Fake(g, "otlp/a")->traces.size(), 1u);
  ASSERT_TRUE(g.receiver_outputs("otlp")->metrics->ConsumeMetrics(MakeSums({"m"}, 2)).ok());
  EXPECT_EQ(Fake(g, "debug")->metrics.size(), 0u);
  ASSERT_TRUE((*svc)->Shutdown(1s).ok());
  EXPECT_EQ(Fake(g, "debug")->metrics.size(), 1u);  // flushed on shutdown
}

}  // namespace
}  // namespace infermetry::process
