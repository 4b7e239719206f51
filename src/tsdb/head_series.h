#pragma once
// MemSeries: one series in the head, laid out for RAM (~110 bytes plus 8 per label plus chunk
// bytes): interned label ids inline, sealed chunks as a compact array, one open chunk, and an
// out-of-order buffer that exists only while the series has out-of-order samples.
//
// Thread-safety: a series' samples (chunks, ooo) are guarded by the head stripe lock of its ref;
// `pins` and `logged` are atomics; labels, hash and ref never change.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"
#include "model/labels.h"
#include "model/sample.h"
#include "tsdb/chunkenc/xor_chunk.h"
#include "tsdb/index/postings.h"
#include "tsdb/index/symbols.h"

namespace infermetry::tsdb {

struct SealedChunk {
  uint8_t* data;
  uint32_t size;
  uint16_t count;
  int64_t mint;
  int64_t maxt;
};

// Chunk bytes of a series copied out for a reader, so decoding runs without the series lock.
struct SeriesSnapshot {
  std::vector<uint8_t> bytes;
  struct Chunk {
    uint32_t offset;
    uint32_t size;
    uint16_t count;
  };
  std::vector<Chunk> chunks;               // in time order, non-overlapping
  std::vector<model::Sample> ooo;          // sorted, in range
};

struct AppendLimits {
  int64_t ooo_window_ms = 0;   // samples older than the series' newest by more: kOutOfOrder
  int64_t chunk_range_ms = 0;  // chunks never straddle a multiple of this
  uint16_t max_chunk_samples = 480;
  uint32_t max_chunk_bytes = 1024;
};

enum class AppendOutcome : uint8_t { kAppended, kOutOfOrderAppended, kNoop, kOutOfOrder, kDuplicate };

struct MemSeries {
  // Allocates a series with `num_labels` label pairs (ids to be filled in by the caller).
  static MemSeries* New(uint32_t ref, uint64_t hash, uint16_t num_labels);
  static void Delete(MemSeries* s);

  // Appends a sample under the rules of `limits`; `replay` accepts out-of-order samples of any
  // age (they were accepted once) and ignores duplicates with a different value.
  AppendOutcome Append(int64_t t, double v, const AppendLimits& limits, bool replay) noexcept;
  // What Append would say about a sample (without storing it), for early errors at Append.
  AppendOutcome Check(int64_t t, double v, const AppendLimits& limits) const noexcept;

  bool empty() const { return num_sealed == 0 && open.count() == 0 && ooo == nullptr; }
  int64_t MinTime() const;  // INT64_MAX when empty
  int64_t MaxTime() const;  // INT64_MIN when empty
  // Copies what lies in [mint, maxt].
  void Snapshot(int64_t mint, int64_t maxt, SeriesSnapshot* out) const;
  // Drops chunks and ooo samples entirely before `mint`; returns the number of samples dropped.
  uint64_t TruncateBefore(int64_t mint);
  uint64_t NumSamples() const;
  // Heap bytes owned by this series (struct, labels, chunks, ooo), with malloc overhead.
  size_t MemoryBytes() const;

  model::Labels MaterializeLabels(const index::SymbolTable& symbols) const;
  bool LabelsEqual(const model::Labels& ls, const index::SymbolTable& symbols) const;
  // The label pairs, stored right after the struct in the same allocation.
  index::SymPair* labels() { return reinterpret_cast<index::SymPair*>(this + 1); }
  const index::SymPair* labels() const {
    return reinterpret_cast<const index::SymPair*>(this + 1);
  }
  std::span<const index::SymPair> pairs() const { return {labels(), num_labels}; }

  uint64_t hash;
  uint32_t ref;
  uint16_t num_labels;
  std::atomic<uint8_t> logged{0};  // a series record for it reached the WAL
  uint8_t float_values = 0;        // saw a non-integer finite value: use float chunks
  std::atomic<uint32_t> pins{0};   // pending appends holding the pointer; 0 allows GC
  uint16_t num_sealed = 0;
  uint16_t cap_sealed = 0;
  SealedChunk* sealed = nullptr;
  int64_t open_mint = 0;
  chunkenc::XorChunk open;
  std::vector<model::Sample>* ooo = nullptr;  // sorted by t; only while non-empty

 private:
  MemSeries() = default;
  ~MemSeries();
  void Seal();
  bool FindInChunks(int64_t t, uint64_t* bits) const;
  AppendOutcome AppendOoo(int64_t t, double v, bool replay);
};

}  // namespace infermetry::tsdb
