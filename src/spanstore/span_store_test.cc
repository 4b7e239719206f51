#include "spanstore/span_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "spanstore/test_util.h"

namespace infermetry::spanstore {
namespace {

using testing::MakeLog;
using testing::MakeSpan;
using testing::TempDir;
using testing::TraceIdOf;

constexpr int64_t kT0 = 1700000000000000000;  // 2023-11-14T22:13:20Z
constexpr int64_t kSec = 1000000000;

class SpanStoreTest : public ::testing::Test {
 protected:
  SpanStoreOptions Options() {
    SpanStoreOptions o = testing::ForegroundOptions(dir_.path());
    o.now_ns = [this] { return now_.load(); };
    return o;
  }
  std::unique_ptr<SpanStore> OpenStore(const SpanStoreOptions& o) {
    auto s = SpanStore::Open(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  TempDir dir_;
  std::atomic<int64_t> now_{kT0 + 100 * kSec};
};

TEST_F(SpanStoreTest, EveryFieldRoundTripsThroughMemoryPartsAndReopen) {
  model::Span full = testing::FullSpan();
  auto store = OpenStore(Options());
  ASSERT_TRUE(store->IngestSpans({full}).ok());
  auto mem = store->FindTrace(full.trace_id);
  ASSERT_TRUE(mem.ok());
  ASSERT_EQ(mem->size(), 1u);
  EXPECT_EQ((*mem)[0], full);

  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(store->span_engine().part_count(), 1u);
  EXPECT_EQ(store->span_engine().memory_rows(), 0u);
  auto part = store->FindTrace(full.trace_id);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  ASSERT_EQ(part->size(), 1u);
  EXPECT_EQ((*part)[0], full);
  // Typed numbers: latency doubles and usage ints come back as such.
  const model::AttrValue* e2e = model::FindAttr((*part)[0].attributes, "gen_ai.latency.e2e");
  ASSERT_NE(e2e, nullptr);
  EXPECT_EQ(e2e->type, model::AttrValue::Type::kDouble);
  const model::AttrValue* tokens =
      model::FindAttr((*part)[0].attributes, "gen_ai.usage.prompt_tokens");
  ASSERT_NE(tokens, nullptr);
  EXPECT_EQ(tokens->type, model::AttrValue::Type::kInt);

  store.reset();
  store = OpenStore(Options());
  auto reopened = store->FindTrace(full.trace_id);
  ASSERT_TRUE(reopened.ok());
  ASSERT_EQ(reopened->size(), 1u);
  EXPECT_EQ((*reopened)[0], full);
}

TEST_F(SpanStoreTest, FindTraceAcrossOpenPartFlushedPartsAndReopen) {
  auto store = OpenStore(Options());
  model::TraceId trace = TraceIdOf(77);
  std::vector<model::Span> expected;
  for (int round = 0; round < 3; ++round) {
    std::vector<model::Span> batch;
    for (uint64_t i = 0; i < 100; ++i)
      batch.push_back(MakeSpan(1000 * (round + 1) + i, kT0 + static_cast<int64_t>(i) * kSec));
    model::Span s = MakeSpan(77, kT0 + round * kSec);
    s.span_id[0] = static_cast<uint8_t>(round);
    batch.push_back(s);
    expected.push_back(s);
    ASSERT_TRUE(store->IngestSpans(batch).ok());
    if (round < 2) {
      ASSERT_TRUE(store->Flush().ok());  // rounds 0, 1 in parts; 2 in memory
    }
  }
  EXPECT_EQ(store->span_engine().part_count(), 2u);
  auto found = store->FindTrace(trace);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, expected);  // ordered by start time

  store.reset();  // round 2 only in the WAL
  store = OpenStore(Options());
  EXPECT_EQ(store->span_engine().replayed_rows(), 101u);
  found = store->FindTrace(trace);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, expected);
  auto none = store->FindTrace(TraceIdOf(999999));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(SpanStoreTest, FlushByRowsCutsTheWal) {
  SpanStoreOptions o = Options();
  o.flush_rows = 250;
  auto store = OpenStore(o);
  for (uint64_t b = 0; b < 10; ++b) {
    std::vector<model::Span> batch;
    for (uint64_t i = 0; i < 100; ++i)
      batch.push_back(MakeSpan(b * 100 + i, kT0 + static_cast<int64_t>(b * 100 + i)));
    ASSERT_TRUE(store->IngestSpans(batch).ok());
  }
  EXPECT_GE(store->span_engine().part_count(), 3u);
  size_t in_memory = store->span_engine().memory_rows();
  EXPECT_LT(in_memory, 250u);
  store.reset();
  store = OpenStore(o);
  // Replay covers only what was not flushed.
  EXPECT_EQ(store->span_engine().replayed_rows(), in_memory);
  storage::SpanQuery q;
  q.limit = 10000;
  auto all = store->SearchSpans(q);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1000u);
}

// Every search condition, against the open part and against flushed parts.
class SpanSearchTest : public SpanStoreTest, public ::testing::WithParamInterface<bool> {};

TEST_P(SpanSearchTest, EachCondition) {
  auto store = OpenStore(Options());
  std::vector<model::Span> batch;
  for (uint64_t i = 0; i < 300; ++i) {
    batch.push_back(MakeSpan(i, kT0 + static_cast<int64_t>(i) * kSec,
                             i % 3 == 0 ? "sglang" : "vllm",
                             i % 2 == 0 ? "llm_request" : "prefill"));
  }
  ASSERT_TRUE(store->IngestSpans(batch).ok());
  if (GetParam()) {
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_EQ(store->span_engine().memory_rows(), 0u);
  }
  auto count = [&](storage::SpanQuery q) -> size_t {
    q.limit = 100000;
    auto r = store->SearchSpans(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return SIZE_MAX;
    for (const auto& s : *r) {
      if (s.start_ns < q.start_ns || s.start_ns > q.end_ns) ADD_FAILURE() << "outside time range";
    }
    return r->size();
  };
  storage::SpanQuery q;
  EXPECT_EQ(count(q), 300u);
  q.start_ns = kT0 + 10 * kSec;
  q.end_ns = kT0 + 19 * kSec;
  EXPECT_EQ(count(q), 10u);
  q = {};
  q.service = "sglang";
  EXPECT_EQ(count(q), 100u);
  q.service = "nope";
  EXPECT_EQ(count(q), 0u);
  q = {};
  q.name = "prefill";
  EXPECT_EQ(count(q), 150u);
  q.service = "sglang";
  EXPECT_EQ(count(q), 50u);  // odd multiples of 3
  q = {};
  q.status_code = 2;
  EXPECT_EQ(count(q), 30u);
  q = {};
  q.min_duration_ns = 90 * 1000000;  // duration = (1 + i % 100) ms
  EXPECT_EQ(count(q), 33u);          // i % 100 in 89..99 -> 11 per hundred
  q.max_duration_ns = 90 * 1000000;
  EXPECT_EQ(count(q), 3u);
  q = {};
  q.attributes = {{"gen_ai.request.id", "chatcmpl-42"}};
  EXPECT_EQ(count(q), 1u);
  q.attributes = {{"gen_ai.usage.prompt_tokens", "103"}};  // ints compared as text
  EXPECT_EQ(count(q), 43u);                                // i % 7 == 3 in 0..299
  q.attributes = {{"gen_ai.latency.e2e", "0.002"}};        // doubles as OTLP/JSON prints them
  EXPECT_EQ(count(q), 3u);
  q.attributes = {{"host.name", "gpu-1"}};  // resource attribute
  EXPECT_EQ(count(q), 100u);
  q.attributes = {{"host.name", "gpu-1"}, {"gen_ai.usage.prompt_tokens", "103"}};
  EXPECT_EQ(count(q), 14u);  // i % 3 == 1 and i % 7 == 3: i % 21 == 10
  q.attributes = {{"missing.key", "x"}};
  EXPECT_EQ(count(q), 0u);

  // Newest first, limited.
  q = {};
  q.limit = 5;
  auto r = store->SearchSpans(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ((*r)[i].start_ns, kT0 + (299 - i) * kSec);
  EXPECT_EQ((*r)[0], batch[299]);

  auto services = store->Services();
  ASSERT_TRUE(services.ok());
  EXPECT_EQ(*services, (std::vector<std::string>{"sglang", "vllm"}));
  auto names = store->SpanNames("sglang");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"llm_request", "prefill"}));
  names = store->SpanNames("other");
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
}

INSTANTIATE_TEST_SUITE_P(MemoryAndParts, SpanSearchTest, ::testing::Bool());

TEST_F(SpanStoreTest, MergeCombinesSmallPartsAndSurvivesReopen) {
  SpanStoreOptions o = Options();
  auto store = OpenStore(o);
  for (uint64_t p = 0; p < 6; ++p) {
    std::vector<model::Span> batch;
    for (uint64_t i = 0; i < 50; ++i)
      batch.push_back(MakeSpan(p * 50 + i, kT0 + static_cast<int64_t>(p * 50 + i) * kSec));
    ASSERT_TRUE(store->IngestSpans(batch).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  ASSERT_EQ(store->span_engine().part_count(), 6u);
  auto merges = store->span_engine().Merge();
  ASSERT_TRUE(merges.ok()) << merges.status().ToString();
  EXPECT_EQ(*merges, 1);
  EXPECT_EQ(store->span_engine().part_count(), 1u);
  store.reset();
  store = OpenStore(o);
  EXPECT_EQ(store->span_engine().part_count(), 1u);
  storage::SpanQuery q;
  q.limit = 1000;
  auto all = store->SearchSpans(q);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 300u);
  auto t = store->FindTrace(TraceIdOf(123));
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ((*t)[0], MakeSpan(123, kT0 + 123 * kSec));
}

TEST_F(SpanStoreTest, RetentionByTimeDropsOldParts) {
  SpanStoreOptions o = Options();
  o.retention = std::chrono::hours(1);
  auto store = OpenStore(o);
  ASSERT_TRUE(store->IngestSpans({MakeSpan(1, kT0)}).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->IngestSpans({MakeSpan(2, kT0 + 3000 * kSec)}).ok());
  ASSERT_TRUE(store->Flush().ok());
  now_ = kT0 + 3700 * kSec;  // first part is older than an hour, the second is not
  auto dropped = store->span_engine().ApplyRetention();
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 1);
  EXPECT_TRUE(store->FindTrace(TraceIdOf(1))->empty());
  EXPECT_EQ(store->FindTrace(TraceIdOf(2))->size(), 1u);
}

TEST_F(SpanStoreTest, RetentionBySizeDropsOldestParts) {
  SpanStoreOptions o = Options();
  auto store = OpenStore(o);
  std::vector<uint64_t> sizes;
  for (uint64_t p = 0; p < 4; ++p) {
    std::vector<model::Span> batch;
    for (uint64_t i = 0; i < 200; ++i)
      batch.push_back(MakeSpan(
          p * 1000 + i, kT0 + static_cast<int64_t>(p) * 3600 * kSec + static_cast<int64_t>(i)));
    ASSERT_TRUE(store->IngestSpans(batch).ok());
    uint64_t before = store->span_engine().part_bytes();
    ASSERT_TRUE(store->Flush().ok());
    sizes.push_back(store->span_engine().part_bytes() - before);
  }
  store.reset();
  o.retention_bytes = sizes[2] + sizes[3];  // room for the two newest parts
  store = OpenStore(o);
  auto dropped = store->span_engine().ApplyRetention();
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 2);
  EXPECT_LE(store->span_engine().part_bytes(), o.retention_bytes);
  EXPECT_TRUE(store->FindTrace(TraceIdOf(0))->empty());  // oldest gone
  EXPECT_TRUE(store->FindTrace(TraceIdOf(1000))->empty());
  EXPECT_EQ(store->FindTrace(TraceIdOf(3000))->size(), 1u);  // newest kept
}

