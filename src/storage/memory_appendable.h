#pragma once
// An Appendable that keeps committed samples in memory, in append order. For `infermetry
// scrape --print` and for tests; not a store (no index, no bounds).

#include <mutex>
#include <vector>

#include "storage/appender.h"

namespace infermetry::storage {

struct StoredSample {
  model::Labels labels;
  int64_t t_ms;
  double v;
};

class MemoryAppendable : public Appendable {
 public:
  std::unique_ptr<Appender> NewAppender() override;

  // Removes and returns everything committed so far. Thread-safe.
  std::vector<StoredSample> Take();
  size_t commits() const;

 private:
  friend class MemoryAppender;
  mutable std::mutex mu_;
  std::vector<StoredSample> samples_;
  size_t commits_ = 0;
};

}  // namespace infermetry::storage
