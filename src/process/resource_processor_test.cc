#include "process/resource_processor.h"

#include <gtest/gtest.h>

#include "process/attr_action.h"
#include "process/client_info.h"
#include "process/process_test_util.h"

namespace infermetry::process {
namespace {

using testing::FindAttr;
using testing::RecordingConsumer;
using testing::YamlConfig;

TEST(ResourceProcessorTest, AppliesToEveryResource) {
  YamlConfig y(R"(attributes:
  - {key: deployment.environment, value: production, action: upsert}
  - {key: service.name, action: hash}
  - {key: cloud.region, value: eu-west-1, action: insert}
)",
               "resource");
  RecordingConsumer next;
  auto p = CreateResourceProcessor(y.cfg, Signal::kTraces, &next);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE((*p)->ConsumeTraces(testing::MakeTraces(2, 1, 1)).ok());
  ASSERT_EQ(next.traces.size(), 1u);
  for (int r = 0; r < 2; ++r) {
    const auto& attrs = next.traces[0].resource_spans(r).resource().attributes();
    EXPECT_EQ(FindAttr(attrs, "deployment.environment")->string_value(), "production");
    EXPECT_EQ(FindAttr(attrs, "cloud.region")->string_value(), "eu-west-1");
    AnyValue name;
    name.set_string_value("svc" + std::to_string(r));
    EXPECT_EQ(FindAttr(attrs, "service.name")->string_value(), HashValue(name));
  }
  // Span attributes are not touched.
  EXPECT_EQ(next.traces[0].resource_spans(0).scope_spans(0).spans(0).attributes_size(), 0);

  ASSERT_TRUE((*p)->ConsumeMetrics(testing::MakeSums({"m"}, 1)).ok());
  EXPECT_EQ(FindAttr(next.metrics[0].resource_metrics(0).resource().attributes(), "cloud.region")
                ->string_value(),
            "eu-west-1");
  ASSERT_TRUE((*p)->ConsumeLogs(testing::MakeLogs(1)).ok());
  EXPECT_NE(
      FindAttr(next.logs[0].resource_logs(0).resource().attributes(), "deployment.environment"),
      nullptr);
}

// The guides' exporter headers, copied into resource attributes by a receiving infermetry.
TEST(ResourceProcessorTest, FromContextCopiesHeadersIntoTheResource) {
  YamlConfig y(R"(attributes:
  - {key: http.authorization, from_context: metadata.authorization, action: upsert}
  - {key: dash0.dataset, from_context: metadata.dash0-dataset, action: insert}
  - {key: parseable.stream, from_context: metadata.x-p-stream, action: upsert}
)",
               "resource");
  RecordingConsumer next;
  auto p = CreateResourceProcessor(y.cfg, Signal::kMetrics, &next);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ClientInfo info;
  info.AddMetadata("Authorization", "Bearer auth_test_token");
  info.AddMetadata("Dash0-Dataset", "vllm-e2e");
  {
    ClientInfoScope scope(&info);
    ASSERT_TRUE((*p)->ConsumeMetrics(testing::MakeSums({"m"}, 1)).ok());
    ASSERT_TRUE((*p)->ConsumeTraces(testing::MakeTraces(2, 1, 1)).ok());
  }
  const auto& attrs = next.metrics[0].resource_metrics(0).resource().attributes();
  EXPECT_EQ(FindAttr(attrs, "http.authorization")->string_value(), "Bearer auth_test_token");
  EXPECT_EQ(FindAttr(attrs, "dash0.dataset")->string_value(), "vllm-e2e");
  EXPECT_EQ(FindAttr(attrs, "parseable.stream"), nullptr);  // header absent: nothing
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(FindAttr(next.traces[0].resource_spans(r).resource().attributes(), "dash0.dataset")
                  ->string_value(),
              "vllm-e2e");
  }
  // Without client information (e.g. data from the prometheus receiver) nothing is set.
  ASSERT_TRUE((*p)->ConsumeMetrics(testing::MakeSums({"m"}, 1)).ok());
  const auto& plain = next.metrics[1].resource_metrics(0).resource().attributes();
  EXPECT_EQ(FindAttr(plain, "http.authorization"), nullptr);
  EXPECT_EQ(FindAttr(plain, "dash0.dataset"), nullptr);
}

TEST(ResourceProcessorTest, NeedsAttributes) {
  RecordingConsumer next;
  YamlConfig none("", "resource");
  EXPECT_EQ(CreateResourceProcessor(none.cfg, Signal::kTraces, &next).status().message(),
            "test.yaml: processors.resource: attributes must list at least one action");
  YamlConfig typo("attributes: []\nactions: []\n", "resource");
  EXPECT_EQ(CreateResourceProcessor(typo.cfg, Signal::kTraces, &next).status().message(),
            "test.yaml:2:1: unknown field \"actions\" in processors.resource");
}

TEST(ResourceProcessorTest, DownstreamStatusIsReturned) {
  YamlConfig y("attributes: [{key: a, value: b, action: upsert}]\n", "resource");
  RecordingConsumer next;
  next.status = Unavailable("x");
  auto p = CreateResourceProcessor(y.cfg, Signal::kLogs, &next);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)->ConsumeLogs(testing::MakeLogs(1)).code(), Code::kUnavailable);
}

}  // namespace
}  // namespace infermetry::process
