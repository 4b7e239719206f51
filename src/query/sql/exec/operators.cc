// The streaming operators: scan, one-row result, filter, project, limit, distinct; and the
// shared Open/Next bookkeeping.
#include <chrono>
#include <unordered_set>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/operator.h"
#include "query/sql/parser/timestamp_text.h"

namespace infermetry::sql::exec {

Status Operator::Open(ExecContext* ctx) {
  ctx_ = ctx;
  for (auto& c : children) INFERMETRY_RETURN_IF_ERROR(c->Open(ctx));
  auto t0 = std::chrono::steady_clock::now();
  Status st = OpenImpl();
  seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

Result<bool> Operator::Next(Batch* out) {
  auto t0 = std::chrono::steady_clock::now();
  Result<bool> r = false;
  while (true) {
    Status st = ctx_->Check();
    if (!st.ok()) { r = st; break; }
    r = NextImpl(out);
    if (!r.ok() || !*r || out->num_rows > 0) break;
  }
  seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r.ok() && *r) rows_out += out->num_rows;
  return r;
}

ScanOp::ScanOp(std::string n, std::shared_ptr<Table> t) : table(std::move(t)), name(std::move(n)) {
  used.assign(table->schema().size(), false);
}

Status ScanOp::OpenImpl() {
  request.columns.clear();
  for (size_t i = 0; i < used.size(); ++i) {
    if (used[i]) request.columns.push_back(i);
  }
  INFERMETRY_ASSIGN_OR_RETURN(reader_, table->Scan(request));
  return Status::Ok();
}

Result<bool> ScanOp::NextImpl(Batch* out) {
  Batch b;
  INFERMETRY_ASSIGN_OR_RETURN(bool more, reader_->Next(&b));
  if (!more) return false;
  if (b.columns.size() != request.columns.size()) {
    return Internal("table " + name + " returned " + std::to_string(b.columns.size()) +
                    " columns for " + std::to_string(request.columns.size()));
  }
  const auto& schema = table->schema();
  out->columns.clear();
  out->num_rows = b.num_rows;
  size_t k = 0;
  for (size_t i = 0; i < schema.size(); ++i) {
    if (used[i]) out->columns.push_back(std::move(b.columns[k++]));
    else out->columns.emplace_back(schema[i].type);
  }
  ctx_->rows_scanned += b.num_rows;
  return true;
}

namespace {

// EXPLAIN's note on a granularity in ms: `whole` for INT64_MAX (one interval), `per` + "<g> ms",
// nothing for 0.
std::string PerInterval(int64_t g, std::string_view whole, std::string_view per) {
  if (g == INT64_MAX) return std::string(whole);
  return g > 0 ? std::string(per) + std::to_string(g) + " ms" : std::string();
}

}  // namespace

std::string ScanOp::Describe() const {
  std::string s = "Scan " + name;
  std::vector<std::string> parts;
  std::string tc(table->time_column());
  if (request.min_time_us != INT64_MIN) parts.push_back(tc + " >= " + FormatTimestamp(request.min_time_us));
  if (request.max_time_us != INT64_MAX) parts.push_back(tc + " <= " + FormatTimestamp(request.max_time_us));
  if (request.names) {
    std::string n = "names: ";
    for (size_t i = 0; i < request.names->size(); ++i) n += (i ? ", " : "") + (*request.names)[i];
    parts.push_back(n);
    if (request.other_names_as_times) {
      parts.push_back("other names: timestamps only" +
                      PerInterval(request.other_times_granularity_ms, ", one at most", ", one per "));
    }
  }
  if (request.observation_counts) {
    parts.push_back("histogram observations counted" +
                    PerInterval(request.observation_merge_ms, ", merged per bucket", ", merged per bucket and "));
  }
  std::string cols = "columns: ";
  bool any = false;
  for (size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) continue;
    cols += (any ? ", " : "") + table->schema()[i].name;
    any = true;
  }
  parts.push_back(any ? cols : "columns: none");
  s += " [";
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? "; " : "") + parts[i];
  return s + "]";
}

Result<bool> OneRowOp::NextImpl(Batch* out) {
  if (done_) return false;
  done_ = true;
  out->columns.clear();
  out->num_rows = 1;
  return true;
}

FilterOp::FilterOp(OperatorPtr child, BExprPtr p) : pred(std::move(p)) {
  children.push_back(std::move(child));
}

std::string FilterOp::Describe() const { return "Filter " + ExprToString(*pred); }

