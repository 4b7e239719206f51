// Kernels of the SQL operators: arithmetic (with overflow and division-by-zero errors),
// comparisons, IN lists and LIKE.
#include <cmath>
#include <unordered_set>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/datetime.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/limits.h"

namespace infermetry::sql::exec {

namespace {

void MergeNulls(const Column& a, const Column& b, size_t n, Column* out) {
  if (a.nulls.empty() && b.nulls.empty()) return;
  out->nulls.assign(n, 0);
  for (size_t i = 0; i < n; ++i) out->nulls[i] = a.IsNull(i) || b.IsNull(i);
}

Status Overflow() { return Status(Code::kOutOfRange, "bigint out of range"); }
Status DivZero() { return InvalidArgument("division by zero"); }

Status IntArith(char op, const Column& a, const Column& b, size_t n, Column* out) {
  out->ints.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (out->IsNull(i)) continue;
    int64_t x = a.ints[i], y = b.ints[i], r = 0;
    switch (op) {
      case '+': if (__builtin_add_overflow(x, y, &r)) return Overflow(); break;
      case '-': if (__builtin_sub_overflow(x, y, &r)) return Overflow(); break;
      case '*': if (__builtin_mul_overflow(x, y, &r)) return Overflow(); break;
      case '/':
        if (y == 0) return DivZero();
        if (y == -1) { if (x == INT64_MIN) return Overflow(); r = -x; } else r = x / y;
        break;
      case '%':
        if (y == 0) return DivZero();
        r = y == -1 ? 0 : x % y;
        break;
    }
    out->ints[i] = r;
  }
  return Status::Ok();
}

Status FloatArith(char op, const Column& a, const Column& b, size_t n, Column* out) {
  out->doubles.resize(n);
  const double* x = a.doubles.data();
  const double* y = b.doubles.data();
  double* r = out->doubles.data();
  switch (op) {
    case '+': for (size_t i = 0; i < n; ++i) r[i] = x[i] + y[i]; break;
    case '-': for (size_t i = 0; i < n; ++i) r[i] = x[i] - y[i]; break;
    case '*': for (size_t i = 0; i < n; ++i) r[i] = x[i] * y[i]; break;
    case '/':
      for (size_t i = 0; i < n; ++i) {
        if (y[i] == 0 && !out->IsNull(i)) return DivZero();
        r[i] = x[i] / y[i];
      }
      break;
    case '^':
      for (size_t i = 0; i < n; ++i) {
        if (out->IsNull(i)) continue;
        if (x[i] == 0 && y[i] < 0) return InvalidArgument("zero raised to a negative power is undefined");
        if (x[i] < 0 && y[i] != std::floor(y[i])) {
          return InvalidArgument("a negative number raised to a non-integer power yields a complex result");
        }
        r[i] = std::pow(x[i], y[i]);
      }
      break;
    case '%':
      for (size_t i = 0; i < n; ++i) {
        if (y[i] == 0 && !out->IsNull(i)) return DivZero();
        r[i] = std::fmod(x[i], y[i]);
      }
      break;
  }
  return Status::Ok();
}

// Date/time arithmetic, one row at a time.
Result<Value> TimeArith(char op, const Value& x, const Value& y) {
  Type tx = x.type, ty = y.type;
  if (tx == Type::kTimestamp && ty == Type::kTimestamp) return Value::Interv(SubtractTimestamps(x.i, y.i));
  if (tx == Type::kTimestamp && ty == Type::kInterval) {
    INFERMETRY_ASSIGN_OR_RETURN(int64_t r, AddInterval(x.i, op == '-' ? NegateInterval(y.iv) : y.iv));
    return Value::Timestamp(r);
  }
  if (tx == Type::kInterval && ty == Type::kTimestamp) {
    INFERMETRY_ASSIGN_OR_RETURN(int64_t r, AddInterval(y.i, x.iv));
    return Value::Timestamp(r);
  }
  if (tx == Type::kInterval && ty == Type::kInterval) {
    return Value::Interv(AddIntervals(x.iv, op == '-' ? NegateInterval(y.iv) : y.iv));
  }
  auto num = [](const Value& v) { return v.type == Type::kFloat64 ? v.d : static_cast<double>(v.i); };
  if (tx == Type::kInterval) {
    double f = num(y);
    if (op == '/') {
      if (f == 0) return DivZero();
      f = 1 / f;
    }
    return Value::Interv(MultiplyInterval(x.iv, f));
  }
  return Value::Interv(MultiplyInterval(y.iv, num(x)));
}

}  // namespace

