#include "query/sql/exec/functions.h"

#include "query/sql/exec/functions_impl.h"

namespace infermetry::sql::exec {

bool IsNumeric(Type t) { return t == Type::kInt64 || t == Type::kFloat64; }

namespace {

// Signature letters: b boolean, i bigint, f double, n numeric (bigint, or double when any
// numeric argument is double), t text, s timestamp, v interval, a any (casts nothing), c the
// common type of all arguments. A trailing '*' repeats the last letter.
Type LetterType(char c) {
  switch (c) {
    case 'b': return Type::kBool;
    case 'i': return Type::kInt64;
    case 'f': return Type::kFloat64;
    case 't': return Type::kText;
    case 's': return Type::kTimestamp;
    case 'v': return Type::kInterval;
    default: return Type::kNull;
  }
}

bool Accepts(char c, Type have, Type numeric) {
  if (c == 'a') return true;
  if (have == Type::kNull) return true;  // NULL and untyped literals take any type
  if (c == 'n') return IsNumeric(have);
  if (c == 'f') return IsNumeric(have);
  return LetterType(c) == have;
}

// Common type of arguments for 'c' signatures (COALESCE, GREATEST...): text literals join
// the others, bigint joins double precision.
bool CommonType(const std::vector<Type>& args, Type* out) {
  Type t = Type::kNull;
  for (Type a : args) {
    if (a == Type::kNull) continue;
    if (t == Type::kNull) t = a;
    else if (t != a) {
      if (IsNumeric(t) && IsNumeric(a)) t = Type::kFloat64;
      else return false;
    }
  }
  *out = t == Type::kNull ? Type::kText : t;
  return true;
}

template <const char* kSig>
bool BySig(const std::vector<Type>& args, std::vector<Type>* cast_to, Type* ret) {
  std::string_view sig(kSig);
  char rc = sig[0];
  std::string_view params = sig.substr(2);
  bool repeat = !params.empty() && params.back() == '*';
  if (repeat) params.remove_suffix(1);
  if (!repeat && args.size() > params.size()) return false;
  if (params.empty() && !args.empty()) return false;
  Type numeric = Type::kInt64;
  for (Type a : args) {
    if (a == Type::kFloat64) numeric = Type::kFloat64;
  }
  Type common = Type::kNull;
  if (sig.find('c') != std::string_view::npos && !CommonType(args, &common)) return false;
  cast_to->clear();
  for (size_t i = 0; i < args.size(); ++i) {
    char c = params[std::min(i, params.size() - 1)];
    if (c == 'c') {
      cast_to->push_back(common);
      continue;
    }
    if (!Accepts(c, args[i], numeric)) return false;
    if (c == 'n') cast_to->push_back(numeric);
    else if (c == 'a') cast_to->push_back(args[i] == Type::kNull ? Type::kText : args[i]);
    else cast_to->push_back(LetterType(c));
  }
  *ret = rc == 'n' ? numeric : rc == 'c' ? common : LetterType(rc);
  return true;
}

// Aggregates: the argument type decides the result for sum/min/max.
bool AggSame(const std::vector<Type>& args, std::vector<Type>* cast_to, Type* ret) {
  if (args.size() != 1) return false;
  *cast_to = {args[0] == Type::kNull ? Type::kText : args[0]};
  *ret = (*cast_to)[0];
  return true;
}
bool AggSum(const std::vector<Type>& args, std::vector<Type>* cast_to, Type* ret) {
  if (args.size() != 1 || !(IsNumeric(args[0]) || args[0] == Type::kInterval || args[0] == Type::kNull)) return false;
  *cast_to = {args[0] == Type::kNull ? Type::kFloat64 : args[0]};
  // sum(bigint) is PostgreSQL's numeric: integral values, but fractional under division.
  *ret = (*cast_to)[0] == Type::kInt64 ? Type::kFloat64 : (*cast_to)[0];
  return true;
}
bool AggAvg(const std::vector<Type>& args, std::vector<Type>* cast_to, Type* ret) {
  if (args.size() != 1 || !(IsNumeric(args[0]) || args[0] == Type::kInterval || args[0] == Type::kNull)) return false;
  *cast_to = {args[0] == Type::kInterval ? Type::kInterval : Type::kFloat64};
  if (args[0] == Type::kInt64) (*cast_to)[0] = Type::kInt64;
  *ret = args[0] == Type::kInterval ? Type::kInterval : Type::kFloat64;
  return true;
}
bool AggCount(const std::vector<Type>& args, std::vector<Type>* cast_to, Type* ret) {
  if (args.size() > 1) return false;
  cast_to->clear();
  for (Type a : args) cast_to->push_back(a == Type::kNull ? Type::kText : a);
  *ret = Type::kInt64;
  return true;
}
bool AggPercentile(const std::vector<Type>& args, std::vector<Type>* cast_to, Type* ret) {
  // The ordered argument: numbers, timestamps or intervals.
  if (args.size() != 1) return false;
  Type a = args[0];
  if (!(IsNumeric(a) || a == Type::kTimestamp || a == Type::kInterval || a == Type::kNull)) return false;
  *cast_to = {a == Type::kNull || a == Type::kInt64 ? Type::kFloat64 : a};
  *ret = (*cast_to)[0];
  return true;
}
bool AggPercentileDisc(const std::vector<Type>& args, std::vector<Type>* cast_to, Type* ret) {
  if (args.size() != 1) return false;
  *cast_to = {args[0] == Type::kNull ? Type::kText : args[0]};
  *ret = (*cast_to)[0];
  return true;
}

constexpr char kF_F[] = "f:f";
constexpr char kN_N[] = "n:n";
constexpr char kF_FF[] = "f:ff";
constexpr char kF_FI[] = "f:fi";
constexpr char kN_NN[] = "n:nn";
constexpr char kF_[] = "f:";
constexpr char kC_C[] = "c:c*";
constexpr char kT_T[] = "t:t";
constexpr char kI_T[] = "i:t";
constexpr char kT_TII[] = "t:tii";
constexpr char kT_A[] = "t:a*";
constexpr char kT_TA[] = "t:ta*";
constexpr char kT_AA[] = "t:aa";
constexpr char kT_TTT[] = "t:ttt";
constexpr char kT_TTI[] = "t:tti";
constexpr char kT_TT[] = "t:tt";
constexpr char kI_TT[] = "i:tt";
constexpr char kT_TI[] = "t:ti";
constexpr char kT_TIT[] = "t:tit";
constexpr char kB_TT[] = "b:tt";
constexpr char kS_TS[] = "s:ts";
constexpr char kF_TA[] = "f:ta";
constexpr char kS_[] = "s:";
constexpr char kS_F[] = "s:f";
constexpr char kS_VSS[] = "s:vss";
constexpr char kB_B[] = "b:b";

std::vector<FunctionDef> BuildTable() {
  using K = FnKind;
  return {
      // math
      {"abs", K::kScalar, 1, 1, BySig<kN_N>, FnAbs},
      {"ceil", K::kScalar, 1, 1, BySig<kN_N>, FnCeil},
      {"ceiling", K::kScalar, 1, 1, BySig<kN_N>, FnCeil},
      {"floor", K::kScalar, 1, 1, BySig<kN_N>, FnFloor},
      {"round", K::kScalar, 1, 2, BySig<kF_FI>, FnRound},
      {"round_half_even", K::kScalar, 1, 1, BySig<kF_F>, FnRoundHalfEven},
      {"trunc", K::kScalar, 1, 2, BySig<kF_FI>, FnTrunc},
      {"sign", K::kScalar, 1, 1, BySig<kN_N>, FnSign},
      {"ln", K::kScalar, 1, 1, BySig<kF_F>, FnLn},
      {"log", K::kScalar, 1, 2, BySig<kF_FF>, FnLog},
      {"log10", K::kScalar, 1, 1, BySig<kF_F>, FnLog10},
      {"exp", K::kScalar, 1, 1, BySig<kF_F>, FnExp},
      {"power", K::kScalar, 2, 2, BySig<kF_FF>, FnPower},
      {"pow", K::kScalar, 2, 2, BySig<kF_FF>, FnPower},
      {"sqrt", K::kScalar, 1, 1, BySig<kF_F>, FnSqrt},
      {"cbrt", K::kScalar, 1, 1, BySig<kF_F>, FnCbrt},
      {"mod", K::kScalar, 2, 2, BySig<kN_NN>, FnMod},
      {"pi", K::kScalar, 0, 0, BySig<kF_>, FnPi},
      {"greatest", K::kScalar, 1, -1, BySig<kC_C>, FnGreatest, nullptr, false},
      {"least", K::kScalar, 1, -1, BySig<kC_C>, FnLeast, nullptr, false},
      {"coalesce", K::kScalar, 1, -1, BySig<kC_C>, FnCoalesce, nullptr, false},
      {"nullif", K::kScalar, 2, 2, BySig<kC_C>, FnNullIf, nullptr, false},
      // strings
      {"lower", K::kScalar, 1, 1, BySig<kT_T>, FnLower},
      {"upper", K::kScalar, 1, 1, BySig<kT_T>, FnUpper},
      {"length", K::kScalar, 1, 1, BySig<kI_T>, FnLength},
      {"char_length", K::kScalar, 1, 1, BySig<kI_T>, FnLength},
      {"character_length", K::kScalar, 1, 1, BySig<kI_T>, FnLength},
      {"substr", K::kScalar, 2, 3, BySig<kT_TII>, FnSubstr},
      {"substring", K::kScalar, 2, 3, BySig<kT_TII>, FnSubstr},
      {"concat", K::kScalar, 0, -1, BySig<kT_A>, FnConcat, nullptr, false},
      {"concat_ws", K::kScalar, 1, -1, BySig<kT_TA>, FnConcatWs, nullptr, false},
      {"||", K::kScalar, 2, 2, BySig<kT_AA>, FnTextCat},
      {"replace", K::kScalar, 3, 3, BySig<kT_TTT>, FnReplace},
      {"trim", K::kScalar, 1, 2, BySig<kT_TT>, FnBtrim},
      {"btrim", K::kScalar, 1, 2, BySig<kT_TT>, FnBtrim},
      {"ltrim", K::kScalar, 1, 2, BySig<kT_TT>, FnLtrim},
      {"rtrim", K::kScalar, 1, 2, BySig<kT_TT>, FnRtrim},
      {"strpos", K::kScalar, 2, 2, BySig<kI_TT>, FnStrpos},
      {"position", K::kScalar, 2, 2, BySig<kI_TT>, FnPosition},
      {"left", K::kScalar, 2, 2, BySig<kT_TI>, FnLeft},
      {"right", K::kScalar, 2, 2, BySig<kT_TI>, FnRight},
      {"split_part", K::kScalar, 3, 3, BySig<kT_TTI>, FnSplitPart},
      {"starts_with", K::kScalar, 2, 2, BySig<kB_TT>, FnStartsWith},
      {"reverse", K::kScalar, 1, 1, BySig<kT_T>, FnReverse},
      {"repeat", K::kScalar, 2, 2, BySig<kT_TI>, FnRepeat},
      {"lpad", K::kScalar, 2, 3, BySig<kT_TIT>, FnLpad},
      {"rpad", K::kScalar, 2, 3, BySig<kT_TIT>, FnRpad},
      // date and time
      {"date_trunc", K::kScalar, 2, 2, BySig<kS_TS>, FnDateTrunc},
      {"date_part", K::kScalar, 2, 2, BySig<kF_TA>, FnDatePart},
      {"now", K::kScalar, 0, 0, BySig<kS_>, FnNow},
      {"current_timestamp", K::kScalar, 0, 0, BySig<kS_>, FnNow},
      {"localtimestamp", K::kScalar, 0, 0, BySig<kS_>, FnNow},
      {"to_timestamp", K::kScalar, 1, 1, BySig<kS_F>, FnToTimestamp},
      {"date_bin", K::kScalar, 3, 3, BySig<kS_VSS>, FnDateBin},
      // aggregates
      {"count", K::kAggregate, 0, 1, AggCount, nullptr, NewCount},
      {"sum", K::kAggregate, 1, 1, AggSum, nullptr, NewSum},
      {"avg", K::kAggregate, 1, 1, AggAvg, nullptr, NewAvg},
      {"min", K::kAggregate, 1, 1, AggSame, nullptr, NewMin},
      {"max", K::kAggregate, 1, 1, AggSame, nullptr, NewMax},
      {"stddev", K::kAggregate, 1, 1, BySig<kF_F>, nullptr, NewStddevSamp},
      {"stddev_samp", K::kAggregate, 1, 1, BySig<kF_F>, nullptr, NewStddevSamp},
      {"stddev_pop", K::kAggregate, 1, 1, BySig<kF_F>, nullptr, NewStddevPop},
      {"variance", K::kAggregate, 1, 1, BySig<kF_F>, nullptr, NewVarSamp},
      {"var_samp", K::kAggregate, 1, 1, BySig<kF_F>, nullptr, NewVarSamp},
      {"var_pop", K::kAggregate, 1, 1, BySig<kF_F>, nullptr, NewVarPop},
      {"bool_and", K::kAggregate, 1, 1, BySig<kB_B>, nullptr, NewBoolAnd},
      {"every", K::kAggregate, 1, 1, BySig<kB_B>, nullptr, NewBoolAnd},
      {"bool_or", K::kAggregate, 1, 1, BySig<kB_B>, nullptr, NewBoolOr},
      {"string_agg", K::kAggregate, 2, 2, BySig<kT_TT>, nullptr, NewStringAgg},
      {"percentile_cont", K::kAggregate, 1, 1, AggPercentile, nullptr, NewPercentileCont},
      {"percentile_disc", K::kAggregate, 1, 1, AggPercentileDisc, nullptr, NewPercentileDisc},
  };
}

}  // namespace

const std::vector<FunctionDef>& AllFunctions() {
  static const std::vector<FunctionDef>* table = new std::vector<FunctionDef>(BuildTable());
  return *table;
}

const FunctionDef* FindFunction(std::string_view name) {
  for (const FunctionDef& f : AllFunctions()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace infermetry::sql::exec
