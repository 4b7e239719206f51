#pragma once
// Merging of series sets and sample iterators (MergeQueriers, compaction). Internal to
// src/tsdb/block.

#include <memory>
#include <vector>

#include "storage/querier.h"

namespace infermetry::tsdb {

// One set over `sets` (each sorted by labels): series with equal labels come out once, their
// samples merged by time; at equal timestamps the sample of the later set wins.
std::unique_ptr<storage::SeriesSet> MergeSeriesSets(
    std::vector<std::unique_ptr<storage::SeriesSet>> sets);

// Samples of `its` merged by time; at equal timestamps the later iterator's sample wins.
std::unique_ptr<storage::SampleIterator> MergeIterators(
    std::vector<std::unique_ptr<storage::SampleIterator>> its);

}  // namespace infermetry::tsdb