Status EvalArith(const BExpr& e, const Column& a, const Column& b, size_t n, Column* out) {
  *out = Column(e.type);
  MergeNulls(a, b, n, out);
  char op = e.op[0];
  if (a.type == Type::kInt64 && b.type == Type::kInt64) return IntArith(op, a, b, n, out);
  if (a.type == Type::kFloat64 && b.type == Type::kFloat64) return FloatArith(op, a, b, n, out);
  std::vector<uint8_t> nulls = out->nulls;
  out->nulls.clear();
  for (size_t i = 0; i < n; ++i) {
    if (!nulls.empty() && nulls[i]) {
      out->AppendNull();
      continue;
    }
    INFERMETRY_ASSIGN_OR_RETURN(Value v, TimeArith(op, a.Get(i), b.Get(i)));
    out->Append(v);
  }
  return Status::Ok();
}

Status EvalNeg(const Column& a, size_t n, Column* out) {
  *out = Column(a.type);
  out->nulls = a.nulls;
  switch (a.type) {
    case Type::kInt64:
      out->ints.resize(n);
      for (size_t i = 0; i < n; ++i) {
        if (a.ints[i] == INT64_MIN && !a.IsNull(i)) return Overflow();
        out->ints[i] = -a.ints[i];
      }
      break;
    case Type::kFloat64:
      out->doubles.resize(n);
      for (size_t i = 0; i < n; ++i) out->doubles[i] = -a.doubles[i];
      break;
    case Type::kInterval:
      for (size_t i = 0; i < n; ++i) out->intervals.push_back(NegateInterval(a.intervals[i]));
      break;
    default: return InvalidArgument("operator does not exist: - " + std::string(TypeName(a.type)));
  }
  return Status::Ok();
}

namespace {

// y[i * ys]: ys is 1 for a column, 0 for a constant.
template <typename T, typename Cmp>
void CompareLoop(const T* x, const T* y, size_t ys, size_t n, Cmp cmp, int64_t* r) {
  for (size_t i = 0; i < n; ++i) r[i] = cmp(x[i], y[i * ys]);
}

template <typename T>
void CompareTyped(const std::string& op, const T* x, const T* y, size_t ys, size_t n, int64_t* r) {
  if (op == "=") CompareLoop(x, y, ys, n, [](const T& p, const T& q) { return p == q; }, r);
  else if (op == "<>") CompareLoop(x, y, ys, n, [](const T& p, const T& q) { return p != q; }, r);
  else if (op == "<") CompareLoop(x, y, ys, n, [](const T& p, const T& q) { return p < q; }, r);
  else if (op == "<=") CompareLoop(x, y, ys, n, [](const T& p, const T& q) { return p <= q; }, r);
  else if (op == ">") CompareLoop(x, y, ys, n, [](const T& p, const T& q) { return p > q; }, r);
  else CompareLoop(x, y, ys, n, [](const T& p, const T& q) { return p >= q; }, r);
}

bool FromCmp(const std::string& op, int c) {
  if (op == "=") return c == 0;
  if (op == "<>") return c != 0;
  if (op == "<") return c < 0;
  if (op == "<=") return c <= 0;
  if (op == ">") return c > 0;
  return c >= 0;
}

}  // namespace

