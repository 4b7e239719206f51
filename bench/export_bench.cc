// Sending-queue throughput with 64-span batches: the persistent queue (append + fdatasync per
// Push, group-committed across concurrent writers) and the in-memory queue.
//
//   build/bench/export_bench --benchmark_filter=Persistent
// Set INFERMETRY_BENCH_DIR to put the persistent queue on the disk to measure (default: the
// system temp directory; a tmpfs there makes fsync free and the figure meaningless).

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/log.h"
#include "export/sending_queue.h"

namespace infermetry::exporter {
namespace {

constexpr int kSpans = 64;

process::Traces MakeBatch() {
  process::Traces t;
  auto* rs = t.add_resource_spans();
  auto* kv = rs->mutable_resource()->add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value("vllm");
  auto* ss = rs->add_scope_spans();
  for (int i = 0; i < kSpans; ++i) {
    auto* sp = ss->add_spans();
    sp->set_name("POST /v1/chat/completions");
    sp->set_trace_id(std::string(16, static_cast<char>(i)));
    sp->set_span_id(std::string(8, static_cast<char>(i)));
    sp->set_start_time_unix_nano(1700000000000000000ull + i);
    sp->set_end_time_unix_nano(1700000000000000000ull + i + 250000000);
    for (const char* k : {"gen_ai.request.model", "gen_ai.system", "http.route"}) {
      auto* a = sp->add_attributes();
      a->set_key(k);
      a->mutable_value()->set_string_value("meta-llama/Llama-3.1-8B-Instruct");
    }
    auto* a = sp->add_attributes();
    a->set_key("gen_ai.usage.output_tokens");
    a->mutable_value()->set_int_value(412);
  }
  return t;
}

std::string BenchDir() {
  const char* env = std::getenv("INFERMETRY_BENCH_DIR");
  std::string base = env != nullptr ? env : std::filesystem::temp_directory_path().string();
  std::string tmpl = base + "/infermetry-export-bench-XXXXXX";
  return ::mkdtemp(tmpl.data());
}

std::unique_ptr<SendingQueue> g_queue;
std::string g_dir;

void BM_PersistentQueuePush(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_dir = BenchDir();
    QueueOptions o;
    o.dir = g_dir;
    o.max_entries = uint64_t{1} << 40;
    auto q = SendingQueue::OpenPersistent(o);
    if (!q.ok()) {
      state.SkipWithError(q.status().ToString().c_str());
      return;
    }
    g_queue = std::move(*q);
  }
  const process::Traces batch = MakeBatch();
  for (auto _ : state) {
    process::Traces copy = batch;
    Status st = g_queue->Push(Batch(std::move(copy)));
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
  }
  state.counters["spans/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * kSpans,
                                                 benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * batch.ByteSizeLong()));
  if (state.thread_index() == 0) {
    state.counters["fsyncs"] = static_cast<double>(g_queue->SyncCount());
    g_queue.reset();
    std::filesystem::remove_all(g_dir);
  }
}
BENCHMARK(BM_PersistentQueuePush)->Threads(1)->Threads(8)->Threads(32)->UseRealTime();

// The in-memory queue's own cost per batch: one batch circulates (Pop, Push it back, Ack), so no
// message is copied or built inside the loop.
void BM_MemoryQueueCycle(benchmark::State& state) {
  if (state.thread_index() == 0) {
    QueueOptions o;
    o.max_entries = uint64_t{1} << 40;
    g_queue = SendingQueue::OpenMemory(o);
    for (int i = 0; i < state.threads(); ++i) (void)g_queue->Push(Batch(MakeBatch()));
  }
  QueueEntry e;
  for (auto _ : state) {
    if (!g_queue->Pop(SendingQueue::Forever(), std::nullopt, SendingQueue::kNoLimit, &e)) break;
    Status st = g_queue->Push(std::move(e.batch));
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    g_queue->Ack(e);
  }
  state.counters["spans/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * kSpans,
                                                 benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) g_queue.reset();
}
BENCHMARK(BM_MemoryQueueCycle)->Threads(1)->Threads(8)->UseRealTime();

// The same with a 64-span message copied into every Push, as a Consume* call hands over a batch
// it built.
void BM_MemoryQueuePushPopAck(benchmark::State& state) {
  if (state.thread_index() == 0) {
    QueueOptions o;
    o.max_entries = uint64_t{1} << 40;
    g_queue = SendingQueue::OpenMemory(o);
  }
  const process::Traces batch = MakeBatch();
  QueueEntry e;
  for (auto _ : state) {
    process::Traces copy = batch;
    Status st = g_queue->Push(Batch(std::move(copy)));
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    if (g_queue->Pop(SendingQueue::Clock::now(), std::nullopt, SendingQueue::kNoLimit, &e)) {
      g_queue->Ack(e);
    }
  }
  state.counters["spans/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * kSpans,
                                                 benchmark::Counter::kIsRate);
  if (state.thread_index() == 0) g_queue.reset();
}
BENCHMARK(BM_MemoryQueuePushPopAck)->Threads(1)->Threads(8)->UseRealTime();

// Replaying a persistent queue: read back and decode entries written by an earlier run.
void BM_PersistentQueueReplay(benchmark::State& state) {
  log::SetLevel(log::Level::kWarn);  // each open logs its replay
  std::string dir = BenchDir();
  QueueOptions o;
  o.dir = dir;
  o.max_entries = uint64_t{1} << 40;
  {
    auto q = SendingQueue::OpenPersistent(o);
    for (int i = 0; i < 1000; ++i) (void)(*q)->Push(Batch(MakeBatch()));
  }
  for (auto _ : state) {
    auto q = SendingQueue::OpenPersistent(o);
    QueueEntry e;
    while ((*q)->Pop(SendingQueue::Clock::now(), std::nullopt, SendingQueue::kNoLimit, &e)) {
      benchmark::DoNotOptimize(e);
      (*q)->Abandon(e);
    }
  }
  state.counters["spans/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 1000 * kSpans, benchmark::Counter::kIsRate);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_PersistentQueueReplay)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace infermetry::exporter

BENCHMARK_MAIN();
