#pragma once
// Which intervals [k * g, (k + 1) * g) of milliseconds since the epoch already hold a row, for
// ScanRequest::other_times_granularity_ms: series whose samples all fall into covered
// intervals add nothing and need not be decoded.

#include <cstdint>
#include <iterator>
#include <map>

namespace infermetry::sql::catalog {

class TimeCoverage {
 public:
  // REQUIRES: granularity_ms > 0.
  explicit TimeCoverage(int64_t granularity_ms) : g_(granularity_ms) {}

  // Marks the interval of `t_ms`; true when it was not marked before.
  bool Mark(int64_t t_ms) {
    const int64_t k = Interval(t_ms);
    auto next = runs_.upper_bound(k);
    if (next != runs_.begin()) {
      auto prev = std::prev(next);
      if (prev->second >= k) return false;
      if (prev->second == k - 1) {
        prev->second = k;
        if (next != runs_.end() && next->first == k + 1) {
          prev->second = next->second;
          runs_.erase(next);
        }
        return true;
      }
    }
    int64_t last = k;
    if (next != runs_.end() && next->first == k + 1) {
      last = next->second;
      runs_.erase(next);
    }
    runs_[k] = last;
    return true;
  }

  // True when every interval from that of `t0_ms` to that of `t1_ms` is marked (t0 <= t1).
  bool Covers(int64_t t0_ms, int64_t t1_ms) const {
    auto it = runs_.upper_bound(Interval(t0_ms));
    if (it == runs_.begin()) return false;
    return std::prev(it)->second >= Interval(t1_ms);
  }

 private:
  int64_t Interval(int64_t t) const { return t / g_ - (t % g_ != 0 && t < 0); }

  int64_t g_;
  std::map<int64_t, int64_t> runs_;  // first -> last interval of each run of marked ones
};

}  // namespace infermetry::sql::catalog
