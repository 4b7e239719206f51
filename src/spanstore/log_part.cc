#include "spanstore/log_part.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

#include "spanstore/coding.h"
#include "spanstore/columns.h"
#include "spanstore/row_codec.h"

namespace infermetry::spanstore {

namespace {

void IntColumn(GranuleBuild* g, uint32_t column, const std::vector<int64_t>& v) {
  std::string out;
  EncodeInts(v, &out);
  g->columns.emplace_back(column, std::move(out));
}

std::pair<int64_t, int64_t> MinMax(const std::vector<int64_t>& v) {
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {*lo, *hi};
}

uint32_t Intern(std::map<std::string, uint32_t>* ids, std::vector<std::string>* values,
                std::string s) {
  auto [it, added] = ids->emplace(std::move(s), static_cast<uint32_t>(values->size()));
  if (added) values->push_back(it->first);
  return it->second;
}

}  // namespace

bool LogCodec::Less(const model::LogRecord& a, const model::LogRecord& b) {
  return std::tie(a.service_name, a.time_ns) < std::tie(b.service_name, b.time_ns);
}
std::string LogCodec::EncodeBatch(const std::vector<model::LogRecord>& items) {
  return EncodeLogBatch(items);
}
Status LogCodec::DecodeBatch(std::string_view rec, std::vector<model::LogRecord>* out) {
  return DecodeLogBatch(rec, out);
}

PartBuild LogCodec::Build(const std::vector<const model::LogRecord*>& rows) {
  PartBuild b;
  b.kind = kKind;
  b.dicts.resize(kDictCount);
  std::map<std::string_view, uint32_t> services;
  for (const auto* r : rows) services.emplace(r->service_name, 0);
  uint32_t next = 0;
  for (auto& [s, id] : services) {
    id = next++;
    b.dicts[kServices].emplace_back(s);
  }
  AttrDictBuilder attr_dicts;
  std::map<std::string, uint32_t> res_ids, scope_ids;
  std::vector<uint32_t> layout(rows.size()), resource(rows.size()), scope(rows.size());
  b.min_time = INT64_MAX;
  b.max_time = INT64_MIN;
  for (size_t i = 0; i < rows.size(); ++i) {
    const model::LogRecord& r = *rows[i];
    layout[i] = attr_dicts.Layout(r.attributes);
    std::string enc;
    EncodeAttributes(r.resource_attributes, &enc);
    resource[i] = Intern(&res_ids, &b.dicts[kResources], std::move(enc));
    enc.clear();
    PutString(&enc, r.scope_name);
    PutString(&enc, r.scope_version);
    scope[i] = Intern(&scope_ids, &b.dicts[kScopes], std::move(enc));
    b.min_time = std::min(b.min_time, r.time_ns);
    b.max_time = std::max(b.max_time, r.time_ns);
    b.trace_ids.push_back(r.trace_id);
  }
  b.dicts[kKeys] = attr_dicts.keys();
  b.dicts[kLayouts] = attr_dicts.layouts();

  for (size_t begin = 0; begin < rows.size(); begin += kGranuleRows) {
    size_t end = std::min(rows.size(), begin + kGranuleRows);
    GranuleBuild& g = b.granules.emplace_back();
    g.rows = static_cast<uint32_t>(end - begin);
    std::vector<int64_t> time, observed, severity, service, res, scp, flags, dropped;
    std::vector<std::string_view> severity_text;
    std::vector<const model::AttrValue*> bodies;
    std::vector<const model::Attributes*> attrs;
    std::vector<uint32_t> layouts;
    std::string tids, sids;
    for (size_t i = begin; i < end; ++i) {
      const model::LogRecord& r = *rows[i];
      time.push_back(r.time_ns);
      observed.push_back(static_cast<int64_t>(static_cast<uint64_t>(r.observed_time_ns) -
                                              static_cast<uint64_t>(r.time_ns)));
      severity.push_back(r.severity_number);
      severity_text.push_back(r.severity_text);
      bodies.push_back(&r.body);
      service.push_back(services[r.service_name]);
      res.push_back(resource[i]);
      scp.push_back(scope[i]);
      tids.append(reinterpret_cast<const char*>(r.trace_id.data()), 16);
      sids.append(reinterpret_cast<const char*>(r.span_id.data()), 8);
      flags.push_back(r.flags);
      dropped.push_back(r.dropped_attributes_count);
      attrs.push_back(&r.attributes);
      layouts.push_back(layout[i]);
    }
    IntColumn(&g, kTime, time);
    IntColumn(&g, kObservedDelta, observed);
    IntColumn(&g, kSeverity, severity);
    std::string col;
    EncodeStrings(severity_text, &col);
    g.columns.emplace_back(kSeverityText, std::move(col));
    col.clear();
    EncodeAttrStream(bodies, &col);
    g.columns.emplace_back(kBody, std::move(col));
    IntColumn(&g, kService, service);
    IntColumn(&g, kResource, res);
    IntColumn(&g, kScope, scp);
    g.columns.emplace_back(kTraceId, std::move(tids));
    g.columns.emplace_back(kSpanId, std::move(sids));
    IntColumn(&g, kFlags, flags);
    IntColumn(&g, kDroppedAttrs, dropped);
    EncodeAttrColumns(attrs, layouts, attr_dicts, kLayout, kAttrBase, &g);
    g.stats = {MinMax(time), MinMax(severity), MinMax(service)};
  }
  return b;
}

Status LogCodec::ReadAll(const Part& part, std::vector<model::LogRecord>* out) {
  for (size_t g = 0; g < part.granules().size(); ++g) {
    LogGranule gr(part, g);
    INFERMETRY_RETURN_IF_ERROR(gr.LoadAll());
    for (uint32_t r = 0; r < gr.rows(); ++r) {
      INFERMETRY_RETURN_IF_ERROR(gr.Materialize(r, &out->emplace_back()));
    }
  }
  return Status::Ok();
}

Status LogGranule::Corrupt(const std::string& what) const {
  return Status(Code::kCorruption, "span store part " + part_.path() + ": granule " +
                                       std::to_string(g_) + ": " + what);
}

Status LogGranule::Ints(uint32_t column, std::vector<int64_t>* out) {
  INFERMETRY_ASSIGN_OR_RETURN(auto raw, part_.ReadColumn(g_, column));
  if (!raw) return Corrupt("missing column " + std::to_string(column));
  Status st = DecodeInts(*raw, rows(), out);
  return st.ok() ? st : Corrupt("column " + std::to_string(column) + ": " + st.message());
}

Status LogGranule::LoadFilterColumns() {
  if (filter_loaded_) return Status::Ok();
  using C = LogCodec;
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kTime, &time));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kSeverity, &severity));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kService, &service));
  for (int64_t s : service) {
    if (s < 0 || static_cast<size_t>(s) >= part_.dicts()[C::kServices].size()) {
      return Corrupt("dictionary id out of range");
    }
  }
  INFERMETRY_ASSIGN_OR_RETURN(auto body, part_.ReadColumn(g_, C::kBody));
  if (!body) return Corrupt("missing body column");
  body_.raw = std::move(*body);
  Status st = DecodeAttrStream(&body_);
  if (!st.ok()) return Corrupt("body: " + st.message());
  if (body_.types.size() != rows()) return Corrupt("body column length mismatch");
  filter_loaded_ = true;
  return Status::Ok();
}

