#include "spanstore/log_part.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

#include "spanstore/coding.h"
#include "spanstore/columns.h"
#include "spanstore/row_codec.h"

namespace infermetry::spanstore {

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
  SortedDict services;
  for (const auto* r : rows) services.ids.emplace(r->service_name, 0);
  b.dicts[kServices] = services.Finish();
  AttrDictBuilder attr_dicts;
  const RowDictIds ids = BuildRowDicts<LogCodec>(rows, &attr_dicts, &b);

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
      service.push_back(services.ids[r.service_name]);
      res.push_back(ids.resource[i]);
      scp.push_back(ids.scope[i]);
      AppendId(&tids, r.trace_id);
      AppendId(&sids, r.span_id);
      flags.push_back(r.flags);
      dropped.push_back(r.dropped_attributes_count);
      attrs.push_back(&r.attributes);
      layouts.push_back(ids.layout[i]);
    }
    IntColumn(&g, kTime, time);
    IntColumn(&g, kObservedDelta, observed);
    IntColumn(&g, kSeverity, severity);
    StringColumn(&g, kSeverityText, severity_text);
    std::string col;
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
  return ReadAllRows<LogGranule>(part, out);
}

Status LogGranule::LoadFilterColumns() {
  if (filter_loaded_) return Status::Ok();
  using C = LogCodec;
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kTime, &time));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kSeverity, &severity));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kService, &service));
  INFERMETRY_RETURN_IF_ERROR(CheckIds(service, C::kServices));
  INFERMETRY_ASSIGN_OR_RETURN(auto body, part_.ReadColumn(g_, C::kBody));
  if (!body) return Corrupt("missing body column");
  body_.raw = std::move(*body);
  Status st = DecodeAttrStream(&body_, rows());
  if (!st.ok()) return Corrupt("body: " + st.message());
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
  INFERMETRY_RETURN_IF_ERROR(Fixed(C::kTraceId, 16, &trace_ids_));
  INFERMETRY_RETURN_IF_ERROR(Fixed(C::kSpanId, 8, &span_ids_));
  INFERMETRY_RETURN_IF_ERROR(
      Strings(C::kSeverityText, &severity_text_raw_, &severity_text_arena_, &severity_text_));
  INFERMETRY_RETURN_IF_ERROR(CheckIds(resource_, C::kResources));
  INFERMETRY_RETURN_IF_ERROR(CheckIds(scope_, C::kScopes));
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
  INFERMETRY_RETURN_IF_ERROR(ReadOrigin(C::kResources, resource_[r], C::kScopes, scope_[r], out));
  std::memcpy(out->trace_id.data(), trace_ids_.data() + size_t{r} * 16, 16);
  std::memcpy(out->span_id.data(), span_ids_.data() + size_t{r} * 8, 8);
  out->flags = static_cast<uint32_t>(flags_[r]);
  out->dropped_attributes_count = static_cast<uint32_t>(dropped_[r]);
  return Status::Ok();
}

}  // namespace infermetry::spanstore
