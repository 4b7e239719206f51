#include "config/collector_yaml.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace infermetry::config {
namespace {

Result<CollectorConfig> Decode(const std::string& yaml) {
  auto doc = Document::LoadString(yaml, "c.yaml");
  if (!doc.ok()) return doc.status();
  return DecodeCollectorConfig(*doc);
}

std::string ErrorOf(const std::string& yaml) {
  auto r = Decode(yaml);
  return r.ok() ? "OK" : r.status().message();
}

const char kMinimal[] = R"(receivers:
  otlp:
exporters:
  debug:
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
)";

TEST(CollectorYamlTest, DecodesLayout) {
  auto cfg = Decode(R"(extensions:
  health_check:
receivers:
  otlp:
    protocols: {grpc: {}}
  prometheus/vllm:
processors:
  batch:
    timeout: 1s
exporters:
  debug:
  otlp/dash0:
    endpoint: x:4317
service:
  extensions: [health_check]
  telemetry:
    logs: {level: debug, encoding: json}
    metrics: {level: detailed, address: 0.0.0.0:8888}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [debug, otlp/dash0]
    metrics/vllm:
      receivers: [otlp, prometheus/vllm]
      exporters: [otlp/dash0]
)");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_EQ(cfg->receivers.size(), 2u);
  EXPECT_EQ(cfg->receivers[1].id, "prometheus/vllm");
  EXPECT_TRUE(cfg->receivers[1].value.IsNull());
  EXPECT_EQ(cfg->processors[0].value["timeout"].Scalar(), "1s");
  ASSERT_EQ(cfg->pipelines.size(), 2u);
  EXPECT_EQ(cfg->pipelines[1].name, "metrics/vllm");
  EXPECT_EQ(cfg->pipelines[1].signal, "metrics");
  ASSERT_EQ(cfg->pipelines[1].receivers.size(), 2u);
  EXPECT_EQ(cfg->pipelines[1].receivers[1].id, "prometheus/vllm");
  EXPECT_EQ(cfg->pipelines[0].exporters[1].id, "otlp/dash0");
  ASSERT_EQ(cfg->service_extensions.size(), 1u);
  EXPECT_EQ(cfg->telemetry.log_level, "debug");
  EXPECT_TRUE(cfg->telemetry.log_json);
  EXPECT_EQ(cfg->telemetry.metrics_address, "0.0.0.0:8888");
  ASSERT_NE(FindComponent(cfg->exporters, "otlp/dash0"), nullptr);
  EXPECT_EQ(FindComponent(cfg->exporters, "otlp"), nullptr);
}

TEST(CollectorYamlTest, EnvInPipelineLists) {
  setenv("IM_CY_EXPORTER", "debug", 1);
  auto cfg = Decode(R"(receivers: {otlp: }
exporters: {debug: }
service:
  pipelines:
    logs: {receivers: [otlp], exporters: ["${env:IM_CY_EXPORTER}"]}
)");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->pipelines[0].exporters[0].id, "debug");
}

