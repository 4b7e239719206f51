// Trace context (traceparent), TracerOptions::FromEnv and the attribute helpers.

#include <gtest/gtest.h>

#include <map>

#include "telemetry/tracer.h"

namespace infermetry::telemetry {
namespace {

using namespace std::chrono_literals;

// ---- traceparent ----

const char kValid[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceparentTest, ParsesValidHeaderAndFormatsItBack) {
  auto ctx = ParseTraceparent(kValid);
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(model::HexId(ctx->trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(model::HexId(ctx->span_id), "00f067aa0ba902b7");
  EXPECT_EQ(ctx->flags, 1);
  EXPECT_TRUE(ctx->sampled());
  EXPECT_EQ(FormatTraceparent(*ctx), kValid);

  auto unsampled = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled.has_value());
  EXPECT_FALSE(unsampled->sampled());
  // Optional whitespace around a header value is not part of it.
  EXPECT_TRUE(ParseTraceparent(std::string(" ") + kValid + "\t").has_value());
}

TEST(TraceparentTest, RejectsWhatTheSpecSaysToIgnore) {
  const char* bad[] = {
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // upper-case trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",   // upper-case parent id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",   // upper-case flags
      "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // upper-case version
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // zero parent id
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version ff
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",    // short
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    // short trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",      // no flags
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // 00 with extra
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-010",  // 00 too long
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",   // wrong separators
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",   // not hex
      "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version not hex
      "",
  };
  for (const char* h : bad) EXPECT_FALSE(ParseTraceparent(h).has_value()) << h;
}

TEST(TraceparentTest, LaterVersionsParseTheirVersion00Prefix) {
  auto v = ParseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(model::HexId(v->span_id), "00f067aa0ba902b7");
  EXPECT_TRUE(ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  // Anything after the flags must start with '-'.
  EXPECT_FALSE(
      ParseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what-ever"));
}

// ---- FromEnv ----

class FakeEnv {
 public:
  explicit FakeEnv(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  EnvLookup lookup() const {
    return [this](const char* name) -> const char* {
      auto it = vars_.find(name);
      return it == vars_.end() ? nullptr : it->second.c_str();
    };
  }

 private:
  std::map<std::string, std::string> vars_;
};

Result<TracerOptions> FromEnv(std::map<std::string, std::string> vars,
                              TracerOptions defaults = {}) {
  FakeEnv env(std::move(vars));
  return TracerOptions::FromEnv(std::move(defaults), env.lookup());
}

std::string Attr(const TracerOptions& o, const std::string& key) {
  for (const auto& [k, v] : o.resource_attributes) {
    if (k == key) return v;
  }
  return "<absent>";
}

TEST(TracerOptionsTest, NothingSetKeepsDefaultsAndDisablesTracing) {
  auto o = FromEnv({});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->service_name, "unknown_service");
  EXPECT_EQ(o->endpoint, "");
  EXPECT_EQ(o->protocol, "grpc");
  EXPECT_TRUE(o->resource_attributes.empty());
}

TEST(TracerOptionsTest, ServiceNameAndResourceAttributes) {
  TracerOptions d;
  d.service_name = "rag-app";
  d.resource_attributes = {{"vllm.process_id", "42"}};
  auto o = FromEnv({{"OTEL_RESOURCE_ATTRIBUTES",
                     " deployment.environment.name = prod%20eu ,service.name=from-attrs,"
                     "vllm.process_id=7,team=a%2Cb%3Dc,,"}},
                   d);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->service_name, "from-attrs");
  EXPECT_EQ(Attr(*o, "deployment.environment.name"), "prod eu");
  EXPECT_EQ(Attr(*o, "team"), "a,b=c");
  EXPECT_EQ(Attr(*o, "vllm.process_id"), "42");  // the caller's attribute wins
  EXPECT_EQ(Attr(*o, "service.name"), "<absent>");

  o = FromEnv(
      {{"OTEL_SERVICE_NAME", "vllm-server"}, {"OTEL_RESOURCE_ATTRIBUTES", "service.name=ignored"}},
      d);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->service_name, "vllm-server");

  // A malformed value is discarded as a whole.
  for (const char* bad : {"a=1,b", "a=1,=2", "a=%zz", "a=%4"}) {
    o = FromEnv({{"OTEL_RESOURCE_ATTRIBUTES", bad}}, d);
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o->resource_attributes.size(), 1u) << bad;
    EXPECT_EQ(o->service_name, "rag-app");
  }
  // Empty means unset.
  o = FromEnv({{"OTEL_SERVICE_NAME", ""}}, d);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->service_name, "rag-app");
}

TEST(TracerOptionsTest, EndpointsPerProtocol) {
  // grpc: the generic endpoint is used as is.
  auto o = FromEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->endpoint, "http://collector:4317");

