#include "export/queued_exporter.h"

#include <gtest/gtest.h>

#include <deque>
#include <thread>

#include "export/export_test_util.h"

namespace infermetry::exporter {
namespace {

using namespace std::chrono_literals;
using testing::CounterValue;
using testing::GaugeValue;
using testing::MakeLogs;
using testing::MakeMetrics;
using testing::MakeTraces;
using testing::TempDir;

// Returns scripted results (then OK), records what it was sent, and can be held closed.
class FakeSender : public Sender {
 public:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<SendResult> script;
    std::vector<int64_t> items;  // per attempt
    std::vector<std::chrono::steady_clock::time_point> times;
    int delivered = 0;
    bool hold = false;
  };

  explicit FakeSender(std::shared_ptr<State> s) : s_(std::move(s)) {}

  SendResult Send(const Batch& batch, std::chrono::milliseconds) override {
    std::unique_lock<std::mutex> l(s_->mu);
    s_->cv.wait(l, [this] { return !s_->hold; });
    s_->items.push_back(ItemsOf(batch));
    s_->times.push_back(std::chrono::steady_clock::now());
    SendResult r;
    if (!s_->script.empty()) {
      r = s_->script.front();
      s_->script.pop_front();
    }
    if (r.status.ok()) ++s_->delivered;
    s_->cv.notify_all();
    return r;
  }

