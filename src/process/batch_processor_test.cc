#include "process/batch_processor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "common/self_metrics.h"
#include "process/client_info.h"
#include "process/process_test_util.h"
#include "process/split.h"

namespace infermetry::process {
namespace {

using namespace std::chrono_literals;
using testing::MakeLogs;
using testing::MakeSums;
using testing::MakeTraces;
using testing::RecordingConsumer;
using testing::SpanNames;
using testing::YamlConfig;

double CounterValue(const char* name, const std::string& id) {
  return selfmon::Default().AddCounter(name, "").With({id}).Value();
}

TEST(SplitTest, TakeItemsSplitsSpansExactly) {
  Traces t = MakeTraces(2, 2, 3);  // 12 spans
  std::vector<std::string> all = SpanNames(t);
  Traces first = TakeItems(&t, 5);
  EXPECT_EQ(CountItems(first), 5);
  EXPECT_EQ(CountItems(t), 7);
  // Resource 0 scope 0 (3 spans) whole, then 2 spans of scope 1 with a copy of its scope.
  ASSERT_EQ(first.resource_spans_size(), 1);
  ASSERT_EQ(first.resource_spans(0).scope_spans_size(), 2);
  EXPECT_EQ(first.resource_spans(0).scope_spans(1).scope().name(), "scope1");
  EXPECT_EQ(t.resource_spans(0).scope_spans(0).scope().name(), "scope1");
  EXPECT_EQ(t.resource_spans(0).resource().attributes(0).value().string_value(), "svc0");
  std::vector<std::string> joined = SpanNames(first);
  for (const auto& n : SpanNames(t)) joined.push_back(n);
  EXPECT_EQ(joined, all);
  Traces rest = TakeItems(&t, 100);
  EXPECT_EQ(CountItems(rest), 7);
  EXPECT_EQ(t.resource_spans_size(), 0);
}

TEST(SplitTest, TakeItemsSplitsMetricPointsKeepingTheMetric) {
  Metrics m = MakeSums({"a", "b"}, 4);  // 8 points
  Metrics first = TakeItems(&m, 6);
  EXPECT_EQ(CountItems(first), 6);
  EXPECT_EQ(CountItems(m), 2);
  const auto& fm = first.resource_metrics(0).scope_metrics(0);
  ASSERT_EQ(fm.metrics_size(), 2);
  EXPECT_EQ(fm.metrics(1).name(), "b");
  EXPECT_EQ(fm.metrics(1).sum().data_points_size(), 2);
  EXPECT_TRUE(fm.metrics(1).sum().is_monotonic());
  EXPECT_EQ(fm.metrics(1).sum().aggregation_temporality(),
            opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
  const auto& rest = m.resource_metrics(0).scope_metrics(0).metrics(0);
  EXPECT_EQ(rest.name(), "b");
  EXPECT_EQ(rest.unit(), "1");
  EXPECT_TRUE(rest.sum().is_monotonic());
  EXPECT_EQ(rest.sum().data_points(0).as_int(), 2);
}

TEST(SplitTest, AppendBatchMovesResources) {
  Traces a = MakeTraces(1, 1, 2), b = MakeTraces(2, 1, 1);
  AppendBatch(&a, std::move(b));
  EXPECT_EQ(a.resource_spans_size(), 3);
  EXPECT_EQ(CountItems(a), 4);
}

TEST(BatchOptionsTest, DecodesAndValidates) {
  YamlConfig ok("send_batch_size: 100\nsend_batch_max_size: 150\ntimeout: 10s\n", "batch");
  auto o = DecodeBatchOptions(ok.cfg);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->send_batch_size, 100u);
  EXPECT_EQ(o->send_batch_max_size, 150u);
  EXPECT_EQ(o->timeout, 10s);

  YamlConfig defaults("", "batch");
  auto d = DecodeBatchOptions(defaults.cfg);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->send_batch_size, 8192u);
  EXPECT_EQ(d->send_batch_max_size, 0u);
  EXPECT_EQ(d->timeout, 200ms);

