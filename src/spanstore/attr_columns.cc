#include "spanstore/attr_columns.h"

#include "spanstore/coding.h"
#include "spanstore/columns.h"

namespace infermetry::spanstore {

using model::AttrValue;

namespace {

bool IsIntType(AttrValue::Type t) {
  return t == AttrValue::Type::kInt || t == AttrValue::Type::kBool;
}
bool IsStringType(AttrValue::Type t) {
  return t == AttrValue::Type::kString || t == AttrValue::Type::kBytes ||
         t == AttrValue::Type::kJson;
}

}  // namespace

void EncodeAttrStream(const std::vector<const AttrValue*>& values, std::string* out) {
  PutVarint(out, values.size());
  bool uniform = true;
  for (const AttrValue* v : values) uniform = uniform && v->type == values[0]->type;
  if (uniform && !values.empty()) {
    out->push_back(static_cast<char>(0x80 | static_cast<uint8_t>(values[0]->type)));
  } else {
    out->push_back(0);
    for (const AttrValue* v : values) out->push_back(static_cast<char>(v->type));
  }
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string_view> strs;
  for (const AttrValue* v : values) {
    if (IsIntType(v->type)) ints.push_back(v->i);
    if (v->type == AttrValue::Type::kDouble) doubles.push_back(v->d);
    if (IsStringType(v->type)) strs.push_back(v->s);
  }
  std::string sub;
  EncodeInts(ints, &sub);
  PutString(out, sub);
  sub.clear();
  EncodeDoubles(doubles, &sub);
  PutString(out, sub);
  sub.clear();
  EncodeStrings(strs, &sub);
  PutString(out, sub);
}

Status DecodeAttrStream(AttrStream* s, size_t count) {
  auto bad = [] { return Status(Code::kCorruption, "malformed attribute stream"); };
  Decoder d(s->raw);
  // The count is checked against what the caller knows (the layouts of the granule's rows),
  // not against the size of the stream: a stream of one repeated int or bool, of zero doubles
  // or of empty values is a few bytes for any count, so no bytes-per-value bound holds. The
  // match also bounds the allocations below by memory the caller already spent.
  const uint64_t n = d.Varint();
  if (!d.ok()) return bad();
  if (n != count) {
    return Status(Code::kCorruption, "attribute stream holds " + std::to_string(n) +
                                         " values, expected " + std::to_string(count));
  }
  uint8_t flag = d.Byte();
  s->types.resize(n);
  if (flag & 0x80) {
    for (auto& t : s->types) t = flag & 0x7f;
  } else {
    std::string_view t = d.Bytes(n);
    for (size_t i = 0; i < t.size(); ++i) s->types[i] = static_cast<uint8_t>(t[i]);
  }
  if (!d.ok()) return bad();
  size_t ni = 0, nd = 0, ns = 0;
  s->sub.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (s->types[i] > static_cast<uint8_t>(AttrValue::Type::kJson)) return bad();
    auto t = static_cast<AttrValue::Type>(s->types[i]);
    s->sub[i] = static_cast<uint32_t>(IsIntType(t)                    ? ni++
                                      : t == AttrValue::Type::kDouble ? nd++
                                      : IsStringType(t)               ? ns++
                                                                      : 0);
  }
  std::string_view ints = d.String(), doubles = d.String(), strs = d.String();
  if (!d.ok() || !d.done()) return bad();
  INFERMETRY_RETURN_IF_ERROR(DecodeInts(ints, ni, &s->ints));
  INFERMETRY_RETURN_IF_ERROR(DecodeDoubles(doubles, nd, &s->doubles));
  return DecodeStrings(strs, ns, &s->strs, &s->arena);
}

bool ParseLayout(std::string_view layout, size_t nkeys, std::vector<uint32_t>* out) {
  out->clear();
  Decoder d(layout);
  while (!d.done()) {
    uint64_t k = d.Varint();
    if (!d.ok() || k >= nkeys) return false;
    out->push_back(static_cast<uint32_t>(k));
  }
  return true;
}

uint32_t AttrDictBuilder::Layout(const model::Attributes& attrs) {
  std::string layout;
  for (const auto& a : attrs) {
    auto [it, added] = key_ids_.emplace(a.key, static_cast<uint32_t>(keys_.size()));
    if (added) keys_.push_back(a.key);
    PutVarint(&layout, it->second);
  }
  auto [it, added] = layout_ids_.emplace(layout, static_cast<uint32_t>(layouts_.size()));
  if (added) layouts_.push_back(std::move(layout));
  return it->second;
}

