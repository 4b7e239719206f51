#pragma once
// Helpers shared by the block tests.

#include <stdlib.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "tsdb/block/block.h"

namespace infermetry::tsdb::testing {

struct TestSeries {
  model::Labels labels;
  std::vector<model::Sample> samples;
};

using ::infermetry::TempDir;

inline storage::Matcher M(storage::Matcher::Op op, std::string n, std::string v) {
  return *storage::Matcher::Make(op, std::move(n), std::move(v));
}
inline storage::Matcher Eq(std::string n, std::string v) {
  return M(storage::Matcher::Op::kEq, std::move(n), std::move(v));
}

// Writes `series` (sorted here) as one block covering [mint, maxt].
inline Result<BlockMeta> WriteTestBlock(Env* env, const std::string& parent,
                                        std::vector<TestSeries> series, int64_t mint, int64_t maxt,
                                        std::vector<storage::MetadataEntry> md = {}) {
  std::sort(series.begin(), series.end(),
            [](const TestSeries& a, const TestSeries& b) { return a.labels < b.labels; });
  INFERMETRY_ASSIGN_OR_RETURN(auto w, BlockWriter::Create(env, parent, {mint, maxt}));
  for (const auto& e : md) INFERMETRY_RETURN_IF_ERROR(w->AddMetadata(e.metric, e.metadata));
  for (const auto& s : series) INFERMETRY_RETURN_IF_ERROR(w->AddSeries(s.labels, s.samples));
  return w->Finish();
}

// Every series and sample the querier returns for `matchers` in [start, end]; the first error
// of the set or an iterator otherwise.
inline Result<std::vector<TestSeries>> ReadAll(storage::Querier* q,
                                               std::vector<storage::Matcher> matchers,
                                               int64_t start = INT64_MIN, int64_t end = INT64_MAX) {
  std::vector<TestSeries> out;
  auto set = q->Select({start, end}, matchers);
  while (set->Next()) {
    TestSeries s{set->labels(), {}};
    auto it = set->Samples();
    while (it->Next()) s.samples.push_back({it->t(), it->v()});
    INFERMETRY_RETURN_IF_ERROR(it->status());
    out.push_back(std::move(s));
  }
  INFERMETRY_RETURN_IF_ERROR(set->status());
  return out;
}

inline bool SameBits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

// Equal labels, timestamps and value bits.
inline bool SameSeries(const std::vector<TestSeries>& a, const std::vector<TestSeries>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a[i].labels == b[i].labels) || a[i].samples.size() != b[i].samples.size()) return false;
    for (size_t k = 0; k < a[i].samples.size(); ++k) {
      if (a[i].samples[k].t_ms != b[i].samples[k].t_ms ||
          !SameBits(a[i].samples[k].v, b[i].samples[k].v)) {
        return false;
      }
    }
  }
  return true;
}

inline std::vector<TestSeries> Sorted(std::vector<TestSeries> s) {
  std::sort(s.begin(), s.end(),
            [](const TestSeries& a, const TestSeries& b) { return a.labels < b.labels; });
  return s;
}

}  // namespace infermetry::tsdb::testing
