#include "loadgen/loadgen.h"

#include <unistd.h>

#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>

#include "loadgen/client.h"
#include "loadgen/progress.h"
#include "loadgen/prompt.h"

namespace infermetry::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

// Hands out the run's requests in order. Their contents come from one Rng, so they depend on
// the seed alone, never on which worker asks first.
class RequestSource {
 public:
  RequestSource(const LoadgenOptions& o, std::string model, Clock::time_point epoch)
      : o_(o),
        model_(std::move(model)),
        epoch_(epoch),
        rng_(Mix64(o.seed ^ 0x6c6f6164)),
        prompts_(o.seed, o.shared_prefix) {}

  // The next request, or nullopt once the count or time limit is reached or the run stopped.
  std::optional<CompletionRequest> Next() {
    std::lock_guard<std::mutex> l(mu_);
    if (Exhausted()) return std::nullopt;
    ++issued_;
    CompletionRequest r;
    r.endpoint = o_.endpoint;
    r.model = model_;
    const int prompt_words = o_.prompt_len.Sample(&rng_);
    r.max_tokens = o_.output_len.Sample(&rng_);
    r.prompt = prompts_.Make(prompt_words, &rng_);
    r.stream = o_.stream;
    r.include_usage = o_.include_usage;
    r.ignore_eos = o_.ignore_eos;
    r.temperature = o_.temperature;
    return r;
  }

  bool Exhausted() const {
    if (o_.stop != nullptr && o_.stop->load()) return true;
    if (o_.requests > 0 && issued_ >= o_.requests) return true;
    return o_.duration.count() > 0 && Clock::now() - epoch_ >= o_.duration;
  }

 private:
  const LoadgenOptions& o_;
  const std::string model_;
  const Clock::time_point epoch_;
  std::mutex mu_;
  Rng rng_;
  PromptGenerator prompts_;
  int64_t issued_ = 0;
};

// What the workers report; read by the progress thread.
struct Results {
  std::mutex mu;
  std::vector<RequestResult> all;
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> errors{0};

  void Add(RequestResult r) {
    const bool failed = !r.ok;
    {
      std::lock_guard<std::mutex> l(mu);
      all.push_back(std::move(r));
    }
    if (failed) errors.fetch_add(1);
    done.fetch_add(1);
  }
};

// A closable queue of requests, from the open-loop dispatcher to the workers.
class RequestQueue {
 public:
  void Push(CompletionRequest r) {
    {
      std::lock_guard<std::mutex> l(mu_);
      q_.push_back(std::move(r));
    }
    cv_.notify_one();
  }
  void Close() {
    {
      std::lock_guard<std::mutex> l(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }
  std::optional<CompletionRequest> Pop() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return closed_ || !q_.empty(); });
    if (q_.empty()) return std::nullopt;
    CompletionRequest r = std::move(q_.front());
    q_.pop_front();
    return r;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CompletionRequest> q_;
  bool closed_ = false;
};

bool Stopped(const LoadgenOptions& o) { return o.stop != nullptr && o.stop->load(); }

// Sleeps until `t`, waking early when the run is stopped.
void SleepUntil(Clock::time_point t, const LoadgenOptions& o) {
  while (!Stopped(o)) {
    const Clock::time_point now = Clock::now();
    if (now >= t) return;
    std::this_thread::sleep_for(std::min<Clock::duration>(t - now, std::chrono::milliseconds(50)));
  }
}

