#include "spanstore/span_part.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

#include "spanstore/coding.h"
#include "spanstore/columns.h"
#include "spanstore/row_codec.h"

namespace infermetry::spanstore {

namespace {

// A sorted dictionary: ids follow lexical order, so granule min/max ids bound lexical ranges.
struct SortedDict {
  std::map<std::string_view, uint32_t> ids;
  std::vector<std::string> Finish() {
    std::vector<std::string> out;
    uint32_t i = 0;
    for (auto& [s, id] : ids) {
      id = i++;
      out.emplace_back(s);
    }
    return out;
  }
};

// Interns encoded strings (resources, scopes) in first-seen order.
struct Interner {
  std::map<std::string, uint32_t> ids;
  std::vector<std::string> values;
  uint32_t Id(std::string s) {
    auto [it, added] = ids.emplace(std::move(s), static_cast<uint32_t>(values.size()));
    if (added) values.push_back(it->first);
    return it->second;
  }
};

template <size_t N>
void AppendId(std::string* out, const std::array<uint8_t, N>& id) {
  out->append(reinterpret_cast<const char*>(id.data()), N);
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

}  // namespace

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
  Interner resources, scopes;
  std::vector<uint32_t> layout(rows.size()), resource(rows.size()), scope(rows.size());
  b.min_time = INT64_MAX;
  b.max_time = INT64_MIN;
  for (size_t i = 0; i < rows.size(); ++i) {
    const model::Span& s = *rows[i];
    layout[i] = attr_dicts.Layout(s.attributes);
    std::string enc;
    EncodeAttributes(s.resource_attributes, &enc);
    resource[i] = resources.Id(std::move(enc));
    enc.clear();
    PutString(&enc, s.scope_name);
    PutString(&enc, s.scope_version);
    scope[i] = scopes.Id(std::move(enc));
    b.min_time = std::min(b.min_time, s.start_ns);
    b.max_time = std::max(b.max_time, s.start_ns);
    b.trace_ids.push_back(s.trace_id);
  }
  b.dicts[kKeys] = attr_dicts.keys();
  b.dicts[kLayouts] = attr_dicts.layouts();
  b.dicts[kResources] = std::move(resources.values);
  b.dicts[kScopes] = std::move(scopes.values);

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
      res.push_back(resource[i]);
      scp.push_back(scope[i]);
      EncodeEventsLinks(s, &events_storage[i - begin]);
      events.push_back(events_storage[i - begin]);
      dropped_attrs.push_back(s.dropped_attributes_count);
      dropped_events.push_back(s.dropped_events_count);
      dropped_links.push_back(s.dropped_links_count);
      attrs.push_back(&s.attributes);
      layouts.push_back(layout[i]);
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
  for (size_t g = 0; g < part.granules().size(); ++g) {
    SpanGranule gr(part, g);
    INFERMETRY_RETURN_IF_ERROR(gr.LoadAll());
    for (uint32_t r = 0; r < gr.rows(); ++r) {
      INFERMETRY_RETURN_IF_ERROR(gr.Materialize(r, &out->emplace_back()));
    }
  }
  return Status::Ok();
}

Status SpanGranule::Corrupt(const std::string& what) const {
  return Status(Code::kCorruption, "span store part " + part_.path() + ": granule " +
                                       std::to_string(g_) + ": " + what);
}

Status SpanGranule::Ints(uint32_t column, std::vector<int64_t>* out) {
  INFERMETRY_ASSIGN_OR_RETURN(auto raw, part_.ReadColumn(g_, column));
  if (!raw) return Corrupt("missing column " + std::to_string(column));
  Status st = DecodeInts(*raw, rows(), out);
  return st.ok() ? st : Corrupt("column " + std::to_string(column) + ": " + st.message());
}

Status SpanGranule::Strings(uint32_t column, std::string* raw, std::string* arena,
                            std::vector<std::string_view>* out) {
  INFERMETRY_ASSIGN_OR_RETURN(auto col, part_.ReadColumn(g_, column));
  if (!col) return Corrupt("missing column " + std::to_string(column));
  *raw = std::move(*col);
  Status st = DecodeStrings(*raw, rows(), out, arena);
  return st.ok() ? st : Corrupt("column " + std::to_string(column) + ": " + st.message());
}

Status SpanGranule::Fixed(uint32_t column, size_t width, std::string* out) {
  INFERMETRY_ASSIGN_OR_RETURN(auto col, part_.ReadColumn(g_, column));
  if (!col) return Corrupt("missing column " + std::to_string(column));
  *out = std::move(*col);
  Status st = CheckFixed(*out, rows(), width);
  return st.ok() ? st : Corrupt("column " + std::to_string(column) + ": " + st.message());
}

Status SpanGranule::LoadFilterColumns() {
  if (filter_loaded_) return Status::Ok();
  using C = SpanCodec;
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kStart, &start));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kDuration, &duration));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kService, &service));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kSpanName, &name));
  INFERMETRY_RETURN_IF_ERROR(Ints(C::kStatusCode, &status));
  const auto& d = part_.dicts();
  for (uint32_t r = 0; r < rows(); ++r) {
    if (service[r] < 0 || static_cast<size_t>(service[r]) >= d[C::kServices].size() ||
        name[r] < 0 || static_cast<size_t>(name[r]) >= d[C::kNames].size()) {
      return Corrupt("dictionary id out of range");
    }
  }
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
  const auto& d = part_.dicts();
  for (uint32_t r = 0; r < rows(); ++r) {
    if (resource_[r] < 0 || static_cast<size_t>(resource_[r]) >= d[C::kResources].size() ||
        scope_[r] < 0 || static_cast<size_t>(scope_[r]) >= d[C::kScopes].size()) {
      return Corrupt("dictionary id out of range");
    }
  }
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
  Decoder res(d[C::kResources][resource_[r]]);
  Decoder scp(d[C::kScopes][scope_[r]]);
  if (!DecodeAttributes(&res, &s->resource_attributes) || !res.done()) {
    return Corrupt("malformed resource dictionary entry");
  }
  s->scope_name = std::string(scp.String());
  s->scope_version = std::string(scp.String());
  if (!scp.ok() || !scp.done()) return Corrupt("malformed scope dictionary entry");
  if (!DecodeEventsLinks(events_[r], s)) return Corrupt("malformed events/links");
  s->dropped_attributes_count = static_cast<uint32_t>(dropped_attrs_[r]);
  s->dropped_events_count = static_cast<uint32_t>(dropped_events_[r]);
  s->dropped_links_count = static_cast<uint32_t>(dropped_links_[r]);
  return Status::Ok();
}

}  // namespace infermetry::spanstore
