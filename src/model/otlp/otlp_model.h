#pragma once
// OTLP export requests -> the stores' flattened model (model::Span, model::LogRecord): each span
// or log record carries its resource (service_name from the resource attribute service.name)
// and its instrumentation scope.
//
// Attribute values keep their OTLP types: strings, bools, ints and doubles as they are; bytes
// as standard base64 text (kBytes); arrays and key-value lists as the OTLP/JSON text of the
// whole AnyValue (kJson), e.g. {"arrayValue":{"values":[{"intValue":"1"}]}}. An unset AnyValue
// becomes kEmpty. Ids of the wrong length (invalid OTLP) are left all zero.
//
// Total functions: they never fail. Thread-safe (no shared state).

#include <string>
#include <vector>

#include "model/span.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace infermetry::otlp {

// Appends one model::Span per span of `req`, in request order.
void AppendSpans(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req,
                 std::vector<model::Span>* out);
std::vector<model::Span> ToSpans(
    const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req);

// Appends one model::LogRecord per log record of `req`, in request order.
void AppendLogs(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& req,
                std::vector<model::LogRecord>* out);
std::vector<model::LogRecord> ToLogs(
    const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& req);

// One AnyValue as the model keeps it (see above).
model::AttrValue ToAttrValue(const opentelemetry::proto::common::v1::AnyValue& v);
model::Attributes ToAttributes(
    const google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>& kvs);

}  // namespace infermetry::otlp
