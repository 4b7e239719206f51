#include "process/cumulative_to_delta.h"

#include <gtest/gtest.h>

#include "process/process_test_util.h"

namespace infermetry::process {
namespace {

using namespace std::chrono_literals;
using testing::RecordingConsumer;
using testing::SetAttr;
using testing::YamlConfig;
namespace metrics_pb = opentelemetry::proto::metrics::v1;

constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kProcessStart = 1000 * kSec;

// A monotonic cumulative int sum "requests" with one point per entry of `values`, all of the
// stream {path=/a}, at times t, t+1s, ... and start time `start`.
Metrics Sum(const std::string& name, int64_t value, uint64_t time, uint64_t start = 10 * kSec,
            bool monotonic = true) {
  Metrics m;
  auto* rm = m.add_resource_metrics();
  SetAttr(rm->mutable_resource()->mutable_attributes(), "service.name", "vllm");
  auto* metric = rm->add_scope_metrics()->add_metrics();
  metric->set_name(name);
  metric->mutable_sum()->set_is_monotonic(monotonic);
  metric->mutable_sum()->set_aggregation_temporality(
      metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* p = metric->mutable_sum()->add_data_points();
  SetAttr(p->mutable_attributes(), "path", "/a");
  p->set_as_int(value);
  p->set_time_unix_nano(time);
  p->set_start_time_unix_nano(start);
  return m;
}

Metrics DoubleSum(double value, uint64_t time) {
  Metrics m = Sum("seconds", 0, time);
  auto* p = m.mutable_resource_metrics(0)
                ->mutable_scope_metrics(0)
                ->mutable_metrics(0)
                ->mutable_sum()
                ->mutable_data_points(0);
  p->set_as_double(value);
  return m;
}

Metrics Histogram(uint64_t count, double sum, std::vector<uint64_t> buckets, uint64_t time,
                  std::vector<double> bounds = {1, 2}) {
  Metrics m;
  auto* metric = m.add_resource_metrics()->add_scope_metrics()->add_metrics();
  metric->set_name("latency");
  metric->mutable_histogram()->set_aggregation_temporality(
      metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  auto* p = metric->mutable_histogram()->add_data_points();
  p->set_count(count);
  p->set_sum(sum);
  p->set_min(0.1);
  p->set_max(9);
  for (uint64_t b : buckets) p->add_bucket_counts(b);
  for (double b : bounds) p->add_explicit_bounds(b);
  p->set_time_unix_nano(time);
  p->set_start_time_unix_nano(10 * kSec);
  return m;
}

struct Fixture {
  explicit Fixture(const std::string& yaml = "") : y(yaml, "cumulativetodelta") {
    auto o = DecodeCumulativeToDeltaOptions(y.cfg);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    p = std::make_unique<CumulativeToDelta>(
        *o, &next, [this] { return now; }, kProcessStart);
  }
  // The only point of the last batch passed on, or null when nothing was.
  const metrics_pb::NumberDataPoint* LastSumPoint(size_t batches) {
    if (next.metrics.size() != batches) return nullptr;
    return &next.metrics.back().resource_metrics(0).scope_metrics(0).metrics(0).sum().data_points(
        0);
  }
  YamlConfig y;
  RecordingConsumer next;
  CumulativeToDelta::Clock::time_point now{};
  std::unique_ptr<CumulativeToDelta> p;
};

TEST(CumulativeToDeltaTest, SumDeltasAndReset) {
  Fixture f;
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("requests", 100, 20 * kSec)).ok());
  EXPECT_EQ(f.next.metrics.size(), 0u);  // first point dropped (start before the processor)
  EXPECT_EQ(f.p->tracked_streams(), 1u);

  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("requests", 130, 21 * kSec)).ok());
  const auto* p = f.LastSumPoint(1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->as_int(), 30);
  EXPECT_EQ(p->start_time_unix_nano(), 20 * kSec);
  EXPECT_EQ(p->time_unix_nano(), 21 * kSec);
  EXPECT_EQ(f.next.metrics.back()
                .resource_metrics(0)
                .scope_metrics(0)
                .metrics(0)
                .sum()
                .aggregation_temporality(),
            metrics_pb::AGGREGATION_TEMPORALITY_DELTA);

  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("requests", 130, 22 * kSec)).ok());
  ASSERT_NE(f.LastSumPoint(2), nullptr);
  EXPECT_EQ(f.LastSumPoint(2)->as_int(), 0);

  // Reset: the counter restarted at 21.5 s and counted 5 since.
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("requests", 5, 23 * kSec, 22 * kSec + kSec / 2)).ok());
  ASSERT_NE(f.LastSumPoint(3), nullptr);
  EXPECT_EQ(f.LastSumPoint(3)->as_int(), 5);
  EXPECT_EQ(f.LastSumPoint(3)->start_time_unix_nano(), 22 * kSec + kSec / 2);
  // And from the reset on, deltas again.
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("requests", 12, 24 * kSec)).ok());
  EXPECT_EQ(f.LastSumPoint(4)->as_int(), 7);
  EXPECT_EQ(f.LastSumPoint(4)->start_time_unix_nano(), 23 * kSec);

  // Out of order: dropped, state unchanged.
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("requests", 50, 23 * kSec)).ok());
  EXPECT_EQ(f.next.metrics.size(), 4u);
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("requests", 20, 25 * kSec)).ok());
  EXPECT_EQ(f.LastSumPoint(5)->as_int(), 8);
}