 private:
  std::shared_ptr<State> s_;
};

HelperOptions FastRetry() {
  HelperOptions o;
  o.retry.initial_interval = 5ms;
  o.retry.max_interval = 20ms;
  o.retry.max_elapsed_time = 2s;
  o.queue.num_consumers = 2;
  return o;
}

bool WaitFor(const std::shared_ptr<FakeSender::State>& s, std::function<bool()> pred) {
  std::unique_lock<std::mutex> l(s->mu);
  return s->cv.wait_for(l, 5s, pred);
}

TEST(QueuedExporterTest, RetriesRetryableErrorsThenDelivers) {
  const std::string id = testing::UniqueId("otlp/retry");
  auto s = std::make_shared<FakeSender::State>();
  s->script = {SendResult::Retryable(Unavailable("down")),
               SendResult::Retryable(Unavailable("still down"))};
  QueuedExporter e(id, FastRetry(), std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(e.ConsumeTraces(MakeTraces(4)).ok());
  ASSERT_TRUE(WaitFor(s, [&] { return s->delivered == 1; }));
  EXPECT_EQ(s->items.size(), 3u);
  ASSERT_TRUE(e.Shutdown(1s).ok());
  EXPECT_EQ(CounterValue("infermetry_exporter_sent_spans_total", id), 4);
  EXPECT_EQ(CounterValue("infermetry_exporter_send_failed_spans_total", id), 0);
}

TEST(QueuedExporterTest, PermanentErrorIsDroppedWithoutRetry) {
  const std::string id = testing::UniqueId("otlp/permanent");
  auto s = std::make_shared<FakeSender::State>();
  s->script = {SendResult::Permanent(InvalidArgument("bad data"))};
  QueuedExporter e(id, FastRetry(), std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(e.ConsumeMetrics(MakeMetrics(3)).ok());
  ASSERT_TRUE(e.Shutdown(1s).ok());
  EXPECT_EQ(s->items.size(), 1u);
  EXPECT_EQ(CounterValue("infermetry_exporter_send_failed_metric_points_total", id), 3);
  EXPECT_EQ(CounterValue("infermetry_exporter_sent_metric_points_total", id), 0);
}

TEST(QueuedExporterTest, RetryAfterIsTheMinimumWait) {
  auto s = std::make_shared<FakeSender::State>();
  s->script = {SendResult::Retryable(ResourceExhausted("slow down"), 300ms)};
  QueuedExporter e("otlp/retry-after", FastRetry(), std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(e.ConsumeLogs(MakeLogs(1)).ok());
  ASSERT_TRUE(WaitFor(s, [&] { return s->delivered == 1; }));
  ASSERT_EQ(s->times.size(), 2u);
  EXPECT_GE(s->times[1] - s->times[0], 300ms);
  ASSERT_TRUE(e.Shutdown(1s).ok());
}

TEST(QueuedExporterTest, GivesUpAfterMaxElapsedTime) {
  const std::string id = testing::UniqueId("otlp/elapsed");
  auto s = std::make_shared<FakeSender::State>();
  for (int i = 0; i < 1000; ++i) s->script.push_back(SendResult::Retryable(Unavailable("down")));
  HelperOptions o = FastRetry();
  o.retry.max_elapsed_time = 100ms;
  QueuedExporter e(id, o, std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(e.ConsumeTraces(MakeTraces(2)).ok());
  auto failed = [&id] { return CounterValue("infermetry_exporter_send_failed_spans_total", id); };
  for (int i = 0; i < 200 && failed() < 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(failed(), 2);
  EXPECT_GT(s->items.size(), 2u);
  ASSERT_TRUE(e.Shutdown(1s).ok());
}

TEST(QueuedExporterTest, PartialSuccessIsCountedNotRetried) {
  const std::string id = testing::UniqueId("otlp/partial");
  auto s = std::make_shared<FakeSender::State>();
  SendResult partial;
  partial.rejected = 2;
  partial.rejected_message = "2 spans too old";
  s->script = {partial};
  QueuedExporter e(id, FastRetry(), std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(e.ConsumeTraces(MakeTraces(5)).ok());
  ASSERT_TRUE(e.Shutdown(1s).ok());
  EXPECT_EQ(s->items.size(), 1u);
  EXPECT_EQ(CounterValue("infermetry_exporter_sent_spans_total", id), 3);
  EXPECT_EQ(CounterValue("infermetry_exporter_send_failed_spans_total", id), 2);
}

TEST(QueuedExporterTest, FullQueueRefusesAndCounts) {
  const std::string id = testing::UniqueId("otlp/full");
  auto s = std::make_shared<FakeSender::State>();
  s->hold = true;
  HelperOptions o = FastRetry();
  o.queue.queue_size = 2;
  o.queue.num_consumers = 1;
  QueuedExporter e(id, o, std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  EXPECT_EQ(GaugeValue("infermetry_exporter_queue_capacity", id), 2);
  ASSERT_TRUE(e.ConsumeTraces(MakeTraces(1)).ok());
  ASSERT_TRUE(e.ConsumeTraces(MakeTraces(1)).ok());
  Status st = e.ConsumeTraces(MakeTraces(7));
  EXPECT_EQ(st.code(), Code::kResourceExhausted) << st.ToString();
  EXPECT_EQ(CounterValue("infermetry_exporter_enqueue_failed_spans_total", id), 7);
  EXPECT_EQ(GaugeValue("infermetry_exporter_queue_size", id), 2);
  {
    std::lock_guard<std::mutex> l(s->mu);
    s->hold = false;
  }
  s->cv.notify_all();
  ASSERT_TRUE(e.Shutdown(2s).ok());
  EXPECT_EQ(s->delivered, 2);
  EXPECT_EQ(GaugeValue("infermetry_exporter_queue_size", id), 0);
}

TEST(QueuedExporterTest, BatchingMergesUpToSendBatchSize) {
  auto s = std::make_shared<FakeSender::State>();
  s->hold = true;
  HelperOptions o = FastRetry();
  o.queue.num_consumers = 1;
  QueuedExporter e("otlp/batching", o, std::make_unique<FakeSender>(s));
  process::BatchOptions b;
  b.send_batch_size = 10;
  b.send_batch_max_size = 12;
  b.timeout = 1s;  // never reached: the target fills first
  e.SetBatching(b);
  ASSERT_TRUE(e.Start().ok());
  // The consumer takes the first entry at once and blocks in Send; the rest queue up.
  ASSERT_TRUE(e.ConsumeTraces(MakeTraces(1)).ok());
  std::this_thread::sleep_for(50ms);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(e.ConsumeTraces(MakeTraces(3)).ok());
  ASSERT_TRUE(e.ConsumeTraces(MakeTraces(30)).ok());
  {
    std::lock_guard<std::mutex> l(s->mu);
    s->hold = false;
  }
  s->cv.notify_all();
  ASSERT_TRUE(e.Shutdown(2s).ok());
  // The consumer takes the first entry and waits up to `timeout` for more: 1+3+3+3 reaches the
  // target; then 3+3+3 (adding the 30 would pass the max); then the 30 alone, split 12+12+6.
  std::vector<int64_t> want = {10, 9, 12, 12, 6};
  EXPECT_EQ(s->items, want);
}

TEST(QueuedExporterTest, BatchingWaitsAtMostTimeout) {
  auto s = std::make_shared<FakeSender::State>();
  HelperOptions o = FastRetry();
  o.queue.num_consumers = 1;
  QueuedExporter e("otlp/batch-timeout", o, std::make_unique<FakeSender>(s));
  process::BatchOptions b;
  b.send_batch_size = 100;
  b.timeout = 100ms;
  e.SetBatching(b);
  ASSERT_TRUE(e.Start().ok());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(e.ConsumeTraces(MakeTraces(2)).ok());
  ASSERT_TRUE(e.ConsumeTraces(MakeTraces(2)).ok());
  ASSERT_TRUE(WaitFor(s, [&] { return s->delivered == 1; }));
  EXPECT_GE(s->times[0] - start, 90ms);
  EXPECT_EQ(s->items[0], 4);
  ASSERT_TRUE(e.Shutdown(1s).ok());
}

TEST(QueuedExporterTest, SynchronousWhenQueueDisabled) {
  auto s = std::make_shared<FakeSender::State>();
  s->script = {SendResult::Retryable(Unavailable("blip")), SendResult::Ok(),
               SendResult::Permanent(Status(Code::kPermissionDenied, "401"))};
  HelperOptions o = FastRetry();
  o.queue.enabled = false;
  QueuedExporter e("otlp/sync", o, std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  EXPECT_TRUE(e.ConsumeTraces(MakeTraces(2)).ok());
  EXPECT_EQ(s->delivered, 1);
  Status st = e.ConsumeTraces(MakeTraces(2));
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.ToString();
  EXPECT_FALSE(e.Durable());
  ASSERT_TRUE(e.Shutdown(1s).ok());
  EXPECT_EQ(e.ConsumeTraces(MakeTraces(1)).code(), Code::kUnavailable);
}

TEST(QueuedExporterTest, ShutdownDrainsTheQueue) {
  auto s = std::make_shared<FakeSender::State>();
  QueuedExporter e("otlp/drain", FastRetry(), std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(e.ConsumeLogs(MakeLogs(1)).ok());
  ASSERT_TRUE(e.Shutdown(2s).ok());
  EXPECT_EQ(s->delivered, 20);
  EXPECT_FALSE(e.Ready());
}

TEST(QueuedExporterTest, ShutdownDeadlineDropsInMemoryQueue) {
  const std::string id = testing::UniqueId("otlp/deadline");
  auto s = std::make_shared<FakeSender::State>();
  for (int i = 0; i < 1000; ++i) s->script.push_back(SendResult::Retryable(Unavailable("down")));
  HelperOptions o = FastRetry();
  o.retry.max_elapsed_time = 0ms;  // forever
  o.queue.num_consumers = 1;
  QueuedExporter e(id, o, std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(e.ConsumeLogs(MakeLogs(2)).ok());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(e.Shutdown(100ms).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(CounterValue("infermetry_exporter_send_failed_log_records_total", id), 6);
}

TEST(QueuedExporterTest, PersistentQueueSurvivesCrashAndReplays) {
  TempDir tmp;
  HelperOptions o = FastRetry();
  o.queue.directory = tmp.path() + "/exporter_otlp_disk";
  o.queue.num_consumers = 1;
  {
    auto s = std::make_shared<FakeSender::State>();
    s->hold = true;  // the destination never answers before the crash
    QueuedExporter e("otlp/disk", o, std::make_unique<FakeSender>(s));
    EXPECT_TRUE(e.Durable());
    ASSERT_TRUE(e.Start().ok());
    ASSERT_TRUE(e.ConsumeTraces(MakeTraces(3)).ok());
    ASSERT_TRUE(e.ConsumeMetrics(MakeMetrics(4)).ok());
    std::thread release([s] {
      std::this_thread::sleep_for(50ms);
      std::lock_guard<std::mutex> l(s->mu);
      s->hold = false;
      s->script.push_back(SendResult::Retryable(Unavailable("down")));
      s->script.push_back(SendResult::Retryable(Unavailable("down")));
      s->cv.notify_all();
    });
    release.join();
    // Destroyed without Shutdown while retrying: a crash.
  }
  auto s = std::make_shared<FakeSender::State>();
  QueuedExporter e("otlp/disk", o, std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(WaitFor(s, [&] { return s->delivered == 2; }));
  std::vector<int64_t> want = {3, 4};
  EXPECT_EQ(s->items, want);
  ASSERT_TRUE(e.Shutdown(1s).ok());
  // Delivered and acknowledged: nothing comes back a third time.
  auto s3 = std::make_shared<FakeSender::State>();
  QueuedExporter again("otlp/disk", o, std::make_unique<FakeSender>(s3));
  ASSERT_TRUE(again.Start().ok());
  ASSERT_TRUE(again.Shutdown(1s).ok());
  EXPECT_TRUE(s3->items.empty());
}

TEST(QueuedExporterTest, PersistentShutdownLeavesUndeliveredOnDisk) {
  const std::string id = testing::UniqueId("otlp/disk2");
  TempDir tmp;
  HelperOptions o = FastRetry();
  o.queue.directory = tmp.path() + "/q";
  o.retry.max_elapsed_time = 0ms;
  {
    auto s = std::make_shared<FakeSender::State>();
    for (int i = 0; i < 1000; ++i) s->script.push_back(SendResult::Retryable(Unavailable("down")));
    QueuedExporter e(id, o, std::make_unique<FakeSender>(s));
    ASSERT_TRUE(e.Start().ok());
    ASSERT_TRUE(e.ConsumeLogs(MakeLogs(5)).ok());
    ASSERT_TRUE(e.Shutdown(50ms).ok());
  }
  EXPECT_EQ(CounterValue("infermetry_exporter_send_failed_log_records_total", id), 0);
  auto s = std::make_shared<FakeSender::State>();
  QueuedExporter e(id, o, std::make_unique<FakeSender>(s));
  ASSERT_TRUE(e.Start().ok());
  ASSERT_TRUE(WaitFor(s, [&] { return s->delivered == 1; }));
  EXPECT_EQ(s->items[0], 5);
  ASSERT_TRUE(e.Shutdown(1s).ok());
}

TEST(QueuedExporterTest, DecodesCollectorSettings) {
  auto ec = testing::ConfigFor(R"(
extensions:
  file_storage/q:
    directory: /var/tmp/infermetry-q
exporters:
  otlp/x:
    timeout: 7s
    retry_on_failure: {enabled: false, max_elapsed_time: 0}
    sending_queue: {num_consumers: 3, queue_size: 50, storage: file_storage/q}
)",
                               "otlp/x");
  config::MapReader r(*ec.cfg.doc, ec.cfg.node, ec.cfg.where);
  HelperOptions o;
  ASSERT_TRUE(DecodeHelperOptions(ec.cfg, &r, &o).ok());
  ASSERT_TRUE(r.Finish().ok());
  EXPECT_EQ(o.timeout, 7s);
  EXPECT_FALSE(o.retry.enabled);
  EXPECT_EQ(o.retry.max_elapsed_time, 0ms);
  EXPECT_EQ(o.queue.num_consumers, 3u);
  EXPECT_EQ(o.queue.queue_size, 50u);
  EXPECT_EQ(o.queue.directory, "/var/tmp/infermetry-q/exporter_otlp_x");

  auto bad = testing::ConfigFor(
      "exporters:\n  otlp/y:\n    sending_queue: {storage: file_storage}\n", "otlp/y");
  config::MapReader br(*bad.cfg.doc, bad.cfg.node, bad.cfg.where);
  Status st = DecodeHelperOptions(bad.cfg, &br, &o);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("test.yaml:3:"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("not configured"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace infermetry::exporter
