#pragma once
// The `attributes` actions shared by the resource and attributes processors, as the Collector's
// (contrib's attraction package) define them:
//
//   attributes:
//     - {key: deployment.environment, value: prod, action: insert}   # only if absent
//     - {key: service.name, from_attribute: k8s.deployment.name, action: upsert}
//     - {key: user.email, action: hash}       # SHA-256, lower-case hex (the Collector's default
//                                             # since v0.79; SHA-1 before)
//     - {pattern: ^secret\., action: delete}  # every key the regex matches (RE2, unanchored)
//     - {key: http.url, pattern: '^https?://(?P<host>[^/]+)', action: extract}
//     - {key: http.status_code, converted_type: int, action: convert}
//
//     - {key: tenant, from_context: metadata.x-tenant, action: upsert}
//
//   insert   sets `key` if absent;  update  sets it if present;  upsert  sets it always; the new
//            value is `value`, or with `from_attribute` that attribute's value, or with
//            `from_context` a value of the request's client information (client_info.h);
//            nothing happens when the source is absent
//   delete   removes `key` and every key matching `pattern`
//   hash     replaces the value of `key` and of keys matching `pattern` by the hex SHA-256 of
//            its bytes: a string's UTF-8 bytes, a bool as one byte 0/1, an int64 or a double's
//            IEEE bits as 8 little-endian bytes; other types become ""
//   extract  matches `pattern` against the string value of `key` and upserts one attribute per
//            named group (?P<name>...) with what it matched
//   convert  turns the value of `key` into converted_type int, double or string; a value that
//            cannot be converted is left as it is
//
// `value` keeps its YAML type: 42 is an int, 4.2 a double, true a bool, "42" (quoted) a string;
// lists and mappings become array and kvlist values. Actions apply in order.
//
// `from_context` (as in the Collector) reads CurrentClientInfo() (process/client_info.h), which
// a receiver sets only for the synchronous part of the pipeline:
//   metadata.<key>   the values of request metadata <key> (an HTTP header or gRPC metadata key,
//                    compared case-insensitively; the otlp receiver fills it with
//                    `include_metadata: true`), joined with ";" when there are several
//   client.address   the peer's "ip:port" ("" when unknown, as the Collector sets it)
//   <key>            any other name is looked up in the metadata as if prefixed (the
//                    Collector's backward-compatible fallback)
// The value is a string. With no client information, or no value for the key, insert, update
// and upsert do nothing. `auth.*` is refused: infermetry has no authenticators that set it.

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/yaml.h"
#include "process/telemetry.h"

namespace re2 {
class RE2;
}

namespace infermetry::process {

using KeyValues = google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>;
using AnyValue = opentelemetry::proto::common::v1::AnyValue;

struct AttrAction {
  enum class Kind { kInsert, kUpdate, kUpsert, kDelete, kHash, kExtract, kConvert };
  enum class Type { kInt, kDouble, kString };

  Kind kind = Kind::kUpsert;
  std::string key;
  std::shared_ptr<const re2::RE2> pattern;  // null when not given
  bool has_value = false;
  AnyValue value;
  std::string from_attribute;
  std::string from_context;  // as written, e.g. "metadata.authorization"; empty when not given
  Type converted_type = Type::kString;
};

// Decodes the list at `node` (`where` names it in messages, e.g. "processors.resource.attributes").
Result<std::vector<AttrAction>> DecodeAttrActions(const config::Document& doc,
                                                  const YAML::Node& node, const std::string& where);

// Applies every action, in order, to one attribute list.
void ApplyAttrActions(const std::vector<AttrAction>& actions, KeyValues* attrs);

// Lower-case hex SHA-256 of the value's bytes, as the hash action computes it.
std::string HashValue(const AnyValue& v);

// The YAML value as an attribute value (typed as described above).
Result<AnyValue> AnyValueFromYaml(const config::Document& doc, const YAML::Node& node,
                                  const std::string& where);

}  // namespace infermetry::process
