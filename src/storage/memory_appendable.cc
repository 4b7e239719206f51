#include "storage/memory_appendable.h"

namespace infermetry::storage {

class MemoryAppender : public Appender {
 public:
  explicit MemoryAppender(MemoryAppendable* parent) : parent_(parent) {}
  Status Append(const model::Labels& labels, int64_t t_ms, double v) override {
    if (labels.MetricName().empty()) return InvalidArgument("series without a metric name: " + labels.ToString());
    pending_.push_back({labels, t_ms, v});
    return Status::Ok();
  }
  Status Commit() override {
    std::lock_guard<std::mutex> l(parent_->mu_);
    for (auto& s : pending_) parent_->samples_.push_back(std::move(s));
    ++parent_->commits_;
    pending_.clear();
    return Status::Ok();
  }
  void Rollback() override { pending_.clear(); }

 private:
  MemoryAppendable* parent_;
  std::vector<StoredSample> pending_;
};

std::unique_ptr<Appender> MemoryAppendable::NewAppender() {
  return std::make_unique<MemoryAppender>(this);
}

std::vector<StoredSample> MemoryAppendable::Take() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<StoredSample> out;
  out.swap(samples_);
  return out;
}

size_t MemoryAppendable::commits() const {
  std::lock_guard<std::mutex> l(mu_);
  return commits_;
}

}  // namespace infermetry::storage