TEST_F(SpanStoreTest, BackgroundFlushByInterval) {
  SpanStoreOptions o = Options();
  o.background = true;
  o.maintenance_interval = std::chrono::milliseconds(10);
  o.flush_interval = std::chrono::milliseconds(0);
  auto store = OpenStore(o);
  ASSERT_TRUE(store->IngestSpans({MakeSpan(5, kT0)}).ok());
  for (int i = 0; i < 500 && store->span_engine().part_count() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(store->span_engine().part_count(), 1u);
  EXPECT_EQ(store->FindTrace(TraceIdOf(5))->size(), 1u);
}

TEST_F(SpanStoreTest, ConcurrentIngestQueriesAndMaintenance) {
  SpanStoreOptions o = Options();
  o.flush_rows = 300;
  o.background = true;
  o.maintenance_interval = std::chrono::milliseconds(1);
  auto store = OpenStore(o);
  std::atomic<bool> stop{false};
  std::atomic<int> query_errors{0};
  std::thread reader([&] {
    while (!stop) {
      storage::SpanQuery q;
      q.service = "vllm";
      if (!store->SearchSpans(q).ok() || !store->FindTrace(TraceIdOf(5)).ok()) ++query_errors;
    }
  });
  std::vector<std::thread> writers;
  for (uint64_t w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (uint64_t b = 0; b < 20; ++b) {
        std::vector<model::Span> batch;
        for (uint64_t i = 0; i < 50; ++i) {
          uint64_t n = w * 100000 + b * 50 + i;
          batch.push_back(MakeSpan(n, kT0 + static_cast<int64_t>(n)));
        }
        EXPECT_TRUE(store->IngestSpans(std::move(batch)).ok());
      }
    });
  }
  for (auto& t : writers) t.join();
  stop = true;
  reader.join();
  EXPECT_EQ(query_errors.load(), 0);
  storage::SpanQuery q;
  q.limit = 100000;
  auto all = store->SearchSpans(q);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2000u);
  EXPECT_GE(store->span_engine().part_count(), 1u);
}

