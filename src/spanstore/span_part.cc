#include "spanstore/span_part.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

#include "spanstore/coding.h"
#include "spanstore/columns.h"
#include "spanstore/row_codec.h"

namespace infermetry::spanstore {

bool SpanCodec::Less(const model::Span& a, const model::Span& b) {
  return std::tie(a.service_name, a.name, a.start_ns) <
         std::tie(b.service_name, b.name, b.start_ns);
}

std::string SpanCodec::EncodeBatch(const std::vector<model::Span>& items) {
  return EncodeSpanBatch(items);
}
Status SpanCodec::DecodeBatch(std::string_view rec, std::vector<model::Span>* out) {
  return DecodeSpanBatch(rec, out);
}

PartBuild SpanCodec::Build(const std::vector<const model::Span*>& rows) {
  PartBuild b;
  b.kind = kKind;
  b.dicts.resize(kDictCount);
  SortedDict services, names;
  for (const model::Span* s : rows) {
    services.ids.emplace(s->service_name, 0);
    names.ids.emplace(s->name, 0);
  }
  b.dicts[kServices] = services.Finish();
  b.dicts[kNames] = names.Finish();
  AttrDictBuilder attr_dicts;
  const RowDictIds ids = BuildRowDicts<SpanCodec>(rows, &attr_dicts, &b);

  for (size_t begin = 0; begin < rows.size(); begin += kGranuleRows) {
    size_t end = std::min(rows.size(), begin + kGranuleRows);
    GranuleBuild& g = b.granules.emplace_back();
    g.rows = static_cast<uint32_t>(end - begin);
    std::string tids, sids, pids;
    std::vector<std::string_view> trace_state, status_msg, events;
    std::vector<std::string> events_storage(end - begin);
    std::vector<int64_t> flags, service, name, kind, start, duration, status, res, scp, lay,
        dropped_attrs, dropped_events, dropped_links;
    std::vector<const model::Attributes*> attrs;
    std::vector<uint32_t> layouts;
    for (size_t i = begin; i < end; ++i) {
      const model::Span& s = *rows[i];
      AppendId(&tids, s.trace_id);
      AppendId(&sids, s.span_id);
      AppendId(&pids, s.parent_span_id);
      trace_state.push_back(s.trace_state);
      flags.push_back(s.flags);
      service.push_back(services.ids[s.service_name]);
      name.push_back(names.ids[s.name]);
      kind.push_back(s.kind);
      start.push_back(s.start_ns);
      duration.push_back(static_cast<int64_t>(static_cast<uint64_t>(s.end_ns) -
                                              static_cast<uint64_t>(s.start_ns)));
      status.push_back(s.status_code);
      status_msg.push_back(s.status_message);
      res.push_back(ids.resource[i]);
      scp.push_back(ids.scope[i]);
      EncodeEventsLinks(s, &events_storage[i - begin]);
      events.push_back(events_storage[i - begin]);
      dropped_attrs.push_back(s.dropped_attributes_count);
      dropped_events.push_back(s.dropped_events_count);
      dropped_links.push_back(s.dropped_links_count);
      attrs.push_back(&s.attributes);
      layouts.push_back(ids.layout[i]);
    }
    g.columns.emplace_back(kTraceId, std::move(tids));
    g.columns.emplace_back(kSpanId, std::move(sids));
    g.columns.emplace_back(kParentId, std::move(pids));
    StringColumn(&g, kTraceState, trace_state);
    IntColumn(&g, kFlags, flags);
    IntColumn(&g, kService, service);
    IntColumn(&g, kSpanName, name);
    IntColumn(&g, kSpanKind, kind);
    IntColumn(&g, kStart, start);
    IntColumn(&g, kDuration, duration);
    IntColumn(&g, kStatusCode, status);
    StringColumn(&g, kStatusMessage, status_msg);
    IntColumn(&g, kResource, res);
    IntColumn(&g, kScope, scp);
    StringColumn(&g, kEventsLinks, events);
    IntColumn(&g, kDroppedAttrs, dropped_attrs);
    IntColumn(&g, kDroppedEvents, dropped_events);
    IntColumn(&g, kDroppedLinks, dropped_links);
    EncodeAttrColumns(attrs, layouts, attr_dicts, kLayout, kAttrBase, &g);
    g.stats = {MinMax(start), MinMax(duration), MinMax(service), MinMax(name), MinMax(status)};
  }
  return b;
}

Status SpanCodec::ReadAll(const Part& part, std::vector<model::Span>* out) {
  return ReadAllRows<SpanGranule>(part, out);
}

Status SpanGranule::LoadFilterColumns() {
  if (filter_loaded_) return Status::Ok();
  using C = SpanCodec;
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kStart, &start));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kDuration, &duration));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kService, &service));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kSpanName, &name));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kStatusCode, &status));
  INFERMETRY_RETURN_IF_ERROR(CheckIds(service, C::kServices));
  INFERMETRY_RETURN_IF_ERROR(CheckIds(name, C::kNames));
  filter_loaded_ = true;
  return Status::Ok();
}

