#pragma once
// Attributes as columns. A part keeps two dictionaries: attribute keys, and layouts (the
// ordered key-id list of one row's attributes, so that order and duplicate keys round-trip).
// A granule stores one int column of layout ids and, per key present in the granule, one
// value stream: the values of that key in row order, typed (ints, doubles and strings in
// separate sub-columns, so gen_ai.latency.* doubles and gen_ai.usage.* ints stay numbers and
// compress as numbers). Layout: docs/format/spanstore.md ("attribute streams").

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "model/span.h"
#include "spanstore/part_file.h"

namespace infermetry::spanstore {

// Builds a part's key and layout dictionaries while its rows are assigned layout ids.
class AttrDictBuilder {
 public:
  uint32_t Layout(const model::Attributes& attrs);
  const std::vector<std::string>& keys() const { return keys_; }
  const std::vector<std::string>& layouts() const { return layouts_; }

 private:
  std::unordered_map<std::string, uint32_t> key_ids_;
  std::vector<std::string> keys_;
  std::unordered_map<std::string, uint32_t> layout_ids_;
  std::vector<std::string> layouts_;
};

// Appends the layout column and the value streams of rows [begin, end) to `g`.
// `layout_ids[i]` is the layout of rows[i]; stream of key k goes to column `stream_base + k`.
void EncodeAttrColumns(const std::vector<const model::Attributes*>& rows,
                       const std::vector<uint32_t>& layout_ids, const AttrDictBuilder& dicts,
                       uint32_t layout_column, uint32_t stream_base, GranuleBuild* g);

// One key's decoded values in a granule.
struct AttrStream {
  std::string raw;
  std::string arena;  // expanded hex strings
  std::vector<uint8_t> types;
  std::vector<uint32_t> sub;  // index into ints / doubles / strs, by type
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string_view> strs;
  model::AttrValue Get(size_t i) const;
};

// One value stream: count, type byte(s), then the int, double and string sub-columns.
void EncodeAttrStream(const std::vector<const model::AttrValue*>& values, std::string* out);
// Decodes s->raw into the other fields of `s`; kCorruption unless it holds exactly `count`
// values (the number the granule's layouts give the key, or the granule's rows for log bodies).
Status DecodeAttrStream(AttrStream* s, size_t count);

// The attributes of one granule, decoded.
class AttrGranule {
 public:
  // Reads the layout column and the streams of every key used in the granule.
  Status Load(const Part& part, size_t g, uint32_t layout_column, uint32_t stream_base,
              const std::vector<std::string>& keys, const std::vector<std::string>& layouts);
  void Materialize(uint32_t row, const std::vector<std::string>& keys,
                   model::Attributes* out) const;
  // Whether some attribute of `row` with key id `key` has AsString() == value.
  bool Equals(uint32_t row, uint32_t key, std::string_view value) const;

 private:
  std::vector<uint32_t> row_begin_;                  // rows + 1 offsets into refs_
  std::vector<std::pair<uint32_t, uint32_t>> refs_;  // (key id, index in its stream)
  std::unordered_map<uint32_t, AttrStream> streams_;
};

// The key ids of a layout dictionary entry; false when malformed.
bool ParseLayout(std::string_view layout, size_t nkeys, std::vector<uint32_t>* out);

}  // namespace infermetry::spanstore
