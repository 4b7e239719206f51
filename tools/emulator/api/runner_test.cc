#include "emulator/api/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace infermetry::emulator {
namespace {

using std::chrono::milliseconds;

std::vector<uint32_t> Prompt(int n, uint32_t salt = 0) {
  std::vector<uint32_t> p;
  for (int i = 0; i < n; ++i) p.push_back(1000 + salt * 7919 + static_cast<uint32_t>(i));
  return p;
}

Submission Make(int prompt, int max_tokens, int target, uint32_t salt = 0) {
  Submission s;
  s.spec.external_id = "cmpl-test-" + std::to_string(salt);
  s.spec.prompt = Prompt(prompt, salt);
  s.spec.max_tokens = max_tokens;
  s.spec.target_output_tokens = target;
  return s;
}

std::unique_ptr<Runner> StartRunner(int engines = 1) {
  RunnerOptions o;
  o.engines.assign(static_cast<size_t>(engines), EngineConfig{});
  o.idle_refresh = milliseconds(50);
  auto r = Runner::Start(std::move(o));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

TEST(RunnerTest, StreamsTokensUntilStopAndReportsTheFinish) {
  auto runner = StartRunner();
  ASSERT_NE(runner, nullptr);
  std::mutex mu;
  std::optional<FinishedRequest> finished;
  Submission s = Make(20, 100, 12);
  s.on_finished = [&](const FinishedRequest& f) {
    std::lock_guard<std::mutex> l(mu);
    finished = f;
  };
  const double before = Runner::WallNow();
  auto stream = runner->Submit(std::move(s));
  EXPECT_EQ(runner->TotalInFlight(), 1);
  StreamEvent e;
  int tokens = 0;
  double last_time = 0;
  bool done = false;
  while (stream->Next(&e)) {
    EXPECT_GT(e.new_tokens + (e.finished ? 1 : 0), 0);
    tokens += e.new_tokens;
    EXPECT_EQ(e.total_tokens, tokens);
    EXPECT_GE(e.time, last_time);
    last_time = e.time;
    if (e.finished) {
      done = true;
      EXPECT_EQ(e.finish_reason, "stop");
      EXPECT_EQ(e.stats.num_generation_tokens, 12);
      EXPECT_EQ(e.stats.num_prompt_tokens, 20);
    }
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(tokens, 12);
  EXPECT_EQ(stream->state(), RequestStream::State::kFinished);
  // Outputs are delivered no earlier than the modeled end of their step.
  EXPECT_LE(last_time, Runner::WallNow() + 1e-3);
  EXPECT_GE(last_time, before);
  std::lock_guard<std::mutex> l(mu);
  ASSERT_TRUE(finished.has_value());
  EXPECT_EQ(finished->external_id, "cmpl-test-0");
  EXPECT_EQ(finished->finish_reason, "stop");
  EXPECT_GE(finished->first_token_time, finished->arrival_time);
  EXPECT_GE(finished->finish_time, finished->first_token_time);
  EXPECT_EQ(finished->spec.max_tokens, 100);
  EXPECT_TRUE(finished->spec.prompt.empty());
  EXPECT_EQ(runner->TotalInFlight(), 0);
}

TEST(RunnerTest, MaxTokensEndsWithLength) {
  auto runner = StartRunner();
  ASSERT_NE(runner, nullptr);
  auto stream = runner->Submit(Make(10, 5, 1000));
  StreamEvent e;
  StreamEvent last;
  while (stream->Next(&e)) last = e;
  EXPECT_TRUE(last.finished);
  EXPECT_EQ(last.finish_reason, "length");
  EXPECT_EQ(last.total_tokens, 5);
}

TEST(RunnerTest, CancelAbortsInTheEngineWithoutASpan) {
  auto runner = StartRunner();
  ASSERT_NE(runner, nullptr);
  std::atomic<int> finishes{0};
  Submission s = Make(10, 1500, 1500);
  s.on_finished = [&](const FinishedRequest&) { finishes++; };
  auto stream = runner->Submit(std::move(s));
  StreamEvent e;
  ASSERT_TRUE(stream->Next(&e));
  ASSERT_TRUE(stream->Next(&e));
  std::thread waiter([&] {
    StreamEvent x;
    while (stream->Next(&x)) {
    }
  });
  stream->Cancel();
  waiter.join();  // a blocked Next returns once cancelled
  EXPECT_EQ(stream->state(), RequestStream::State::kCancelled);
  for (int i = 0; i < 200 && runner->TotalInFlight() > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(runner->TotalInFlight(), 0) << "the engine did not let go of the request";
  EXPECT_EQ(finishes.load(), 0);
}

TEST(RunnerTest, DroppingTheStreamCancels) {
  auto runner = StartRunner();
  ASSERT_NE(runner, nullptr);
  {
    auto stream = runner->Submit(Make(10, 1500, 1500));
    StreamEvent e;
    ASSERT_TRUE(stream->Next(&e));
  }
  for (int i = 0; i < 200 && runner->TotalInFlight() > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(runner->TotalInFlight(), 0);
}

TEST(RunnerTest, DispatchesToTheLeastLoadedEngine) {
  auto runner = StartRunner(3);
  ASSERT_NE(runner, nullptr);
  auto a = runner->Submit(Make(10, 200, 200, 1));
  auto b = runner->Submit(Make(10, 200, 200, 2));
  auto c = runner->Submit(Make(10, 200, 200, 3));
  EXPECT_EQ(a->engine_index(), 0);
  EXPECT_EQ(b->engine_index(), 1);
  EXPECT_EQ(c->engine_index(), 2);
  EXPECT_EQ(runner->InFlight(0), 1);
  EXPECT_EQ(runner->InFlight(1), 1);
  EXPECT_EQ(runner->InFlight(2), 1);
  b->Cancel();
  for (int i = 0; i < 200 && runner->InFlight(1) > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  auto d = runner->Submit(Make(10, 200, 200, 4));
  EXPECT_EQ(d->engine_index(), 1);
}

TEST(RunnerTest, RejectionAndShutdownEndStreams) {
  auto runner = StartRunner();
  ASSERT_NE(runner, nullptr);
  Submission bad = Make(0, 10, 10);
  auto rejected = runner->Submit(std::move(bad));
  StreamEvent e;
  EXPECT_FALSE(rejected->Next(&e));
  EXPECT_EQ(rejected->state(), RequestStream::State::kRejected);
  EXPECT_FALSE(rejected->error().empty());

  auto running = runner->Submit(Make(10, 1500, 1500));
  ASSERT_TRUE(running->Next(&e));
  runner->Shutdown();
  while (running->Next(&e)) {
  }
  EXPECT_EQ(running->state(), RequestStream::State::kShutdown);
  auto late = runner->Submit(Make(10, 10, 10));
  EXPECT_FALSE(late->Next(&e));
  EXPECT_EQ(late->state(), RequestStream::State::kShutdown);
}

TEST(RunnerTest, ManyConcurrentRequestsAllFinish) {
  auto runner = StartRunner(2);
  ASSERT_NE(runner, nullptr);
  constexpr int kN = 64;
  std::vector<std::thread> threads;
  std::atomic<int> total_tokens{0};
  std::atomic<int> finished{0};
  for (int i = 0; i < kN; ++i) {
    threads.emplace_back([&, i] {
      auto s = runner->Submit(Make(30 + i, 40, 10 + i % 20, static_cast<uint32_t>(i)));
      StreamEvent e;
      while (s->Next(&e)) {
        total_tokens += e.new_tokens;
        if (e.finished) finished++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(finished.load(), kN);
  int want = 0;
  for (int i = 0; i < kN; ++i) want += 10 + i % 20;
  EXPECT_EQ(total_tokens.load(), want);
  EXPECT_EQ(runner->TotalInFlight(), 0);
}

}  // namespace
}  // namespace infermetry::emulator
