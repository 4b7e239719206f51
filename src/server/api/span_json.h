#pragma once
// JSON of stored spans and log records, as the read API returns them (shapes in store_api.h).

#include <string>

#include "model/span.h"

namespace infermetry::api {

void AppendSpanJson(std::string* out, const model::Span& span);
void AppendLogJson(std::string* out, const model::LogRecord& log);
// A typed value: numbers as JSON numbers (non-finite doubles as strings), booleans, strings;
// kJson values as the JSON they hold.
void AppendAttrValueJson(std::string* out, const model::AttrValue& v);

}  // namespace infermetry::api