TEST(CumulativeToDeltaTest, DoubleSums) {
  Fixture f("initial_value: keep\n");
  ASSERT_TRUE(f.p->ConsumeMetrics(DoubleSum(1.5, 20 * kSec)).ok());
  ASSERT_NE(f.LastSumPoint(1), nullptr);
  EXPECT_EQ(f.LastSumPoint(1)->as_double(), 1.5);  // kept as its own delta
  ASSERT_TRUE(f.p->ConsumeMetrics(DoubleSum(4.0, 21 * kSec)).ok());
  EXPECT_DOUBLE_EQ(f.LastSumPoint(2)->as_double(), 2.5);
  ASSERT_TRUE(f.p->ConsumeMetrics(DoubleSum(0.5, 22 * kSec)).ok());
  EXPECT_DOUBLE_EQ(f.LastSumPoint(3)->as_double(), 0.5);  // reset
}

TEST(CumulativeToDeltaTest, InitialValueAutoKeepsStreamsStartedAfterTheProcessor) {
  Fixture f;
  ASSERT_TRUE(
      f.p->ConsumeMetrics(Sum("requests", 7, kProcessStart + 5 * kSec, kProcessStart + kSec)).ok());
  ASSERT_NE(f.LastSumPoint(1), nullptr);
  EXPECT_EQ(f.LastSumPoint(1)->as_int(), 7);
  Fixture d("initial_value: drop\n");
  ASSERT_TRUE(
      d.p->ConsumeMetrics(Sum("requests", 7, kProcessStart + 5 * kSec, kProcessStart + kSec)).ok());
  EXPECT_EQ(d.next.metrics.size(), 0u);
}

TEST(CumulativeToDeltaTest, StreamsAreSeparateAndOthersPassThrough) {
  Fixture f;
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("a", 1, 20 * kSec)).ok());
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("b", 100, 20 * kSec)).ok());
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("a", 4, 21 * kSec)).ok());
  EXPECT_EQ(f.LastSumPoint(1)->as_int(), 3);
  EXPECT_EQ(f.p->tracked_streams(), 2u);
  // A non-monotonic sum passes unchanged (and cumulative).
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("queue", 9, 20 * kSec, 10 * kSec, false)).ok());
  ASSERT_EQ(f.next.metrics.size(), 2u);
  const auto& q = f.next.metrics[1].resource_metrics(0).scope_metrics(0).metrics(0).sum();
  EXPECT_EQ(q.aggregation_temporality(), metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  EXPECT_EQ(q.data_points(0).as_int(), 9);
}

