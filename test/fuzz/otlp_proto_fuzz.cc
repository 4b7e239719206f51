// Fuzz target for OTLP protobuf requests as the receiver handles them.
//
// For each input and each export request type: ParseFromArray; when it succeeds, the message
// must serialize and parse again, EncodeJson must produce JSON that DecodeJson accepts (unless
// an id has a length other than 16/8 bytes, which OTLP/JSON cannot carry) and whose re-encoding
// is the same text, and the receiver's validation (ingest/otlp/validate.h) must leave only
// valid items behind.
//
//   otlp_proto_fuzz -max_total_time=60 test/fuzz/corpus/otlp_proto

#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ingest/otlp/validate.h"
#include "model/otlp/otlp_json.h"

namespace {

using namespace infermetry::otlp;  // NOLINT: the codec's types and functions

void Check(bool ok, const char* what, const std::string& detail = "") {
  if (!ok) {
    std::fprintf(stderr, "otlp_proto_fuzz: check failed: %s\n%s\n", what, detail.c_str());
    std::abort();
  }
}

bool IdOk(const std::string& id, size_t want) { return id.empty() || id.size() == want; }

// Whether every id can be written as OTLP/JSON hex.
bool IdsFit(const ExportTraceServiceRequest& m) {
  for (const auto& rs : m.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& s : ss.spans()) {
        if (!IdOk(s.trace_id(), 16) || !IdOk(s.span_id(), 8) || !IdOk(s.parent_span_id(), 8))
          return false;
        for (const auto& l : s.links()) {
          if (!IdOk(l.trace_id(), 16) || !IdOk(l.span_id(), 8)) return false;
        }
      }
    }
  }
  return true;
}

template <typename Points>
bool ExemplarIdsFit(const Points& points) {
  for (const auto& p : points) {
    for (const auto& e : p.exemplars()) {
      if (!IdOk(e.trace_id(), 16) || !IdOk(e.span_id(), 8)) return false;
    }
  }
  return true;
}

bool IdsFit(const ExportMetricsServiceRequest& m) {
  for (const auto& rm : m.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& x : sm.metrics()) {
        if (!ExemplarIdsFit(x.gauge().data_points()) || !ExemplarIdsFit(x.sum().data_points()) ||
            !ExemplarIdsFit(x.histogram().data_points()) ||
            !ExemplarIdsFit(x.exponential_histogram().data_points())) {
          return false;
        }
      }
    }
  }
  return true;
}

bool IdsFit(const ExportLogsServiceRequest& m) {
  for (const auto& rl : m.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) {
      for (const auto& r : sl.log_records()) {
        if (!IdOk(r.trace_id(), 16) || !IdOk(r.span_id(), 8)) return false;
      }
    }
  }
  return true;
}

template <typename M>
void Run(const uint8_t* data, size_t size) {
  M msg;
  if (!msg.ParseFromArray(data, static_cast<int>(size))) return;
  std::string wire = msg.SerializeAsString();
  M again;
  Check(again.ParseFromString(wire), "re-serialized message parses");
  Check(again.SerializeAsString() == wire, "re-serialization is stable");

  std::string json = EncodeJson(msg);
  M from_json;
  infermetry::Status st = DecodeJson(json, from_json);
  if (!st.ok()) {
    Check(!IdsFit(msg), "encoded JSON decodes", st.ToString() + "\n" + json);
  } else {
    Check(EncodeJson(from_json) == json, "JSON encoding is a fixed point", json);
  }

  // Validation leaves nothing it would reject, and rejects nothing twice.
  Rejections first = RemoveInvalid(&msg);
  Check(first.count >= 0 && (first.count == 0) == first.message.empty(),
        "rejection count and message agree");
  Rejections second = RemoveInvalid(&msg);
  Check(second.count == 0, "validation is idempotent", second.message);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The protobuf parser logs every invalid UTF-8 string it refuses; that is expected here.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Heap copy of exactly `size` bytes, so that ASan catches any read past the end.
  uint8_t* buf = static_cast<uint8_t*>(std::malloc(size == 0 ? 1 : size));
  if (size > 0) std::memcpy(buf, data, size);
  Run<ExportTraceServiceRequest>(buf, size);
  Run<ExportMetricsServiceRequest>(buf, size);
  Run<ExportLogsServiceRequest>(buf, size);
  std::free(buf);
  return 0;
}
