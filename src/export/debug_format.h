#pragma once
// Text renderings of OTLP values for the debug exporter: ids in lowercase hex, timestamps in
// RFC 3339 UTC with nanoseconds, attribute values tagged with their type the way the
// Collector's debug exporter shows them: Str(v), Bool(true), Int(3), Double(1.5), Bytes(hex),
// Slice([...]), Map({k=...}), Empty().

#include <cstdint>
#include <string>
#include <string_view>

#include "google/protobuf/repeated_ptr_field.h"
#include "opentelemetry/proto/common/v1/common.pb.h"

namespace infermetry::exporter::debugfmt {

using AnyValue = opentelemetry::proto::common::v1::AnyValue;
using KeyValues = google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>;

std::string Hex(std::string_view bytes);
// "2026-11-24T05:40:00.123456789Z"; "" for 0 (unset).
std::string Time(uint64_t unix_nano);
// The typed form, e.g. Str(GET) or Slice([Int(1), Int(2)]).
std::string Typed(const AnyValue& v);
// The plain form: strings as they are, others as in Typed without the tag.
std::string Plain(const AnyValue& v);
// "{k1=Str(a), k2=Int(2)}" (typed) or "k1=a k2=2" (plain, space-separated, no braces).
std::string TypedMap(const KeyValues& kvs);
std::string PlainMap(const KeyValues& kvs);
// Shortest round-trip spelling of a double.
std::string Double(double d);

}  // namespace infermetry::exporter::debugfmt