void RunClosedLoop(const LoadgenOptions& o, const Target& target, RequestSource* source,
                   Clock::time_point epoch, Results* results) {
  int workers = o.concurrency;
  if (o.requests > 0) workers = static_cast<int>(std::min<int64_t>(workers, o.requests));
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back([&] {
      while (std::optional<CompletionRequest> r = source->Next()) {
        results->Add(Execute(target, *r, epoch, o.stop));
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

void RunOpenLoop(const LoadgenOptions& o, const Target& target, RequestSource* source,
                 Clock::time_point epoch, Results* results) {
  int workers = o.max_concurrency;
  if (o.requests > 0) workers = static_cast<int>(std::min<int64_t>(workers, o.requests));
  RequestQueue queue;
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back([&] {
      while (std::optional<CompletionRequest> r = queue.Pop()) {
        results->Add(Execute(target, *r, epoch, o.stop));
      }
    });
  }
  Rng arrivals(Mix64(o.seed ^ 0x61727276));
  double at = 0;  // seconds after the epoch; the first request goes at once
  while (true) {
    const Clock::time_point when =
        epoch + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at));
    if (o.duration.count() > 0 && when - epoch >= o.duration) break;
    SleepUntil(when, o);
    std::optional<CompletionRequest> r = source->Next();
    if (!r) break;
    queue.Push(std::move(*r));
    at += NextArrivalGap(o.arrival, o.rate, &arrivals);
  }
  queue.Close();
  for (std::thread& t : threads) t.join();
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return IoError("cannot open " + path + " for writing");
  out << text << '\n';
  out.close();
  if (!out) return IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

Status Validate(const LoadgenOptions& o) {
  if (o.url.empty()) return InvalidArgument("url: required");
  if (!o.url.starts_with("http://") && !o.url.starts_with("https://")) {
    return InvalidArgument("url \"" + o.url + "\": expected http:// or https://");
  }
  if (!(o.rate >= 0) || !std::isfinite(o.rate)) {
    return InvalidArgument("rate: must be a number >= 0");
  }
  if (o.rate == 0 && o.concurrency < 1) return InvalidArgument("concurrency: must be >= 1");
  if (o.rate > 0 && o.max_concurrency < 1) {
    return InvalidArgument("max_concurrency: must be >= 1");
  }
  if (o.requests < 0) return InvalidArgument("requests: must be >= 0");
  if (o.duration.count() < 0) return InvalidArgument("duration: must be >= 0");
  if (o.requests == 0 && o.duration.count() == 0) {
    return InvalidArgument("requests or duration: one of them must limit the run");
  }
  if (!(o.shared_prefix >= 0 && o.shared_prefix <= 1)) {
    return InvalidArgument("shared_prefix: must be within [0, 1]");
  }
  if (o.request_timeout.count() <= 0) return InvalidArgument("request_timeout: must be > 0");
  return Status::Ok();
}

Result<Report> Run(const LoadgenOptions& o) {
  INFERMETRY_RETURN_IF_ERROR(Validate(o));
  Target target;
  target.base_url = NormalizeBaseUrl(o.url);
  target.api_key = o.api_key;
  target.headers = o.headers;
  target.timeout = o.request_timeout;

  std::string model = o.model;
  if (model.empty()) {
    INFERMETRY_ASSIGN_OR_RETURN(std::vector<std::string> models, ListModels(target));
    if (models.empty()) return NotFound("GET " + target.base_url + "/v1/models: no model served");
    model = models.front();
  }

  const bool show_progress = o.progress == ProgressMode::kOn ||
                             (o.progress == ProgressMode::kAuto && ::isatty(STDERR_FILENO) == 1);
  const Clock::time_point epoch = Clock::now();
  RequestSource source(o, model, epoch);
  Results results;

  std::mutex progress_mu;
  std::condition_variable progress_cv;
  bool finished = false;
  std::thread progress;
  if (show_progress) {
    progress = std::thread([&] {
      ProgressBar bar(stderr);
      auto state = [&] {
        ProgressState s;
        s.done = results.done.load();
        s.errors = results.errors.load();
        s.total = o.requests;
        s.elapsed = std::chrono::duration<double>(Clock::now() - epoch).count();
        s.duration = std::chrono::duration<double>(o.duration).count();
        return s;
      };
      std::unique_lock<std::mutex> l(progress_mu);
      while (!progress_cv.wait_for(l, std::chrono::milliseconds(200), [&] { return finished; })) {
        bar.Draw(state());
      }
      bar.Draw(state());
      bar.Finish();
    });
  }

  if (o.rate > 0) {
    RunOpenLoop(o, target, &source, epoch, &results);
  } else {
    RunClosedLoop(o, target, &source, epoch, &results);
  }

  if (progress.joinable()) {
    {
      std::lock_guard<std::mutex> l(progress_mu);
      finished = true;
    }
    progress_cv.notify_all();
    progress.join();
  }

  Report report = BuildReport(results.all);
  report.url = target.base_url;
  report.model = model;
  report.endpoint = std::string(EndpointName(o.endpoint));
  report.arrival = o.rate > 0 ? std::string(ArrivalProcessName(o.arrival)) : "closed";
  report.prompt_len = o.prompt_len.ToString();
  report.output_len = o.output_len.ToString();
  report.rate = o.rate;
  report.concurrency = o.rate > 0 ? o.max_concurrency : o.concurrency;
  report.stream = o.stream;
  if (!o.json_path.empty()) INFERMETRY_RETURN_IF_ERROR(WriteFile(o.json_path, ToJson(report)));
  return report;
}

}  // namespace infermetry::loadgen
