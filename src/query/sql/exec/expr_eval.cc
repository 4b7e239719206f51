#include "query/sql/exec/expr_eval.h"

#include <cmath>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/datetime.h"
#include "query/sql/exec/functions.h"
#include "query/sql/exec/limits.h"

namespace infermetry::sql::exec {

namespace {

// A column of n rows, all NULL, ready for SetCell.
Column NullColumn(Type t, size_t n) {
  Column c(t);
  c.nulls.assign(n, 1);
  switch (t) {
    case Type::kBool: case Type::kInt64: case Type::kTimestamp: c.ints.assign(n, 0); break;
    case Type::kFloat64: c.doubles.assign(n, 0); break;
    case Type::kText: c.strings.assign(n, {}); break;
    case Type::kInterval: c.intervals.assign(n, {}); break;
    case Type::kNull: break;
  }
  return c;
}

void SetCell(Column* dst, size_t di, const Column& src, size_t si) {
  if (src.IsNull(si) || src.type == Type::kNull) return;
  dst->nulls[di] = 0;
  switch (dst->type) {
    case Type::kBool: case Type::kInt64: case Type::kTimestamp: dst->ints[di] = src.ints[si]; break;
    case Type::kFloat64: dst->doubles[di] = src.doubles[si]; break;
    case Type::kText: dst->strings[di] = src.strings[si]; break;
    case Type::kInterval: dst->intervals[di] = src.intervals[si]; break;
    case Type::kNull: break;
  }
}

void DropEmptyNulls(Column* c) {
  if (c->type == Type::kNull) return;
  for (uint8_t x : c->nulls) {
    if (x) return;
  }
  c->nulls.clear();
}

void CollectColumns(const BExpr& e, std::vector<bool>* used) {
  if (e.kind == BKind::kColumn && e.column < used->size()) (*used)[e.column] = true;
  for (const auto& a : e.args) CollectColumns(*a, used);
}

// The rows `sel` of the columns `e` reads; other columns left empty.
Batch SubBatch(const BExpr& e, const Batch& in, const std::vector<uint32_t>& sel) {
  std::vector<bool> used(in.columns.size(), false);
  CollectColumns(e, &used);
  Batch out;
  out.num_rows = sel.size();
  for (size_t i = 0; i < in.columns.size(); ++i) {
    out.columns.push_back(used[i] ? Gather(in.columns[i], sel) : Column(in.columns[i].type));
  }
  return out;
}

Status EvalCase(const BExpr& e, const Batch& in, ExecContext* ctx, Column* out) {
  size_t n = in.num_rows;
  size_t whens = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
  std::vector<int> branch(n, -1);
  std::vector<uint32_t> remaining(n);
  for (size_t i = 0; i < n; ++i) remaining[i] = static_cast<uint32_t>(i);
  for (size_t w = 0; w < whens && !remaining.empty(); ++w) {
    Column cond;
    if (remaining.size() == n) {
      INFERMETRY_RETURN_IF_ERROR(Eval(*e.args[2 * w], in, ctx, &cond));
    } else {
      Batch sub = SubBatch(*e.args[2 * w], in, remaining);
      INFERMETRY_RETURN_IF_ERROR(Eval(*e.args[2 * w], sub, ctx, &cond));
    }
    std::vector<uint32_t> next;
    for (size_t k = 0; k < remaining.size(); ++k) {
      if (!cond.IsNull(k) && cond.ints[k]) branch[remaining[k]] = static_cast<int>(w);
      else next.push_back(remaining[k]);
    }
    remaining.swap(next);
  }
  *out = NullColumn(e.type, n);
  size_t branches = whens + (e.has_else ? 1 : 0);
  for (size_t b = 0; b < branches; ++b) {
    const BExpr& res = b < whens ? *e.args[2 * b + 1] : *e.args.back();
    int id = b < whens ? static_cast<int>(b) : -1;
    std::vector<uint32_t> sel;
    for (size_t i = 0; i < n; ++i) {
      if (branch[i] == id) sel.push_back(static_cast<uint32_t>(i));
    }
    if (sel.empty()) continue;
    Column v;
    if (sel.size() == n) {
      INFERMETRY_RETURN_IF_ERROR(Eval(res, in, ctx, &v));
      *out = std::move(v);
      out->hist = {};
      return Status::Ok();
    }
    Batch sub = SubBatch(res, in, sel);
    INFERMETRY_RETURN_IF_ERROR(Eval(res, sub, ctx, &v));
    for (size_t k = 0; k < sel.size(); ++k) SetCell(out, sel[k], v, k);
  }
  DropEmptyNulls(out);
  return Status::Ok();
}

Status EvalCast(const BExpr& e, const Column& a, size_t n, Column* out) {
  *out = Column(e.type);
  out->Reserve(n);
  if (a.type == Type::kInt64 && e.type == Type::kFloat64) {
    out->nulls = a.nulls;
    for (size_t i = 0; i < n; ++i) out->doubles.push_back(static_cast<double>(a.ints[i]));
    return Status::Ok();
  }
  if (a.type == Type::kFloat64 && e.type == Type::kInt64 && e.op == "half_even") {
    out->nulls = a.nulls;
    out->ints.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (a.IsNull(i)) continue;
      double r = std::nearbyint(a.doubles[i]);
      if (!(r >= -9.223372036854775808e18 && r < 9.223372036854775808e18)) {
        return Status(Code::kOutOfRange, "bigint out of range");
      }
      out->ints[i] = static_cast<int64_t>(r);
    }
    return Status::Ok();
  }
  for (size_t i = 0; i < n; ++i) {
    INFERMETRY_ASSIGN_OR_RETURN(Value v, CastValue(a.Get(i), e.type));
    if (e.date && !v.null) {
      INFERMETRY_ASSIGN_OR_RETURN(v.i, DateTrunc("day", v.i));
    }
    out->Append(v);
  }
  return Status::Ok();
}

Status EvalCall(const BExpr& e, const Batch& in, ExecContext* ctx, Column* out) {
  size_t n = in.num_rows;
  std::vector<Column> scratch(e.args.size());
  std::vector<const Column*> cols(e.args.size());
  for (size_t i = 0; i < e.args.size(); ++i) {
    INFERMETRY_ASSIGN_OR_RETURN(cols[i], EvalRef(*e.args[i], in, ctx, &scratch[i]));
  }
  *out = Column(e.type);
  out->Reserve(n);
  // date_trunc with a constant fixed-size unit: one division per row.
  if (e.fn->name == "date_trunc" && e.args[0]->kind == BKind::kConst && !e.args[0]->value.null) {
    std::string unit = e.args[0]->value.s;
    for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (int64_t u = FixedUnitMicros(unit)) {
      const Column& ts = *cols[1];
      out->nulls = ts.nulls;
      out->ints.resize(n);
      for (size_t i = 0; i < n; ++i) {
        int64_t x = ts.ints[i];
        int64_t q = x / u;
        if (x % u != 0 && x < 0) --q;
        out->ints[i] = q * u;
      }
      return Status::Ok();
    }
  }
  std::vector<Value> args(e.args.size());
  for (size_t r = 0; r < n; ++r) {
    INFERMETRY_RETURN_IF_ERROR(ctx->CheckEvery(r));
    bool any_null = false;
    for (size_t i = 0; i < args.size(); ++i) {
      args[i] = cols[i]->Get(r);
      any_null |= args[i].null;
    }
    if (any_null && e.fn->strict) {
      out->AppendNull();
      continue;
    }
    INFERMETRY_ASSIGN_OR_RETURN(Value v, e.fn->scalar(args.data(), args.size(), e.type, ctx));
    if (!v.null && v.type != e.type) {
      INFERMETRY_ASSIGN_OR_RETURN(v, CastValue(v, e.type));
    }
    out->Append(v);
  }
  return Status::Ok();
}

Status EvalLogic(const BExpr& e, const Batch& in, ExecContext* ctx, Column* out) {
  size_t n = in.num_rows;
  Column sa, sb;
  INFERMETRY_ASSIGN_OR_RETURN(const Column* a, EvalRef(*e.args[0], in, ctx, &sa));
  *out = Column(Type::kBool);
  out->ints.resize(n);
  if (e.kind == BKind::kNot) {
    out->nulls = a->nulls;
    for (size_t i = 0; i < n; ++i) out->ints[i] = !a->ints[i];
    return Status::Ok();
  }
  INFERMETRY_ASSIGN_OR_RETURN(const Column* b, EvalRef(*e.args[1], in, ctx, &sb));
  bool is_and = e.kind == BKind::kAnd;
  bool any_null = !a->nulls.empty() || !b->nulls.empty();
  if (any_null) out->nulls.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    bool an = a->IsNull(i), bn = b->IsNull(i);
    bool av = !an && a->ints[i], bv = !bn && b->ints[i];
    if (is_and) {
      if ((!an && !av) || (!bn && !bv)) out->ints[i] = 0;
      else if (an || bn) out->nulls[i] = 1;
      else out->ints[i] = 1;
    } else {
      if (av || bv) out->ints[i] = 1;
      else if (an || bn) out->nulls[i] = 1;
      else out->ints[i] = 0;
    }
  }
  DropEmptyNulls(out);
  return Status::Ok();
}

}  // namespace

