// Joins: the right input is built into a hash table on the equality keys (or kept as a list
// for a nested loop when ON has none); the left input streams through it.
#include <unordered_map>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/operator.h"

namespace infermetry::sql::exec {

namespace {

constexpr uint32_t kNoRow = UINT32_MAX;

// Rows `sel` of `src`, NULL where sel is kNoRow. `unread` marks a column the query does not
// read (kept empty, as every batch of this join keeps it).
Column GatherOrNull(const Column& src, Type type, const std::vector<uint32_t>& sel, bool unread) {
  if (unread) return Column(type);
  bool any_null = false;
  for (uint32_t r : sel) any_null |= r == kNoRow;
  if (!any_null) return Gather(src, sel);
  Column c(type);
  c.Reserve(sel.size());
  for (uint32_t r : sel) {
    if (r == kNoRow) c.AppendNull();
    else c.Append(src.Get(r));
  }
  return c;
}

}  // namespace

struct JoinState {
  Batch right;
  std::unordered_multimap<std::string, uint32_t> table;
  std::vector<uint8_t> right_matched;
  Batch left;  // the left batch being probed
  size_t row = 0, j = 0;
  std::vector<uint8_t> left_matched;
  std::vector<bool> left_unread;  // left columns the query does not read
  std::vector<Column> key_scratch;
  std::vector<const Column*> key_cols;
  std::unique_ptr<MemoryReservation> mem;
  bool left_done = false;
  bool tail_done = false;
};

JoinOp::JoinOp(OperatorPtr left, OperatorPtr right, JoinKind kind, std::vector<BExprPtr> lk,
               std::vector<BExprPtr> rk, BExprPtr residual, std::vector<Type> lt,
               std::vector<Type> rt)
    : kind_(kind), left_keys_(std::move(lk)), right_keys_(std::move(rk)),
      residual_(std::move(residual)), left_types_(std::move(lt)), right_types_(std::move(rt)),
      st_(std::make_unique<JoinState>()) {
  children.push_back(std::move(left));
  children.push_back(std::move(right));
}

JoinOp::~JoinOp() = default;

std::string JoinOp::Describe() const {
  static const char* kNames[] = {"Inner", "Left", "Right", "Full", "Cross"};
  std::string s = std::string(left_keys_.empty() ? "NestedLoopJoin " : "HashJoin ") +
                  kNames[static_cast<int>(kind_)];
  for (size_t i = 0; i < left_keys_.size(); ++i) {
    s += (i ? " AND " : " on ") + ExprToString(*left_keys_[i]) + " = " + ExprToString(*right_keys_[i]);
  }
  if (residual_) s += (left_keys_.empty() ? " on " : " filter ") + ExprToString(*residual_);
  return s;
}

Status JoinOp::OpenImpl() {
  st_->mem = std::make_unique<MemoryReservation>(ctx_, "HashJoin");
  return Build();
}

Status JoinOp::Build() {
  Batch b;
  while (true) {
    INFERMETRY_ASSIGN_OR_RETURN(bool more, children[1]->Next(&b));
    if (!more) break;
    INFERMETRY_RETURN_IF_ERROR(st_->mem->Grow(BatchBytes(b)));
    AppendBatch(&st_->right, b);
  }
  if (st_->right.columns.empty()) {
    for (Type t : right_types_) st_->right.columns.emplace_back(t);
  }
  st_->right_matched.assign(st_->right.num_rows, 0);
  if (left_keys_.empty()) return Status::Ok();
  std::vector<Column> scratch(right_keys_.size());
  std::vector<const Column*> cols(right_keys_.size());
  for (size_t k = 0; k < right_keys_.size(); ++k) {
    INFERMETRY_ASSIGN_OR_RETURN(cols[k], EvalRef(*right_keys_[k], st_->right, ctx_, &scratch[k]));
  }
  std::string key;
  size_t bytes = 0;
  for (size_t r = 0; r < st_->right.num_rows; ++r) {
    INFERMETRY_RETURN_IF_ERROR(ctx_->CheckEvery(r));
    key.clear();
    bool null = false;
    for (const Column* c : cols) {
      null |= c->IsNull(r);
      AppendCellKey(&key, *c, r);
    }
    if (null) continue;  // NULL never equals anything
    bytes += key.size() + 64;
    st_->table.emplace(key, static_cast<uint32_t>(r));
  }
  return st_->mem->Grow(bytes);
}

// Pairs up to ~8192 rows of the current left batch with their matches, resuming where the
// previous call stopped; pads unmatched left rows once the batch is done (LEFT/FULL).
Status JoinOp::ProbeBatch(const Batch& left, Batch* out) {
  JoinState& st = *st_;
  size_t n = left.num_rows;
  if (st.key_cols.empty() && !left_keys_.empty()) {
    st.key_scratch.assign(left_keys_.size(), Column());
    for (size_t k = 0; k < left_keys_.size(); ++k) {
      INFERMETRY_ASSIGN_OR_RETURN(const Column* c, EvalRef(*left_keys_[k], left, ctx_, &st.key_scratch[k]));
      st.key_cols.push_back(c);
    }
  }
  std::vector<uint32_t> li, ri;
  std::string key;
  size_t rn = st.right.num_rows;
  while (st.row < n && li.size() < 8192) {
    size_t r = st.row;
    if (left_keys_.empty()) {
      while (st.j < rn && li.size() < 8192) {
        li.push_back(static_cast<uint32_t>(r));
        ri.push_back(static_cast<uint32_t>(st.j++));
      }
      if (st.j >= rn) { st.j = 0; ++st.row; }
      continue;
    }
    ++st.row;
    key.clear();
    bool null = false;
    for (const Column* c : st.key_cols) {
      null |= c->IsNull(r);
      AppendCellKey(&key, *c, r);
    }
    if (null) continue;
    auto [b, e] = st.table.equal_range(key);
    for (auto it = b; it != e; ++it) {
      li.push_back(static_cast<uint32_t>(r));
      ri.push_back(it->second);
    }
  }
  if (!li.empty()) {
    Batch pairs;
    pairs.num_rows = li.size();
    for (const Column& c : left.columns) pairs.columns.push_back(Gather(c, li));
    for (const Column& c : st.right.columns) pairs.columns.push_back(Gather(c, ri));
    std::vector<uint32_t> keep;
    if (residual_) {
      Column sc;
      INFERMETRY_ASSIGN_OR_RETURN(const Column* p, EvalRef(*residual_, pairs, ctx_, &sc));
      for (size_t i = 0; i < li.size(); ++i) {
        if (!p->IsNull(i) && p->ints[i]) keep.push_back(static_cast<uint32_t>(i));
      }
    } else {
      for (size_t i = 0; i < li.size(); ++i) keep.push_back(static_cast<uint32_t>(i));
    }
    for (uint32_t k : keep) {
      st.left_matched[li[k]] = 1;
      st.right_matched[ri[k]] = 1;
    }
    *out = keep.size() == li.size() ? std::move(pairs) : GatherBatch(pairs, keep);
  }
  if (st.row >= n && (kind_ == JoinKind::kLeft || kind_ == JoinKind::kFull)) {
    std::vector<uint32_t> lsel, rsel;
    for (size_t r = 0; r < n; ++r) {
      if (!st.left_matched[r]) { lsel.push_back(static_cast<uint32_t>(r)); rsel.push_back(kNoRow); }
    }
    if (!lsel.empty()) {
      Batch pad;
      pad.num_rows = lsel.size();
      for (const Column& c : left.columns) pad.columns.push_back(Gather(c, lsel));
      for (size_t c = 0; c < st.right.columns.size(); ++c) {
        const Column& rc = st.right.columns[c];
        bool unread = st.right.num_rows > 0 && rc.size() != st.right.num_rows && rc.type != Type::kNull;
        pad.columns.push_back(GatherOrNull(rc, right_types_[c], rsel, unread));
      }
      AppendBatch(out, pad);
    }
  }
  return Status::Ok();
}

Result<bool> JoinOp::NextImpl(Batch* out) {
  *out = Batch();
  if (!st_->left_done) {
    JoinState& st = *st_;
    if (st.row >= st.left.num_rows) {
      INFERMETRY_ASSIGN_OR_RETURN(bool more, children[0]->Next(&st.left));
      if (!more) {
        st.left_done = true;
        st.left = Batch();
      } else {
        st.row = 0;
        st.j = 0;
        if (st.left_unread.empty()) {
          for (const Column& c : st.left.columns) {
            st.left_unread.push_back(c.size() != st.left.num_rows && c.type != Type::kNull);
          }
        }
        st.key_cols.clear();
        st.left_matched.assign(st.left.num_rows, 0);
      }
    }
    if (!st.left_done) {
      INFERMETRY_RETURN_IF_ERROR(ProbeBatch(st.left, out));
      if (out->columns.empty()) out->num_rows = 0;
      return true;
    }
  }
  if (st_->tail_done) return false;
  st_->tail_done = true;
  if (kind_ != JoinKind::kRight && kind_ != JoinKind::kFull) return false;
  std::vector<uint32_t> lsel, rsel;
  for (size_t r = 0; r < st_->right.num_rows; ++r) {
    if (!st_->right_matched[r]) { rsel.push_back(static_cast<uint32_t>(r)); lsel.push_back(kNoRow); }
  }
  if (rsel.empty()) return false;
  out->num_rows = rsel.size();
  for (size_t c = 0; c < left_types_.size(); ++c) {
    bool unread = c < st_->left_unread.size() && st_->left_unread[c];
    out->columns.push_back(GatherOrNull(Column(left_types_[c]), left_types_[c], lsel, unread));
  }
  for (const Column& c : st_->right.columns) out->columns.push_back(Gather(c, rsel));
  return true;
}

}  // namespace infermetry::sql::exec
