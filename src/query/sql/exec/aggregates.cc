// Aggregate accumulators: count, sum, avg, min, max, variance/stddev, bool_and/or,
// string_agg. sum/avg over a column with a histogram annex use the exact _sum shares; count,
// sum and avg weigh a counted annex row by its observations.
#include <cmath>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/datetime.h"
#include "query/sql/exec/functions_impl.h"

namespace infermetry::sql::exec {

namespace {

double ArgDouble(const Column& c, size_t r) {
  return c.type == Type::kFloat64 ? c.doubles[r] : static_cast<double>(c.ints[r]);
}

class CountAcc : public Accumulator {
 public:
  explicit CountAcc(bool star) : star_(star) {}
  void Add(const Column& c, size_t r) override {
    if (star_) {
      ++n_;
    } else if (!c.IsNull(r)) {
      n_ += c.hist.Count(r);  // a counted histogram row: its observations
    }
  }
  Result<Value> Finish() override { return Value::Int(n_); }

 private:
  bool star_;
  int64_t n_ = 0;
};

class SumAcc : public Accumulator {
 public:
  SumAcc(Type t, bool avg) : t_(t), avg_(avg) {}
  void Add(const Column& c, size_t r) override {
    if (c.IsNull(r)) return;
    if (!c.hist.empty()) {
      const int64_t k = c.hist.Count(r);
      n_ += k;
      d_ += c.hist.sum_share[r] * static_cast<double>(k);
      return;
    }
    ++n_;
    switch (c.type) {
      case Type::kInt64:
        if (!overflow_ && __builtin_add_overflow(i_, c.ints[r], &i_)) overflow_ = true;
        d_ += static_cast<double>(c.ints[r]);
        break;
      case Type::kFloat64: d_ += c.doubles[r]; break;
      case Type::kInterval: iv_ = AddIntervals(iv_, c.intervals[r]); break;
      default: break;
    }
  }
  Result<Value> Finish() override {
    if (n_ == 0) return Value::Null(t_);
    if (t_ == Type::kInterval) {
      return Value::Interv(avg_ ? MultiplyInterval(iv_, 1.0 / static_cast<double>(n_)) : iv_);
    }
    if (avg_) return Value::Float(d_ / static_cast<double>(n_));
    if (t_ == Type::kInt64) {
      if (overflow_) return Status(Code::kOutOfRange, "bigint out of range");
      return Value::Int(i_);
    }
    return Value::Float(d_);
  }

 private:
  Type t_;
  bool avg_;
  int64_t n_ = 0;
  int64_t i_ = 0;
  bool overflow_ = false;
  double d_ = 0;
  Interval iv_;
};

class MinMaxAcc : public Accumulator {
 public:
  MinMaxAcc(Type t, bool max) : best_(Value::Null(t)), max_(max) {}
  void Add(const Column& c, size_t r) override {
    if (c.IsNull(r)) return;
    if (c.type == Type::kFloat64) {  // fast path without a Value per row
      double d = c.doubles[r];
      if (best_.null || (max_ ? d > best_.d || (std::isnan(d) && !std::isnan(best_.d))
                              : d < best_.d || std::isnan(best_.d))) {
        best_ = Value::Float(d);
      }
      return;
    }
    Value v = c.Get(r);
    int cmp = best_.null ? 0 : CompareValues(v, best_);
    if (best_.null || (max_ ? cmp > 0 : cmp < 0)) best_ = std::move(v);
  }
  Result<Value> Finish() override { return best_; }

 private:
  Value best_;
  bool max_;
};

// PostgreSQL's float8 accumulation (Youngs-Cramer): N, Sx and Sxx updated per value.
class VarAcc : public Accumulator {
 public:
  VarAcc(bool sample, bool stddev) : sample_(sample), stddev_(stddev) {}
  void Add(const Column& c, size_t r) override {
    if (c.IsNull(r)) return;
    double x = ArgDouble(c, r);
    n_ += 1;
    sx_ += x;
    if (n_ > 1) {
      double tmp = x * n_ - sx_;
      sxx_ += tmp * tmp / (n_ * (n_ - 1));
    }
  }
  Result<Value> Finish() override {
    if (n_ == 0 || (sample_ && n_ == 1)) return Value::Null(Type::kFloat64);
    double var = sxx_ / (sample_ ? n_ - 1 : n_);
    if (var < 0) var = 0;
    return Value::Float(stddev_ ? std::sqrt(var) : var);
  }

 private:
  bool sample_, stddev_;
  double n_ = 0, sx_ = 0, sxx_ = 0;
};

class BoolAcc : public Accumulator {
 public:
  explicit BoolAcc(bool is_and) : and_(is_and) {}
  void Add(const Column& c, size_t r) override {
    if (c.IsNull(r)) return;
    bool b = c.ints[r] != 0;
    v_ = seen_ ? (and_ ? v_ && b : v_ || b) : b;
    seen_ = true;
  }
  Result<Value> Finish() override { return seen_ ? Value::Bool(v_) : Value::Null(Type::kBool); }

 private:
  bool and_;
  bool seen_ = false, v_ = false;
};

class StringAggAcc : public Accumulator {
 public:
  explicit StringAggAcc(std::string sep) : sep_(std::move(sep)) {}
  void Add(const Column& c, size_t r) override {
    if (c.IsNull(r)) return;
    if (seen_) out_ += sep_;
    out_ += c.strings[r];
    seen_ = true;
  }
  Result<Value> Finish() override { return seen_ ? Value::Text(out_) : Value::Null(Type::kText); }
  size_t MemoryBytes() const override { return out_.capacity(); }

 private:
  std::string sep_, out_;
  bool seen_ = false;
};

}  // namespace

std::unique_ptr<Accumulator> NewCount(const AggOptions&) { return std::make_unique<CountAcc>(false); }
std::unique_ptr<Accumulator> NewCountStar(const AggOptions&) { return std::make_unique<CountAcc>(true); }
std::unique_ptr<Accumulator> NewSum(const AggOptions& o) { return std::make_unique<SumAcc>(o.ret, false); }
std::unique_ptr<Accumulator> NewAvg(const AggOptions& o) { return std::make_unique<SumAcc>(o.ret, true); }
std::unique_ptr<Accumulator> NewMin(const AggOptions& o) { return std::make_unique<MinMaxAcc>(o.ret, false); }
std::unique_ptr<Accumulator> NewMax(const AggOptions& o) { return std::make_unique<MinMaxAcc>(o.ret, true); }
std::unique_ptr<Accumulator> NewStddevSamp(const AggOptions&) { return std::make_unique<VarAcc>(true, true); }
std::unique_ptr<Accumulator> NewStddevPop(const AggOptions&) { return std::make_unique<VarAcc>(false, true); }
std::unique_ptr<Accumulator> NewVarSamp(const AggOptions&) { return std::make_unique<VarAcc>(true, false); }
std::unique_ptr<Accumulator> NewVarPop(const AggOptions&) { return std::make_unique<VarAcc>(false, false); }
std::unique_ptr<Accumulator> NewBoolAnd(const AggOptions&) { return std::make_unique<BoolAcc>(true); }
std::unique_ptr<Accumulator> NewBoolOr(const AggOptions&) { return std::make_unique<BoolAcc>(false); }
std::unique_ptr<Accumulator> NewStringAgg(const AggOptions& o) { return std::make_unique<StringAggAcc>(o.separator); }

}  // namespace infermetry::sql::exec
