#pragma once
// OTLP/JSON: the JSON encoding of OTLP export requests and responses, as the OTLP
// specification defines it on top of the protobuf JSON mapping.
//
//   ExportTraceServiceRequest req;
//   Status st = DecodeJson(body, req);   // kParseError with what and where on failure
//   std::string json = EncodeJson(req);
//
// Output:
//   - field names in lowerCamelCase; fields holding their default value (empty string, zero,
//     empty list, absent message) are omitted, except members of a oneof and proto3
//     `optional` fields that are set (an AnyValue {"intValue":"0"} keeps its value);
//   - trace and span ids (spans, links, exemplars, log records) as lowercase hex strings;
//     every other `bytes` field (AnyValue.bytesValue) as standard base64 with padding;
//   - enums as integers; 64-bit integers (int64, uint64, fixed64, sfixed64) as decimal
//     strings; 32-bit integers as numbers;
//   - doubles as the shortest decimal that reads back to the same value ("-0.0" for negative
//     zero); NaN and infinities as the strings "NaN", "Infinity", "-Infinity";
//   - strings as UTF-8; bytes that are not valid UTF-8 (possible only in messages built in
//     code: the protobuf parser rejects them) come out as U+FFFD.
// The output is compact (no whitespace) and deterministic (fields in declaration order).
//
// Input (everything the output rules produce, plus):
//   - field names in lowerCamelCase or in the .proto's snake_case; unknown fields are ignored
//     whatever their value; `null` means "absent" for any field;
//   - ids in hex of either case; an id must be empty or exactly 2 * its size in hex digits
//     (trace ids 16 bytes, span ids 8 bytes);
//   - enums as integers or by their names ("SPAN_KIND_SERVER");
//   - any integer as a JSON number (integral, in range) or as a decimal string; doubles as
//     numbers or strings ("1.5", "NaN", "Infinity", "-Infinity");
//   - base64 in the standard or URL-safe alphabet, padding optional.
// A decoded message is never nested deeper than protobuf's default parse limit (100 levels
// of messages), so whatever DecodeJson accepts can be serialized and parsed back as protobuf.
//
// Errors are Code::kParseError with the path of the offending value in the encoded (camelCase)
// names, e.g.
//   resourceSpans[0].scopeSpans[1].spans[3].traceId: expected 32 hex characters, got 31
// and, for malformed JSON, the line and column of the first syntax error. On error the output
// message holds an unspecified part of the input; on success exactly the input (DecodeJson
// clears it first).
//
// Thread-safety: every function may be called concurrently (decoding uses a parser per
// thread).

#include <string>
#include <string_view>

#include "common/status.h"
#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace infermetry::otlp {

using ExportTraceServiceRequest =
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using ExportTraceServiceResponse =
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;
using ExportMetricsServiceRequest =
    opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using ExportMetricsServiceResponse =
    opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse;
using ExportLogsServiceRequest =
    opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using ExportLogsServiceResponse =
    opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using RpcStatus = google::rpc::Status;

// Decodes one OTLP/JSON document into `out`.
Status DecodeJson(std::string_view json, ExportTraceServiceRequest& out);
Status DecodeJson(std::string_view json, ExportMetricsServiceRequest& out);
Status DecodeJson(std::string_view json, ExportLogsServiceRequest& out);
Status DecodeJson(std::string_view json, ExportTraceServiceResponse& out);
Status DecodeJson(std::string_view json, ExportMetricsServiceResponse& out);
Status DecodeJson(std::string_view json, ExportLogsServiceResponse& out);
// The error body of OTLP/HTTP ({"code": 3, "message": "..."}); `details` are skipped.
Status DecodeJson(std::string_view json, RpcStatus& out);

// Encodes `msg` as one compact JSON document. Total: never fails.
std::string EncodeJson(const ExportTraceServiceRequest& msg);
std::string EncodeJson(const ExportMetricsServiceRequest& msg);
std::string EncodeJson(const ExportLogsServiceRequest& msg);
std::string EncodeJson(const ExportTraceServiceResponse& msg);
std::string EncodeJson(const ExportMetricsServiceResponse& msg);
std::string EncodeJson(const ExportLogsServiceResponse& msg);
// `details` are not encoded.
std::string EncodeJson(const RpcStatus& msg);

}  // namespace infermetry::otlp
