#pragma once
// WAL records of the metrics TSDB: series (ref + labels), samples (ref, t, v) and family
// metadata. Byte layout, version and compatibility rules: docs/format/tsdb-wal-records.md.
//
// Every record starts with a type byte and a version byte. Decoders reject a version they do
// not know with kCorruption naming both versions, and any malformed or truncated record with
// kCorruption; they never read past the record.
//
// Encoders append to `out` (which keeps its capacity between calls: no allocation in steady
// state). Thread-safety: pure functions.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/labels.h"
#include "storage/appender.h"

namespace infermetry::tsdb::record {

inline constexpr uint8_t kVersion = 1;

enum class Type : uint8_t { kSeries = 1, kSamples = 2, kMetadata = 3 };

struct RefSeries {
  uint64_t ref = 0;
  model::Labels labels;
};

struct RefSample {
  uint64_t ref = 0;
  int64_t t = 0;
  double v = 0;
};

struct RefMetadata {
  std::string family;
  storage::Metadata md;  // md.family is ignored; `family` is encoded
};

// The type of a record, or kCorruption (empty record, unknown type, unknown version).
Status PeekType(std::string_view rec, Type* type);

// A series record from label pairs given as string views (the head's interned strings).
struct SeriesView {
  uint64_t ref;
  std::span<const std::string_view> names;
  std::span<const std::string_view> values;
};
void EncodeSeries(std::span<const SeriesView> series, std::string* out);
void EncodeSamples(std::span<const RefSample> samples, std::string* out);
void EncodeMetadata(std::span<const RefMetadata> metas, std::string* out);

// Decoders append to `out`.
Status DecodeSeries(std::string_view rec, std::vector<RefSeries>* out);
Status DecodeSamples(std::string_view rec, std::vector<RefSample>* out);
Status DecodeMetadata(std::string_view rec, std::vector<RefMetadata>* out);

// Varint helpers shared with the checkpoint file.
void PutUvarint(std::string* out, uint64_t v);
void PutVarint(std::string* out, int64_t v);
// Read from *p (advanced) below `end`; false when truncated or too long.
bool GetUvarint(const char** p, const char* end, uint64_t* v);
bool GetVarint(const char** p, const char* end, int64_t* v);

}  // namespace infermetry::tsdb::record
