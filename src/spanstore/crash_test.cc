// Crash and corruption behaviour of the span store, through FaultEnv: power loss after
// acknowledged ingests, failing fsyncs, short writes, flipped bytes and truncated files.

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/fault_env.h"
#include "common/self_metrics.h"
#include "spanstore/span_store.h"
#include "spanstore/test_util.h"

namespace infermetry::spanstore {
namespace {

using testing::MakeSpan;
using testing::TraceIdOf;

constexpr int64_t kT0 = 1700000000000000000;

class CrashTest : public ::testing::Test {
 protected:
  SpanStoreOptions Options() {
    SpanStoreOptions o = testing::ForegroundOptions(dir_.path());
    o.env = &env_;
    return o;
  }
  std::vector<model::Span> Batch(uint64_t first, uint64_t n) {
    std::vector<model::Span> b;
    for (uint64_t i = first; i < first + n; ++i)
      b.push_back(MakeSpan(i, kT0 + static_cast<int64_t>(i)));
    return b;
  }
  // Simulates a power loss: nothing more becomes durable, the process goes away, and only
  // synced bytes remain.
  void PowerLoss(std::unique_ptr<SpanStore>& store) {
    env_.FailAllSyncs();
    store.reset();
    env_.ClearFaults();
    ASSERT_TRUE(env_.DropUnsyncedData().ok());
  }
  size_t CountAll(SpanStore& store) {
    storage::SpanQuery q;
    q.limit = 1000000;
    auto r = store.SearchSpans(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->size() : 0;
  }
  std::vector<std::string> Files(const std::string& sub) {
    auto names = env_.List(dir_.path() + "/spans/" + sub);
    std::vector<std::string> out;
    if (names.ok()) {
      for (auto& n : *names) out.push_back(dir_.path() + "/spans/" + sub + "/" + n);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  testing::TempDir dir_;
  FaultEnv env_{DefaultEnv()};
};

TEST_F(CrashTest, AcknowledgedSpansSurvivePowerLoss) {
  auto s = SpanStore::Open(Options());
  ASSERT_TRUE(s.ok());
  auto store = std::move(*s);
  for (uint64_t b = 0; b < 5; ++b) ASSERT_TRUE(store->IngestSpans(Batch(b * 10, 10)).ok());
  ASSERT_TRUE(store->Flush().ok());
  for (uint64_t b = 5; b < 8; ++b) ASSERT_TRUE(store->IngestSpans(Batch(b * 10, 10)).ok());
  PowerLoss(store);
  EXPECT_GT(env_.syncs(), 0u);
  s = SpanStore::Open(Options());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(CountAll(**s), 80u);
  for (uint64_t i = 0; i < 80; i += 7) {
    auto t = (*s)->FindTrace(TraceIdOf(i));
    ASSERT_TRUE(t.ok());
    ASSERT_EQ(t->size(), 1u) << i;
    EXPECT_EQ((*t)[0], MakeSpan(i, kT0 + static_cast<int64_t>(i)));
  }
}

// Concurrent ingests share WAL syncs while row-count freezes cut the WAL between them: after a
// power loss every acknowledged span is there exactly once, from a part or from WAL replay.
TEST_F(CrashTest, ConcurrentIngestsAcrossFreezesSurviveExactlyOnce) {
  SpanStoreOptions o = Options();
  o.flush_rows = 70;
  auto s = SpanStore::Open(o);
  ASSERT_TRUE(s.ok());
  auto store = std::move(*s);
  std::vector<std::thread> writers;
  for (uint64_t w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (uint64_t b = 0; b < 25; ++b)
        EXPECT_TRUE(store->IngestSpans(Batch(w * 1000 + b * 10, 10)).ok());
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_GE(store->span_engine().part_count(), 1u);
  PowerLoss(store);
  s = SpanStore::Open(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  storage::SpanQuery q;
  q.limit = 100000;
  auto all = (*s)->SearchSpans(q);
  ASSERT_TRUE(all.ok());
  std::set<uint64_t> seen;
  for (const model::Span& span : *all) seen.insert(static_cast<uint64_t>(span.start_ns - kT0));
  EXPECT_EQ(all->size(), 1000u);
  EXPECT_EQ(seen.size(), 1000u);
}

TEST_F(CrashTest, FailedWalSyncFailsIngestAndLosesNothingAcknowledged) {
  auto s = SpanStore::Open(Options());
  ASSERT_TRUE(s.ok());
  auto store = std::move(*s);
  ASSERT_TRUE(store->IngestSpans(Batch(0, 10)).ok());
  env_.FailSyncs(1, "/wal");
  Status st = store->IngestSpans(Batch(10, 10));
  EXPECT_EQ(st.code(), Code::kIoError) << st.ToString();
  // Not acknowledged, so not visible; the WAL refuses further appends.
  EXPECT_TRUE(store->FindTrace(TraceIdOf(10))->empty());
  EXPECT_FALSE(store->IngestSpans(Batch(20, 10)).ok());
  EXPECT_EQ(CountAll(*store), 10u);
  PowerLoss(store);
  s = SpanStore::Open(Options());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->FindTrace(TraceIdOf(3))->size(), 1u);
  EXPECT_GE(CountAll(**s), 10u);
  EXPECT_TRUE((*s)->FindTrace(TraceIdOf(25))->empty());
  ASSERT_TRUE((*s)->IngestSpans(Batch(30, 1)).ok());  // a reopened store accepts again
}

TEST_F(CrashTest, ShortWalWriteFailsIngest) {
  auto s = SpanStore::Open(Options());
  ASSERT_TRUE(s.ok());
  auto store = std::move(*s);
  ASSERT_TRUE(store->IngestSpans(Batch(0, 5)).ok());
  env_.ShortWrite(7, "/wal");
  EXPECT_FALSE(store->IngestSpans(Batch(5, 5)).ok());
  PowerLoss(store);
  s = SpanStore::Open(Options());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(CountAll(**s), 5u);  // the torn record is cut, the acknowledged one kept
}

TEST_F(CrashTest, FailedPartWriteKeepsRowsInMemoryAndWal) {
  auto s = SpanStore::Open(Options());
  ASSERT_TRUE(s.ok());
  auto store = std::move(*s);
  ASSERT_TRUE(store->IngestSpans(Batch(0, 20)).ok());
  env_.FailAllSyncs("/parts/");
  EXPECT_FALSE(store->Flush().ok());
  env_.ClearFaults();
  EXPECT_EQ(store->span_engine().part_count(), 0u);
  EXPECT_EQ(CountAll(*store), 20u);  // still queryable
  PowerLoss(store);
  s = SpanStore::Open(Options());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(CountAll(**s), 20u);
  ASSERT_TRUE((*s)->Flush().ok());  // the leftover .tmp is gone and a new part is written
  EXPECT_EQ((*s)->span_engine().part_count(), 1u);
  EXPECT_EQ(CountAll(**s), 20u);
}

// Flipping any byte of a part gives kCorruption naming the file (at open or at query), or
// exactly the original answers; never a crash or different data.
TEST_F(CrashTest, EveryFlippedPartByteIsDetected) {
  std::string part;
  std::vector<model::Span> spans = Batch(0, 40);
  spans[3] = testing::FullSpan();
  {
    auto s = SpanStore::Open(Options());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->IngestSpans(spans).ok());
    ASSERT_TRUE((*s)->Flush().ok());
  }
  std::vector<std::string> parts = Files("parts");
  ASSERT_EQ(parts.size(), 1u);
  part = parts[0];
  auto original = ReadFile(&env_, part);
  ASSERT_TRUE(original.ok());
  size_t detected_at_open = 0, detected_at_query = 0;
  for (uint64_t off = 0; off < original->size(); off += 3) {
    ASSERT_TRUE(WriteFileAtomic(&env_, part, *original).ok());
    ASSERT_TRUE(CorruptByte(&env_, part, off, 0x40).ok());
    auto s = SpanStore::Open(Options());
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), Code::kCorruption) << off << " " << s.status().ToString();
      EXPECT_NE(s.status().message().find(part), std::string::npos) << s.status().ToString();
      ++detected_at_open;
      continue;
    }
    storage::SpanQuery q;
    q.limit = 1000;
    auto all = (*s)->SearchSpans(q);
    auto one = (*s)->FindTrace(spans[3].trace_id);
    bool corrupt = false;
    for (const Status& st : {all.status(), one.status()}) {
      if (st.ok()) continue;
      EXPECT_EQ(st.code(), Code::kCorruption) << off << " " << st.ToString();
      EXPECT_NE(st.message().find(part), std::string::npos) << st.ToString();
      corrupt = true;
    }
    if (corrupt) {
      ++detected_at_query;
      continue;
    }
    ADD_FAILURE() << "flipped byte at " << off << " went unnoticed";
  }
  EXPECT_GT(detected_at_open, 0u);
  EXPECT_GT(detected_at_query, 0u);
}

double MetricValue(const std::string& series) {
  std::string text;
  selfmon::Default().WriteText(&text);
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST_F(CrashTest, SelfMetricsCountIngestsPartsAndCorruption) {
  const std::string ingested = "infermetry_spanstore_ingested_total{kind=\"spans\"}";
  const std::string corruptions = "infermetry_spanstore_corruptions_total{kind=\"spans\"}";
  auto s = SpanStore::Open(Options());
  ASSERT_TRUE(s.ok());
  double before = MetricValue(ingested);
  ASSERT_TRUE((*s)->IngestSpans(Batch(0, 12)).ok());
  EXPECT_EQ(MetricValue(ingested), before + 12);
  ASSERT_TRUE((*s)->Flush().ok());
  EXPECT_EQ(MetricValue("infermetry_spanstore_parts{kind=\"spans\"}"), 1);
  EXPECT_GT(MetricValue("infermetry_spanstore_part_bytes{kind=\"spans\"}"), 0);
  std::string part = Files("parts").at(0);
  ASSERT_TRUE(CorruptByte(&env_, part, 20, 0x01).ok());  // inside the first column block
  double corrupt_before = MetricValue(corruptions);
  storage::SpanQuery q;
  EXPECT_EQ((*s)->SearchSpans(q).status().code(), Code::kCorruption);
  EXPECT_EQ(MetricValue(corruptions), corrupt_before + 1);
}

TEST_F(CrashTest, TruncatedPartIsCorruption) {
  {
    auto s = SpanStore::Open(Options());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->IngestSpans(Batch(0, 10)).ok());
    ASSERT_TRUE((*s)->Flush().ok());
  }
  std::string part = Files("parts").at(0);
  auto original = ReadFile(&env_, part);
  ASSERT_TRUE(original.ok());
  for (size_t keep : {size_t{0}, size_t{10}, original->size() / 2, original->size() - 1}) {
    ASSERT_TRUE(WriteFileAtomic(&env_, part, std::string_view(*original).substr(0, keep)).ok());
    auto s = SpanStore::Open(Options());
    ASSERT_FALSE(s.ok()) << keep;
    EXPECT_EQ(s.status().code(), Code::kCorruption);
    EXPECT_NE(s.status().message().find(part), std::string::npos) << s.status().ToString();
  }
}

// A damaged WAL tail (a torn or flipped last record) recovers cleanly: earlier batches stay.
TEST_F(CrashTest, CorruptWalTailRecoversEarlierBatches) {
  {
    auto s = SpanStore::Open(Options());
    ASSERT_TRUE(s.ok());
    for (uint64_t b = 0; b < 3; ++b) ASSERT_TRUE((*s)->IngestSpans(Batch(b * 10, 10)).ok());
  }
  std::vector<std::string> segs = Files("wal");
  ASSERT_FALSE(segs.empty());
  auto content = ReadFile(&env_, segs.back());
  ASSERT_TRUE(content.ok());
  ASSERT_TRUE(CorruptByte(&env_, segs.back(), content->size() - 20, 0xff).ok());
  auto s = SpanStore::Open(Options());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(CountAll(**s), 20u);
  EXPECT_EQ((*s)->FindTrace(TraceIdOf(15))->size(), 1u);
  EXPECT_TRUE((*s)->FindTrace(TraceIdOf(25))->empty());
}

}  // namespace
}  // namespace infermetry::spanstore
