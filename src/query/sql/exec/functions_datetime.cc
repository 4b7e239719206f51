// Date and time functions: date_trunc, date_part/extract, now(), to_timestamp, date_bin.
#include <cmath>

#include "query/sql/exec/datetime.h"
#include "query/sql/exec/functions_impl.h"
#include "query/sql/exec/limits.h"

namespace infermetry::sql::exec {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<Value> FnDateTrunc(const Value* a, size_t, Type, ExecContext*) {
  Result<int64_t> r = DateTrunc(Lower(a[0].s), a[1].i);
  if (!r.ok()) return r.status();
  return Value::Timestamp(*r);
}

Result<Value> FnDatePart(const Value* a, size_t, Type, ExecContext*) {
  std::string f = Lower(a[0].s);
  Result<double> r = a[1].type == Type::kInterval ? ExtractInterval(f, a[1].iv)
                     : a[1].type == Type::kTimestamp
                         ? ExtractTimestamp(f, a[1].i)
                         : Result<double>(InvalidArgument("function date_part(text, " +
                                                          std::string(TypeName(a[1].type)) +
                                                          ") does not exist"));
  if (!r.ok()) return r.status();
  return Value::Float(*r);
}

Result<Value> FnNow(const Value*, size_t, Type, ExecContext* ctx) { return Value::Timestamp(ctx->now_us()); }

Result<Value> FnToTimestamp(const Value* a, size_t, Type, ExecContext*) {
  double s = a[0].d;
  if (std::isnan(s)) return InvalidArgument("timestamp cannot be NaN");
  if (std::isinf(s) || std::fabs(s) > 9.2e12) return Status(Code::kOutOfRange, "timestamp out of range");
  return Value::Timestamp(static_cast<int64_t>(std::llround(s * 1e6)));
}

// date_bin(stride, source, origin): the start of the stride-sized bin holding source.
Result<Value> FnDateBin(const Value* a, size_t, Type, ExecContext*) {
  if (a[0].iv.months != 0) return InvalidArgument("timestamps cannot be binned into intervals containing months or years");
  int64_t stride = a[0].iv.days * kMicrosPerDay + a[0].iv.micros;
  if (stride <= 0) return InvalidArgument("stride must be greater than zero");
  int64_t d = a[1].i - a[2].i;
  int64_t q = d / stride;
  if (d % stride != 0 && d < 0) --q;
  return Value::Timestamp(a[2].i + q * stride);
}

}  // namespace infermetry::sql::exec