  YamlConfig bad("send_batch_size: 100\nsend_batch_max_size: 50\n", "batch");
  auto b = DecodeBatchOptions(bad.cfg);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(),
            "test.yaml:2:22: processors.batch: send_batch_max_size (50) must be 0 or >= "
            "send_batch_size (100)");

  YamlConfig unknown("send_batch_sise: 100\n", "batch");
  EXPECT_EQ(DecodeBatchOptions(unknown.cfg).status().message(),
            "test.yaml:1:1: unknown field \"send_batch_sise\" in processors.batch");
  YamlConfig meta("metadata_keys: [tenant]\n", "batch");
  EXPECT_EQ(DecodeBatchOptions(meta.cfg).status().message(),
            "test.yaml:1:16: processors.batch.metadata_keys: not supported");
}

TEST(BatchProcessorTest, SizeTriggerSplitsByMaxSizeExactly) {
  RecordingConsumer next;
  BatchOptions o{.send_batch_size = 10, .send_batch_max_size = 15, .timeout = 1h};
  auto p = NewBatchProcessor("batch/split", Signal::kTraces, o, &next);
  ASSERT_TRUE(p->Start().ok());
  const double size_before =
      CounterValue("infermetry_processor_batch_batch_size_trigger_send_total", "batch/split");
  ASSERT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 4)).ok());  // 4 held
  EXPECT_EQ(next.Batches(), 0u);
  ASSERT_TRUE(p->ConsumeTraces(MakeTraces(2, 2, 10)).ok());  // 44 held: 15, 15 sent, 14 >= 10 sent
  EXPECT_EQ(next.TraceSizes(), (std::vector<int64_t>{15, 15, 14}));
  ASSERT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 3)).ok());
  EXPECT_EQ(next.Batches(), 3u);
  ASSERT_TRUE(p->Shutdown(1s).ok());  // flushes the 3 held
  EXPECT_EQ(next.TraceSizes(), (std::vector<int64_t>{15, 15, 14, 3}));
  EXPECT_EQ(
      CounterValue("infermetry_processor_batch_batch_size_trigger_send_total", "batch/split") -
          size_before,
      3);
  // Order is kept across the split.
  std::vector<std::string> names;
  for (const auto& t : next.traces) {
    for (const auto& n : SpanNames(t)) names.push_back(n);
  }
  std::vector<std::string> want = SpanNames(MakeTraces(1, 1, 4));
  for (const auto& n : SpanNames(MakeTraces(2, 2, 10))) want.push_back(n);
  for (const auto& n : SpanNames(MakeTraces(1, 1, 3))) want.push_back(n);
  EXPECT_EQ(names, want);
  EXPECT_FALSE(p->ConsumeTraces(MakeTraces(1, 1, 1)).ok());
}

TEST(BatchProcessorTest, NoMaxSendsEverythingHeld) {
  RecordingConsumer next;
  BatchOptions o{.send_batch_size = 10, .send_batch_max_size = 0, .timeout = 1h};
  auto p = NewBatchProcessor("batch/nomax", Signal::kLogs, o, &next);
  ASSERT_TRUE(p->Start().ok());
  ASSERT_TRUE(p->ConsumeLogs(MakeLogs(7)).ok());
  ASSERT_TRUE(p->ConsumeLogs(MakeLogs(25)).ok());
  ASSERT_EQ(next.logs.size(), 1u);
  EXPECT_EQ(CountItems(next.logs[0]), 32);
  ASSERT_TRUE(p->Shutdown(1s).ok());
  EXPECT_EQ(next.logs.size(), 1u);
}