Column ConstantColumn(const Value& v, Type t, size_t n) {
  Column c(t);
  if (v.null || t == Type::kNull) return NullColumn(t, n);
  switch (t) {
    case Type::kBool: case Type::kInt64: case Type::kTimestamp: c.ints.assign(n, v.i); break;
    case Type::kFloat64: c.doubles.assign(n, v.type == Type::kInt64 ? static_cast<double>(v.i) : v.d); break;
    case Type::kText: c.strings.assign(n, v.s); break;
    case Type::kInterval: c.intervals.assign(n, v.iv); break;
    case Type::kNull: break;
  }
  return c;
}

Result<const Column*> EvalRef(const BExpr& e, const Batch& in, ExecContext* ctx, Column* scratch) {
  if (e.kind == BKind::kColumn) return &in.columns[e.column];
  INFERMETRY_RETURN_IF_ERROR(Eval(e, in, ctx, scratch));
  return static_cast<const Column*>(scratch);
}

Status Eval(const BExpr& e, const Batch& in, ExecContext* ctx, Column* out) {
  size_t n = in.num_rows;
  switch (e.kind) {
    case BKind::kConst: *out = ConstantColumn(e.value, e.type, n); return Status::Ok();
    case BKind::kColumn: *out = in.columns[e.column]; return Status::Ok();
    case BKind::kAnd: case BKind::kOr: case BKind::kNot: return EvalLogic(e, in, ctx, out);
    case BKind::kCase: return EvalCase(e, in, ctx, out);
    case BKind::kCall: return EvalCall(e, in, ctx, out);
    case BKind::kInList: return EvalInList(e, in, ctx, out);
    case BKind::kLike: return EvalLike(e, in, ctx, out);
    default: break;
  }
  Column sa, sb;
  INFERMETRY_ASSIGN_OR_RETURN(const Column* a, EvalRef(*e.args[0], in, ctx, &sa));
  switch (e.kind) {
    case BKind::kNeg: return EvalNeg(*a, n, out);
    case BKind::kCast: return EvalCast(e, *a, n, out);
    case BKind::kIsNull:
      *out = Column(Type::kBool);
      out->ints.resize(n);
      for (size_t i = 0; i < n; ++i) out->ints[i] = a->IsNull(i) != e.negated;
      return Status::Ok();
    case BKind::kIsBool:
      *out = Column(Type::kBool);
      out->ints.resize(n);
      for (size_t i = 0; i < n; ++i) {
        bool is = !a->IsNull(i) && (a->ints[i] != 0) == (e.value.i != 0);
        out->ints[i] = is != e.negated;
      }
      return Status::Ok();
    case BKind::kCompare: {
      const BExpr& k = *e.args[1];
      if (k.kind == BKind::kConst && !k.value.null && k.type != Type::kNull) {
        return EvalCompareConstant(e.op, *a, k.value, k.type, n, out);
      }
      break;
    }
    default: break;
  }
  INFERMETRY_ASSIGN_OR_RETURN(const Column* b, EvalRef(*e.args[1], in, ctx, &sb));
  switch (e.kind) {
    case BKind::kArith: return EvalArith(e, *a, *b, n, out);
    case BKind::kCompare: return EvalCompare(e.op, *a, *b, n, out);
    case BKind::kIsDistinct:
      *out = Column(Type::kBool);
      out->ints.resize(n);
      for (size_t i = 0; i < n; ++i) {
        bool an = a->IsNull(i), bn = b->IsNull(i);
        bool distinct = an != bn || (!an && CompareValues(a->Get(i), b->Get(i)) != 0);
        out->ints[i] = distinct != e.negated;
      }
      return Status::Ok();
    default: break;
  }
  return Internal("unhandled expression kind");
}

