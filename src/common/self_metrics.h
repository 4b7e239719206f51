#pragma once
// infermetry's own metrics (self-telemetry), exposed in Prometheus text format 0.0.4.
//
//   static auto& scrapes = selfmon::Default().AddCounter(
//       "infermetry_scrapes_total", "Scrapes by job and result.", {"job", "result"});
//   scrapes.With({"vllm", "ok"}).Inc();
//
// Thread-safety: everything is safe to call concurrently. Family::With takes a lock and may
// allocate on the first use of a label set; the returned reference stays valid for the
// registry's lifetime, so hot paths look it up once and keep it. Inc/Set/Observe are lock-free.

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace infermetry::selfmon {

class Counter {
 public:
  void Inc(double d = 1.0) { v_.fetch_add(d, std::memory_order_relaxed); }
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0.0};
};

class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  void Add(double d) { v_.fetch_add(d, std::memory_order_relaxed); }
  double Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0.0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative count of observations <= bounds()[i]; i == bounds().size() is +Inf.
  uint64_t CumulativeCount(size_t i) const;
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

enum class Kind { kCounter, kGauge, kHistogram };

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names, Kind kind)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)),
        kind_(kind) {}
  virtual ~FamilyBase() = default;
  void WriteText(std::string* out) const;

 protected:
  virtual void WriteChildren(std::string* out) const = 0;
  void AppendSeries(std::string* out, std::string_view suffix,
                    const std::vector<std::string>& values, std::string_view extra_name,
                    std::string_view extra_value, double v) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  Kind kind_;
  mutable std::mutex mu_;
};

template <typename M>
class Family : public FamilyBase {
 public:
  using FamilyBase::FamilyBase;
  // REQUIRES: values.size() == number of label names.
  M& With(std::initializer_list<std::string_view> values) {
    std::vector<std::string> key(values.begin(), values.end());
    std::lock_guard<std::mutex> l(mu_);
    auto it = children_.find(key);
    if (it == children_.end()) it = children_.emplace(std::move(key), NewChild()).first;
    return *it->second;
  }

 protected:
  std::unique_ptr<M> NewChild() const;
  void WriteChildren(std::string* out) const override;
  std::map<std::vector<std::string>, std::unique_ptr<M>> children_;
  std::vector<double> bounds_;  // histograms only
  friend class Registry;
};

class Registry {
 public:
  // Registering the same name twice returns the first family (the later help is ignored).
  Family<Counter>& AddCounter(std::string name, std::string help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(std::string name, std::string help,
                       std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help,
                               std::vector<std::string> label_names, std::vector<double> bounds);

  // Appends every family, in name order, in text format 0.0.4.
  void WriteText(std::string* out) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_;
};

// The process-wide registry served on /metrics (or the proxy's self-metrics path).
Registry& Default();

// Default latency buckets for request durations in seconds.
std::vector<double> LatencyBuckets();

}  // namespace infermetry::selfmon
