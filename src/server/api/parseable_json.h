#pragma once
// A small JSON reader for the Parseable-compatible API's request bodies (query requests,
// ingested events): a tree that keeps what the API needs and a general-purpose decoder drops:
//   - the byte range of every value in the input, so an event's own JSON text can be stored
//     as it was sent, and errors can name the byte offset where the input went wrong;
//   - whether a number was written as an integer (no fraction, no exponent, fits int64) or
//     not, which decides between bigint and double precision in schema inference;
//   - object members in input order (duplicate keys kept; Find returns the last, as most
//     JSON readers do).
//
//   auto v = ParseJson(body);
//   if (!v.ok()) ...  // kParseError: "invalid JSON at byte 17: expected ':' after an object key"
//   const JsonValue* q = v->Find("query");
//
// Strict RFC 8259: no comments, no trailing commas, no NaN literals; strings must be valid
// escapes (\uXXXX surrogate pairs are combined; lone surrogates become U+FFFD); nesting is
// limited to 512 levels. Whitespace may surround the single top-level value.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace infermetry::api {

struct JsonValue {
  enum class Kind : uint8_t { kNull, kBool, kInteger, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;  // kInteger
  double d = 0;   // kInteger and kNumber: the value as a double
  std::string s;  // kString: the decoded text
  std::vector<JsonValue> items;                            // kArray
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject, in input order
  size_t begin = 0;  // byte range of the value's text in the input: [begin, end)
  size_t end = 0;

  bool is_number() const { return kind == Kind::kInteger || kind == Kind::kNumber; }
  // The last member called `key`, or null (also when this is not an object).
  const JsonValue* Find(std::string_view key) const;
};

// kParseError naming the byte offset (0-based) and what was expected there.
Result<JsonValue> ParseJson(std::string_view text);

}  // namespace infermetry::api
