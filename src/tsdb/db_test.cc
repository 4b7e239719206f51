#include "tsdb/db.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "common/fault_env.h"
#include "tsdb/checkpoint.h"
#include "tsdb/tsdb_test_util.h"

namespace infermetry::tsdb {
namespace {

using testing::Eq;
using testing::Query;

constexpr int64_t kRange = 100000;  // 100 s blocks keep the tests small
constexpr int64_t kStep = 5000;

model::Labels Series(int i) {
  return model::Labels{{"__name__", "vllm:num_requests_running"},
                       {"engine", std::to_string(i)},
                       {"job", "vllm"}};
}
double Value(int i, int64_t t) { return static_cast<double>(i * 1000000 + t / kStep); }

class DBTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tsdb_db_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Options Opts(wal::SyncPolicy sync = wal::SyncPolicy::kAlways) {
    Options o;
    o.dir = dir_.string();
    o.wal_sync = sync;
    o.block_range_ms = kRange;
    o.compaction_ranges_ms = {kRange, 4 * kRange};
    o.retention_ms = 0;
    o.compaction_interval = std::chrono::milliseconds(0);
    o.env = &env_;
    o.metrics = &registry_;
    return o;
  }
  std::unique_ptr<DB> OpenDB(const Options& o) {
    auto db = DB::Open(o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  // Appends scrapes [from, to) of `n` series, one commit per scrape.
  void Fill(DB* db, int n, int64_t from, int64_t to) {
    auto app = db->NewAppender();
    for (int64_t t = from; t < to; t += kStep) {
      for (int i = 0; i < n; ++i) ASSERT_TRUE(app->Append(Series(i), t, Value(i, t)).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
  }
  // Every series holds exactly the samples [from, to) once, with the right values.
  void Verify(DB* db, int n, int64_t from, int64_t to) {
    auto res = Query(db, 0, 1 << 30, {Eq("job", "vllm")});
    ASSERT_EQ(res.size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const auto& s = res[i];
      int idx = std::stoi(std::string(s.labels.Get("engine")));
      ASSERT_EQ(s.samples.size(), static_cast<size_t>((to - from) / kStep)) << s.labels.ToString();
      int64_t t = from;
      for (const auto& smp : s.samples) {
        ASSERT_EQ(smp.t_ms, t);
        ASSERT_EQ(smp.v, Value(idx, t));
        t += kStep;
      }
    }
  }

  std::filesystem::path dir_;
  FaultEnv env_{DefaultEnv()};
  selfmon::Registry registry_;
};

TEST_F(DBTest, AppendQueryReopenAfterClose) {
  auto db = OpenDB(Opts());
  Fill(db.get(), 10, 0, 60000);
  Verify(db.get(), 10, 0, 60000);
  ASSERT_TRUE(db->Close().ok());
  db.reset();
  db = OpenDB(Opts());
  Verify(db.get(), 10, 0, 60000);
  // Appending continues after the replayed data, and out-of-order is still refused.
  auto app = db->NewAppender();
  EXPECT_EQ(app->Append(Series(0), 50000, 1).code(), Code::kOutOfOrder);
  Fill(db.get(), 10, 60000, 80000);
  Verify(db.get(), 10, 0, 80000);
}

TEST_F(DBTest, DirectoryIsLocked) {
  auto db = OpenDB(Opts());
  auto second = DB::Open(Opts());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kResourceExhausted);
}

TEST_F(DBTest, CrashWithoutCloseKeepsCommittedSamples) {
  auto db = OpenDB(Opts(wal::SyncPolicy::kBatch));
  Fill(db.get(), 5, 0, 50000);
  db.reset();  // no Close: a process crash (kBatch data is in the page cache)
  db = OpenDB(Opts(wal::SyncPolicy::kBatch));
  Verify(db.get(), 5, 0, 50000);
}

TEST_F(DBTest, PowerLossWithAlwaysSyncKeepsCommittedSamples) {
  auto db = OpenDB(Opts(wal::SyncPolicy::kAlways));
  Fill(db.get(), 5, 0, 50000);
  auto app = db->NewAppender();
  ASSERT_TRUE(app->Append(Series(0), 50000, 1).ok());  // not committed: lost
  app.reset();
  db.reset();
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  db = OpenDB(Opts());
  Verify(db.get(), 5, 0, 50000);
}

TEST_F(DBTest, FailedSyncFailsCommit) {
  auto db = OpenDB(Opts(wal::SyncPolicy::kAlways));
  Fill(db.get(), 2, 0, 10000);
  env_.FailSyncs(1, "wal");
  auto app = db->NewAppender();
  ASSERT_TRUE(app->Append(Series(0), 10000, 1).ok());
  Status st = app->Commit();
  EXPECT_EQ(st.code(), Code::kIoError) << st.ToString();
  EXPECT_GE(env_.failed_syncs(), 1u);
  // Not acknowledged, not visible.
  auto res = Query(db.get(), 0, 1 << 30, {Eq("engine", "0")});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].samples.size(), 2u);
}

TEST_F(DBTest, CompactionPersistsHeadAndTruncatesWal) {
  auto db = OpenDB(Opts());
  Fill(db.get(), 20, 0, 10 * kRange);
  uint64_t wal_before = db->Stats().wal_bytes;
  ASSERT_TRUE(db->Compact().ok());
  auto st = db->Stats();
  EXPECT_GE(st.blocks, 1u);
  EXPECT_GT(st.block_samples, 0u);
  // The head keeps at most 1.5 ranges, the WAL shrank, a checkpoint exists.
  EXPECT_LE(st.head.max_time - st.head.min_time, kRange + kRange / 2);
  EXPECT_EQ(st.head.samples + st.block_samples, 20u * (10 * kRange / kStep));
  EXPECT_LT(st.wal_bytes, wal_before);
  EXPECT_EQ(db->head()->min_valid_time() % kRange, 0);
  Verify(db.get(), 20, 0, 10 * kRange);
  // Level-1 blocks were merged into a 4-range block (compaction_ranges_ms).
  auto blocks = db->Blocks();
  EXPECT_TRUE(std::any_of(blocks.begin(), blocks.end(),
                          [](const BlockMeta& m) { return m.level >= 2; }));
  // Persisted ranges refuse new samples.
  auto app = db->NewAppender();
  EXPECT_EQ(app->Append(Series(0), 1000, 1).code(), Code::kTooOld);
  ASSERT_TRUE(db->Close().ok());
  db = OpenDB(Opts());
  Verify(db.get(), 20, 0, 10 * kRange);
  Fill(db.get(), 20, 10 * kRange, 12 * kRange);
  ASSERT_TRUE(db->Compact().ok());
  db.reset();  // crash after a compaction
  db = OpenDB(Opts());
  Verify(db.get(), 20, 0, 12 * kRange);
}

// Span bounds from the head's chunks and the blocks' time columns hold every sample of the
// range, per series (SeriesSet::TimeSpan) and over all series (Querier::SampleSpans).
TEST_F(DBTest, TimeSpansHoldEverySampleInRange) {
  auto db = OpenDB(Opts());
  Fill(db.get(), 3, 0, 10 * kRange);
  {
    auto app = db->NewAppender();  // one series that lived for one range only
    for (int64_t t = 2 * kRange; t < 3 * kRange; t += kStep) {
      ASSERT_TRUE(app->Append(Series(3), t, 1).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_GE(db->Stats().blocks, 1u);
  ASSERT_GT(db->Stats().head.samples, 0u);
  const std::vector<std::pair<int64_t, int64_t>> ranges = {
      {0, 1 << 30}, {kRange + 1234, 5 * kRange}, {9 * kRange, 1 << 30}, {2 * kRange, 2 * kRange}};
  for (auto [lo, hi] : ranges) {
    SCOPED_TRACE("range " + std::to_string(lo) + ".." + std::to_string(hi));
    auto truth = Query(db.get(), lo, hi, {Eq("job", "vllm")});
    auto q = db->NewQuerier(lo, hi);
    ASSERT_TRUE(q.ok());
    std::vector<storage::Matcher> ms = {Eq("job", "vllm")};
    std::vector<std::pair<int64_t, int64_t>> spans;
    auto known = (*q)->SampleSpans({lo, hi}, ms, &spans);
    ASSERT_TRUE(known.ok() && *known);
    auto set = (*q)->Select({lo, hi}, ms);
    size_t i = 0;
    while (set->Next()) {
      ASSERT_LT(i, truth.size());
      int64_t mint, maxt;
      ASSERT_TRUE(set->TimeSpan(&mint, &maxt));
      EXPECT_GE(mint, lo);
      EXPECT_LE(maxt, hi);
      for (const auto& smp : truth[i].samples) {
        EXPECT_TRUE(smp.t_ms >= mint && smp.t_ms <= maxt) << truth[i].labels.ToString() << " @" << smp.t_ms;
        EXPECT_TRUE(std::any_of(spans.begin(), spans.end(), [&](const auto& s) {
          return smp.t_ms >= s.first && smp.t_ms <= s.second;
        })) << smp.t_ms;
      }
      ++i;
    }
    EXPECT_EQ(i, truth.size());
    for (const auto& s : spans) {
      EXPECT_LE(s.first, s.second);
      EXPECT_GE(s.first, lo);
      EXPECT_LE(s.second, hi);
    }
    // The short-lived series' spans stay within its own life.
    spans.clear();
    std::vector<storage::Matcher> one = {Eq("engine", "3")};
    ASSERT_TRUE((*q)->SampleSpans({lo, hi}, one, &spans).ok());
    for (const auto& s : spans) {
      EXPECT_GE(s.first, 2 * kRange);
      EXPECT_LT(s.second, 3 * kRange);
    }
  }
}

TEST_F(DBTest, RetentionDeletesOldBlocks) {
  Options o = Opts();
  o.compaction_ranges_ms = {kRange};
  o.retention_ms = 3 * kRange;
  auto db = OpenDB(o);
  Fill(db.get(), 2, 0, 10 * kRange);
  ASSERT_TRUE(db->Compact().ok());
  auto blocks = db->Blocks();
  ASSERT_FALSE(blocks.empty());
  EXPECT_GE(blocks.front().mint, 4 * kRange);
  auto res = Query(db.get(), 0, 1 << 30, {Eq("engine", "0")});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_GE(res[0].samples.front().t_ms, 4 * kRange);
  EXPECT_EQ(res[0].samples.back().t_ms, 10 * kRange - kStep);
  db.reset();
  db = OpenDB(o);  // deleted blocks stay deleted, and the WAL does not bring them back
  res = Query(db.get(), 0, 1 << 30, {Eq("engine", "0")});
  ASSERT_EQ(res.size(), 1u);
  EXPECT_GE(res[0].samples.front().t_ms, 4 * kRange);
}

TEST_F(DBTest, MetadataSurvivesCompactionAndReopen) {
  auto db = OpenDB(Opts());
  auto app = db->NewAppender();
  storage::Metadata md;
  md.type = model::MetricType::kGauge;
  md.help = "Requests running.";
  ASSERT_TRUE(app->UpdateMetadata(Series(0), md).ok());
  ASSERT_TRUE(app->Commit().ok());
  Fill(db.get(), 3, 0, 4 * kRange);
  ASSERT_TRUE(db->Compact().ok());
  db.reset();
  db = OpenDB(Opts());
  auto q = *db->NewQuerier(0, 1 << 30);
  auto m = q->Metadata("vllm:num_requests_running");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].metadata.help, "Requests running.");
}

// A crash at each compaction step (a failed sync stands for the crash point), then a power
// loss: the reopened DB holds every committed sample exactly once.
class DBCrashTest : public DBTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(DBCrashTest, CompactionCrashLosesNothing) {
  auto db = OpenDB(Opts());
  Fill(db.get(), 10, 0, 6 * kRange);
  env_.FailAllSyncs(GetParam());
  Status st = db->Compact();
  EXPECT_FALSE(st.ok());
  EXPECT_GE(env_.failed_syncs(), 1u);
  db.reset();
  env_.ClearFaults();
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  db = OpenDB(Opts());
  Verify(db.get(), 10, 0, 6 * kRange);
  ASSERT_TRUE(db->Compact().ok());
  Verify(db.get(), 10, 0, 6 * kRange);
  db.reset();
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  db = OpenDB(Opts());
  Verify(db.get(), 10, 0, 6 * kRange);
}

// ".tmp/": the block being written; "checkpoint": after the block is in place.
INSTANTIATE_TEST_SUITE_P(Steps, DBCrashTest, ::testing::Values(".tmp/", "checkpoint"));

TEST_F(DBTest, OutOfOrderSamplesSurviveReopen) {
  Options o = Opts();
  o.ooo_window_ms = 30000;
  auto db = OpenDB(o);
  Fill(db.get(), 1, 0, 50000);
  auto app = db->NewAppender();
  ASSERT_TRUE(app->Append(Series(0), 42500, 7).ok());
  ASSERT_TRUE(app->Commit().ok());
  db.reset();
  db = OpenDB(o);
  auto res = Query(db.get(), 0, 1 << 30, {Eq("engine", "0")});
  ASSERT_EQ(res.size(), 1u);
  ASSERT_EQ(res[0].samples.size(), 11u);
  EXPECT_EQ(res[0].samples[9].t_ms, 42500);
  EXPECT_EQ(res[0].samples[9].v, 7);
}

TEST_F(DBTest, RejectsOversizedOooWindow) {
  Options o = Opts();
  o.ooo_window_ms = kRange;
  EXPECT_EQ(DB::Open(o).status().code(), Code::kInvalidArgument);
}

TEST_F(DBTest, ConcurrentAppendersAndCompaction) {
  auto db = OpenDB(Opts());
  std::atomic<bool> done{false};
  std::thread compactor([&] {
    while (!done) {
      EXPECT_TRUE(db->Compact().ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  // Writers stay within one scrape of each other (as scrape loops do), well inside the half
  // range the head keeps beyond what compaction persists.
  std::barrier sync(3);
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      auto app = db->NewAppender();
      for (int64_t t = 0; t < 8 * kRange; t += kStep) {
        sync.arrive_and_wait();
        for (int i = w * 10; i < w * 10 + 10; ++i) {
          EXPECT_TRUE(app->Append(Series(i), t, Value(i, t)).ok());
        }
        EXPECT_TRUE(app->Commit().ok());
      }
    });
  }
  for (auto& t : writers) t.join();
  done = true;
  compactor.join();
  Verify(db.get(), 30, 0, 8 * kRange);
  db.reset();
  db = OpenDB(Opts());
  Verify(db.get(), 30, 0, 8 * kRange);
}

}  // namespace
}  // namespace infermetry::tsdb