Result<Value> EvalConstant(const BExpr& e, ExecContext* ctx) {
  Batch one;
  one.num_rows = 1;
  Column c;
  INFERMETRY_RETURN_IF_ERROR(Eval(e, one, ctx, &c));
  return c.Get(0);
}

Column Gather(const Column& src, const std::vector<uint32_t>& sel) {
  Column c(src.type);
  if (src.size() == 0 && !sel.empty() && src.type != Type::kNull) return c;
  if (!src.nulls.empty()) {
    c.nulls.resize(sel.size());
    for (size_t i = 0; i < sel.size(); ++i) c.nulls[i] = src.nulls[sel[i]];
  }
  switch (src.type) {
    case Type::kBool: case Type::kInt64: case Type::kTimestamp:
      c.ints.resize(sel.size());
      for (size_t i = 0; i < sel.size(); ++i) c.ints[i] = src.ints[sel[i]];
      break;
    case Type::kFloat64:
      c.doubles.resize(sel.size());
      for (size_t i = 0; i < sel.size(); ++i) c.doubles[i] = src.doubles[sel[i]];
      break;
    case Type::kText:
      c.strings.reserve(sel.size());
      for (uint32_t r : sel) c.strings.push_back(src.strings[r]);
      break;
    case Type::kInterval:
      c.intervals.reserve(sel.size());
      for (uint32_t r : sel) c.intervals.push_back(src.intervals[r]);
      break;
    case Type::kNull: break;
  }
  if (!src.hist.empty()) {
    for (uint32_t r : sel) c.hist.AppendRow(src.hist, r);
  }
  return c;
}

