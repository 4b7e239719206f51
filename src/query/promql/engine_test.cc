// Engine checks beyond the scripts: range queries agree with instant queries at every step
// (including subqueries, offsets and @), staleness in range results, and the engine over a real
// tsdb::DB gives the same answers as over the in-memory storage.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "model/sample.h"
#include "query/promql/engine.h"
#include "query/promql/promqltest.h"
#include "tsdb/db.h"

namespace infermetry::promql {
namespace {

constexpr int64_t kStep = 15'000;

model::Labels L(std::initializer_list<model::Label> ls) { return model::Labels(ls); }

// Three vLLM engines of two models over 20 minutes at 15 s, with a counter reset on engine 1
// and engine 2 going stale at 12 minutes.
template <typename AppendFn>
void LoadVllm(AppendFn append) {
  for (int i = 0; i <= 80; ++i) {
    const int64_t t = i * kStep;
    append(L({{"__name__", "vllm:generation_tokens_total"}, {"model_name", "llama"}, {"engine", "0"}}), t, 150.0 * i);
    append(L({{"__name__", "vllm:generation_tokens_total"}, {"model_name", "llama"}, {"engine", "1"}}), t,
           i < 30 ? 90.0 * i : 90.0 * (i - 30));
    if (i < 48) {
      append(L({{"__name__", "vllm:generation_tokens_total"}, {"model_name", "qwen"}, {"engine", "2"}}), t, 60.0 * i);
    } else if (i == 48) {
      append(L({{"__name__", "vllm:generation_tokens_total"}, {"model_name", "qwen"}, {"engine", "2"}}), t,
             model::StaleNaN());
    }
    for (const char* le : {"0.5", "1", "2.5", "+Inf"}) {
      const double f = std::string(le) == "0.5" ? 1 : std::string(le) == "1" ? 4 : std::string(le) == "2.5" ? 9 : 10;
      append(L({{"__name__", "vllm:e2e_request_latency_seconds_bucket"}, {"model_name", "llama"},
                {"engine", "0"}, {"le", le}}), t, f * i);
    }
    append(L({{"__name__", "vllm:num_requests_running"}, {"engine", "0"}}), t, (i * 7) % 11);
  }
}

const char* kQueries[] = {
    "rate(vllm:generation_tokens_total[5m])",
    "sum by (model_name) (rate(vllm:generation_tokens_total[2m]))",
    "histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))",
    "vllm:generation_tokens_total offset 2m",
    "vllm:generation_tokens_total @ 600",
    "max_over_time(vllm:num_requests_running[3m:30s])",
    "avg_over_time(rate(vllm:generation_tokens_total[1m])[5m:1m] offset 1m)",
    "topk(1, vllm:num_requests_running) or vector(0)",
    "vllm:generation_tokens_total / on(model_name) group_left sum by (model_name) (vllm:generation_tokens_total)",
    "time() - timestamp(vllm:num_requests_running)",
    "count(vllm:generation_tokens_total) * 2",
};

void ExpectSameAsInstant(storage::Queryable* q, const char* query) {
  Engine e;
  const int64_t start = 0, end = 20 * 60'000, step = 37'000;
  auto r = e.Range(q, query, start, end, step);
  ASSERT_TRUE(r.ok()) << query << ": " << r.status().ToString();
  for (int64_t t = start; t <= end; t += step) {
    auto in = e.Instant(q, query, t);
    ASSERT_TRUE(in.ok()) << query << ": " << in.status().ToString();
    size_t want = in->type == ValueType::kScalar ? 1 : in->series.size();
    size_t got = 0;
    for (const Series& s : r->series) {
      for (const Point& p : s.points) {
        if (p.t_ms != t) continue;
        ++got;
        if (in->type == ValueType::kScalar) {
          EXPECT_DOUBLE_EQ(p.v, in->scalar.v) << query << " at " << t;
          continue;
        }
        bool found = false;
        for (const Series& is : in->series) {
          if (is.labels == s.labels) {
            found = true;
            if (std::isnan(p.v)) EXPECT_TRUE(std::isnan(is.points[0].v));
            else EXPECT_DOUBLE_EQ(p.v, is.points[0].v) << query << " " << s.labels.ToString() << " at " << t;
          }
        }
        EXPECT_TRUE(found) << query << ": " << s.labels.ToString() << " at " << t;
      }
    }
    EXPECT_EQ(got, want) << query << " at " << t;
  }
  for (size_t i = 1; i < r->series.size(); ++i) EXPECT_TRUE(r->series[i - 1].labels < r->series[i].labels);
}

TEST(PromqlEngine, RangeAgreesWithInstantAtEveryStep) {
  testing::MemoryStorage s;
  LoadVllm([&](const model::Labels& ls, int64_t t, double v) { s.Append(ls, t, v); });
  for (const char* q : kQueries) ExpectSameAsInstant(&s, q);
}

TEST(PromqlEngine, StaleSeriesEndsInRangeResult) {
  testing::MemoryStorage s;
  LoadVllm([&](const model::Labels& ls, int64_t t, double v) { s.Append(ls, t, v); });
  Engine e;
  auto r = e.Range(&s, "vllm:generation_tokens_total{engine=\"2\"}", 0, 20 * 60'000, 60'000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 1u);
  // Samples until 11m45s; the marker at 12m ends the series at once (no 5m lookback).
  EXPECT_EQ(r->series[0].points.back().t_ms, 11 * 60'000);
  EXPECT_EQ(r->series[0].points.size(), 12u);
}

TEST(PromqlEngine, SameResultsOverTsdb) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "promql-engine-test-XXXXXX").string();
  std::string dir = ::mkdtemp(tmpl.data());
  {
    tsdb::Options o;
    o.dir = dir;
    o.compaction_interval = std::chrono::milliseconds(0);
    o.block_range_ms = 5 * 60'000;
    o.compaction_ranges_ms = {5 * 60'000, 20 * 60'000};
    o.wal_sync = wal::SyncPolicy::kBatch;
    auto db = tsdb::DB::Open(o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    testing::MemoryStorage mem;
    auto app = (*db)->NewAppender();
    int64_t last_t = 0;
    LoadVllm([&](const model::Labels& ls, int64_t t, double v) {
      if (t != last_t) {
        ASSERT_TRUE(app->Commit().ok());
        app = (*db)->NewAppender();
        last_t = t;
      }
      ASSERT_TRUE(app->Append(ls, t, v).ok());
      mem.Append(ls, t, v);
    });
    ASSERT_TRUE(app->Commit().ok());
    app.reset();
    ASSERT_TRUE((*db)->Compact().ok());
    EXPECT_GT((*db)->Stats().blocks, 0u);  // part of the data comes from persisted blocks
    Engine e;
    for (const char* q : kQueries) {
      auto a = e.Range(db->get(), q, 0, 20 * 60'000, 30'000);
      auto b = e.Range(&mem, q, 0, 20 * 60'000, 30'000);
      ASSERT_TRUE(a.ok() && b.ok()) << q;
      ASSERT_EQ(a->series.size(), b->series.size()) << q;
      for (size_t i = 0; i < a->series.size(); ++i) {
        EXPECT_EQ(a->series[i].labels, b->series[i].labels) << q;
        ASSERT_EQ(a->series[i].points.size(), b->series[i].points.size()) << q;
        for (size_t j = 0; j < a->series[i].points.size(); ++j) {
          EXPECT_EQ(a->series[i].points[j].t_ms, b->series[i].points[j].t_ms);
          if (!std::isnan(b->series[i].points[j].v)) {
            EXPECT_DOUBLE_EQ(a->series[i].points[j].v, b->series[i].points[j].v) << q;
          }
        }
      }
    }
    ASSERT_TRUE((*db)->Close().ok());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace infermetry::promql
