#include "process/batch_processor.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "common/log.h"
#include "common/self_metrics.h"
#include "process/client_info.h"
#include "process/split.h"

namespace infermetry::process {
namespace {

using Clock = std::chrono::steady_clock;

enum class Trigger { kSize, kTimeout, kShutdown };

struct Instruments {
  selfmon::Histogram* send_size;
  selfmon::Counter* size_trigger;
  selfmon::Counter* timeout_trigger;
  selfmon::Counter* failed;
  selfmon::Counter* failed_items;
};

Instruments InstrumentsFor(const std::string& id) {
  static auto& send_size = selfmon::Default().AddHistogram(
      "infermetry_processor_batch_batch_send_size", "Items per batch sent by the batch processor.",
      {"processor"}, {10,   25,   50,   75,   100,  250,  500,   750,   1000,  2000,  3000,
                      4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000, 30000, 50000, 100000});
  static auto& size_trigger = selfmon::Default().AddCounter(
      "infermetry_processor_batch_batch_size_trigger_send_total",
      "Batches sent because they reached send_batch_size.", {"processor"});
  static auto& timeout_trigger =
      selfmon::Default().AddCounter("infermetry_processor_batch_timeout_trigger_send_total",
                                    "Batches sent because the timeout expired.", {"processor"});
  static auto& failed = selfmon::Default().AddCounter(
      "infermetry_processor_batch_send_failed_total",
      "Batches the next consumer refused after the batch processor had accepted their items "
      "(the items are dropped).",
      {"processor"});
  static auto& failed_items = selfmon::Default().AddCounter(
      "infermetry_processor_batch_send_failed_items_total",
      "Items dropped because the next consumer refused their batch.", {"processor"});
  return Instruments{&send_size.With({id}), &size_trigger.With({id}), &timeout_trigger.With({id}),
                     &failed.With({id}), &failed_items.With({id})};
}

Status SendTo(Consumer* c, Traces&& b) { return c->ConsumeTraces(std::move(b)); }
Status SendTo(Consumer* c, Metrics&& b) { return c->ConsumeMetrics(std::move(b)); }
Status SendTo(Consumer* c, Logs&& b) { return c->ConsumeLogs(std::move(b)); }

template <typename T>
class BatchProcessor final : public Processor {
 public:
  BatchProcessor(std::string id, Signal signal, const BatchOptions& options, Consumer* next)
      : id_(std::move(id)), signal_(signal), opts_(options), next_(next), m_(InstrumentsFor(id_)) {}

  ~BatchProcessor() override { StopThread(); }

  Status ConsumeTraces(Traces&& b) override {
    if constexpr (std::is_same_v<T, Traces>) return Consume(std::move(b));
    return Consumer::ConsumeTraces(std::move(b));
  }
  Status ConsumeMetrics(Metrics&& b) override {
    if constexpr (std::is_same_v<T, Metrics>) return Consume(std::move(b));
    return Consumer::ConsumeMetrics(std::move(b));
  }
  Status ConsumeLogs(Logs&& b) override {
    if constexpr (std::is_same_v<T, Logs>) return Consume(std::move(b));
    return Consumer::ConsumeLogs(std::move(b));
  }

  const BatchOptions* batching() const override { return &opts_; }
  void SetPassThrough() override { pass_through_ = true; }

  Status Start() override {
    if (!pass_through_ && opts_.timeout.count() > 0 && !thread_.joinable()) {
      thread_ = std::thread([this] { Run(); });
    }
    return Status::Ok();
  }

  Status Shutdown(std::chrono::milliseconds) override {
    StopThread();
    std::unique_lock<std::mutex> l(mu_);
    std::vector<T> ready;
    TakeAll(&ready);
    if (ready.empty()) return Status::Ok();
    std::unique_lock<std::mutex> s(send_mu_);
    l.unlock();
    for (T& b : ready) Send(std::move(b), Trigger::kShutdown);
    return Status::Ok();
  }

  bool Ready() const override {
    std::lock_guard<std::mutex> l(mu_);
    return !stopped_;
  }

 private:
  Status Consume(T&& b) {
    if (pass_through_) return SendTo(next_, std::move(b));
    const int64_t n = CountItems(b);
    if (n == 0) return Status::Ok();
    std::vector<T> ready;
    std::unique_lock<std::mutex> l(mu_);
    if (stopped_) return Unavailable("processor " + id_ + " is shut down");
    if (opts_.timeout.count() == 0) {
      T whole = TakeItems(&b, n);
      int64_t left = n;
      while (left > 0) {
        int64_t take = Piece(left);
        ready.push_back(TakeItems(&whole, take));
        left -= take;
      }
    } else {
      const bool was_empty = pending_items_ == 0;
      AppendBatch(&pending_, std::move(b));
      pending_items_ += n;
      const uint64_t size = opts_.send_batch_size;
      if (size > 0 && static_cast<uint64_t>(pending_items_) >= size) {
        while (static_cast<uint64_t>(pending_items_) >= size) {
          int64_t take = Piece(pending_items_);
          ready.push_back(TakeItems(&pending_, take));
          pending_items_ -= take;
        }
        deadline_ = Clock::now() + opts_.timeout;  // the timer restarts after a send
      } else if (was_empty) {
        deadline_ = Clock::now() + opts_.timeout;
        cv_.notify_all();
      }
    }
    if (ready.empty()) return Status::Ok();
    // Taking send_mu_ before releasing mu_ keeps sends in the order the batches were formed.
    std::unique_lock<std::mutex> s(send_mu_);
    l.unlock();
    for (T& r : ready) Send(std::move(r), Trigger::kSize);
    return Status::Ok();
  }

