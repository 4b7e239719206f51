#pragma once
// Row-wise binary form of spans and log records: the payload of the span store's WAL records
// (one record per ingested batch) and of the events/links column of span parts. Layouts:
// docs/format/spanstore.md ("WAL records"). Decoding checks every length and returns
// kCorruption for malformed input; it never reads past the input.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/span.h"
#include "spanstore/coding.h"

namespace infermetry::spanstore {

// WAL record kinds (first byte of a record).
inline constexpr uint8_t kSpanBatchRecord = 1;
inline constexpr uint8_t kLogBatchRecord = 2;

void EncodeAttrValue(const model::AttrValue& v, std::string* out);
bool DecodeAttrValue(Decoder* d, model::AttrValue* v);
void EncodeAttributes(const model::Attributes& attrs, std::string* out);
bool DecodeAttributes(Decoder* d, model::Attributes* attrs);

void EncodeSpan(const model::Span& s, std::string* out);
bool DecodeSpan(Decoder* d, model::Span* s);
void EncodeLog(const model::LogRecord& r, std::string* out);
bool DecodeLog(Decoder* d, model::LogRecord* r);

// Events and links of one span (empty string when it has neither).
void EncodeEventsLinks(const model::Span& s, std::string* out);
bool DecodeEventsLinks(std::string_view in, model::Span* s);

// A whole batch as one WAL record.
std::string EncodeSpanBatch(const std::vector<model::Span>& spans);
std::string EncodeLogBatch(const std::vector<model::LogRecord>& logs);
Status DecodeSpanBatch(std::string_view rec, std::vector<model::Span>* out);
Status DecodeLogBatch(std::string_view rec, std::vector<model::LogRecord>* out);

}  // namespace infermetry::spanstore
