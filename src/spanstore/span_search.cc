// Span queries over an engine snapshot: the in-memory rows are scanned; parts are pruned by
// their time range and dictionaries, granules by their statistics, and only the rows that
// match are materialized.

#include <algorithm>
#include <map>
#include <set>

#include "spanstore/coding.h"
#include "spanstore/newest_rows.h"
#include "spanstore/row_codec.h"
#include "spanstore/span_store.h"

namespace infermetry::spanstore {

namespace {

using C = SpanCodec;

bool AttrMatches(const model::Span& s, const storage::AttributeEquals& a) {
  for (const auto* attrs : {&s.attributes, &s.resource_attributes}) {
    for (const auto& kv : *attrs) {
      if (kv.key == a.key && kv.value.AsString() == a.value) return true;
    }
  }
  return false;
}

bool Matches(const model::Span& s, const storage::SpanQuery& q) {
  if (s.start_ns < q.start_ns || s.start_ns > q.end_ns) return false;
  if (!q.service.empty() && s.service_name != q.service) return false;
  if (!q.name.empty() && s.name != q.name) return false;
  if (q.status_code && s.status_code != *q.status_code) return false;
  if (q.min_duration_ns && s.duration_ns() < *q.min_duration_ns) return false;
  if (q.max_duration_ns && s.duration_ns() > *q.max_duration_ns) return false;
  for (const auto& a : q.attributes) {
    if (!AttrMatches(s, a)) return false;
  }
  return true;
}

// Id of `s` in a sorted dictionary, or -1.
int64_t SortedId(const std::vector<std::string>& dict, const std::string& s) {
  auto it = std::lower_bound(dict.begin(), dict.end(), s);
  return it != dict.end() && *it == s ? it - dict.begin() : -1;
}

bool Overlaps(const std::pair<int64_t, int64_t>& r, int64_t lo, int64_t hi) {
  return r.second >= lo && r.first <= hi;
}

// An attribute condition resolved against one part's dictionaries.
struct PartAttrCond {
  int64_t key = -1;               // span attribute key id, -1 when absent from the part
  std::vector<bool> resource_ok;  // per resource id: the resource satisfies the condition
  bool any_resource = false;
};

}  // namespace

Result<std::vector<model::Span>> FindTraceIn(const Engine<SpanCodec>::Snapshot& snap,
                                             const model::TraceId& id) {
  std::vector<model::Span> out;
  for (const auto& c : snap.memory) {
    for (const auto& s : *c) {
      if (s.trace_id == id) out.push_back(s);
    }
  }
  for (const auto& p : snap.parts) {
    for (size_t g : p->CandidateGranules(id)) {
      SpanGranule gr(*p, g);
      INFERMETRY_RETURN_IF_ERROR(gr.LoadTraceIds());
      for (uint32_t r = 0; r < gr.rows(); ++r) {
        if (!gr.TraceIdIs(r, id)) continue;  // bloom false positives end here
        INFERMETRY_RETURN_IF_ERROR(gr.LoadAll());
        INFERMETRY_RETURN_IF_ERROR(gr.Materialize(r, &out.emplace_back()));
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const model::Span& a, const model::Span& b) {
    return a.start_ns < b.start_ns;
  });
  return out;
}

Result<std::vector<model::Span>> SearchSpansIn(const Engine<SpanCodec>::Snapshot& snap,
                                               const storage::SpanQuery& q) {
  if (q.limit == 0) return std::vector<model::Span>();
  NewestRows<SpanCodec, SpanGranule> newest(snap, q.limit,
                                            [&](const model::Span& s) { return Matches(s, q); });
  const auto& parts = newest.parts();
  const int64_t dmin = q.min_duration_ns.value_or(INT64_MIN);
  const int64_t dmax = q.max_duration_ns.value_or(INT64_MAX);
  for (size_t pi = 0; pi < parts.size(); ++pi) {
    const Part& p = *parts[pi];
    if (p.max_time() < q.start_ns || p.min_time() > q.end_ns) continue;
    if (p.max_time() < newest.Threshold()) continue;
    const auto& d = p.dicts();
    int64_t service = q.service.empty() ? -1 : SortedId(d[C::kServices], q.service);
    int64_t name = q.name.empty() ? -1 : SortedId(d[C::kNames], q.name);
    if ((!q.service.empty() && service < 0) || (!q.name.empty() && name < 0)) continue;
    std::vector<PartAttrCond> conds(q.attributes.size());
    bool possible = true;
    for (size_t i = 0; i < q.attributes.size(); ++i) {
      const auto& a = q.attributes[i];
      auto it = std::find(d[C::kKeys].begin(), d[C::kKeys].end(), a.key);
      if (it != d[C::kKeys].end()) conds[i].key = it - d[C::kKeys].begin();
      conds[i].resource_ok.resize(d[C::kResources].size());
      for (size_t r = 0; r < d[C::kResources].size(); ++r) {
        model::Attributes res;
        Decoder dec(d[C::kResources][r]);
        if (!DecodeAttributes(&dec, &res) || !dec.done()) {
          return Status(Code::kCorruption, "span store part " + p.path() + ": malformed resource");
        }
        model::Span tmp;
        tmp.resource_attributes = std::move(res);
        conds[i].resource_ok[r] = AttrMatches(tmp, a);
        conds[i].any_resource = conds[i].any_resource || conds[i].resource_ok[r];
      }
      if (conds[i].key < 0 && !conds[i].any_resource) possible = false;
    }
    if (!possible) continue;
    for (size_t g = 0; g < p.granules().size(); ++g) {
      const auto& st = p.granules()[g].stats;
      if (st.size() < 5)
        return Status(Code::kCorruption, "span store part " + p.path() + ": missing statistics");
      const int64_t lo = std::max(q.start_ns, newest.Threshold());
      if (!Overlaps(st[C::kStatStart], lo, q.end_ns)) continue;
      if (!Overlaps(st[C::kStatDuration], dmin, dmax)) continue;
      if (service >= 0 && !Overlaps(st[C::kStatService], service, service)) continue;
      if (name >= 0 && !Overlaps(st[C::kStatName], name, name)) continue;
      if (q.status_code && !Overlaps(st[C::kStatStatus], *q.status_code, *q.status_code)) continue;
      SpanGranule gr(p, g);
      INFERMETRY_RETURN_IF_ERROR(gr.LoadFilterColumns());
      if (!q.attributes.empty()) INFERMETRY_RETURN_IF_ERROR(gr.LoadAll());
      for (uint32_t r = 0; r < gr.rows(); ++r) {
        int64_t start = gr.start[r];
        if (start < q.start_ns || start > q.end_ns || start < newest.Threshold()) continue;
        if (gr.duration[r] < dmin || gr.duration[r] > dmax) continue;
        if (service >= 0 && gr.service[r] != service) continue;
        if (name >= 0 && gr.name[r] != name) continue;
        if (q.status_code && gr.status[r] != *q.status_code) continue;
        bool ok = true;
        for (size_t i = 0; i < conds.size() && ok; ++i) {
          ok = (conds[i].key >= 0 &&
                gr.attrs().Equals(r, static_cast<uint32_t>(conds[i].key), q.attributes[i].value)) ||
               (conds[i].any_resource && conds[i].resource_ok[gr.resource(r)]);
        }
        if (!ok) continue;
        newest.Add(start, pi, g, r);
      }
    }
  }
  return newest.Finish();
}

Result<std::vector<std::string>> SpanNamesIn(const Engine<SpanCodec>::Snapshot& snap,
                                             const std::string& service) {
  std::set<std::string> names;
  for (const auto& c : snap.memory) {
    for (const auto& s : *c) {
      if (service.empty() || s.service_name == service) names.insert(s.name);
    }
  }
  for (const auto& p : snap.parts) {
    const auto& d = p->dicts();
    if (service.empty()) {
      names.insert(d[C::kNames].begin(), d[C::kNames].end());
      continue;
    }
    int64_t sid = SortedId(d[C::kServices], service);
    if (sid < 0) continue;
    for (size_t g = 0; g < p->granules().size(); ++g) {
      const auto& st = p->granules()[g].stats;
      if (st.size() < 5 || !Overlaps(st[C::kStatService], sid, sid)) continue;
      SpanGranule gr(*p, g);
      INFERMETRY_RETURN_IF_ERROR(gr.LoadFilterColumns());
      for (uint32_t r = 0; r < gr.rows(); ++r) {
        if (gr.service[r] == sid) names.insert(d[C::kNames][gr.name[r]]);
      }
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

}  // namespace infermetry::spanstore
