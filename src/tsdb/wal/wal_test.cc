// The write path: ordering, segments, concurrency, group commit, sync policies, failures.

#include "tsdb/wal/wal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <set>
#include <thread>

#include "tsdb/wal/wal_test_util.h"

// Counts every allocation in this test binary, to check that Append allocates nothing in
// steady state. (GCC's -O2 flags the malloc/free pair inside replacement operators as
// mismatched, which it is not.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
static std::atomic<uint64_t> g_allocations{0};
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace infermetry::wal {
namespace {

using WalTest = WalTestBase;

TEST_F(WalTest, AppendAllocatesNothingInSteadyState) {
  uint64_t probe = g_allocations.load();
  delete new std::string(100, 'x');  // the counter does see allocations
  ASSERT_GT(g_allocations.load(), probe);
  for (SyncPolicy policy : {SyncPolicy::kAlways, SyncPolicy::kBatch}) {
    Options o = Opts(policy);
    o.env = nullptr;  // the real env: the test env's bookkeeping would count
    o.dir = dir_ + (policy == SyncPolicy::kAlways ? "/always" : "/batch");
    auto w = OpenOk(o);
    const std::string small(64, 's'), big(4096, 'b');
    std::string_view batch[] = {small, big, small};
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(w->Append(batch).ok());  // grows the buffer once
    uint64_t before = g_allocations.load();
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(w->Append(small).ok());
      ASSERT_TRUE(w->Append(batch).ok());
    }
    EXPECT_EQ(g_allocations.load() - before, 0u);
  }
}

TEST_F(WalTest, ReplaysInOrderAcrossManySegments) {
  Options o = Opts();
  o.segment_bytes = 1024;
  std::vector<std::string> want;
  {
    auto w = OpenOk(o);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->CurrentSegment(), 0u);
    for (int i = 0; i < 600; ++i) {
      if (i % 10 == 0) {  // a batch of three in one Append
        std::string a = Rec(i), b = Rec(i + 1000), c = "";
        std::string_view batch[] = {a, b, c};
        ASSERT_TRUE(w->Append(batch).ok());
        want.insert(want.end(), {a, b, c});
      } else {
        want.push_back(Rec(i));
        ASSERT_TRUE(w->Append(want.back()).ok());
      }
    }
    EXPECT_GT(w->CurrentSegment(), 10u);
    ASSERT_TRUE(w->Close().ok());
  }
  Replayed r = Reopen(o);
  EXPECT_EQ(r.Strings(), want);
  EXPECT_EQ(r.stats.records, want.size());
  EXPECT_EQ(r.stats.segments, SegmentFiles().size());
  EXPECT_GT(r.stats.segments, 10u);
  EXPECT_EQ(r.stats.torn_bytes, 0u);
  EXPECT_EQ(r.stats.corrupt_bytes, 0u);
  uint64_t bytes = 0;
  for (const auto& s : want) bytes += s.size();
  EXPECT_EQ(r.stats.bytes, bytes);
  // Segment numbers never go backwards, and every segment but the last is full.
  for (size_t i = 1; i < r.records.size(); ++i) {
    EXPECT_LE(r.records[i - 1].first, r.records[i].first);
  }
  auto files = SegmentFiles();
  for (size_t i = 0; i + 1 < files.size(); ++i) EXPECT_GE(FileSize(files[i]), 1024u);
}

TEST_F(WalTest, AppendsAfterReopenContinueTheLog) {
  Options o = Opts();
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append("one").ok());
  }  // destructor closes
  {
    Replayed r;
    auto w = OpenOk(o, &r);
    EXPECT_EQ(r.Strings(), std::vector<std::string>{"one"});
    ASSERT_TRUE(w->Append("two").ok());
  }
  EXPECT_EQ(Reopen(o).Strings(), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(SegmentFiles().size(), 1u);
}

