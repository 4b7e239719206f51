#include "tsdb/head.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "tsdb/tsdb_test_util.h"

namespace infermetry::tsdb {
namespace {

using testing::Eq;
using testing::Query;

model::Labels L(std::string name, std::string job = "vllm") {
  return model::Labels{{"__name__", std::move(name)}, {"job", std::move(job)}};
}

class HeadTest : public ::testing::Test {
 protected:
  HeadOptions Opts(int64_t ooo_window = 0) {
    HeadOptions o;
    o.ooo_window_ms = ooo_window;
    o.metrics = &registry_;
    return o;
  }
  // The value of counter infermetry_tsdb_<name>_total.
  double Count(std::string_view name) {
    std::string text;
    registry_.WriteText(&text);
    std::string key = "\ninfermetry_tsdb_" + std::string(name) + "_total ";
    auto pos = text.find(key);
    return pos == std::string::npos ? 0 : std::stod(text.substr(pos + key.size()));
  }
  selfmon::Registry registry_;
};

TEST_F(HeadTest, AppendQueryRoundTrip) {
  Head head(Opts());
  auto app = head.NewAppender();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(app->Append(L("a"), i * 5000, i * 0.5).ok());
    ASSERT_TRUE(app->Append(L("b"), i * 5000, -i).ok());
    if (i % 100 == 99) {
      ASSERT_TRUE(app->Commit().ok());
    }
  }
  auto res = Query(&head, 0, 1000 * 5000, {Eq("__name__", "a")});
  ASSERT_EQ(res.size(), 1u);
  ASSERT_EQ(res[0].samples.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(res[0].samples[i].t_ms, i * 5000);
    EXPECT_EQ(res[0].samples[i].v, i * 0.5);
  }
  // Time range and sorted labels.
  res = Query(&head, 10000, 20000, {Eq("job", "vllm")});
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].labels.MetricName(), "a");
  EXPECT_EQ(res[1].labels.MetricName(), "b");
  EXPECT_EQ(res[0].samples.size(), 3u);
  auto st = head.Stats();
  EXPECT_EQ(st.series, 2u);
  EXPECT_EQ(st.samples, 2000u);
  EXPECT_EQ(st.min_time, 0);
  EXPECT_EQ(st.max_time, 999 * 5000);
  EXPECT_EQ(Count("samples_appended"), 2000);
}