class LogSearchTest : public SpanStoreTest, public ::testing::WithParamInterface<bool> {};

TEST_P(LogSearchTest, TimeSeverityServiceBody) {
  auto store = OpenStore(Options());
  std::vector<model::LogRecord> batch;
  for (uint64_t i = 0; i < 240; ++i)
    batch.push_back(MakeLog(i, kT0 + static_cast<int64_t>(i) * kSec, i % 2 ? "api" : "worker"));
  batch[7].body = testing::Dbl(0.25);
  ASSERT_TRUE(store->IngestLogs(batch).ok());
  if (GetParam()) {
    ASSERT_TRUE(store->Flush().ok());
  }
  auto count = [&](storage::LogQuery q) -> size_t {
    q.limit = 100000;
    auto r = store->SearchLogs(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->size() : SIZE_MAX;
  };
  storage::LogQuery q;
  EXPECT_EQ(count(q), 240u);
  q.start_ns = kT0 + 100 * kSec;
  q.end_ns = kT0 + 109 * kSec;
  EXPECT_EQ(count(q), 10u);
  q = {};
  q.min_severity = 17;  // severity = 1 + i % 24: 16..23 -> 8 per 24
  EXPECT_EQ(count(q), 80u);
  q = {};
  q.service = "api";
  EXPECT_EQ(count(q), 120u);
  q = {};
  q.body_contains = "queue full";
  EXPECT_EQ(count(q), 48u);
  q.service = "worker";  // even multiples of 5
  EXPECT_EQ(count(q), 24u);
  q = {};
  q.body_contains = "0.25";  // non-string bodies match on their text
  EXPECT_EQ(count(q), 1u);
  q = {};
  q.limit = 3;
  auto r = store->SearchLogs(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0], batch[239]);
  EXPECT_EQ((*r)[2], batch[237]);
}

INSTANTIATE_TEST_SUITE_P(MemoryAndParts, LogSearchTest, ::testing::Bool());

TEST_F(SpanStoreTest, LogsSurviveReopen) {
  auto store = OpenStore(Options());
  ASSERT_TRUE(store->IngestLogs({MakeLog(1, kT0), MakeLog(2, kT0 + 1)}).ok());
  ASSERT_TRUE(store->log_engine().Flush().ok());
  ASSERT_TRUE(store->IngestLogs({MakeLog(3, kT0 + 2)}).ok());
  store.reset();
  store = OpenStore(Options());
  storage::LogQuery q;
  auto r = store->SearchLogs(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0], MakeLog(3, kT0 + 2));
  EXPECT_EQ((*r)[2], MakeLog(1, kT0));
}

}  // namespace
}  // namespace infermetry::spanstore
