// ORDER BY: materializes its input (accounted against the memory limit) and sorts a
// permutation, NULLs placed as each key asks (PostgreSQL: last for ASC, first for DESC).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/datetime.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/operator.h"

namespace infermetry::sql::exec {

SortOp::SortOp(OperatorPtr child, std::vector<SortKey> keys, std::vector<std::string> names)
    : keys_(std::move(keys)), names_(std::move(names)) {
  children.push_back(std::move(child));
}

std::string SortOp::Describe() const {
  std::string s = "Sort ";
  for (size_t i = 0; i < keys_.size(); ++i) {
    s += (i ? ", " : "") + (i < names_.size() ? names_[i] : "#" + std::to_string(keys_[i].column));
    if (keys_[i].desc) s += " DESC";
    if (keys_[i].nulls_first != keys_[i].desc) s += keys_[i].nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  return s;
}

namespace {

int CompareCells(const Column& c, uint32_t a, uint32_t b) {
  switch (c.type) {
    case Type::kBool: case Type::kInt64: case Type::kTimestamp:
      return c.ints[a] < c.ints[b] ? -1 : c.ints[a] > c.ints[b] ? 1 : 0;
    case Type::kFloat64: {
      double x = c.doubles[a], y = c.doubles[b];
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) - std::isnan(y);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Type::kText: { int r = c.strings[a].compare(c.strings[b]); return r < 0 ? -1 : r > 0; }
    case Type::kInterval: {
      __int128 x = IntervalKey(c.intervals[a]), y = IntervalKey(c.intervals[b]);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Type::kNull: return 0;
  }
  return 0;
}

}  // namespace

Status SortOp::OpenImpl() {
  mem_ = std::make_unique<MemoryReservation>(ctx_, "Sort");
  Batch all;
  Batch b;
  size_t bytes = 0;
  while (true) {
    INFERMETRY_ASSIGN_OR_RETURN(bool more, children[0]->Next(&b));
    if (!more) break;
    size_t add = BatchBytes(b);
    INFERMETRY_RETURN_IF_ERROR(mem_->Grow(add));
    bytes += add;
    AppendBatch(&all, b);
  }
  std::vector<uint32_t> perm(all.num_rows);
  std::iota(perm.begin(), perm.end(), 0);
  INFERMETRY_RETURN_IF_ERROR(mem_->Grow(perm.size() * 4));
  size_t comparisons = 0;
  Status deadline = Status::Ok();
  std::stable_sort(perm.begin(), perm.end(), [&](uint32_t a, uint32_t b) {
    if ((++comparisons & 65535) == 0 && deadline.ok()) deadline = ctx_->Check();
    if (!deadline.ok()) return false;
    for (const SortKey& k : keys_) {
      const Column& c = all.columns[k.column];
      bool an = c.IsNull(a) || c.type == Type::kNull, bn = c.IsNull(b) || c.type == Type::kNull;
      if (an || bn) {
        if (an && bn) continue;
        return an == k.nulls_first;
      }
      int r = CompareCells(c, a, b);
      if (r != 0) return k.desc ? r > 0 : r < 0;
    }
    return false;
  });
  INFERMETRY_RETURN_IF_ERROR(deadline);
  sorted_ = GatherBatch(all, perm);
  return Status::Ok();
}

Result<bool> SortOp::NextImpl(Batch* out) {
  if (pos_ >= sorted_.num_rows) return false;
  size_t n = std::min<size_t>(8192, sorted_.num_rows - pos_);
  if (pos_ == 0 && n == sorted_.num_rows) {
    *out = std::move(sorted_);
    pos_ = n;
    sorted_.num_rows = 0;
    return true;
  }
  std::vector<uint32_t> sel(n);
  std::iota(sel.begin(), sel.end(), static_cast<uint32_t>(pos_));
  *out = GatherBatch(sorted_, sel);
  pos_ += n;
  return true;
}

}  // namespace infermetry::sql::exec