Batch GatherBatch(const Batch& in, const std::vector<uint32_t>& sel) {
  Batch out;
  out.num_rows = sel.size();
  out.columns.reserve(in.columns.size());
  for (const Column& c : in.columns) out.columns.push_back(Gather(c, sel));
  return out;
}

void AppendBatch(Batch* dst, const Batch& src) {
  if (dst->columns.empty() && dst->num_rows == 0) {
    *dst = src;
    return;
  }
  for (size_t c = 0; c < dst->columns.size(); ++c) {
    Column& d = dst->columns[c];
    const Column& s = src.columns[c];
    if (d.hist.empty() != s.hist.empty()) {
      d.hist = {};
    } else if (!s.hist.empty()) {
      d.hist.Append(s.hist);
    }
    if (!s.nulls.empty() || !d.nulls.empty()) {
      if (d.nulls.empty()) d.nulls.assign(dst->num_rows, 0);
      if (s.nulls.empty()) d.nulls.insert(d.nulls.end(), src.num_rows, 0);
      else d.nulls.insert(d.nulls.end(), s.nulls.begin(), s.nulls.end());
    }
    d.ints.insert(d.ints.end(), s.ints.begin(), s.ints.end());
    d.doubles.insert(d.doubles.end(), s.doubles.begin(), s.doubles.end());
    d.strings.insert(d.strings.end(), s.strings.begin(), s.strings.end());
    d.intervals.insert(d.intervals.end(), s.intervals.begin(), s.intervals.end());
  }
  dst->num_rows += src.num_rows;
}

size_t BatchBytes(const Batch& b) {
  size_t n = 0;
  for (const Column& c : b.columns) {
    n += c.MemoryBytes() + c.hist.MemoryBytes();
  }
  return n;
}

}  // namespace infermetry::sql::exec