TEST(CumulativeToDeltaTest, Histograms) {
  Fixture f;
  ASSERT_TRUE(f.p->ConsumeMetrics(Histogram(10, 20.0, {2, 3, 5}, 20 * kSec)).ok());
  EXPECT_EQ(f.next.metrics.size(), 0u);
  ASSERT_TRUE(f.p->ConsumeMetrics(Histogram(16, 31.5, {3, 5, 8}, 21 * kSec)).ok());
  ASSERT_EQ(f.next.metrics.size(), 1u);
  const auto& h = f.next.metrics[0].resource_metrics(0).scope_metrics(0).metrics(0).histogram();
  EXPECT_EQ(h.aggregation_temporality(), metrics_pb::AGGREGATION_TEMPORALITY_DELTA);
  const auto& p = h.data_points(0);
  EXPECT_EQ(p.count(), 6u);
  EXPECT_DOUBLE_EQ(p.sum(), 11.5);
  EXPECT_EQ(std::vector<uint64_t>(p.bucket_counts().begin(), p.bucket_counts().end()),
            (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_FALSE(p.has_min());
  EXPECT_FALSE(p.has_max());
  EXPECT_EQ(p.start_time_unix_nano(), 20 * kSec);

  // Reset: count went down; the whole point is the delta, min/max kept.
  ASSERT_TRUE(f.p->ConsumeMetrics(Histogram(4, 5.0, {1, 1, 2}, 22 * kSec)).ok());
  ASSERT_EQ(f.next.metrics.size(), 2u);
  const auto& r =
      f.next.metrics[1].resource_metrics(0).scope_metrics(0).metrics(0).histogram().data_points(0);
  EXPECT_EQ(r.count(), 4u);
  EXPECT_DOUBLE_EQ(r.sum(), 5.0);
  EXPECT_TRUE(r.has_max());
  ASSERT_TRUE(f.p->ConsumeMetrics(Histogram(5, 7.0, {1, 2, 2}, 23 * kSec)).ok());
  const auto& n =
      f.next.metrics[2].resource_metrics(0).scope_metrics(0).metrics(0).histogram().data_points(0);
  EXPECT_EQ(n.count(), 1u);
  EXPECT_DOUBLE_EQ(n.sum(), 2.0);
  EXPECT_EQ(std::vector<uint64_t>(n.bucket_counts().begin(), n.bucket_counts().end()),
            (std::vector<uint64_t>{0, 1, 0}));

  // Bounds changed: treated as a reset.
  ASSERT_TRUE(f.p->ConsumeMetrics(Histogram(9, 9.0, {1, 2, 3, 3}, 24 * kSec, {1, 2, 5})).ok());
  const auto& b =
      f.next.metrics[3].resource_metrics(0).scope_metrics(0).metrics(0).histogram().data_points(0);
  EXPECT_EQ(b.count(), 9u);
}

TEST(CumulativeToDeltaTest, IncludeExclude) {
  Fixture f(
      "include:\n  metrics: ['^vllm:']\n  match_type: regexp\nexclude:\n  metrics: [vllm:skip]\n  "
      "match_type: strict\n");
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("other", 1, 20 * kSec)).ok());
  ASSERT_EQ(f.next.metrics.size(), 1u);  // not selected: unchanged, not dropped
  EXPECT_EQ(f.LastSumPoint(1)->as_int(), 1);
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("vllm:skip", 1, 20 * kSec)).ok());
  EXPECT_EQ(f.next.metrics.size(), 2u);
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("vllm:requests", 1, 20 * kSec)).ok());
  EXPECT_EQ(f.next.metrics.size(), 2u);  // converted: first point dropped
  EXPECT_EQ(f.p->tracked_streams(), 1u);
}

TEST(CumulativeToDeltaTest, MaxStalenessForgetsStreams) {
  Fixture f("max_staleness: 10s\n");
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("a", 1, 20 * kSec)).ok());
  f.now += 5s;
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("b", 1, 20 * kSec)).ok());
  EXPECT_EQ(f.p->tracked_streams(), 2u);
  f.now += 8s;  // a unseen for 13 s, b for 8 s
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("b", 3, 21 * kSec)).ok());
  EXPECT_EQ(f.p->tracked_streams(), 1u);
  // a comes back: a first point again.
  ASSERT_TRUE(f.p->ConsumeMetrics(Sum("a", 5, 30 * kSec)).ok());
  EXPECT_EQ(f.next.metrics.size(), 1u);
}

TEST(CumulativeToDeltaTest, ConfigErrors) {
  auto error = [](const std::string& yaml) {
    YamlConfig y(yaml, "cumulativetodelta");
    auto o = DecodeCumulativeToDeltaOptions(y.cfg);
    return o.ok() ? "OK" : o.status().message();
  };
  EXPECT_EQ(error("include:\n  metrics: [a]\n"),
            "test.yaml:2:3: processors.cumulativetodelta.include.match_type: expected strict or "
            "regexp");
  EXPECT_EQ(error("include:\n  metrics: ['(']\n  match_type: regexp\n"),
            "test.yaml:2:13: processors.cumulativetodelta.include.metrics[0]: invalid regular "
            "expression: missing ): (");
  EXPECT_EQ(error("initial_value: maybe\n"),
            "test.yaml:1:16: processors.cumulativetodelta.initial_value: expected auto, keep or "
            "drop, got \"maybe\"");
  EXPECT_EQ(error("include:\n  metric_types: [gauge]\n"),
            "test.yaml:2:18: processors.cumulativetodelta.include.metric_types[0]: expected sum or "
            "histogram, got \"gauge\"");
}

}  // namespace
}  // namespace infermetry::process
