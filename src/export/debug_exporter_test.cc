#include "export/debug_exporter.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "export/export_test_util.h"

namespace infermetry::exporter {
namespace {

using testing::ConfigFor;

// Redirects fd 2 into a temporary file for its lifetime.
class StderrCapture {
 public:
  StderrCapture() {
    path_ = tmp_.path() + "/stderr";
    fd_ = ::open(path_.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    saved_ = ::dup(2);
    ::dup2(fd_, 2);
  }
  ~StderrCapture() { Restore(); }
  std::string Take() {
    Restore();
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  void Restore() {
    if (saved_ < 0) return;
    ::dup2(saved_, 2);
    ::close(saved_);
    ::close(fd_);
    saved_ = -1;
  }
  testing::TempDir tmp_;
  std::string path_;
  int fd_ = -1;
  int saved_ = -1;
};

std::unique_ptr<process::Exporter> Make(const std::string& settings) {
  auto ec = ConfigFor("exporters:\n  debug:\n" + settings, "debug");
  auto e = CreateDebugExporter(ec.cfg);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE((*e)->Start().ok());
  return std::move(*e);
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(DebugExporterTest, Basic) {
  auto e = Make("    verbosity: basic\n");
  StderrCapture cap;
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(3)).ok());
  ASSERT_TRUE(e->ConsumeMetrics(testing::MakeMetrics(2)).ok());
  ASSERT_TRUE(e->ConsumeLogs(testing::MakeLogs(4)).ok());
  std::string out = cap.Take();
  EXPECT_NE(out.find("msg=Traces exporter=debug resource_spans=1 spans=3"), std::string::npos)
      << out;
  EXPECT_NE(out.find("msg=Metrics exporter=debug resource_metrics=1 metrics=1 data_points=2"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("msg=Logs exporter=debug resource_logs=1 log_records=4"), std::string::npos)
      << out;
  EXPECT_EQ(Count(out, "msg=span"), 0);
}

TEST(DebugExporterTest, Normal) {
  auto e = Make("    verbosity: normal\n");
  StderrCapture cap;
  ASSERT_TRUE(e->ConsumeTraces(testing::MakeTraces(2)).ok());
  ASSERT_TRUE(e->ConsumeMetrics(testing::MakeMetrics(2)).ok());
  ASSERT_TRUE(e->ConsumeLogs(testing::MakeLogs(1)).ok());
  std::string out = cap.Take();
  EXPECT_EQ(Count(out, "msg=span "), 2) << out;
  EXPECT_NE(out.find("msg=span exporter=debug name=span1 trace_id=02020202020202020202020202020202 "
                     "span_id=0202020202020202 attributes=\"http.method=GET\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("msg=resource exporter=debug index=0 attributes=\"service.name=svc\""),
            std::string::npos)
      << out;
  EXPECT_EQ(Count(out, "msg=\"data point\""), 2) << out;
  EXPECT_NE(out.find("metric=vllm:num_requests_running type=Gauge value=1"), std::string::npos)
      << out;
  EXPECT_NE(out.find("msg=\"log record\" exporter=debug severity=INFO body=\"log line 0\""),
            std::string::npos)
      << out;
}

TEST(DebugExporterTest, DetailedShowsEveryFieldWithTypes) {
  auto e = Make("    verbosity: detailed\n");
  process::Traces t = testing::MakeTraces(1);
  auto* sp = t.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  sp->set_kind(opentelemetry::proto::trace::v1::Span::SPAN_KIND_SERVER);
  auto* a = sp->add_attributes();
  a->set_key("http.status_code");
  a->mutable_value()->set_int_value(200);
  a = sp->add_attributes();
  a->set_key("ratio");
  a->mutable_value()->set_double_value(0.5);
  a = sp->add_attributes();
  a->set_key("ok");
  a->mutable_value()->set_bool_value(true);
  a = sp->add_attributes();
  a->set_key("tags");
  a->mutable_value()->mutable_array_value()->add_values()->set_string_value("x");
  a = sp->add_attributes();
  a->set_key("raw");
  a->mutable_value()->set_bytes_value("\x01\xff");
  auto* ev = sp->add_events();
  ev->set_name("retry");
  StderrCapture cap;
  ASSERT_TRUE(e->ConsumeTraces(std::move(t)).ok());
  process::Metrics m;
  auto* metric = m.add_resource_metrics()->add_scope_metrics()->add_metrics();
  metric->set_name("vllm:e2e_request_latency_seconds");
  metric->set_unit("s");
  auto* h = metric->mutable_histogram();
  h->set_aggregation_temporality(
      opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* p = h->add_data_points();
  p->set_count(3);
  p->set_sum(1.5);
  p->add_bucket_counts(1);
  p->add_bucket_counts(2);
  p->add_explicit_bounds(0.25);
  ASSERT_TRUE(e->ConsumeMetrics(std::move(m)).ok());
  std::string out = cap.Take();
  EXPECT_NE(out.find("msg=scope exporter=debug index=0 name=test-scope"), std::string::npos) << out;
  EXPECT_NE(out.find("attributes=\"{service.name=Str(svc)}\""), std::string::npos) << out;
  EXPECT_NE(out.find("trace_id=01010101010101010101010101010101"), std::string::npos) << out;
  EXPECT_NE(out.find("kind=Server"), std::string::npos) << out;
  EXPECT_NE(out.find("start=2023-11-14T22:13:20.000000000Z"), std::string::npos) << out;
  EXPECT_NE(
      out.find("http.method=Str(GET), http.status_code=Int(200), ratio=Double(0.5), ok=Bool(true), "
               "tags=Slice([Str(x)]), raw=Bytes(01ff)"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("events=\"[{name=retry"), std::string::npos) << out;
  EXPECT_NE(out.find("type=Histogram temporality=Cumulative"), std::string::npos) << out;
  EXPECT_NE(out.find("count=3 sum=1.5 min= max= bucket_counts=[1, 2] explicit_bounds=[0.25]"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("unit=s"), std::string::npos) << out;
}

TEST(DebugExporterTest, SamplesPerSecond) {
  auto e = Make("    sampling_initial: 2\n    sampling_thereafter: 3\n");
  StderrCapture cap;
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(e->ConsumeLogs(testing::MakeLogs(1)).ok());
  std::string out = cap.Take();
  // Unless the second turned over during the loop: 1, 2, then the 5th and 8th.
  int n = Count(out, "msg=Logs");
  EXPECT_TRUE(n == 4 || n == 5) << out;
}

TEST(DebugExporterTest, RejectsUnknownVerbosity) {
  auto ec = ConfigFor("exporters:\n  debug:\n    verbosity: loud\n", "debug");
  auto e = CreateDebugExporter(ec.cfg);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("test.yaml:3:"), std::string::npos) << e.status().ToString();
}

}  // namespace
}  // namespace infermetry::exporter