TEST_F(HeadTest, NotVisibleBeforeCommitAndRollbackDiscards) {
  Head head(Opts());
  auto app = head.NewAppender();
  ASSERT_TRUE(app->Append(L("a"), 1000, 1).ok());
  EXPECT_TRUE(Query(&head, 0, 5000, {Eq("__name__", "a")}).empty());
  app->Rollback();
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_TRUE(Query(&head, 0, 5000, {Eq("__name__", "a")}).empty());
  ASSERT_TRUE(app->Append(L("a"), 2000, 2).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto res = Query(&head, 0, 5000, {Eq("__name__", "a")});
  ASSERT_EQ(res.size(), 1u);
  ASSERT_EQ(res[0].samples.size(), 1u);
  EXPECT_EQ(res[0].samples[0].t_ms, 2000);
  // The rolled-back series' empty shell is collected by truncation.
  auto app2 = head.NewAppender();
  ASSERT_TRUE(app2->Append(L("ghost"), 3000, 1).ok());
  app2->Rollback();
  EXPECT_EQ(head.Stats().series, 2u);
  head.Truncate(0);
  EXPECT_EQ(head.Stats().series, 1u);
}

TEST_F(HeadTest, OutOfOrderRejectedWithoutWindow) {
  Head head(Opts(0));
  auto app = head.NewAppender();
  ASSERT_TRUE(app->Append(L("a"), 10000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  Status st = app->Append(L("a"), 9999, 2);
  EXPECT_EQ(st.code(), Code::kOutOfOrder);
  EXPECT_EQ(Count("out_of_order_samples"), 1);
}

TEST_F(HeadTest, OutOfOrderWithinWindowIsQueryable) {
  Head head(Opts(60000));
  auto app = head.NewAppender();
  for (int64_t t : {100000, 105000, 110000}) ASSERT_TRUE(app->Append(L("a"), t, t).ok());
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE(app->Append(L("a"), 102000, 102000).ok());  // in window
  ASSERT_TRUE(app->Append(L("a"), 60000, 60000).ok());    // 50 s old: in window
  EXPECT_EQ(app->Append(L("a"), 40000, 1).code(), Code::kOutOfOrder);  // 70 s: beyond
  ASSERT_TRUE(app->Commit().ok());
  auto res = Query(&head, 0, 200000, {Eq("__name__", "a")});
  ASSERT_EQ(res.size(), 1u);
  std::vector<int64_t> ts;
  for (auto& s : res[0].samples) {
    ts.push_back(s.t_ms);
    EXPECT_EQ(s.v, static_cast<double>(s.t_ms));
  }
  EXPECT_EQ(ts, (std::vector<int64_t>{60000, 100000, 102000, 105000, 110000}));
  EXPECT_EQ(Count("out_of_order_samples_appended"), 2);
  // Seek lands on an out-of-order sample too.
  auto q = *head.NewQuerier(0, 200000);
  std::vector<storage::Matcher> ms = {Eq("__name__", "a")};
  auto set = q->Select({0, 200000}, ms);
  ASSERT_TRUE(set->Next());
  auto it = set->Samples();
  ASSERT_TRUE(it->Seek(101000));
  EXPECT_EQ(it->t(), 102000);
  // Duplicate detection reaches older samples in chunks and in the ooo buffer.
  EXPECT_TRUE(app->Append(L("a"), 105000, 105000).ok());
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE(app->Append(L("a"), 105000, 7).ok());  // found at commit: counted, not stored
  ASSERT_TRUE(app->Append(L("a"), 102000, 7).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(Count("duplicate_samples"), 2);
  res = Query(&head, 0, 200000, {Eq("__name__", "a")});
  EXPECT_EQ(res[0].samples.size(), 5u);
}

TEST_F(HeadTest, DuplicatesAndTooOld) {
  Head head(Opts());
  auto app = head.NewAppender();
  ASSERT_TRUE(app->Append(L("a"), 5000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_TRUE(app->Append(L("a"), 5000, 1).ok());  // same value: no-op
  EXPECT_EQ(app->Append(L("a"), 5000, 2).code(), Code::kDuplicate);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(Query(&head, 0, 10000, {Eq("__name__", "a")})[0].samples.size(), 1u);
  head.RaiseMinValidTime(4000);
  EXPECT_EQ(app->Append(L("b"), 3999, 1).code(), Code::kTooOld);
  EXPECT_EQ(Count("too_old_samples"), 1);
  EXPECT_EQ(app->Append(model::Labels{{"job", "x"}}, 6000, 1).code(), Code::kInvalidArgument);
}

TEST_F(HeadTest, StalenessMarkersAndNaNStoredBitExact) {
  Head head(Opts());
  auto app = head.NewAppender();
  ASSERT_TRUE(app->Append(L("a"), 1000, 1).ok());
  ASSERT_TRUE(app->Append(L("a"), 2000, std::nan("")).ok());
  ASSERT_TRUE(app->Append(L("a"), 3000, model::StaleNaN()).ok());
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE(app->Append(L("a"), 3000, model::StaleNaN()).ok());  // same bits: no-op
  EXPECT_EQ(app->Append(L("a"), 3000, std::nan("")).code(), Code::kDuplicate);
  auto res = Query(&head, 0, 5000, {Eq("__name__", "a")});
  ASSERT_EQ(res[0].samples.size(), 3u);
  EXPECT_TRUE(std::isnan(res[0].samples[1].v));
  EXPECT_FALSE(model::IsStaleNaN(res[0].samples[1].v));
  EXPECT_TRUE(model::IsStaleNaN(res[0].samples[2].v));
}

TEST_F(HeadTest, ChunksAreCutAtRangeBoundariesAndTruncated) {
  HeadOptions o = Opts();
  o.chunk_range_ms = 100000;
  Head head(o);
  auto app = head.NewAppender();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(app->Append(L("a"), i * 5000, i).ok());
  ASSERT_TRUE(app->Append(L("old"), 1000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head.Stats().chunks, 5u + 1u);  // [0,100s), ..., [400s,500s) + "old"
  head.Truncate(200000);
  auto res = Query(&head, 0, 1000000, {Eq("job", "vllm")});
  ASSERT_EQ(res.size(), 1u);  // "old" is gone
  EXPECT_EQ(res[0].samples.front().t_ms, 200000);
  EXPECT_EQ(res[0].samples.size(), 60u);
  EXPECT_EQ(head.Stats().min_time, 200000);
  EXPECT_EQ(head.Stats().series, 1u);
}

TEST_F(HeadTest, ConcurrentAppenders) {
  Head head(Opts());
  constexpr int kThreads = 4, kSeries = 200, kScrapes = 50;
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      auto app = head.NewAppender();
      // Every thread creates the same shared series at once (same sample: no-op for all but
      // one), then scrapes its own series.
      for (int i = 0; i < kSeries; ++i) {
        EXPECT_TRUE(app->Append(L("m" + std::to_string(i), "shared"), 0, 1).ok());
      }
      EXPECT_TRUE(app->Commit().ok());
      for (int s = 0; s < kScrapes; ++s) {
        for (int i = 0; i < kSeries; ++i) {
          EXPECT_TRUE(app->Append(L("m" + std::to_string(i), "t" + std::to_string(th)), s * 5000, s)
                          .ok());
        }
        EXPECT_TRUE(app->Commit().ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto st = head.Stats();
  EXPECT_EQ(st.series, static_cast<uint64_t>(kSeries + kThreads * kSeries));
  EXPECT_EQ(st.samples, static_cast<uint64_t>(kSeries + kThreads * kSeries * kScrapes));
  auto res = Query(&head, 0, kScrapes * 5000, {Eq("job", "shared")});
  ASSERT_EQ(res.size(), static_cast<size_t>(kSeries));
  for (auto& s : res) EXPECT_EQ(s.samples.size(), 1u);
  res = Query(&head, 0, kScrapes * 5000, {Eq("job", "t2")});
  ASSERT_EQ(res.size(), static_cast<size_t>(kSeries));
  for (auto& s : res) EXPECT_EQ(s.samples.size(), static_cast<size_t>(kScrapes));
}

TEST_F(HeadTest, LabelValuesNamesAndMetadata) {
  Head head(Opts());
  auto app = head.NewAppender();
  storage::Metadata md;
  md.type = model::MetricType::kGauge;
  md.help = "Running requests.";
  ASSERT_TRUE(app->UpdateMetadata(L("a"), md).ok());
  ASSERT_TRUE(app->Append(L("a", "x"), 1000, 1).ok());
  ASSERT_TRUE(app->Append(L("a", "y"), 1000, 1).ok());
  ASSERT_TRUE(app->Append(L("b", "z"), 1000, 1).ok());
  // Outside the querier's range: neither its label nor its values show with matchers.
  ASSERT_TRUE(app->Append(model::Labels{{"__name__", "c"}, {"extra", "1"}}, 5000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto q = *head.NewQuerier(0, 2000);
  auto vals = q->LabelValues("job", {});
  ASSERT_TRUE(vals.ok());
  EXPECT_EQ(*vals, (std::vector<std::string>{"x", "y", "z"}));
  std::vector<storage::Matcher> ms = {Eq("__name__", "a")};
  EXPECT_EQ(*q->LabelValues("job", ms), (std::vector<std::string>{"x", "y"}));
  std::vector<storage::Matcher> any = {
      *storage::Matcher::Make(storage::Matcher::Op::kRe, "__name__", ".+")};
  EXPECT_EQ(*q->LabelNames(ms), (std::vector<std::string>{"__name__", "job"}));
  EXPECT_EQ(*q->LabelNames(any), (std::vector<std::string>{"__name__", "job"}));
  EXPECT_EQ(*q->LabelValues("__name__", any), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*q->LabelValues("extra", any), std::vector<std::string>{});
  EXPECT_EQ(*q->LabelValues("nope", any), std::vector<std::string>{});
  // A range that holds the whole head: every series.
  auto whole = *head.NewQuerier(0, 10000);
  EXPECT_EQ(*whole->LabelValues("extra", any), std::vector<std::string>{"1"});
  EXPECT_EQ(*whole->LabelNames(any), (std::vector<std::string>{"__name__", "extra", "job"}));
  auto meta = q->Metadata("a");
  ASSERT_EQ(meta.size(), 1u);
  EXPECT_EQ(meta[0].metadata.help, "Running requests.");
  EXPECT_EQ(meta[0].metadata.type, model::MetricType::kGauge);
}

TEST_F(HeadTest, SelectNeedsANonEmptyMatcher) {
  Head head(Opts());
  Status st;
  Query(&head, 0, 1, {Eq("job", "")}, &st);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
}

TEST_F(HeadTest, CheckpointAndReplayRecreateTheHead) {
  Head head(Opts());
  auto app = head.NewAppender();
  storage::Metadata md;
  md.type = model::MetricType::kCounter;
  ASSERT_TRUE(app->UpdateMetadata(L("a"), md).ok());
  ASSERT_TRUE(app->Append(L("a"), 1000, 1).ok());
  ASSERT_TRUE(app->Append(L("b"), 1000, 2).ok());
  ASSERT_TRUE(app->Commit().ok());
  std::vector<std::string> recs;
  head.CheckpointRecords(&recs);
  Head other(Opts());
  for (auto& r : recs) ASSERT_TRUE(other.ReplayRecord(r).ok());
  EXPECT_EQ(other.Stats().series, 2u);
  EXPECT_EQ(other.AllMetadata().size(), 1u);
  EXPECT_GE(other.next_ref(), head.next_ref());
  EXPECT_EQ(other.ReplayRecord("\x02\x07").code(), Code::kCorruption);
}

}  // namespace
}  // namespace infermetry::tsdb