  // http/protobuf: the generic endpoint is a base; "v1/traces" is appended.
  o = FromEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"},
               {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->protocol, "http/protobuf");
  EXPECT_EQ(o->endpoint, "http://collector:4318/v1/traces");
  o = FromEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/base/"},
               {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->endpoint, "http://collector:4318/base/v1/traces");

  // The signal-specific endpoint and protocol win, and the endpoint is used as is.
  o = FromEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318"},
               {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4318/custom"},
               {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
               {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->protocol, "http/protobuf");
  EXPECT_EQ(o->endpoint, "http://traces:4318/custom");

  // An endpoint the caller gives explicitly wins over both variables.
  TracerOptions d;
  d.endpoint = "grpc://jaeger:4317";
  o = FromEnv({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4317"}}, d);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->endpoint, "grpc://jaeger:4317");

  o = FromEnv({{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "thrift"}});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), Code::kInvalidArgument);
  EXPECT_NE(o.status().message().find("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"), std::string::npos);
  EXPECT_NE(o.status().message().find("thrift"), std::string::npos);
}

TEST(TracerOptionsTest, HeadersInsecureTimeoutAndSwitches) {
  TracerOptions d;
  d.headers = {{"X-Keep", "1"}, {"Authorization", "old"}};
  auto o = FromEnv({{"OTEL_EXPORTER_OTLP_HEADERS", "generic=1"},
                    {"OTEL_EXPORTER_OTLP_TRACES_HEADERS",
                     "authorization=Bearer%20abc%3D%3D, Dash0-Dataset = vllm-prod"},
                    {"OTEL_EXPORTER_OTLP_INSECURE", "false"},
                    {"OTEL_EXPORTER_OTLP_TRACES_INSECURE", "TRUE"},
                    {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
                    {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
                    {"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
                    {"OTEL_BSP_SCHEDULE_DELAY", "250"},
                    {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "nope"}},
                   d);
  ASSERT_TRUE(o.ok());
  std::vector<std::pair<std::string, std::string>> want = {
      {"X-Keep", "1"}, {"authorization", "Bearer abc=="}, {"Dash0-Dataset", "vllm-prod"}};
  EXPECT_EQ(o->headers, want);
  EXPECT_TRUE(o->insecure);
  EXPECT_EQ(o->export_timeout, 2500ms);
  EXPECT_EQ(o->compression, "gzip");
  EXPECT_EQ(o->max_queue_spans, 100u);
  EXPECT_EQ(o->export_interval, 250ms);
  EXPECT_EQ(o->max_export_batch, 512u);

  o = FromEnv({{"OTEL_EXPORTER_OTLP_INSECURE", "false"}});
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->insecure);

  o = FromEnv({{"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "zstd"}});
  EXPECT_FALSE(o.ok());

  o = FromEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"}, {"OTEL_SDK_DISABLED", "true"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->endpoint, "");
  o = FromEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"}, {"OTEL_TRACES_EXPORTER", "none"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->endpoint, "");
}

TEST(TracerTest, AttributeSettersReplaceByKey) {
  model::Span s;
  SetStringAttr(&s, "a", "x");
  SetIntAttr(&s, "b", 7);
  SetDoubleAttr(&s, "c", 0.5);
  SetBoolAttr(&s, "d", true);
  SetIntAttr(&s, "a", 3);
  ASSERT_EQ(s.attributes.size(), 4u);
  EXPECT_EQ(s.attributes[0].value.type, model::AttrValue::Type::kInt);
  EXPECT_EQ(s.attributes[0].value.i, 3);
  EXPECT_EQ(s.attributes[0].value.s, "");
  SetError(&s, "boom");
  EXPECT_EQ(s.status_code, kStatusError);
  EXPECT_EQ(s.status_message, "boom");
}

}  // namespace
}  // namespace infermetry::telemetry