  // How many of `available` items the next sent batch takes.
  int64_t Piece(int64_t available) const {
    const uint64_t max = opts_.send_batch_max_size;
    if (max > 0 && static_cast<uint64_t>(available) > max) return static_cast<int64_t>(max);
    return available;
  }

  // REQUIRES: mu_ held.
  void TakeAll(std::vector<T>* ready) {
    while (pending_items_ > 0) {
      int64_t take = Piece(pending_items_);
      ready->push_back(TakeItems(&pending_, take));
      pending_items_ -= take;
    }
    pending_.Clear();
  }

  void Run() {
    std::unique_lock<std::mutex> l(mu_);
    while (!stopped_) {
      if (pending_items_ == 0) {
        cv_.wait(l);
        continue;
      }
      if (Clock::now() < deadline_) {
        cv_.wait_until(l, deadline_);
        continue;
      }
      std::vector<T> ready;
      TakeAll(&ready);
      std::unique_lock<std::mutex> s(send_mu_);
      l.unlock();
      for (T& b : ready) Send(std::move(b), Trigger::kTimeout);
      s.unlock();
      l.lock();
    }
  }

  void StopThread() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // REQUIRES: send_mu_ held.
  void Send(T&& b, Trigger trigger) {
    const int64_t n = CountItems(b);
    m_.send_size->Observe(static_cast<double>(n));
    if (trigger == Trigger::kSize) m_.size_trigger->Inc();
    if (trigger == Trigger::kTimeout) m_.timeout_trigger->Inc();
    // A held batch merges requests of many clients: like the Collector's batch processor without
    // metadata_keys, it goes on with no client information, even on a receiver's thread.
    ClientInfoScope no_client(nullptr);
    Status st = SendTo(next_, std::move(b));
    if (st.ok()) return;
    m_.failed->Inc();
    m_.failed_items->Inc(static_cast<double>(n));
    const auto now = Clock::now();
    if (now - last_failure_log_ >= std::chrono::seconds(10)) {
      last_failure_log_ = now;
      log::Warn("batch processor: the next consumer refused a batch; its items are dropped",
                {{"processor", id_},
                 {"signal", SignalName(signal_)},
                 {"items", n},
                 {"err", st.ToString()}});
    }
  }

  const std::string id_;
  const Signal signal_;
  const BatchOptions opts_;
  Consumer* const next_;
  const Instruments m_;
  bool pass_through_ = false;  // set before Start, read-only afterwards

  mutable std::mutex mu_;
  std::condition_variable cv_;
  T pending_;
  int64_t pending_items_ = 0;
  Clock::time_point deadline_;
  bool stopped_ = false;

  std::mutex send_mu_;  // one send at a time; taken while holding mu_, never the reverse
  Clock::time_point last_failure_log_{};  // guarded by send_mu_
  std::thread thread_;
};

}  // namespace

Result<BatchOptions> DecodeBatchOptions(const ComponentConfig& cfg) {
  BatchOptions o;
  config::MapReader r(*cfg.doc, cfg.node, cfg.where);
  INFERMETRY_RETURN_IF_ERROR(r.status());
  INFERMETRY_RETURN_IF_ERROR(r.Uint("send_batch_size", &o.send_batch_size));
  INFERMETRY_RETURN_IF_ERROR(r.Uint("send_batch_max_size", &o.send_batch_max_size));
  INFERMETRY_RETURN_IF_ERROR(r.Duration("timeout", &o.timeout));
  for (std::string_view key : {"metadata_keys", "metadata_cardinality_limit"}) {
    if (r.Has(key)) {
      return cfg.doc->ErrorAt(r.Child(key), cfg.where + "." + std::string(key) + ": not supported");
    }
    r.Child(key);
  }
  INFERMETRY_RETURN_IF_ERROR(r.Finish());
  if (o.send_batch_max_size > 0 && o.send_batch_max_size < o.send_batch_size) {
    return cfg.doc->ErrorAt(
        r.Child("send_batch_max_size"),
        cfg.where + ": send_batch_max_size (" + std::to_string(o.send_batch_max_size) +
            ") must be 0 or >= send_batch_size (" + std::to_string(o.send_batch_size) + ")");
  }
  return o;
}

std::unique_ptr<Processor> NewBatchProcessor(std::string id, Signal signal,
                                             const BatchOptions& options, Consumer* next) {
  switch (signal) {
    case Signal::kTraces:
      return std::make_unique<BatchProcessor<Traces>>(std::move(id), signal, options, next);
    case Signal::kMetrics:
      return std::make_unique<BatchProcessor<Metrics>>(std::move(id), signal, options, next);
    case Signal::kLogs:
      return std::make_unique<BatchProcessor<Logs>>(std::move(id), signal, options, next);
  }
  return nullptr;
}

Result<std::unique_ptr<Processor>> CreateBatchProcessor(const ComponentConfig& cfg, Signal signal,
                                                        Consumer* next) {
  INFERMETRY_ASSIGN_OR_RETURN(BatchOptions o, DecodeBatchOptions(cfg));
  return NewBatchProcessor(cfg.id, signal, o, next);
}

}  // namespace infermetry::process
