#include "spanstore/granule.h"

#include <algorithm>

#include "spanstore/columns.h"

namespace infermetry::spanstore {

std::vector<std::string> SortedDict::Finish() {
  std::vector<std::string> out;
  uint32_t i = 0;
  for (auto& [s, id] : ids) {
    id = i++;
    out.emplace_back(s);
  }
  return out;
}

uint32_t Interner::Id(std::string s) {
  auto [it, added] = ids.emplace(std::move(s), static_cast<uint32_t>(values.size()));
  if (added) values.push_back(it->first);
  return it->second;
}

void IntColumn(GranuleBuild* g, uint32_t column, const std::vector<int64_t>& v) {
  std::string out;
  EncodeInts(v, &out);
  g->columns.emplace_back(column, std::move(out));
}

void StringColumn(GranuleBuild* g, uint32_t column, const std::vector<std::string_view>& v) {
  std::string out;
  EncodeStrings(v, &out);
  g->columns.emplace_back(column, std::move(out));
}

std::pair<int64_t, int64_t> MinMax(const std::vector<int64_t>& v) {
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {*lo, *hi};
}

Status GranuleReader::Corrupt(const std::string& what) const {
  return Status(Code::kCorruption, "span store part " + part_.path() + ": granule " +
                                       std::to_string(g_) + ": " + what);
}

Status GranuleReader::Ints(uint32_t column, std::vector<int64_t>* out) {
  INFERMETRY_ASSIGN_OR_RETURN(auto raw, part_.ReadColumn(g_, column));
  if (!raw) return Corrupt("missing column " + std::to_string(column));
  Status st = DecodeInts(*raw, rows(), out);
  return st.ok() ? st : Corrupt("column " + std::to_string(column) + ": " + st.message());
}

Status GranuleReader::Strings(uint32_t column, std::string* raw, std::string* arena,
                              std::vector<std::string_view>* out) {
  INFERMETRY_ASSIGN_OR_RETURN(auto col, part_.ReadColumn(g_, column));
  if (!col) return Corrupt("missing column " + std::to_string(column));
  *raw = std::move(*col);
  Status st = DecodeStrings(*raw, rows(), out, arena);
  return st.ok() ? st : Corrupt("column " + std::to_string(column) + ": " + st.message());
}

Status GranuleReader::Fixed(uint32_t column, size_t width, std::string* out) {
  INFERMETRY_ASSIGN_OR_RETURN(auto col, part_.ReadColumn(g_, column));
  if (!col) return Corrupt("missing column " + std::to_string(column));
  *out = std::move(*col);
  Status st = CheckFixed(*out, rows(), width);
  return st.ok() ? st : Corrupt("column " + std::to_string(column) + ": " + st.message());
}

Status GranuleReader::CheckIds(const std::vector<int64_t>& ids, uint32_t dict) const {
  const size_t n = part_.dicts()[dict].size();
  for (int64_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= n) return Corrupt("dictionary id out of range");
  }
  return Status::Ok();
}

Status GranuleReader::ReadOrigin(uint32_t resource_dict, int64_t resource, uint32_t scope_dict,
                                 int64_t scope, model::Attributes* attrs, std::string* scope_name,
                                 std::string* scope_version) const {
  const auto& d = part_.dicts();
  Decoder res(d[resource_dict][resource]);
  if (!DecodeAttributes(&res, attrs) || !res.done()) {
    return Corrupt("malformed resource dictionary entry");
  }
  Decoder scp(d[scope_dict][scope]);
  *scope_name = std::string(scp.String());
  *scope_version = std::string(scp.String());
  if (!scp.ok() || !scp.done()) return Corrupt("malformed scope dictionary entry");
  return Status::Ok();
}

}  // namespace infermetry::spanstore