Status LogGranule::LoadAll() {
  if (all_loaded_) return Status::Ok();
  using C = LogCodec;
  INFERMETRY_RETURN_IF_ERROR(LoadFilterColumns());
  const auto& d = part_.dicts();
  INFERMETRY_RETURN_IF_ERROR(
      attrs_.Load(part_, g_, C::kLayout, C::kAttrBase, d[C::kKeys], d[C::kLayouts]));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kObservedDelta, &observed_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kResource, &resource_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kScope, &scope_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kFlags, &flags_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kDroppedAttrs, &dropped_));
  for (uint32_t c : {uint32_t{C::kTraceId}, uint32_t{C::kSpanId}, uint32_t{C::kSeverityText}}) {
    INFERMETRY_ASSIGN_OR_RETURN(auto raw, part_.ReadColumn(g_, c));
    if (!raw) return Corrupt("missing column " + std::to_string(c));
    Status st;
    if (c == C::kTraceId) {
      trace_ids_ = std::move(*raw);
      st = CheckFixed(trace_ids_, rows(), 16);
    } else if (c == C::kSpanId) {
      span_ids_ = std::move(*raw);
      st = CheckFixed(span_ids_, rows(), 8);
    } else {
      severity_text_raw_ = std::move(*raw);
      st = DecodeStrings(severity_text_raw_, rows(), &severity_text_, &severity_text_arena_);
    }
    if (!st.ok()) return Corrupt("column " + std::to_string(c) + ": " + st.message());
  }
  for (uint32_t r = 0; r < rows(); ++r) {
    if (resource_[r] < 0 || static_cast<size_t>(resource_[r]) >= d[C::kResources].size() ||
        scope_[r] < 0 || static_cast<size_t>(scope_[r]) >= d[C::kScopes].size()) {
      return Corrupt("dictionary id out of range");
    }
  }
  all_loaded_ = true;
  return Status::Ok();
}

Status LogGranule::Materialize(uint32_t r, model::LogRecord* out) const {
  using C = LogCodec;
  const auto& d = part_.dicts();
  out->time_ns = time[r];
  out->observed_time_ns =
      static_cast<int64_t>(static_cast<uint64_t>(time[r]) + static_cast<uint64_t>(observed_[r]));
  out->severity_number = static_cast<int32_t>(severity[r]);
  out->severity_text = std::string(severity_text_[r]);
  out->body = body_.Get(r);
  out->service_name = d[C::kServices][service[r]];
  attrs_.Materialize(r, d[C::kKeys], &out->attributes);
  Decoder res(d[C::kResources][resource_[r]]);
  if (!DecodeAttributes(&res, &out->resource_attributes) || !res.done()) {
    return Corrupt("malformed resource dictionary entry");
  }
  Decoder scp(d[C::kScopes][scope_[r]]);
  out->scope_name = std::string(scp.String());
  out->scope_version = std::string(scp.String());
  if (!scp.ok() || !scp.done()) return Corrupt("malformed scope dictionary entry");
  std::memcpy(out->trace_id.data(), trace_ids_.data() + size_t{r} * 16, 16);
  std::memcpy(out->span_id.data(), span_ids_.data() + size_t{r} * 8, 8);
  out->flags = static_cast<uint32_t>(flags_[r]);
  out->dropped_attributes_count = static_cast<uint32_t>(dropped_[r]);
  return Status::Ok();
}

}  // namespace infermetry::spanstore