namespace {

// a op b, where b has n rows (bs = 1) or is one non-NULL value for every row (bs = 0).
Status Compare(const std::string& op, const Column& a, const Column& b, size_t bs, size_t n,
               Column* out) {
  *out = Column(Type::kBool);
  if (bs == 1) {
    MergeNulls(a, b, n, out);
  } else {
    out->nulls = a.nulls;
  }
  out->ints.resize(n);
  bool nan = false;
  if (a.type == Type::kFloat64 && b.type == Type::kFloat64) {
    for (size_t i = 0; i < n && !nan; ++i) nan = std::isnan(a.doubles[i]) || std::isnan(b.doubles[i * bs]);
  }
  if (a.type == b.type && !nan) {
    switch (a.type) {
      case Type::kBool: case Type::kInt64: case Type::kTimestamp:
        CompareTyped(op, a.ints.data(), b.ints.data(), bs, n, out->ints.data());
        return Status::Ok();
      case Type::kFloat64:
        CompareTyped(op, a.doubles.data(), b.doubles.data(), bs, n, out->ints.data());
        return Status::Ok();
      case Type::kText:
        CompareTyped(op, a.strings.data(), b.strings.data(), bs, n, out->ints.data());
        return Status::Ok();
      default: break;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (out->IsNull(i)) continue;
    out->ints[i] = FromCmp(op, CompareValues(a.Get(i), b.Get(i * bs)));
  }
  return Status::Ok();
}

}  // namespace

Status EvalCompare(const std::string& op, const Column& a, const Column& b, size_t n, Column* out) {
  return Compare(op, a, b, 1, n, out);
}

Status EvalCompareConstant(const std::string& op, const Column& a, const Value& k, Type t, size_t n,
                           Column* out) {
  return Compare(op, a, ConstantColumn(k, t, 1), 0, n, out);
}

Status EvalInList(const BExpr& e, const Batch& in, ExecContext* ctx, Column* out) {
  size_t n = in.num_rows;
  Column sx;
  INFERMETRY_ASSIGN_OR_RETURN(const Column* x, EvalRef(*e.args[0], in, ctx, &sx));
  *out = Column(Type::kBool);
  out->ints.assign(n, 0);
  out->nulls.assign(n, 0);
  bool all_const = true;
  for (size_t i = 1; i < e.args.size(); ++i) all_const &= e.args[i]->kind == BKind::kConst;
  if (all_const) {
    std::unordered_set<std::string> set;
    bool list_null = false;
    for (size_t i = 1; i < e.args.size(); ++i) {
      if (e.args[i]->value.null) { list_null = true; continue; }
      std::string k;
      AppendKey(&k, e.args[i]->value);
      set.insert(std::move(k));
    }
    std::string k;
    for (size_t r = 0; r < n; ++r) {
      if (x->IsNull(r)) { out->nulls[r] = 1; continue; }
      k.clear();
      AppendKey(&k, x->Get(r));
      bool found = set.count(k) > 0;
      if (!found && list_null) out->nulls[r] = 1;
      else out->ints[r] = found != e.negated;
    }
  } else {
    std::vector<Column> cols(e.args.size());
    for (size_t i = 1; i < e.args.size(); ++i) {
      INFERMETRY_RETURN_IF_ERROR(Eval(*e.args[i], in, ctx, &cols[i]));
    }
    for (size_t r = 0; r < n; ++r) {
      if (x->IsNull(r)) { out->nulls[r] = 1; continue; }
      Value v = x->Get(r);
      bool found = false, saw_null = false;
      for (size_t i = 1; i < e.args.size() && !found; ++i) {
        if (cols[i].IsNull(r)) saw_null = true;
        else found = CompareValues(v, cols[i].Get(r)) == 0;
      }
      if (!found && saw_null) out->nulls[r] = 1;
      else out->ints[r] = found != e.negated;
    }
  }
  return Status::Ok();
}

bool LikeMatch(std::string_view s, std::string_view p, char escape) {
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      char c = p[pi];
      if (c == '%') { star_p = ++pi; star_s = si; continue; }
      if (escape != 0 && c == escape && pi + 1 < p.size()) {
        if (p[pi + 1] == s[si]) { pi += 2; ++si; continue; }
      } else if (c == '_') {
        ++pi;
        ++si;
        while (si < s.size() && (static_cast<unsigned char>(s[si]) & 0xC0) == 0x80) ++si;
        continue;
      } else if (c == s[si]) {
        ++pi; ++si;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

Status EvalLike(const BExpr& e, const Batch& in, ExecContext* ctx, Column* out) {
  size_t n = in.num_rows;
  std::vector<Column> scratch(e.args.size());
  std::vector<const Column*> c(e.args.size());
  for (size_t i = 0; i < e.args.size(); ++i) {
    INFERMETRY_ASSIGN_OR_RETURN(c[i], EvalRef(*e.args[i], in, ctx, &scratch[i]));
  }
  *out = Column(Type::kBool);
  out->ints.assign(n, 0);
  auto lower = [](std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  for (size_t r = 0; r < n; ++r) {
    bool null = c[0]->IsNull(r) || c[1]->IsNull(r) || (c.size() > 2 && c[2]->IsNull(r));
    if (null) {
      if (out->nulls.empty()) out->nulls.assign(n, 0);
      out->nulls[r] = 1;
      continue;
    }
    char esc = '\\';
    if (c.size() > 2) {
      const std::string& es = c[2]->strings[r];
      if (es.size() > 1) return InvalidArgument("invalid escape string\nHINT: Escape string must be empty or one character.");
      esc = es.empty() ? 0 : es[0];
    }
    bool m = e.case_insensitive ? LikeMatch(lower(c[0]->strings[r]), lower(c[1]->strings[r]), esc)
                                : LikeMatch(c[0]->strings[r], c[1]->strings[r], esc);
    out->ints[r] = m != e.negated;
  }
  return Status::Ok();
}

}  // namespace infermetry::sql::exec
