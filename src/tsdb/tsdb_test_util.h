#pragma once
// Helpers for TSDB tests: reading a whole series back through the Querier interface.

#include <bit>
#include <string>
#include <vector>

#include "model/sample.h"
#include "storage/querier.h"

namespace infermetry::tsdb::testing {

struct SeriesSamples {
  model::Labels labels;
  std::vector<model::Sample> samples;
};

inline storage::Matcher Eq(std::string name, std::string value) {
  return *storage::Matcher::Make(storage::Matcher::Op::kEq, std::move(name), std::move(value));
}

inline std::vector<SeriesSamples> Query(storage::Queryable* q, int64_t mint, int64_t maxt,
                                        std::vector<storage::Matcher> ms, Status* status = nullptr) {
  std::vector<SeriesSamples> out;
  auto querier = q->NewQuerier(mint, maxt);
  if (!querier.ok()) {
    if (status) *status = querier.status();
    return out;
  }
  auto set = (*querier)->Select({mint, maxt}, ms);
  while (set->Next()) {
    SeriesSamples s{set->labels(), {}};
    auto it = set->Samples();
    while (it->Next()) s.samples.push_back({it->t(), it->v()});
    out.push_back(std::move(s));
  }
  if (status) *status = set->status();
  return out;
}

inline bool SameBits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

}  // namespace infermetry::tsdb::testing
