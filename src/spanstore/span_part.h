#pragma once
// The columns of a span part (row kind kSpan) and their codec: building a part from sorted
// spans, and decoding a granule back. Column ids, dictionaries and statistics are listed in
// docs/format/spanstore.md ("span parts").

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/span.h"
#include "spanstore/attr_columns.h"
#include "spanstore/granule.h"
#include "spanstore/part_file.h"

namespace infermetry::spanstore {

struct SpanCodec {
  using Item = model::Span;
  static constexpr RowKind kKind = RowKind::kSpan;
  static constexpr const char* kName = "spans";

  enum Dict : uint32_t { kServices, kNames, kKeys, kLayouts, kResources, kScopes, kDictCount };
  enum Stat : uint32_t { kStatStart, kStatDuration, kStatService, kStatName, kStatStatus };
  enum Column : uint32_t {
    kTraceId,
    kSpanId,
    kParentId,
    kTraceState,
    kFlags,
    kService,
    kSpanName,
    kSpanKind,
    kStart,
    kDuration,
    kStatusCode,
    kStatusMessage,
    kResource,
    kScope,
    kLayout,
    kEventsLinks,
    kDroppedAttrs,
    kDroppedEvents,
    kDroppedLinks,
    kAttrBase = 64,  // + attribute key id
  };

  static int64_t Time(const model::Span& s) { return s.start_ns; }
  static const model::TraceId& TraceIdOf(const model::Span& s) { return s.trace_id; }
  // Part row order: (service, name, start).
  static bool Less(const model::Span& a, const model::Span& b);
  // REQUIRES: rows sorted by Less, non-empty.
  static PartBuild Build(const std::vector<const model::Span*>& rows);
  // Appends every row of `part`, in part order.
  static Status ReadAll(const Part& part, std::vector<model::Span>* out);
  static std::string EncodeBatch(const std::vector<model::Span>& items);
  static Status DecodeBatch(std::string_view rec, std::vector<model::Span>* out);
};

// One granule of a span part, decoded column by column.
class SpanGranule : public GranuleReader {
 public:
  using GranuleReader::GranuleReader;

  // The columns that searches filter on: start, duration, service, name, status.
  Status LoadFilterColumns();
  // Everything else (needed to materialize spans).
  Status LoadAll();
  // The attribute columns only.
  Status LoadAttributes();
  // The trace-id column only.
  Status LoadTraceIds();

  std::vector<int64_t> start, duration, service, name, status;
  const AttrGranule& attrs() const { return attrs_; }
  // REQUIRES: LoadAll() succeeded.
  Status Materialize(uint32_t row, model::Span* out) const;
  // REQUIRES: LoadTraceIds() succeeded.
  bool TraceIdIs(uint32_t row, const model::TraceId& id) const;
  // REQUIRES: LoadAll() succeeded.
  size_t resource(uint32_t row) const { return static_cast<size_t>(resource_[row]); }

 private:
  bool filter_loaded_ = false, all_loaded_ = false, attrs_loaded_ = false, ids_loaded_ = false;
  std::string trace_ids_, span_ids_, parent_ids_;
  std::string trace_state_raw_, status_msg_raw_, events_raw_;
  std::string trace_state_arena_, status_msg_arena_, events_arena_;
  std::vector<std::string_view> trace_state_, status_msg_, events_;
  std::vector<int64_t> flags_, kind_, resource_, scope_, dropped_attrs_, dropped_events_,
      dropped_links_;
  AttrGranule attrs_;
};

}  // namespace infermetry::spanstore
