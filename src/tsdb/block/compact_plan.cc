// PlanCompaction and PlanRetention: pure functions over block metas.

#include <algorithm>
#include <map>
#include <set>

#include "tsdb/block/compact.h"

namespace infermetry::tsdb {
namespace {

// Indexes of the blocks planning may select: not leftovers whose data another block holds.
std::vector<size_t> Candidates(const std::vector<BlockMeta>& metas) {
  std::set<std::string> covered;
  for (const BlockMeta& m : metas) covered.insert(m.sources.begin(), m.sources.end());
  std::vector<size_t> out;
  for (size_t i = 0; i < metas.size(); ++i) {
    // A block is a leftover when its id appears among the sources of another block.
    if (covered.count(metas[i].id) > 0) continue;
    out.push_back(i);
  }
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::vector<std::vector<size_t>> PlanCompaction(const std::vector<BlockMeta>& metas,
                                                const CompactionPlanOptions& options) {
  std::vector<size_t> cand = Candidates(metas);
  std::vector<std::vector<size_t>> groups;
  if (cand.empty()) return groups;

  // Overlapping blocks are merged first, whatever their size.
  std::vector<size_t> cur{cand[0]};
  int64_t cur_maxt = metas[cand[0]].maxt;
  for (size_t k = 1; k <= cand.size(); ++k) {
    if (k < cand.size() && metas[cand[k]].mint <= cur_maxt) {
      cur.push_back(cand[k]);
      cur_maxt = std::max(cur_maxt, metas[cand[k]].maxt);
      continue;
    }
    if (cur.size() > 1) groups.push_back(cur);
    if (k < cand.size()) {
      cur = {cand[k]};
      cur_maxt = metas[cand[k]].maxt;
    }
  }
  if (!groups.empty() || options.ranges_ms.size() < 2) return groups;

  // Blocks that fit in one aligned range of the next size merge once they fill it, or once a
  // newer block starts after them (no block of their size can still arrive in the range).
  const int64_t high_time = metas[cand.back()].mint;
  for (size_t r = 1; r < options.ranges_ms.size(); ++r) {
    const int64_t range = options.ranges_ms[r];
    if (range <= 0) continue;
    std::map<int64_t, std::vector<size_t>> by_start;
    for (size_t i : cand) {
      int64_t start = FloorDiv(metas[i].mint, range) * range;
      if (metas[i].maxt >= start + range) continue;  // does not fit in one aligned range
      if (metas[i].maxt - metas[i].mint + 1 >= range) continue;  // already that size
      by_start[start].push_back(i);
    }
    for (auto& [start, g] : by_start) {
      int64_t gmint = metas[g.front()].mint, gmaxt = metas[g.front()].maxt;
      for (size_t i : g) {
        gmint = std::min(gmint, metas[i].mint);
        gmaxt = std::max(gmaxt, metas[i].maxt);
      }
      if (g.size() > 1 && (gmaxt - gmint + 1 == range || gmaxt < high_time)) groups.push_back(g);
    }
    if (!groups.empty()) return groups;
  }
  return groups;
}

std::vector<size_t> PlanRetention(const std::vector<BlockMeta>& metas,
                                  const RetentionOptions& options, uint64_t other_bytes) {
  std::vector<size_t> cand = Candidates(metas);
  std::vector<size_t> out;
  if (cand.empty()) return out;
  int64_t newest = metas[cand[0]].maxt;
  uint64_t total = other_bytes;
  for (size_t i : cand) {
    newest = std::max(newest, metas[i].maxt);
    total += metas[i].size_bytes;
  }
  // Deletions form a prefix of the blocks ordered by mint: never a block newer than one kept.
  for (size_t i : cand) {
    bool too_old = options.time_ms > 0 && metas[i].maxt < newest - options.time_ms;
    bool too_big = options.size_bytes > 0 && total > options.size_bytes;
    if (!too_old && !too_big) break;
    out.push_back(i);
    total -= metas[i].size_bytes;
  }
  return out;
}

}  // namespace infermetry::tsdb
