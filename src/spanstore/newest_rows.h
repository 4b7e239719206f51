#pragma once
// NewestRows: the part of a span or log search that keeps the `limit` newest matches
// (span_search.cc, log_search.cc). The in-memory rows are scanned first; the parts are then
// visited newest first, and the caller offers each matching part row as a candidate (part,
// granule, row) to a min-heap on time, so that Threshold() prunes older granules early.
// Finish() materializes the candidates, one granule load each, and returns newest first.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <tuple>
#include <vector>

#include "common/result.h"
#include "spanstore/engine.h"

namespace infermetry::spanstore {

template <typename Codec, typename Granule>
class NewestRows {
 public:
  using Item = typename Codec::Item;

  // Keeps the newest `limit` in-memory rows that `match(row)` accepts. REQUIRES: limit > 0.
  template <typename Match>
  NewestRows(const typename Engine<Codec>::Snapshot& snap, size_t limit, Match match)
      : limit_(limit), parts_(snap.parts) {
    for (const auto& c : snap.memory) {
      for (const Item& r : *c) {
        if (match(r)) out_.push_back(r);
      }
    }
    SortAndTrim();
    std::sort(parts_.begin(), parts_.end(),
              [](auto& a, auto& b) { return a->max_time() > b->max_time(); });
  }

  // The snapshot's parts, newest first; candidates name their index here.
  const std::vector<std::shared_ptr<Part>>& parts() const { return parts_; }

  // Rows older than this cannot be in the result (INT64_MIN until `limit` rows are found).
  int64_t Threshold() const {
    int64_t t = INT64_MIN;
    if (out_.size() >= limit_) t = Codec::Time(out_.back());
    if (heap_.size() >= limit_) t = std::max(t, heap_.front().time);
    return t;
  }

  void Add(int64_t time, size_t part, size_t granule, uint32_t row) {
    heap_.push_back({time, part, static_cast<uint32_t>(granule), row});
    std::push_heap(heap_.begin(), heap_.end(), ByTimeDesc());
    if (heap_.size() > limit_) {
      std::pop_heap(heap_.begin(), heap_.end(), ByTimeDesc());
      heap_.pop_back();
    }
  }

  Result<std::vector<Item>> Finish() {
    std::sort(heap_.begin(), heap_.end(), [](const Candidate& a, const Candidate& b) {
      return std::tie(a.part, a.granule, a.row) < std::tie(b.part, b.granule, b.row);
    });
    for (size_t i = 0; i < heap_.size();) {
      Granule gr(*parts_[heap_[i].part], heap_[i].granule);
      INFERMETRY_RETURN_IF_ERROR(gr.LoadAll());
      size_t j = i;
      for (; j < heap_.size() && heap_[j].part == heap_[i].part &&
             heap_[j].granule == heap_[i].granule;
           ++j) {
        INFERMETRY_RETURN_IF_ERROR(gr.Materialize(heap_[j].row, &out_.emplace_back()));
      }
      i = j;
    }
    SortAndTrim();
    return std::move(out_);
  }

 private:
  struct Candidate {
    int64_t time;
    size_t part;
    uint32_t granule;
    uint32_t row;
  };
  struct ByTimeDesc {  // makes the heap a min-heap on time
    bool operator()(const Candidate& a, const Candidate& b) const { return a.time > b.time; }
  };

  void SortAndTrim() {
    std::stable_sort(out_.begin(), out_.end(),
                     [](const Item& a, const Item& b) { return Codec::Time(a) > Codec::Time(b); });
    if (out_.size() > limit_) out_.resize(limit_);
  }

  size_t limit_;
  std::vector<std::shared_ptr<Part>> parts_;
  std::vector<Item> out_;
  std::vector<Candidate> heap_;
};

}  // namespace infermetry::spanstore
