#pragma once
// What the span and log codecs (span_part.h, log_part.h) share: building the columns and
// dictionaries every part has, and reading a granule's columns back with kCorruption naming
// the part, the granule and the column.

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "model/span.h"
#include "spanstore/attr_columns.h"
#include "spanstore/coding.h"
#include "spanstore/part_file.h"
#include "spanstore/row_codec.h"

namespace infermetry::spanstore {

// A sorted dictionary: ids follow lexical order, so granule min/max ids bound lexical ranges.
// Add every value, then Finish() assigns the ids and returns the dictionary.
struct SortedDict {
  std::map<std::string_view, uint32_t> ids;
  std::vector<std::string> Finish();
};

// Interns encoded strings (resources, scopes) in first-seen order.
struct Interner {
  std::map<std::string, uint32_t> ids;
  std::vector<std::string> values;
  uint32_t Id(std::string s);
};

// Per-row ids into a part's dictionaries of attribute layouts, resources and scopes.
struct RowDictIds {
  std::vector<uint32_t> layout, resource, scope;
};

// Assigns every row its layout, resource and scope ids (filling b->dicts at the codec's
// kKeys, kLayouts, kResources and kScopes) and sets the part's time range and trace ids.
// REQUIRES: b->dicts sized to Codec::kDictCount.
template <typename Codec>
RowDictIds BuildRowDicts(const std::vector<const typename Codec::Item*>& rows,
                         AttrDictBuilder* attr_dicts, PartBuild* b);

void IntColumn(GranuleBuild* g, uint32_t column, const std::vector<int64_t>& v);
void StringColumn(GranuleBuild* g, uint32_t column, const std::vector<std::string_view>& v);
// REQUIRES: v non-empty.
std::pair<int64_t, int64_t> MinMax(const std::vector<int64_t>& v);

template <size_t N>
void AppendId(std::string* out, const std::array<uint8_t, N>& id) {
  out->append(reinterpret_cast<const char*>(id.data()), N);
}

// Column access to granule `g` of a part, for the codecs' granule classes.
class GranuleReader {
 public:
  GranuleReader(const Part& part, size_t g) : part_(part), g_(g) {}
  uint32_t rows() const { return part_.granules()[g_].rows; }

 protected:
  Status Corrupt(const std::string& what) const;
  Status Ints(uint32_t column, std::vector<int64_t>* out);
  Status Strings(uint32_t column, std::string* raw, std::string* arena,
                 std::vector<std::string_view>* out);
  Status Fixed(uint32_t column, size_t width, std::string* out);
  // kCorruption unless every id indexes dictionary `dict`.
  Status CheckIds(const std::vector<int64_t>& ids, uint32_t dict) const;
  // Decodes a row's resource attributes and scope from the dictionary entries `resource` and
  // `scope`. REQUIRES: both ids checked by CheckIds.
  template <typename Row>
  Status ReadOrigin(uint32_t resource_dict, int64_t resource, uint32_t scope_dict, int64_t scope,
                    Row* out) const {
    return ReadOrigin(resource_dict, resource, scope_dict, scope, &out->resource_attributes,
                      &out->scope_name, &out->scope_version);
  }

  const Part& part_;
  size_t g_;

 private:
  Status ReadOrigin(uint32_t resource_dict, int64_t resource, uint32_t scope_dict, int64_t scope,
                    model::Attributes* attrs, std::string* scope_name,
                    std::string* scope_version) const;
};

template <typename Codec>
RowDictIds BuildRowDicts(const std::vector<const typename Codec::Item*>& rows,
                         AttrDictBuilder* attr_dicts, PartBuild* b) {
  RowDictIds ids;
  ids.layout.resize(rows.size());
  ids.resource.resize(rows.size());
  ids.scope.resize(rows.size());
  Interner resources, scopes;
  b->min_time = INT64_MAX;
  b->max_time = INT64_MIN;
  for (size_t i = 0; i < rows.size(); ++i) {
    const typename Codec::Item& r = *rows[i];
    ids.layout[i] = attr_dicts->Layout(r.attributes);
    std::string enc;
    EncodeAttributes(r.resource_attributes, &enc);
    ids.resource[i] = resources.Id(std::move(enc));
    enc.clear();
    PutString(&enc, r.scope_name);
    PutString(&enc, r.scope_version);
    ids.scope[i] = scopes.Id(std::move(enc));
    b->min_time = std::min(b->min_time, Codec::Time(r));
    b->max_time = std::max(b->max_time, Codec::Time(r));
    b->trace_ids.push_back(r.trace_id);
  }
  b->dicts[Codec::kKeys] = attr_dicts->keys();
  b->dicts[Codec::kLayouts] = attr_dicts->layouts();
  b->dicts[Codec::kResources] = std::move(resources.values);
  b->dicts[Codec::kScopes] = std::move(scopes.values);
  return ids;
}

// Appends every row of `part`, in part order.
template <typename Granule, typename Row>
Status ReadAllRows(const Part& part, std::vector<Row>* out) {
  for (size_t g = 0; g < part.granules().size(); ++g) {
    Granule gr(part, g);
    INFERMETRY_RETURN_IF_ERROR(gr.LoadAll());
    for (uint32_t r = 0; r < gr.rows(); ++r) {
      INFERMETRY_RETURN_IF_ERROR(gr.Materialize(r, &out->emplace_back()));
    }
  }
  return Status::Ok();
}

}  // namespace infermetry::spanstore
