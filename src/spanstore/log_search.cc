// Log queries over an engine snapshot, pruned like span searches (span_search.cc): parts by
// time range and service dictionary, granules by time, severity and service statistics.

#include <algorithm>

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

struct Candidate {
  int64_t time;
  size_t part;
  uint32_t granule;
  uint32_t row;
};
struct ByTimeDesc {
  bool operator()(const Candidate& a, const Candidate& b) const { return a.time > b.time; }
};

}  // namespace

Result<std::vector<model::LogRecord>> SearchLogsIn(const Engine<LogCodec>::Snapshot& snap,
                                                   const storage::LogQuery& q) {
  std::vector<model::LogRecord> out;
  if (q.limit == 0) return out;
  for (const auto& c : snap.memory) {
    for (const auto& r : *c) {
      if (Matches(r, q)) out.push_back(r);
    }
  }
  auto newest_first = [](const model::LogRecord& a, const model::LogRecord& b) {
    return a.time_ns > b.time_ns;
  };
  std::sort(out.begin(), out.end(), newest_first);
  if (out.size() > q.limit) out.resize(q.limit);

  std::vector<std::shared_ptr<Part>> parts = snap.parts;
  std::sort(parts.begin(), parts.end(),
            [](auto& a, auto& b) { return a->max_time() > b->max_time(); });
  std::vector<Candidate> heap;
  auto threshold = [&]() -> int64_t {
    int64_t t = INT64_MIN;
    if (out.size() >= q.limit) t = out.back().time_ns;
    if (heap.size() >= q.limit) t = std::max(t, heap.front().time);
    return t;
  };
  for (size_t pi = 0; pi < parts.size(); ++pi) {
    const Part& p = *parts[pi];
    if (p.max_time() < q.start_ns || p.min_time() > q.end_ns || p.max_time() < threshold())
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
      int64_t lo = std::max(q.start_ns, threshold());
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
        if (t < q.start_ns || t > q.end_ns || t < threshold()) continue;
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
        heap.push_back({t, pi, static_cast<uint32_t>(g), r});
        std::push_heap(heap.begin(), heap.end(), ByTimeDesc());
        if (heap.size() > q.limit) {
          std::pop_heap(heap.begin(), heap.end(), ByTimeDesc());
          heap.pop_back();
        }
      }
    }
  }
  std::sort(heap.begin(), heap.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.part, a.granule, a.row) < std::tie(b.part, b.granule, b.row);
  });
  for (size_t i = 0; i < heap.size();) {
    LogGranule gr(*parts[heap[i].part], heap[i].granule);
    INFERMETRY_RETURN_IF_ERROR(gr.LoadAll());
    size_t j = i;
    for (; j < heap.size() && heap[j].part == heap[i].part && heap[j].granule == heap[i].granule;
         ++j) {
      INFERMETRY_RETURN_IF_ERROR(gr.Materialize(heap[j].row, &out.emplace_back()));
    }
    i = j;
  }
  std::stable_sort(out.begin(), out.end(), newest_first);
  if (out.size() > q.limit) out.resize(q.limit);
  return out;
}

}  // namespace infermetry::spanstore
