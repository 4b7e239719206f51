#pragma once
// Implementations behind the function table (functions.cc), grouped by file.

#include "query/sql/exec/functions.h"

namespace infermetry::sql::exec {

#define INFERMETRY_SQL_SCALAR(fn) \
  Result<Value> fn(const Value* a, size_t n, Type ret, ExecContext* ctx)

// functions_math.cc
INFERMETRY_SQL_SCALAR(FnAbs);
INFERMETRY_SQL_SCALAR(FnCeil);
INFERMETRY_SQL_SCALAR(FnFloor);
INFERMETRY_SQL_SCALAR(FnRound);
INFERMETRY_SQL_SCALAR(FnRoundHalfEven);
INFERMETRY_SQL_SCALAR(FnTrunc);
INFERMETRY_SQL_SCALAR(FnSign);
INFERMETRY_SQL_SCALAR(FnLn);
INFERMETRY_SQL_SCALAR(FnLog);
INFERMETRY_SQL_SCALAR(FnLog10);
INFERMETRY_SQL_SCALAR(FnExp);
INFERMETRY_SQL_SCALAR(FnPower);
INFERMETRY_SQL_SCALAR(FnSqrt);
INFERMETRY_SQL_SCALAR(FnCbrt);
INFERMETRY_SQL_SCALAR(FnMod);
INFERMETRY_SQL_SCALAR(FnPi);
INFERMETRY_SQL_SCALAR(FnGreatest);
INFERMETRY_SQL_SCALAR(FnLeast);
INFERMETRY_SQL_SCALAR(FnCoalesce);
INFERMETRY_SQL_SCALAR(FnNullIf);

// functions_string.cc
INFERMETRY_SQL_SCALAR(FnLower);
INFERMETRY_SQL_SCALAR(FnUpper);
INFERMETRY_SQL_SCALAR(FnLength);
INFERMETRY_SQL_SCALAR(FnSubstr);
INFERMETRY_SQL_SCALAR(FnConcat);
INFERMETRY_SQL_SCALAR(FnConcatWs);
INFERMETRY_SQL_SCALAR(FnTextCat);
INFERMETRY_SQL_SCALAR(FnReplace);
INFERMETRY_SQL_SCALAR(FnBtrim);
INFERMETRY_SQL_SCALAR(FnLtrim);
INFERMETRY_SQL_SCALAR(FnRtrim);
INFERMETRY_SQL_SCALAR(FnStrpos);
INFERMETRY_SQL_SCALAR(FnPosition);
INFERMETRY_SQL_SCALAR(FnLeft);
INFERMETRY_SQL_SCALAR(FnRight);
INFERMETRY_SQL_SCALAR(FnSplitPart);
INFERMETRY_SQL_SCALAR(FnStartsWith);
INFERMETRY_SQL_SCALAR(FnReverse);
INFERMETRY_SQL_SCALAR(FnRepeat);
INFERMETRY_SQL_SCALAR(FnLpad);
INFERMETRY_SQL_SCALAR(FnRpad);

// functions_datetime.cc
INFERMETRY_SQL_SCALAR(FnDateTrunc);
INFERMETRY_SQL_SCALAR(FnDatePart);
INFERMETRY_SQL_SCALAR(FnNow);
INFERMETRY_SQL_SCALAR(FnToTimestamp);
INFERMETRY_SQL_SCALAR(FnDateBin);

// aggregates.cc
std::unique_ptr<Accumulator> NewCount(const AggOptions& o);
std::unique_ptr<Accumulator> NewCountStar(const AggOptions& o);
std::unique_ptr<Accumulator> NewSum(const AggOptions& o);
std::unique_ptr<Accumulator> NewAvg(const AggOptions& o);
std::unique_ptr<Accumulator> NewMin(const AggOptions& o);
std::unique_ptr<Accumulator> NewMax(const AggOptions& o);
std::unique_ptr<Accumulator> NewStddevSamp(const AggOptions& o);
std::unique_ptr<Accumulator> NewStddevPop(const AggOptions& o);
std::unique_ptr<Accumulator> NewVarSamp(const AggOptions& o);
std::unique_ptr<Accumulator> NewVarPop(const AggOptions& o);
std::unique_ptr<Accumulator> NewBoolAnd(const AggOptions& o);
std::unique_ptr<Accumulator> NewBoolOr(const AggOptions& o);
std::unique_ptr<Accumulator> NewStringAgg(const AggOptions& o);
// percentile.cc
std::unique_ptr<Accumulator> NewPercentileCont(const AggOptions& o);
std::unique_ptr<Accumulator> NewPercentileDisc(const AggOptions& o);

}  // namespace infermetry::sql::exec