TEST(BatchProcessorTest, SplitsMetricsByDataPoints) {
  RecordingConsumer next;
  BatchOptions o{.send_batch_size = 5, .send_batch_max_size = 5, .timeout = 1h};
  auto p = NewBatchProcessor("batch/metrics", Signal::kMetrics, o, &next);
  ASSERT_TRUE(p->Start().ok());
  ASSERT_TRUE(p->ConsumeMetrics(MakeSums({"a", "b", "c"}, 4)).ok());  // 12 points
  ASSERT_EQ(next.metrics.size(), 2u);
  EXPECT_EQ(CountItems(next.metrics[0]), 5);
  EXPECT_EQ(CountItems(next.metrics[1]), 5);
  const auto& second = next.metrics[1].resource_metrics(0).scope_metrics(0);
  ASSERT_EQ(second.metrics_size(), 2);  // b's last 3 points and c's first 2
  EXPECT_EQ(second.metrics(0).name(), "b");
  EXPECT_EQ(second.metrics(0).sum().data_points_size(), 3);
  EXPECT_EQ(second.metrics(1).name(), "c");
  ASSERT_TRUE(p->Shutdown(1s).ok());
  ASSERT_EQ(next.metrics.size(), 3u);
  EXPECT_EQ(CountItems(next.metrics[2]), 2);
}

TEST(BatchProcessorTest, TimeoutFlushes) {
  RecordingConsumer next;
  BatchOptions o{.send_batch_size = 1000, .send_batch_max_size = 0, .timeout = 50ms};
  auto p = NewBatchProcessor("batch/timeout", Signal::kTraces, o, &next);
  ASSERT_TRUE(p->Start().ok());
  const double before =
      CounterValue("infermetry_processor_batch_timeout_trigger_send_total", "batch/timeout");
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 3)).ok());
  ASSERT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 2)).ok());
  while (next.Batches() == 0 && std::chrono::steady_clock::now() - start < 5s) {
    std::this_thread::sleep_for(5ms);
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(next.TraceSizes(), (std::vector<int64_t>{5}));
  EXPECT_GE(waited, 45ms);
  EXPECT_EQ(CounterValue("infermetry_processor_batch_timeout_trigger_send_total", "batch/timeout") -
                before,
            1);
  ASSERT_TRUE(p->Shutdown(1s).ok());
  EXPECT_EQ(next.Batches(), 1u);
}

TEST(BatchProcessorTest, ShutdownFlushesHeldItems) {
  RecordingConsumer next;
  BatchOptions o{.send_batch_size = 100, .send_batch_max_size = 0, .timeout = 1h};
  auto p = NewBatchProcessor("batch/shutdown", Signal::kTraces, o, &next);
  ASSERT_TRUE(p->Start().ok());
  ASSERT_TRUE(p->ConsumeTraces(MakeTraces(3, 1, 2)).ok());
  EXPECT_EQ(next.Batches(), 0u);
  ASSERT_TRUE(p->Shutdown(1s).ok());
  EXPECT_EQ(next.TraceSizes(), (std::vector<int64_t>{6}));
  EXPECT_FALSE(p->Ready());
}

TEST(BatchProcessorTest, PassThroughHoldsNothingAndReturnsDownstreamStatus) {
  RecordingConsumer next;
  BatchOptions o{.send_batch_size = 100, .send_batch_max_size = 0, .timeout = 1h};
  auto p = NewBatchProcessor("batch/pass", Signal::kTraces, o, &next);
  ASSERT_NE(p->batching(), nullptr);
  EXPECT_EQ(p->batching()->send_batch_size, 100u);
  p->SetPassThrough();
  ASSERT_TRUE(p->Start().ok());
  ASSERT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 3)).ok());
  EXPECT_EQ(next.TraceSizes(), (std::vector<int64_t>{3}));
  next.status = Unavailable("queue full");
  Status st = p->ConsumeTraces(MakeTraces(1, 1, 2));
  EXPECT_EQ(st.code(), Code::kUnavailable);
  ASSERT_TRUE(p->Shutdown(1s).ok());
  EXPECT_EQ(next.Batches(), 2u);
}

// Records whether each batch arrived with client information.
class ClientRecorder : public Consumer {
 public:
  Status ConsumeTraces(Traces&&) override {
    std::lock_guard<std::mutex> l(mu);
    const ClientInfo* c = CurrentClientInfo();
    seen.push_back(c != nullptr ? static_cast<int>(c->Get("k").size()) : -1);
    return Status::Ok();
  }
  std::mutex mu;
  std::vector<int> seen;  // values of "k" seen; -1: no client information
};