Result<bool> FilterOp::NextImpl(Batch* out) {
  Batch in;
  INFERMETRY_ASSIGN_OR_RETURN(bool more, children[0]->Next(&in));
  if (!more) return false;
  Column scratch;
  INFERMETRY_ASSIGN_OR_RETURN(const Column* c, EvalRef(*pred, in, ctx_, &scratch));
  std::vector<uint32_t> sel;
  sel.reserve(in.num_rows);
  for (size_t i = 0; i < in.num_rows; ++i) {
    if (!c->IsNull(i) && c->ints[i]) sel.push_back(static_cast<uint32_t>(i));
  }
  if (sel.size() == in.num_rows) {
    *out = std::move(in);
  } else {
    *out = GatherBatch(in, sel);
  }
  return true;
}

ProjectOp::ProjectOp(OperatorPtr child, std::vector<BExprPtr> e) : exprs(std::move(e)) {
  children.push_back(std::move(child));
}

std::string ProjectOp::Describe() const {
  std::string s = "Project ";
  for (size_t i = 0; i < exprs.size(); ++i) s += (i ? ", " : "") + ExprToString(*exprs[i]);
  return s;
}

Result<bool> ProjectOp::NextImpl(Batch* out) {
  Batch in;
  INFERMETRY_ASSIGN_OR_RETURN(bool more, children[0]->Next(&in));
  if (!more) return false;
  if (moves_.empty()) {
    // A bare column that no other expression reads is moved, not copied (SELECT * of wide
    // rows would otherwise copy every string).
    moves_.assign(exprs.size(), false);
    for (size_t i = 0; i < exprs.size(); ++i) {
      if (exprs[i]->kind != BKind::kColumn) continue;
      moves_[i] = true;
      for (size_t j = 0; j < exprs.size(); ++j) {
        if (j != i && ReadsColumn(*exprs[j], exprs[i]->column)) moves_[i] = false;
      }
    }
  }
  out->columns.clear();
  out->columns.resize(exprs.size());
  out->num_rows = in.num_rows;
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (!moves_[i]) INFERMETRY_RETURN_IF_ERROR(Eval(*exprs[i], in, ctx_, &out->columns[i]));
  }
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (moves_[i]) out->columns[i] = std::move(in.columns[exprs[i]->column]);
  }
  return true;
}

LimitOp::LimitOp(OperatorPtr child, std::optional<int64_t> limit, int64_t offset)
    : limit_(limit), offset_(offset) {
  children.push_back(std::move(child));
}

std::string LimitOp::Describe() const {
  std::string s = "Limit";
  if (limit_) s += " " + std::to_string(*limit_);
  if (offset_) s += " offset " + std::to_string(offset_);
  return s;
}

Result<bool> LimitOp::NextImpl(Batch* out) {
  if (limit_ && emitted_ >= *limit_) return false;
  Batch in;
  INFERMETRY_ASSIGN_OR_RETURN(bool more, children[0]->Next(&in));
  if (!more) return false;
  std::vector<uint32_t> sel;
  for (size_t i = 0; i < in.num_rows; ++i) {
    if (skipped_ < offset_) { ++skipped_; continue; }
    if (limit_ && emitted_ >= *limit_) break;
    sel.push_back(static_cast<uint32_t>(i));
    ++emitted_;
  }
  *out = sel.size() == in.num_rows ? std::move(in) : GatherBatch(in, sel);
  return true;
}

struct DistinctState {
  std::unordered_set<std::string> seen;
  std::unique_ptr<MemoryReservation> mem;
};

DistinctOp::DistinctOp(OperatorPtr child) : state_(std::make_unique<DistinctState>()) {
  children.push_back(std::move(child));
}

DistinctOp::~DistinctOp() = default;

Result<bool> DistinctOp::NextImpl(Batch* out) {
  if (!state_->mem) state_->mem = std::make_unique<MemoryReservation>(ctx_, "HashDistinct");
  Batch in;
  INFERMETRY_ASSIGN_OR_RETURN(bool more, children[0]->Next(&in));
  if (!more) return false;
  std::vector<uint32_t> sel;
  size_t bytes = 0;
  std::string key;
  for (size_t r = 0; r < in.num_rows; ++r) {
    key.clear();
    for (const Column& c : in.columns) AppendCellKey(&key, c, r);
    if (state_->seen.insert(key).second) {
      sel.push_back(static_cast<uint32_t>(r));
      bytes += key.size() + 48;
    }
  }
  INFERMETRY_RETURN_IF_ERROR(state_->mem->Grow(bytes));
  *out = GatherBatch(in, sel);
  return true;
}

}  // namespace infermetry::sql::exec
