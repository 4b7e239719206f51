// UNION ALL streams both inputs; UNION, INTERSECT and EXCEPT compare whole rows (NULLs equal)
// and return each distinct row once, as PostgreSQL does without ALL.
#include <unordered_set>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/operator.h"

namespace infermetry::sql::exec {

struct SetOpState {
  std::unordered_set<std::string> right_rows;
  std::unordered_set<std::string> emitted;
  std::unique_ptr<MemoryReservation> mem;
  int side = 0;
};

SetOp::SetOp(OperatorPtr left, OperatorPtr right, SetOpKind kind)
    : kind_(kind), st_(std::make_unique<SetOpState>()) {
  children.push_back(std::move(left));
  children.push_back(std::move(right));
}

SetOp::~SetOp() = default;

std::string SetOp::Describe() const {
  switch (kind_) {
    case SetOpKind::kUnionAll: return "Append (UNION ALL)";
    case SetOpKind::kUnion: return "HashSetOp UNION";
    case SetOpKind::kIntersect: return "HashSetOp INTERSECT";
    case SetOpKind::kExcept: return "HashSetOp EXCEPT";
  }
  return "SetOp";
}

namespace {

std::string RowKey(const Batch& b, size_t r) {
  std::string k;
  for (const Column& c : b.columns) AppendCellKey(&k, c, r);
  return k;
}

}  // namespace

Status SetOp::OpenImpl() {
  st_->mem = std::make_unique<MemoryReservation>(ctx_, "HashSetOp");
  if (kind_ == SetOpKind::kIntersect || kind_ == SetOpKind::kExcept) {
    Batch b;
    while (true) {
      INFERMETRY_ASSIGN_OR_RETURN(bool more, children[1]->Next(&b));
      if (!more) break;
      size_t bytes = 0;
      for (size_t r = 0; r < b.num_rows; ++r) {
        std::string k = RowKey(b, r);
        bytes += k.size() + 48;
        st_->right_rows.insert(std::move(k));
      }
      INFERMETRY_RETURN_IF_ERROR(st_->mem->Grow(bytes));
    }
  }
  return Status::Ok();
}

Result<bool> SetOp::NextImpl(Batch* out) {
  bool both = kind_ == SetOpKind::kUnionAll || kind_ == SetOpKind::kUnion;
  while (st_->side < (both ? 2 : 1)) {
    Batch b;
    INFERMETRY_ASSIGN_OR_RETURN(bool more, children[st_->side]->Next(&b));
    if (!more) {
      ++st_->side;
      continue;
    }
    if (kind_ == SetOpKind::kUnionAll) {
      *out = std::move(b);
      return true;
    }
    std::vector<uint32_t> sel;
    size_t bytes = 0;
    for (size_t r = 0; r < b.num_rows; ++r) {
      std::string k = RowKey(b, r);
      if (kind_ == SetOpKind::kIntersect && !st_->right_rows.count(k)) continue;
      if (kind_ == SetOpKind::kExcept && st_->right_rows.count(k)) continue;
      bytes += k.size() + 48;
      if (st_->emitted.insert(std::move(k)).second) sel.push_back(static_cast<uint32_t>(r));
    }
    INFERMETRY_RETURN_IF_ERROR(st_->mem->Grow(bytes));
    *out = GatherBatch(b, sel);
    return true;
  }
  return false;
}

}  // namespace infermetry::sql::exec