TEST(BatchProcessorTest, HeldBatchesCarryNoClientInfo) {
  ClientInfo info;
  info.AddMetadata("k", "v");
  ClientRecorder next;
  BatchOptions o{.send_batch_size = 2, .send_batch_max_size = 0, .timeout = 1h};
  auto p = NewBatchProcessor("batch/client", Signal::kTraces, o, &next);
  ASSERT_TRUE(p->Start().ok());
  {
    ClientInfoScope scope(&info);
    ASSERT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 1)).ok());
    ASSERT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 1)).ok());  // size trigger: sent on this thread
  }
  ASSERT_TRUE(p->Shutdown(1s).ok());
  EXPECT_EQ(next.seen, (std::vector<int>{-1}));

  ClientRecorder direct;
  auto pass = NewBatchProcessor("batch/client_pass", Signal::kTraces, o, &direct);
  pass->SetPassThrough();
  ASSERT_TRUE(pass->Start().ok());
  {
    ClientInfoScope scope(&info);
    ASSERT_TRUE(pass->ConsumeTraces(MakeTraces(1, 1, 1)).ok());
  }
  ASSERT_TRUE(pass->Shutdown(1s).ok());
  EXPECT_EQ(direct.seen, (std::vector<int>{1}));
}

TEST(BatchProcessorTest, DownstreamErrorIsCountedNotReturned) {
  RecordingConsumer next;
  next.status = Unavailable("down");
  BatchOptions o{.send_batch_size = 2, .send_batch_max_size = 0, .timeout = 1h};
  auto p = NewBatchProcessor("batch/fail", Signal::kTraces, o, &next);
  ASSERT_TRUE(p->Start().ok());
  const double before = CounterValue("infermetry_processor_batch_send_failed_total", "batch/fail");
  const double items_before =
      CounterValue("infermetry_processor_batch_send_failed_items_total", "batch/fail");
  EXPECT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 3)).ok());
  EXPECT_EQ(CounterValue("infermetry_processor_batch_send_failed_total", "batch/fail") - before, 1);
  EXPECT_EQ(CounterValue("infermetry_processor_batch_send_failed_items_total", "batch/fail") -
                items_before,
            3);
  ASSERT_TRUE(p->Shutdown(1s).ok());
}

TEST(BatchProcessorTest, ZeroTimeoutSendsEachRequestSplitByMax) {
  RecordingConsumer next;
  BatchOptions o{.send_batch_size = 0, .send_batch_max_size = 4, .timeout = 0ms};
  auto p = NewBatchProcessor("batch/zero", Signal::kTraces, o, &next);
  ASSERT_TRUE(p->Start().ok());
  ASSERT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 3)).ok());
  ASSERT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 9)).ok());
  EXPECT_EQ(next.TraceSizes(), (std::vector<int64_t>{3, 4, 4, 1}));
  ASSERT_TRUE(p->Shutdown(1s).ok());
}

TEST(BatchProcessorTest, ConcurrentProducersLoseNothing) {
  RecordingConsumer next;
  BatchOptions o{.send_batch_size = 50, .send_batch_max_size = 64, .timeout = 5ms};
  auto p = NewBatchProcessor("batch/concurrent", Signal::kTraces, o, &next);
  ASSERT_TRUE(p->Start().ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) ASSERT_TRUE(p->ConsumeTraces(MakeTraces(1, 1, 7)).ok());
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(p->Shutdown(1s).ok());
  int64_t total = 0;
  for (int64_t n : next.TraceSizes()) {
    EXPECT_LE(n, 64);
    total += n;
  }
  EXPECT_EQ(total, 4 * 200 * 7);
}

TEST(BatchProcessorTest, RefusesOtherSignals) {
  RecordingConsumer next;
  auto p = NewBatchProcessor("batch/x", Signal::kTraces, BatchOptions{}, &next);
  EXPECT_EQ(p->ConsumeLogs(MakeLogs(1)).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace infermetry::process