Status SpanGranule::LoadAttributes() {
  if (attrs_loaded_) return Status::Ok();
  using C = SpanCodec;
  const auto& d = part_.dicts();
  INFERMETRY_RETURN_IF_ERROR(
      attrs_.Load(part_, g_, C::kLayout, C::kAttrBase, d[C::kKeys], d[C::kLayouts]));
  attrs_loaded_ = true;
  return Status::Ok();
}

Status SpanGranule::LoadTraceIds() {
  if (ids_loaded_) return Status::Ok();
  INFERMETRY_RETURN_IF_ERROR(Fixed(SpanCodec::kTraceId, 16, &trace_ids_));
  ids_loaded_ = true;
  return Status::Ok();
}

Status SpanGranule::LoadAll() {
  if (all_loaded_) return Status::Ok();
  using C = SpanCodec;
  INFERMETRY_RETURN_IF_ERROR(LoadFilterColumns());
  INFERMETRY_RETURN_IF_ERROR(LoadAttributes());
  INFERMETRY_RETURN_IF_ERROR(LoadTraceIds());
  INFERMETRY_RETURN_IF_ERROR(Fixed(C::kSpanId, 8, &span_ids_));
  INFERMETRY_RETURN_IF_ERROR(Fixed(C::kParentId, 8, &parent_ids_));
  INFERMETRY_RETURN_IF_ERROR(
      Strings(C::kTraceState, &trace_state_raw_, &trace_state_arena_, &trace_state_));
  INFERMETRY_RETURN_IF_ERROR(
      Strings(C::kStatusMessage, &status_msg_raw_, &status_msg_arena_, &status_msg_));
  INFERMETRY_RETURN_IF_ERROR(Strings(C::kEventsLinks, &events_raw_, &events_arena_, &events_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kFlags, &flags_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kSpanKind, &kind_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kResource, &resource_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kScope, &scope_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kDroppedAttrs, &dropped_attrs_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kDroppedEvents, &dropped_events_));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kDroppedLinks, &dropped_links_));
  INFERMETRY_RETURN_IF_ERROR(CheckIds(resource_, C::kResources));
  INFERMETRY_RETURN_IF_ERROR(CheckIds(scope_, C::kScopes));
  all_loaded_ = true;
  return Status::Ok();
}

bool SpanGranule::TraceIdIs(uint32_t row, const model::TraceId& id) const {
  return std::memcmp(trace_ids_.data() + size_t{row} * 16, id.data(), 16) == 0;
}

Status SpanGranule::Materialize(uint32_t r, model::Span* s) const {
  using C = SpanCodec;
  const auto& d = part_.dicts();
  std::memcpy(s->trace_id.data(), trace_ids_.data() + size_t{r} * 16, 16);
  std::memcpy(s->span_id.data(), span_ids_.data() + size_t{r} * 8, 8);
  std::memcpy(s->parent_span_id.data(), parent_ids_.data() + size_t{r} * 8, 8);
  s->trace_state = std::string(trace_state_[r]);
  s->flags = static_cast<uint32_t>(flags_[r]);
  s->name = d[C::kNames][name[r]];
  s->kind = static_cast<int32_t>(kind_[r]);
  s->start_ns = start[r];
  s->end_ns =
      static_cast<int64_t>(static_cast<uint64_t>(start[r]) + static_cast<uint64_t>(duration[r]));
  s->status_code = static_cast<int32_t>(status[r]);
  s->status_message = std::string(status_msg_[r]);
  s->service_name = d[C::kServices][service[r]];
  attrs_.Materialize(r, d[C::kKeys], &s->attributes);
  INFERMETRY_RETURN_IF_ERROR(ReadOrigin(C::kResources, resource_[r], C::kScopes, scope_[r], s));
  if (!DecodeEventsLinks(events_[r], s)) return Corrupt("malformed events/links");
  s->dropped_attributes_count = static_cast<uint32_t>(dropped_attrs_[r]);
  s->dropped_events_count = static_cast<uint32_t>(dropped_events_[r]);
  s->dropped_links_count = static_cast<uint32_t>(dropped_links_[r]);
  return Status::Ok();
}

}  // namespace infermetry::spanstore