TEST(CollectorYamlTest, Errors) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "connectors:\n  forward:\n"),
            "c.yaml:11:3: connectors: not supported (connect pipelines through a shared receiver "
            "or exporter instead)");
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "processor:\n  batch:\n"),
            "c.yaml:10:1: unknown field \"processor\" in config");
  EXPECT_EQ(ErrorOf("receivers:\n  otlp:\n  otlp:\n" + std::string(kMinimal).substr(17)),
            "c.yaml:3:3: receivers: duplicate receiver id \"otlp\" (first defined at 2:3)");
  EXPECT_EQ(ErrorOf("receivers:\n  otlp/:\n"),
            "c.yaml:2:3: receivers: invalid receiver id \"otlp/\" (expected \"type\" or "
            "\"type/name\")");
  EXPECT_EQ(ErrorOf("receivers:\n  otlp:\nexporters:\n  debug:\n"),
            "c.yaml:1:1: service: missing (it lists the pipelines)");
  EXPECT_EQ(ErrorOf("receivers:\n  otlp:\nservice:\n  extensions: []\n"),
            "c.yaml:4:3: service.pipelines: at least one pipeline is required");

  const std::string head =
      "receivers: {otlp: }\nprocessors: {batch: }\nexporters: {debug: }\n"
      "extensions: {health_check: }\nservice:\n";
  EXPECT_EQ(ErrorOf(head + "  pipelines:\n    traces:\n      receivers: [otlp, nope]\n"
                           "      exporters: [debug]\n"),
            "c.yaml:8:25: service.pipelines.traces.receivers[1]: receiver \"nope\" is not defined "
            "in receivers");
  EXPECT_EQ(ErrorOf(head + "  pipelines:\n    traces:\n      receivers: [otlp]\n"
                           "      processors: [batch/x]\n      exporters: [debug]\n"),
            "c.yaml:9:20: service.pipelines.traces.processors[0]: processor \"batch/x\" is not "
            "defined in processors");
  EXPECT_EQ(ErrorOf(head + "  pipelines:\n    traces:\n      receivers: [otlp]\n"
                           "      exporters: [debug, otlp]\n"),
            "c.yaml:9:26: service.pipelines.traces.exporters[1]: exporter \"otlp\" is not defined "
            "in exporters");
  EXPECT_EQ(ErrorOf(head + "  extensions: [pprof]\n  pipelines:\n    traces:\n"
                           "      receivers: [otlp]\n      exporters: [debug]\n"),
            "c.yaml:6:16: service.extensions[0]: extension \"pprof\" is not defined in extensions");
  EXPECT_EQ(ErrorOf(head + "  pipelines:\n    traces:\n      exporters: [debug]\n"),
            "c.yaml:7:5: service.pipelines.traces: a pipeline needs at least one receiver");
  EXPECT_EQ(ErrorOf(head + "  pipelines:\n    traces:\n      receivers: [otlp]\n"
                           "      processors: [batch]\n"),
            "c.yaml:7:5: service.pipelines.traces: a pipeline needs at least one exporter");
  EXPECT_EQ(ErrorOf(head + "  pipelines:\n    profiles:\n      receivers: [otlp]\n"
                           "      exporters: [debug]\n"),
            "c.yaml:7:5: service.pipelines: unknown pipeline type \"profiles\" in \"profiles\" "
            "(expected traces, metrics or logs)");
  EXPECT_EQ(ErrorOf(head + "  pipelines:\n    traces:\n      receivers: [otlp]\n"
                           "      processors: [batch, batch]\n      exporters: [debug]\n"),
            "c.yaml:9:27: service.pipelines.traces.processors[1]: processor \"batch\" is listed "
            "more than once");
  EXPECT_EQ(ErrorOf(head + "  pipelines:\n    traces:\n      receivers: [otlp]\n"
                           "      exporter: [debug]\n"),
            "c.yaml:9:7: unknown field \"exporter\" in service.pipelines.traces");
  EXPECT_EQ(ErrorOf(head + "  telemetry:\n    logs:\n      level: loud\n  pipelines:\n"
                           "    traces: {receivers: [otlp], exporters: [debug]}\n"),
            "c.yaml:8:14: service.telemetry.logs.level: unknown level \"loud\" (expected debug, "
            "info, warn or error)");
  EXPECT_EQ(ErrorOf(head + "  telemetry:\n    logs:\n      colour: red\n  pipelines:\n"
                           "    traces: {receivers: [otlp], exporters: [debug]}\n"),
            "c.yaml:8:7: unknown field \"colour\" in service.telemetry.logs");
}

TEST(CollectorYamlTest, DuplicatePipelineNames) {
  EXPECT_EQ(ErrorOf("receivers: {otlp: }\nexporters: {debug: }\nservice:\n  pipelines:\n"
                    "    logs: {receivers: [otlp], exporters: [debug]}\n"
                    "    logs: {receivers: [otlp], exporters: [debug]}\n"),
            "c.yaml:6:5: service.pipelines: duplicate pipeline \"logs\" (first defined at 5:5)");
}

}  // namespace
}  // namespace infermetry::config
