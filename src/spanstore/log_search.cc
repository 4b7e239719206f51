// Log queries over an engine snapshot, pruned like span searches (span_search.cc): parts by
// time range and service dictionary, granules by time, severity and service statistics.

#include <algorithm>

#include "spanstore/newest_rows.h"
#include "spanstore/span_store.h"

namespace infermetry::spanstore {

namespace {

using C = LogCodec;

bool BodyContains(const model::AttrValue& body, const std::string& needle) {
  if (needle.empty()) return true;
  if (body.type == model::AttrValue::Type::kString) return body.s.find(needle) != std::string::npos;
  return body.AsString().find(needle) != std::string::npos;
}

bool Matches(const model::LogRecord& r, const storage::LogQuery& q) {
  return r.time_ns >= q.start_ns && r.time_ns <= q.end_ns && r.severity_number >= q.min_severity &&
         (q.service.empty() || r.service_name == q.service) &&
         BodyContains(r.body, q.body_contains);
}

}  // namespace

Result<std::vector<model::LogRecord>> SearchLogsIn(const Engine<LogCodec>::Snapshot& snap,
                                                   const storage::LogQuery& q) {
  if (q.limit == 0) return std::vector<model::LogRecord>();
  NewestRows<LogCodec, LogGranule> newest(snap, q.limit,
                                          [&](const model::LogRecord& r) { return Matches(r, q); });
  const auto& parts = newest.parts();
  for (size_t pi = 0; pi < parts.size(); ++pi) {
    const Part& p = *parts[pi];
    if (p.max_time() < q.start_ns || p.min_time() > q.end_ns || p.max_time() < newest.Threshold())
      continue;
    const auto& services = p.dicts()[C::kServices];
    int64_t service = -1;
    if (!q.service.empty()) {
      auto it = std::lower_bound(services.begin(), services.end(), q.service);
      if (it == services.end() || *it != q.service) continue;
      service = it - services.begin();
    }
    for (size_t g = 0; g < p.granules().size(); ++g) {
      const auto& st = p.granules()[g].stats;
      if (st.size() < 3)
        return Status(Code::kCorruption, "span store part " + p.path() + ": missing statistics");
      int64_t lo = std::max(q.start_ns, newest.Threshold());
      if (st[C::kStatTime].second < lo || st[C::kStatTime].first > q.end_ns) continue;
      if (st[C::kStatSeverity].second < q.min_severity) continue;
      if (service >= 0 &&
          (st[C::kStatService].first > service || st[C::kStatService].second < service))
        continue;
      LogGranule gr(p, g);
      INFERMETRY_RETURN_IF_ERROR(gr.LoadFilterColumns());
      const AttrStream& body = gr.body();
      for (uint32_t r = 0; r < gr.rows(); ++r) {
        int64_t t = gr.time[r];
        if (t < q.start_ns || t > q.end_ns || t < newest.Threshold()) continue;
        if (gr.severity[r] < q.min_severity) continue;
        if (service >= 0 && gr.service[r] != service) continue;
        if (!q.body_contains.empty()) {
          bool found;
          if (body.types[r] == static_cast<uint8_t>(model::AttrValue::Type::kString)) {
            found = body.strs[body.sub[r]].find(q.body_contains) != std::string_view::npos;
          } else {
            found = BodyContains(body.Get(r), q.body_contains);
          }
          if (!found) continue;
        }
        newest.Add(t, pi, g, r);
      }
    }
  }
  return newest.Finish();
}

}  // namespace infermetry::spanstore
