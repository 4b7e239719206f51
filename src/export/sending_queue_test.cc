#include "export/sending_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "export/export_test_util.h"

namespace infermetry::exporter {
namespace {

using process::Signal;
using testing::MakeLogs;
using testing::MakeMetrics;
using testing::MakeTraces;
using testing::TempDir;

SendingQueue::Clock::time_point Now() { return SendingQueue::Clock::now(); }

TEST(SendingQueueTest, FullQueueRefusesWithResourceExhausted) {
  QueueOptions o;
  o.max_entries = 2;
  auto q = SendingQueue::OpenMemory(o);
  ASSERT_TRUE(q->Push(Batch(MakeTraces(1))).ok());
  ASSERT_TRUE(q->Push(Batch(MakeTraces(1))).ok());
  Status st = q->Push(Batch(MakeTraces(1)));
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  // A popped but unacknowledged entry still holds its slot.
  QueueEntry e;
  ASSERT_TRUE(q->Pop(Now(), std::nullopt, SendingQueue::kNoLimit, &e));
  EXPECT_EQ(q->Push(Batch(MakeTraces(1))).code(), Code::kResourceExhausted);
  q->Ack(e);
  EXPECT_TRUE(q->Push(Batch(MakeTraces(1))).ok());
}

TEST(SendingQueueTest, ByteBound) {
  QueueOptions o;
  o.max_bytes = 2000;
  auto q = SendingQueue::OpenMemory(o);
  ASSERT_TRUE(q->Push(Batch(MakeTraces(10))).ok());
  EXPECT_EQ(q->Push(Batch(MakeTraces(100))).code(), Code::kResourceExhausted);
}

TEST(SendingQueueTest, OldestFirstAndBySignal) {
  auto q = SendingQueue::OpenMemory(QueueOptions());
  ASSERT_TRUE(q->Push(Batch(MakeMetrics(1))).ok());
  ASSERT_TRUE(q->Push(Batch(MakeTraces(2))).ok());
  ASSERT_TRUE(q->Push(Batch(MakeMetrics(3))).ok());
  ASSERT_TRUE(q->Push(Batch(MakeLogs(4))).ok());
  QueueEntry e;
  ASSERT_TRUE(q->Pop(Now(), std::nullopt, SendingQueue::kNoLimit, &e));
  EXPECT_EQ(e.signal, Signal::kMetrics);
  EXPECT_EQ(e.items, 1);
  // The next metrics entry, skipping the traces in between.
  ASSERT_TRUE(q->Pop(Now(), Signal::kMetrics, SendingQueue::kNoLimit, &e));
  EXPECT_EQ(e.items, 3);
  EXPECT_FALSE(q->Pop(Now(), Signal::kMetrics, SendingQueue::kNoLimit, &e));
  // Too big for the limit: left in place.
  EXPECT_FALSE(q->Pop(Now(), Signal::kLogs, 3, &e));
  ASSERT_TRUE(q->Pop(Now(), std::nullopt, SendingQueue::kNoLimit, &e));
  EXPECT_EQ(e.signal, Signal::kTraces);
  ASSERT_TRUE(q->Pop(Now(), std::nullopt, SendingQueue::kNoLimit, &e));
  EXPECT_EQ(e.signal, Signal::kLogs);
}

TEST(SendingQueueTest, PopWaitsForPush) {
  auto q = SendingQueue::OpenMemory(QueueOptions());
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(q->Push(Batch(MakeLogs(2))).ok());
  });
  QueueEntry e;
  EXPECT_TRUE(q->Pop(SendingQueue::Forever(), std::nullopt, SendingQueue::kNoLimit, &e));
  EXPECT_EQ(e.items, 2);
  t.join();
  EXPECT_FALSE(
      q->Pop(Now() + std::chrono::milliseconds(20), std::nullopt, SendingQueue::kNoLimit, &e));
}

TEST(SendingQueueTest, CloseDrainsThenStops) {
  auto q = SendingQueue::OpenMemory(QueueOptions());
  ASSERT_TRUE(q->Push(Batch(MakeLogs(1))).ok());
  q->Close();
  EXPECT_EQ(q->Push(Batch(MakeLogs(1))).code(), Code::kUnavailable);
  QueueEntry e;
  EXPECT_TRUE(q->Pop(SendingQueue::Forever(), std::nullopt, SendingQueue::kNoLimit, &e));
  EXPECT_FALSE(q->Pop(SendingQueue::Forever(), std::nullopt, SendingQueue::kNoLimit, &e));
}

TEST(SendingQueueTest, PersistentEntriesSurviveACrash) {
  TempDir tmp;
  QueueOptions o;
  o.dir = tmp.path();
  {
    auto q = SendingQueue::OpenPersistent(o);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    ASSERT_TRUE((*q)->persistent());
    ASSERT_TRUE((*q)->Push(Batch(MakeTraces(5))).ok());
    ASSERT_TRUE((*q)->Push(Batch(MakeMetrics(6))).ok());
    ASSERT_TRUE((*q)->Push(Batch(MakeLogs(7))).ok());
    QueueEntry e;
    ASSERT_TRUE((*q)->Pop(Now(), std::nullopt, SendingQueue::kNoLimit, &e));
    (*q)->Ack(e);  // the traces were exported
    ASSERT_TRUE((*q)->Pop(Now(), std::nullopt, SendingQueue::kNoLimit, &e));
    EXPECT_EQ(e.items, 6);  // the metrics are in flight when the process dies
  }
  auto q = SendingQueue::OpenPersistent(o);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)->Size(), 2u);
  QueueEntry e;
  ASSERT_TRUE((*q)->Pop(Now(), std::nullopt, SendingQueue::kNoLimit, &e));
  ASSERT_TRUE(e.read_error.ok());
  EXPECT_EQ(e.signal, Signal::kMetrics);
  EXPECT_EQ(ItemsOf(e.batch), 6);
  EXPECT_EQ(
      std::get<process::Metrics>(e.batch).resource_metrics(0).scope_metrics(0).metrics(0).name(),
      "vllm:num_requests_running");
  ASSERT_TRUE((*q)->Pop(Now(), std::nullopt, SendingQueue::kNoLimit, &e));
  EXPECT_EQ(e.signal, Signal::kLogs);
  EXPECT_EQ(ItemsOf(e.batch), 7);
}

TEST(SendingQueueTest, PersistentFullQueue) {
  TempDir tmp;
  QueueOptions o;
  o.dir = tmp.path();
  o.max_entries = 1;
  auto q = SendingQueue::OpenPersistent(o);
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE((*q)->Push(Batch(MakeTraces(1))).ok());
  EXPECT_EQ((*q)->Push(Batch(MakeTraces(1))).code(), Code::kResourceExhausted);
}

TEST(SendingQueueTest, AbandonedEntriesReplayOnNextOpen) {
  TempDir tmp;
  QueueOptions o;
  o.dir = tmp.path();
  {
    auto q = SendingQueue::OpenPersistent(o);
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE((*q)->Push(Batch(MakeTraces(2))).ok());
    QueueEntry e;
    ASSERT_TRUE((*q)->Pop(Now(), std::nullopt, SendingQueue::kNoLimit, &e));
    (*q)->Abandon(e);
    EXPECT_EQ((*q)->Size(), 0u);
  }
  auto q = SendingQueue::OpenPersistent(o);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)->Size(), 1u);
}

}  // namespace
}  // namespace infermetry::exporter
