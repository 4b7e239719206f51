// Hash aggregation: groups keyed by the bytes of their key values, one accumulator per
// aggregate per group; DISTINCT aggregates see each distinct argument value once.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "query/sql/exec/cast.h"
#include "query/sql/exec/expr_eval.h"
#include "query/sql/exec/operator.h"

namespace infermetry::sql::exec {

namespace {

// DISTINCT aggregates see each distinct value once, in ascending order (as PostgreSQL feeds
// them, which string_agg's output shows).
class DistinctAcc : public Accumulator {
 public:
  DistinctAcc(std::unique_ptr<Accumulator> inner, Type t) : inner_(std::move(inner)), type_(t) {}
  void Add(const Column& c, size_t r) override {
    if (c.IsNull(r)) return;
    std::string k;
    AppendCellKey(&k, c, r);
    if (seen_.insert(std::move(k)).second) values_.push_back(c.Get(r));
  }
  Result<Value> Finish() override {
    std::sort(values_.begin(), values_.end(),
              [](const Value& a, const Value& b) { return CompareValues(a, b) < 0; });
    Column col(type_);
    for (const Value& v : values_) col.Append(v);
    for (size_t i = 0; i < values_.size(); ++i) inner_->Add(col, i);
    return inner_->Finish();
  }

 private:
  std::unique_ptr<Accumulator> inner_;
  Type type_;
  std::unordered_set<std::string> seen_;
  std::vector<Value> values_;
};

// Bytes a value list grows by per added row, for aggregates that keep their inputs.
size_t BufferedBytesPerRow(const AggSpec& a) {
  if (a.distinct) return 64;
  std::string_view n = a.fn->name;
  if (n == "percentile_cont" || n == "percentile_disc") return 8;
  if (n == "string_agg") return 16;
  return 0;
}

}  // namespace

struct AggState {
  std::unordered_map<std::string, uint32_t> index;
  std::unordered_map<int64_t, uint32_t> int_index;  // one integer-like key (date_trunc)
  std::vector<std::vector<Value>> keys;
  std::vector<std::vector<std::unique_ptr<Accumulator>>> accs;
  std::unique_ptr<MemoryReservation> mem;
  Batch output;
  size_t emitted = 0;
  bool done = false;
};

HashAggregateOp::HashAggregateOp(OperatorPtr child, std::vector<BExprPtr> keys,
                                 std::vector<AggSpec> aggs)
    : keys_(std::move(keys)), aggs_(std::move(aggs)), st_(std::make_unique<AggState>()) {
  children.push_back(std::move(child));
}

HashAggregateOp::~HashAggregateOp() = default;

std::string HashAggregateOp::Describe() const {
  std::string s = keys_.empty() ? "Aggregate" : "HashAggregate keys: ";
  for (size_t i = 0; i < keys_.size(); ++i) s += (i ? ", " : "") + ExprToString(*keys_[i]);
  s += keys_.empty() ? " aggs: " : "; aggs: ";
  for (size_t i = 0; i < aggs_.size(); ++i) s += (i ? ", " : "") + aggs_[i].display;
  return s;
}

Status HashAggregateOp::OpenImpl() {
  st_->mem = std::make_unique<MemoryReservation>(ctx_, "HashAggregate");
  return Status::Ok();
}

Status HashAggregateOp::Consume(const Batch& b) {
  size_t n = b.num_rows;
  std::vector<Column> key_scratch(keys_.size());
  std::vector<const Column*> key_cols(keys_.size());
  for (size_t k = 0; k < keys_.size(); ++k) {
    INFERMETRY_ASSIGN_OR_RETURN(key_cols[k], EvalRef(*keys_[k], b, ctx_, &key_scratch[k]));
  }
  // Group id of every row.
  std::vector<uint32_t> gid(n);
  std::string key;
  size_t new_bytes = 0;
  auto new_group = [&](size_t r) {
    uint32_t id = static_cast<uint32_t>(st_->keys.size());
    new_bytes += key.size() * 2 + 64 + aggs_.size() * 96;
    std::vector<Value> kv;
    for (const Column* c : key_cols) kv.push_back(c->Get(r));
    st_->keys.push_back(std::move(kv));
    std::vector<std::unique_ptr<Accumulator>> accs;
    for (const AggSpec& a : aggs_) {
      auto acc = a.fn->aggregate(a.opts);
      if (a.distinct) acc = std::make_unique<DistinctAcc>(std::move(acc), a.opts.arg_type);
      accs.push_back(std::move(acc));
    }
    st_->accs.push_back(std::move(accs));
    return id;
  };
  const Column* k0 = key_cols.size() == 1 ? key_cols[0] : nullptr;
  bool int_key = k0 != nullptr && k0->nulls.empty() &&
                 (k0->type == Type::kInt64 || k0->type == Type::kTimestamp || k0->type == Type::kBool);
  for (size_t r = 0; r < n; ++r) {
    if (int_key) {
      // The same group as the byte key would give: keys of one column, never NULL here.
      auto it = st_->int_index.find(k0->ints[r]);
      if (it != st_->int_index.end()) {
        gid[r] = it->second;
        continue;
      }
      key.clear();
      AppendCellKey(&key, *k0, r);
      auto bit = st_->index.find(key);
      uint32_t id = bit != st_->index.end() ? bit->second : new_group(r);
      if (bit == st_->index.end()) st_->index.emplace(key, id);
      st_->int_index.emplace(k0->ints[r], id);
      gid[r] = id;
      continue;
    }
    key.clear();
    for (const Column* c : key_cols) AppendCellKey(&key, *c, r);
    auto it = st_->index.find(key);
    if (it == st_->index.end()) {
      uint32_t id = new_group(r);
      st_->index.emplace(key, id);
      gid[r] = id;
    } else {
      gid[r] = it->second;
    }
  }
  for (size_t a = 0; a < aggs_.size(); ++a) {
    const AggSpec& spec = aggs_[a];
    Column arg_scratch, filter_scratch;
    const Column* arg = &arg_scratch;
    if (spec.arg) {
      INFERMETRY_ASSIGN_OR_RETURN(arg, EvalRef(*spec.arg, b, ctx_, &arg_scratch));
    }
    const Column* filter = nullptr;
    if (spec.filter) {
      INFERMETRY_ASSIGN_OR_RETURN(filter, EvalRef(*spec.filter, b, ctx_, &filter_scratch));
    }
    size_t per_row = BufferedBytesPerRow(spec);
    size_t added = 0;
    for (size_t r = 0; r < n; ++r) {
      if (filter && (filter->IsNull(r) || !filter->ints[r])) continue;
      st_->accs[gid[r]][a]->Add(*arg, r);
      ++added;
    }
    new_bytes += added * per_row;
  }
  return st_->mem->Grow(new_bytes);
}

Result<bool> HashAggregateOp::NextImpl(Batch* out) {
  if (!st_->done) {
    Batch b;
    while (true) {
      INFERMETRY_ASSIGN_OR_RETURN(bool more, children[0]->Next(&b));
      if (!more) break;
      INFERMETRY_RETURN_IF_ERROR(Consume(b));
    }
    if (keys_.empty() && st_->keys.empty()) {  // no groups: one row even for empty input
      Batch empty;
      empty.num_rows = 0;
      st_->keys.emplace_back();
      std::vector<std::unique_ptr<Accumulator>> accs;
      for (const AggSpec& a : aggs_) accs.push_back(a.fn->aggregate(a.opts));
      st_->accs.push_back(std::move(accs));
    }
    // Finish every group into the output batch.
    Batch& o = st_->output;
    for (const auto& k : keys_) o.columns.emplace_back(k->type);
    for (const auto& a : aggs_) o.columns.emplace_back(a.opts.ret);
    for (size_t g = 0; g < st_->keys.size(); ++g) {
      INFERMETRY_RETURN_IF_ERROR(ctx_->CheckEvery(g));
      for (size_t k = 0; k < keys_.size(); ++k) o.columns[k].Append(st_->keys[g][k]);
      for (size_t a = 0; a < aggs_.size(); ++a) {
        INFERMETRY_ASSIGN_OR_RETURN(Value v, st_->accs[g][a]->Finish());
        o.columns[keys_.size() + a].Append(v);
      }
    }
    o.num_rows = st_->keys.size();
    st_->accs.clear();
    st_->index.clear();
    st_->int_index.clear();
    st_->done = true;
  }
  if (st_->emitted >= st_->output.num_rows) return false;
  size_t n = std::min<size_t>(8192, st_->output.num_rows - st_->emitted);
  if (st_->emitted == 0 && n == st_->output.num_rows) {
    *out = std::move(st_->output);
    st_->emitted = n;
    st_->output.num_rows = n;
    return true;
  }
  std::vector<uint32_t> sel(n);
  for (size_t i = 0; i < n; ++i) sel[i] = static_cast<uint32_t>(st_->emitted + i);
  *out = GatherBatch(st_->output, sel);
  st_->emitted += n;
  return true;
}

}  // namespace infermetry::sql::exec