TEST_F(WalTest, CutAndTruncateBefore) {
  Options o = Opts();
  uint64_t s1, s2;
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append("a").ok());
    auto c1 = w->Cut();
    ASSERT_TRUE(c1.ok());
    s1 = *c1;
    EXPECT_EQ(s1, 1u);
    EXPECT_EQ(w->CurrentSegment(), s1);
    ASSERT_TRUE(w->Append("b").ok());
    auto c2 = w->Cut();
    ASSERT_TRUE(c2.ok());
    s2 = *c2;
    EXPECT_GT(s2, s1);
    ASSERT_TRUE(w->Append("c").ok());
    EXPECT_EQ(SegmentFiles().size(), 3u);
    uint64_t before = w->SizeBytes();
    ASSERT_TRUE(w->TruncateBefore(s1).ok());
    EXPECT_EQ(SegmentFiles().size(), 2u);
    EXPECT_EQ(w->SizeBytes(), before - (format::kHeaderBytes + format::kFrameHeaderBytes + 1));
    // Never the current segment, even when asked for more.
    ASSERT_TRUE(w->TruncateBefore(s2 + 10).ok());
    EXPECT_EQ(SegmentFiles().size(), 1u);
    ASSERT_TRUE(w->Append("d").ok());
  }
  Replayed r = Reopen(o);
  EXPECT_EQ(r.Strings(), (std::vector<std::string>{"c", "d"}));
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].first, s2);
}

TEST_F(WalTest, SizeBytesCountsEverySegment) {
  Options o = Opts();
  auto w = OpenOk(o);
  EXPECT_EQ(w->SizeBytes(), format::kHeaderBytes);
  ASSERT_TRUE(w->Append(std::string(100, 'x')).ok());
  ASSERT_TRUE(w->Cut().ok());
  ASSERT_TRUE(w->Append(std::string(50, 'y')).ok());
  EXPECT_EQ(w->SizeBytes(), 2 * format::kHeaderBytes + 2 * format::kFrameHeaderBytes + 150);
  uint64_t on_disk = 0;
  for (const auto& f : SegmentFiles()) on_disk += FileSize(f);
  EXPECT_EQ(w->SizeBytes(), on_disk);
}

TEST_F(WalTest, ConcurrentAppendsFromEightThreadsAllReplay) {
  Options o = Opts();
  o.segment_bytes = 4096;  // rotations happen under contention too
  constexpr int kThreads = 8, kPerThread = 300;
  {
    auto w = OpenOk(o);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int j = 0; j < kPerThread; ++j) {
          std::string rec = std::to_string(t) + "/" + std::to_string(j);
          if (!w->Append(rec).ok()) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
  }
  Replayed r = Reopen(o);
  ASSERT_EQ(r.records.size(), static_cast<size_t>(kThreads * kPerThread));
  std::map<int, int> next;  // per thread, records replay in the order they were appended
  for (const auto& [seg, rec] : r.records) {
    int t = std::stoi(rec.substr(0, rec.find('/')));
    int j = std::stoi(rec.substr(rec.find('/') + 1));
    EXPECT_EQ(j, next[t]) << rec;
    next[t] = j + 1;
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kPerThread);
}

// Counts syncs of segment files and makes each take a while, so that concurrent appenders
// queue behind a running sync.
class SlowSyncEnv : public ForwardingEnv {
 public:
  using ForwardingEnv::ForwardingEnv;
  Result<std::unique_ptr<File>> Open(const std::string& path, bool create) override {
    INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<File> f, base_->Open(path, create));
    return std::unique_ptr<File>(new SlowFile(this, std::move(f)));
  }
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> appends{0};

 private:
  class SlowFile : public File {
   public:
    SlowFile(SlowSyncEnv* env, std::unique_ptr<File> f) : env_(env), f_(std::move(f)) {}
    Status Append(std::string_view d) override {
      ++env_->appends;
      return f_->Append(d);
    }
    Status Sync() override {
      ++env_->syncs;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      return f_->Sync();
    }
    Status Truncate(uint64_t s) override { return f_->Truncate(s); }
    Status ReadAt(uint64_t o, size_t n, char* out) const override { return f_->ReadAt(o, n, out); }
    uint64_t Size() const override { return f_->Size(); }

   private:
    SlowSyncEnv* env_;
    std::unique_ptr<File> f_;
  };
};

