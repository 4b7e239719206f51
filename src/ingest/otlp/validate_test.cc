#include "ingest/otlp/validate.h"

#include <gtest/gtest.h>

namespace infermetry::otlp {
namespace {

const std::string kTraceId(16, '\x01');
const std::string kSpanId(8, '\x02');

TEST(ValidateTest, ValidSpansPassUntouched) {
  process::Traces t;
  auto* s = t.add_resource_spans()->add_scope_spans()->add_spans();
  s->set_trace_id(kTraceId);
  s->set_span_id(kSpanId);
  s->set_parent_span_id(kSpanId);
  s->add_links()->set_trace_id(kTraceId);
  process::Traces before = t;
  Rejections r = RemoveInvalid(&t);
  EXPECT_EQ(r.count, 0);
  EXPECT_EQ(r.message, "");
  EXPECT_EQ(t.SerializeAsString(), before.SerializeAsString());
}

TEST(ValidateTest, SpanRules) {
  process::Traces t;
  auto* ss = t.add_resource_spans()->add_scope_spans();
  auto add = [&](const std::string& trace, const std::string& span) {
    auto* s = ss->add_spans();
    s->set_trace_id(trace);
    s->set_span_id(span);
    return s;
  };
  add(kTraceId, kSpanId)->set_name("ok0");
  add("", kSpanId);                                   // empty trace id
  add(std::string(16, '\0'), kSpanId);                // all-zero trace id
  add(kTraceId, std::string(7, 'x'));                 // short span id
  add(kTraceId, kSpanId)->set_parent_span_id("abc");  // bad parent
  add(kTraceId, kSpanId)->add_links()->set_span_id("x");
  add(kTraceId, kSpanId)->set_name("ok6");
  Rejections r = RemoveInvalid(&t);
  EXPECT_EQ(r.count, 5);
  EXPECT_EQ(r.message,
            "rejected 5 invalid spans: resourceSpans[0].scopeSpans[0].spans[1]: traceId is empty; "
            "resourceSpans[0].scopeSpans[0].spans[2]: traceId is all zeroes; "
            "resourceSpans[0].scopeSpans[0].spans[3]: spanId must be 8 bytes, got 7 (and 2 more)");
  ASSERT_EQ(ss->spans_size(), 2);
  EXPECT_EQ(ss->spans(0).name(), "ok0");
  EXPECT_EQ(ss->spans(1).name(), "ok6");
}

TEST(ValidateTest, MetricRules) {
  process::Metrics m;
  auto* sm = m.add_resource_metrics()->add_scope_metrics();
  auto* nameless = sm->add_metrics();
  nameless->mutable_sum()->add_data_points();
  nameless->mutable_sum()->add_data_points();
  auto* h = sm->add_metrics();
  h->set_name("h");
  auto* good = h->mutable_histogram()->add_data_points();
  good->add_bucket_counts(1);
  good->add_bucket_counts(2);
  good->add_explicit_bounds(1.0);
  auto* bad = h->mutable_histogram()->add_data_points();
  bad->add_bucket_counts(1);
  bad->add_explicit_bounds(1.0);
  h->mutable_histogram()->add_data_points();  // no buckets at all: fine
  sm->add_metrics()->set_name("empty");       // no data: kept
  Rejections r = RemoveInvalid(&m);
  EXPECT_EQ(r.count, 3);
  EXPECT_EQ(
      r.message,
      "rejected 3 invalid data points: resourceMetrics[0].scopeMetrics[0].metrics[1].histogram."
      "dataPoints[1]: 1 bucketCounts for 1 explicitBounds (want one count more than bounds); "
      "resourceMetrics[0].scopeMetrics[0].metrics[0]: metric name is empty");
  ASSERT_EQ(sm->metrics_size(), 2);
  EXPECT_EQ(sm->metrics(0).name(), "h");
  EXPECT_EQ(sm->metrics(0).histogram().data_points_size(), 2);
  EXPECT_EQ(sm->metrics(1).name(), "empty");
}

TEST(ValidateTest, LogRules) {
  process::Logs l;
  auto* sl = l.add_resource_logs()->add_scope_logs();
  sl->add_log_records();                                       // no ids: fine
  sl->add_log_records()->set_trace_id(std::string(16, '\0'));  // all zeroes: tolerated
  sl->add_log_records()->set_trace_id("short");
  sl->add_log_records()->set_span_id(std::string(9, 'x'));
  Rejections r = RemoveInvalid(&l);
  EXPECT_EQ(r.count, 2);
  EXPECT_EQ(sl->log_records_size(), 2);
}

}  // namespace
}  // namespace infermetry::otlp
