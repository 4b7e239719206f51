#include "storage/querier.h"

namespace infermetry::storage {

Status SampleIterator::AppendRemaining(std::vector<model::Sample>* out) {
  while (Next()) out->push_back({t(), v()});
  return status();
}

Result<bool> Querier::SampleSpans(const SelectHints& hints, std::span<const Matcher> matchers,
                                  std::vector<std::pair<int64_t, int64_t>>* spans) {
  auto set = Select(hints, matchers);
  while (set->Next()) {
    int64_t mint, maxt;
    if (!set->TimeSpan(&mint, &maxt)) return false;
    if (mint <= maxt) spans->push_back({mint, maxt});
  }
  INFERMETRY_RETURN_IF_ERROR(set->status());
  return true;
}

}  // namespace infermetry::storage