TEST_F(WalTest, GroupCommitSharesSyncs) {
  SlowSyncEnv slow(DefaultEnv());
  Options o = Opts();
  o.env = &slow;
  auto w = OpenOk(o);
  uint64_t syncs0 = slow.syncs.load(), appends0 = slow.appends.load();
  constexpr int kThreads = 8, kPerThread = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int j = 0; j < kPerThread; ++j) EXPECT_TRUE(w->Append("x").ok());
    });
  }
  for (auto& th : threads) th.join();
  uint64_t syncs = slow.syncs.load() - syncs0;
  EXPECT_EQ(slow.appends.load() - appends0, uint64_t{kThreads * kPerThread});
  EXPECT_GE(syncs, 1u);
  // One sync per append would be 320; with 8 writers queueing behind each 2 ms sync, most
  // appends ride on another's sync.
  EXPECT_LT(syncs, uint64_t{kThreads * kPerThread} / 3) << syncs;
  EXPECT_DOUBLE_EQ(WalCounter("infermetry_wal_records_appended_total", o.name),
                   kThreads * kPerThread);
}

TEST_F(WalTest, AlwaysSyncsBeforeAppendReturns) {
  Options o = Opts();
  auto w = OpenOk(o);
  uint64_t before = env_.syncs_of(dir_);
  ASSERT_TRUE(w->Append("a").ok());
  ASSERT_TRUE(w->Append("b").ok());
  EXPECT_EQ(env_.syncs_of(dir_), before + 2);
}

TEST_F(WalTest, BatchAppendDoesNotSyncAndTheBackgroundThreadDoes) {
  Options o = Opts(SyncPolicy::kBatch);
  o.sync_interval = std::chrono::milliseconds(10);
  auto w = OpenOk(o);
  double fsyncs0 = WalCounter("infermetry_wal_fsyncs_total", o.name);
  ASSERT_TRUE(w->Append("a").ok());
  for (int i = 0; i < 400 && WalCounter("infermetry_wal_fsyncs_total", o.name) == fsyncs0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(WalCounter("infermetry_wal_fsyncs_total", o.name), fsyncs0);
}

TEST_F(WalTest, BatchReplaysWhatWasWrittenWithoutAnySync) {
  Options o = Opts(SyncPolicy::kBatch);
  o.sync_interval = std::chrono::hours(1);
  std::vector<std::string> want;
  {
    auto w = OpenOk(o);
    // Syncs fail from here: what replays below was only written (a process crash keeps the
    // page cache), never synced.
    uint64_t syncs = env_.syncs();
    env_.FailAllSyncs();
    for (int i = 0; i < 50; ++i) {
      want.push_back(Rec(i));
      ASSERT_TRUE(w->Append(want.back()).ok());
    }
    EXPECT_EQ(env_.syncs(), syncs);
    EXPECT_EQ(env_.failed_syncs(), 0u);
  }
  env_.ClearFaults();
  EXPECT_EQ(Reopen(o).Strings(), want);
}

TEST_F(WalTest, FailedSyncFailsTheAppendAndLaterAppendsRefuse) {
  Options o = Opts();
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append("kept").ok());
    env_.FailSyncs(1, dir_);
    Status st = w->Append("unsure");
    EXPECT_EQ(st.code(), Code::kIoError) << st.ToString();
    EXPECT_EQ(env_.failed_syncs(), 1u);
    // The env no longer fails, but the WAL cannot know what reached the disk.
    Status later = w->Append("refused");
    EXPECT_EQ(later.code(), Code::kIoError);
    EXPECT_EQ(w->Cut().status().code(), Code::kIoError);
    EXPECT_DOUBLE_EQ(WalCounter("infermetry_wal_write_failures_total", o.name), 1);
  }
  Replayed r = Reopen(o);
  ASSERT_GE(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].second, "kept");
  // "unsure" was written before its sync failed, so it may replay; "refused" never was.
  for (const auto& [seg, rec] : r.records) EXPECT_NE(rec, "refused");
}

TEST_F(WalTest, ShortWriteFailsAndReopenRecoversEarlierRecords) {
  Options o = Opts();
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append("first").ok());
    ASSERT_TRUE(w->Append("second").ok());
    env_.ShortWrite(5, dir_);
    Status st = w->Append(std::string(100, 'z'));
    EXPECT_EQ(st.code(), Code::kIoError);
    EXPECT_EQ(env_.short_writes(), 1u);
    EXPECT_EQ(w->Append("after").code(), Code::kIoError);
  }
  Replayed r;
  {
    auto w = OpenOk(o, &r);
    EXPECT_EQ(r.Strings(), (std::vector<std::string>{"first", "second"}));
    EXPECT_EQ(r.stats.torn_bytes, 5u);
    ASSERT_TRUE(w->Append("third").ok());
  }
  EXPECT_EQ(Reopen(o).Strings(), (std::vector<std::string>{"first", "second", "third"}));
}

