#pragma once
// The columns of a log part (row kind kLog) and their codec. Rows are sorted by
// (service, time). Column ids, dictionaries and statistics: docs/format/spanstore.md.

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/span.h"
#include "spanstore/attr_columns.h"
#include "spanstore/granule.h"
#include "spanstore/part_file.h"

namespace infermetry::spanstore {

struct LogCodec {
  using Item = model::LogRecord;
  static constexpr RowKind kKind = RowKind::kLog;
  static constexpr const char* kName = "logs";

  enum Dict : uint32_t { kServices, kKeys, kLayouts, kResources, kScopes, kDictCount };
  enum Stat : uint32_t { kStatTime, kStatSeverity, kStatService };
  enum Column : uint32_t {
    kTime,
    kObservedDelta,
    kSeverity,
    kSeverityText,
    kBody,
    kService,
    kResource,
    kScope,
    kLayout,
    kTraceId,
    kSpanId,
    kFlags,
    kDroppedAttrs,
    kAttrBase = 64,
  };

  static int64_t Time(const model::LogRecord& r) { return r.time_ns; }
  static const model::TraceId& TraceIdOf(const model::LogRecord& r) { return r.trace_id; }
  static bool Less(const model::LogRecord& a, const model::LogRecord& b);
  static PartBuild Build(const std::vector<const model::LogRecord*>& rows);
  // Appends every row of `part`, in part order.
  static Status ReadAll(const Part& part, std::vector<model::LogRecord>* out);
  static std::string EncodeBatch(const std::vector<model::LogRecord>& items);
  static Status DecodeBatch(std::string_view rec, std::vector<model::LogRecord>* out);
};

class LogGranule : public GranuleReader {
 public:
  using GranuleReader::GranuleReader;

  // time, severity, service and body.
  Status LoadFilterColumns();
  Status LoadAll();

  std::vector<int64_t> time, severity, service;
  const AttrStream& body() const { return body_; }
  Status Materialize(uint32_t row, model::LogRecord* out) const;

 private:
  bool filter_loaded_ = false, all_loaded_ = false;
  AttrStream body_;
  std::string trace_ids_, span_ids_, severity_text_raw_, severity_text_arena_;
  std::vector<std::string_view> severity_text_;
  std::vector<int64_t> observed_, resource_, scope_, flags_, dropped_;
  AttrGranule attrs_;
};

}  // namespace infermetry::spanstore