void EncodeAttrColumns(const std::vector<const model::Attributes*>& rows,
                       const std::vector<uint32_t>& layout_ids, const AttrDictBuilder& dicts,
                       uint32_t layout_column, uint32_t stream_base, GranuleBuild* g) {
  std::vector<int64_t> ids(layout_ids.begin(), layout_ids.end());
  std::string col;
  EncodeInts(ids, &col);
  g->columns.emplace_back(layout_column, std::move(col));
  std::unordered_map<uint32_t, std::vector<const AttrValue*>> streams;
  std::vector<uint32_t> keys;
  for (size_t r = 0; r < rows.size(); ++r) {
    ParseLayout(dicts.layouts()[layout_ids[r]], dicts.keys().size(), &keys);
    for (size_t j = 0; j < keys.size(); ++j) streams[keys[j]].push_back(&(*rows[r])[j].value);
  }
  for (auto& [key, values] : streams) {
    std::string s;
    EncodeAttrStream(values, &s);
    g->columns.emplace_back(stream_base + key, std::move(s));
  }
}

AttrValue AttrStream::Get(size_t i) const {
  AttrValue v;
  v.type = static_cast<AttrValue::Type>(types[i]);
  if (IsIntType(v.type)) v.i = ints[sub[i]];
  if (v.type == AttrValue::Type::kDouble) v.d = doubles[sub[i]];
  if (IsStringType(v.type)) v.s = std::string(strs[sub[i]]);
  return v;
}

Status AttrGranule::Load(const Part& part, size_t g, uint32_t layout_column, uint32_t stream_base,
                         const std::vector<std::string>& keys,
                         const std::vector<std::string>& layouts) {
  const uint32_t rows = part.granules()[g].rows;
  auto corrupt = [&](const std::string& what) {
    return Status(Code::kCorruption, "span store part " + part.path() + ": granule " +
                                         std::to_string(g) + ": " + what);
  };
  INFERMETRY_ASSIGN_OR_RETURN(auto raw, part.ReadColumn(g, layout_column));
  if (!raw) return corrupt("missing attribute layout column");
  std::vector<int64_t> ids;
  Status st = DecodeInts(*raw, rows, &ids);
  if (!st.ok()) return corrupt(st.message());
  std::vector<std::vector<uint32_t>> parsed(layouts.size());
  std::vector<bool> parsed_ok(layouts.size(), false);
  std::unordered_map<uint32_t, uint32_t> counts;
  row_begin_.assign(1, 0);
  refs_.clear();
  for (uint32_t r = 0; r < rows; ++r) {
    if (ids[r] < 0 || static_cast<size_t>(ids[r]) >= layouts.size())
      return corrupt("bad layout id");
    size_t id = static_cast<size_t>(ids[r]);
    if (!parsed_ok[id]) {
      if (!ParseLayout(layouts[id], keys.size(), &parsed[id])) return corrupt("malformed layout");
      parsed_ok[id] = true;
    }
    for (uint32_t k : parsed[id]) refs_.emplace_back(k, counts[k]++);
    row_begin_.push_back(static_cast<uint32_t>(refs_.size()));
  }
  streams_.clear();
  for (auto [key, n] : counts) {
    INFERMETRY_ASSIGN_OR_RETURN(auto col, part.ReadColumn(g, stream_base + key));
    if (!col) return corrupt("missing attribute stream of key " + keys[key]);
    AttrStream& s = streams_[key];
    s.raw = std::move(*col);
    st = DecodeAttrStream(&s, n);
    if (!st.ok()) return corrupt("attribute stream of key " + keys[key] + ": " + st.message());
  }
  return Status::Ok();
}

void AttrGranule::Materialize(uint32_t row, const std::vector<std::string>& keys,
                              model::Attributes* out) const {
  out->clear();
  for (uint32_t i = row_begin_[row]; i < row_begin_[row + 1]; ++i) {
    auto [key, idx] = refs_[i];
    out->push_back({keys[key], streams_.at(key).Get(idx)});
  }
}

bool AttrGranule::Equals(uint32_t row, uint32_t key, std::string_view value) const {
  for (uint32_t i = row_begin_[row]; i < row_begin_[row + 1]; ++i) {
    if (refs_[i].first != key) continue;
    const AttrStream& s = streams_.at(key);
    size_t idx = refs_[i].second;
    auto t = static_cast<AttrValue::Type>(s.types[idx]);
    if (IsStringType(t) ? s.strs[s.sub[idx]] == value : s.Get(idx).AsString() == value) return true;
  }
  return false;
}

}  // namespace infermetry::spanstore