TEST_F(WalTest, PowerLossNeverLosesAnAcknowledgedRecordUnderAlways) {
  Options o = Opts();
  o.segment_bytes = 8192;
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<int> acked_count{0};
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append("before").ok());
    acked.insert("before");
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int j = 0; j < 200; ++j) {
          std::string rec = std::to_string(t) + "/" + std::to_string(j);
          if (!w->Append(rec).ok()) break;
          std::lock_guard<std::mutex> l(mu);
          acked.insert(rec);
          ++acked_count;
        }
      });
    }
    // Power fails while the writers run: from now on nothing more becomes durable.
    while (acked_count.load() < 300) std::this_thread::yield();
    env_.FailAllSyncs();
    for (auto& th : threads) th.join();
    // Deterministically: one more record is written but never synced.
    EXPECT_EQ(w->Append("never acked").code(), Code::kIoError);
  }
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  env_.ClearFaults();
  Replayed r = Reopen(o);
  std::vector<std::string> all = r.Strings();
  std::set<std::string> replayed(all.begin(), all.end());
  for (const std::string& a : acked) EXPECT_EQ(replayed.count(a), 1u) << a;
  EXPECT_GE(acked.size(), 300u);
  EXPECT_EQ(replayed.count("never acked"), 0u);
}

TEST_F(WalTest, PowerLossDropsTheUnsyncedRecord) {
  Options o = Opts();
  {
    auto w = OpenOk(o);
    ASSERT_TRUE(w->Append("durable").ok());
    env_.FailAllSyncs();
    EXPECT_FALSE(w->Append("volatile").ok());
  }
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(env_.dropped_bytes(), format::kFrameHeaderBytes + 8);
  env_.ClearFaults();
  EXPECT_EQ(Reopen(o).Strings(), std::vector<std::string>{"durable"});
}

TEST_F(WalTest, CloseThenEverythingIsCancelled) {
  auto w = OpenOk(Opts());
  ASSERT_TRUE(w->Append("a").ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(w->Append("b").code(), Code::kCancelled);
  EXPECT_EQ(w->Cut().status().code(), Code::kCancelled);
  EXPECT_EQ(w->TruncateBefore(1).code(), Code::kCancelled);
  EXPECT_EQ(w->Close().code(), Code::kCancelled);
  EXPECT_EQ(w->SizeBytes(), format::kHeaderBytes + format::kFrameHeaderBytes + 1);
}

TEST_F(WalTest, RejectsOversizedRecordsWithoutWriting) {
  auto w = OpenOk(Opts());
  char c = 0;
  // Never read: the size check comes first.
  std::string_view huge(&c, size_t{format::kMaxRecordBytes} + 1);
  uint64_t appends = env_.appends();
  EXPECT_EQ(w->Append(huge).code(), Code::kInvalidArgument);
  EXPECT_EQ(env_.appends(), appends);
  EXPECT_TRUE(w->Append("fine").ok());
}

TEST_F(WalTest, ReplayErrorStopsOpen) {
  Options o = Opts();
  {
    auto w = OpenOk(o);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(w->Append(Rec(i)).ok());
  }
  int seen = 0;
  auto w = Wal::Open(
      o,
      [&](uint64_t, std::string_view) {
        return ++seen == 3 ? Status(Code::kInternal, "cannot apply") : Status::Ok();
      },
      nullptr);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), Code::kInternal);
  EXPECT_EQ(seen, 3);
}

TEST_F(WalTest, CountsAppendsInSelfMetrics) {
  Options o = Opts();
  auto w = OpenOk(o);
  double bytes0 = WalCounter("infermetry_wal_bytes_written_total", o.name);
  ASSERT_TRUE(w->Append("12345").ok());
  EXPECT_DOUBLE_EQ(WalCounter("infermetry_wal_records_appended_total", o.name), 1);
  EXPECT_DOUBLE_EQ(WalCounter("infermetry_wal_bytes_written_total", o.name) - bytes0,
                   format::kFrameHeaderBytes + 5);
}

}  // namespace
}  // namespace infermetry::wal
