#include "tsdb/head_series.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <new>

namespace infermetry::tsdb {
namespace {

constexpr int64_t kMinT = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxT = std::numeric_limits<int64_t>::max();

// glibc malloc: an 8-byte header and 16-byte granularity.
size_t Alloc(size_t n) { return n == 0 ? 0 : (n + 8 + 15) / 16 * 16; }

int64_t RangeEnd(int64_t t, int64_t range) {
  if (t > kMaxT - range) return kMaxT;  // the last range: no boundary to cut at
  int64_t q = t / range;
  if (t % range != 0 && t < 0) --q;
  return (q + 1) * range;
}

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

}  // namespace

MemSeries* MemSeries::New(uint32_t ref, uint64_t hash, uint16_t num_labels) {
  void* mem = std::malloc(sizeof(MemSeries) + num_labels * sizeof(index::SymPair));
  if (mem == nullptr) std::abort();
  auto* s = new (mem) MemSeries();
  s->ref = ref;
  s->hash = hash;
  s->num_labels = num_labels;
  return s;
}

void MemSeries::Delete(MemSeries* s) {
  s->~MemSeries();
  std::free(s);
}

MemSeries::~MemSeries() {
  for (uint16_t i = 0; i < num_sealed; ++i) std::free(sealed[i].data);
  std::free(sealed);
  delete ooo;
}

int64_t MemSeries::MinTime() const {
  int64_t m = kMaxT;
  if (num_sealed > 0) m = sealed[0].mint;
  else if (open.count() > 0) m = open_mint;
  if (ooo != nullptr && !ooo->empty()) m = std::min(m, ooo->front().t_ms);
  return m;
}

int64_t MemSeries::MaxTime() const { return open.count() > 0 ? open.last_t() : kMinT; }

uint64_t MemSeries::NumSamples() const {
  uint64_t n = open.count();
  for (uint16_t i = 0; i < num_sealed; ++i) n += sealed[i].count;
  if (ooo != nullptr) n += ooo->size();
  return n;
}

void MemSeries::Seal() {
  if (open.count() == 0) return;
  // Grow by one: a series seals a chunk every 20-40 minutes, so exact sizing costs nothing.
  auto* p = static_cast<SealedChunk*>(std::realloc(sealed, (num_sealed + 1) * sizeof(SealedChunk)));
  if (p == nullptr) std::abort();
  sealed = p;
  cap_sealed = num_sealed + 1;
  SealedChunk& c = sealed[num_sealed++];
  c.count = open.count();
  c.mint = open_mint;
  c.maxt = open.last_t();
  c.data = open.Release(&c.size);
}

bool MemSeries::FindInChunks(int64_t t, uint64_t* bits) const {
  auto scan = [&](const uint8_t* data, uint32_t size, uint16_t count) {
    chunkenc::XorIterator it(data, size, count);
    if (it.Seek(t) && it.t() == t) {
      *bits = it.v_bits();
      return true;
    }
    return false;
  };
  if (open.count() > 0 && t >= open_mint && t <= open.last_t()) {
    return scan(open.data(), open.size(), open.count());
  }
  // Sealed chunks are in time order: find the last one starting at or before t.
  auto* end = sealed + num_sealed;
  auto* it = std::upper_bound(sealed, end, t,
                              [](int64_t x, const SealedChunk& c) { return x < c.mint; });
  if (it == sealed) return false;
  --it;
  if (t > it->maxt) return false;
  return scan(it->data, it->size, it->count);
}

AppendOutcome MemSeries::Check(int64_t t, double v, const AppendLimits& limits) const noexcept {
  if (open.count() == 0 || t > open.last_t()) return AppendOutcome::kAppended;
  if (t == open.last_t()) {
    return open.last_v_bits() == Bits(v) ? AppendOutcome::kNoop : AppendOutcome::kDuplicate;
  }
  if (open.last_t() - t > limits.ooo_window_ms) return AppendOutcome::kOutOfOrder;
  return AppendOutcome::kOutOfOrderAppended;  // duplicates among older samples: found at commit
}

AppendOutcome MemSeries::Append(int64_t t, double v, const AppendLimits& limits,
                                bool replay) noexcept {
  if (open.count() == 0 || t > open.last_t()) {
    if (open.count() > 0 &&
        (open.count() >= limits.max_chunk_samples || open.size() >= limits.max_chunk_bytes ||
         (limits.chunk_range_ms > 0 && t >= RangeEnd(open_mint, limits.chunk_range_ms)))) {
      Seal();
    }
    if (open.count() == 0) open_mint = t;
    if (!float_values && std::isfinite(v) && !chunkenc::IsExactInteger(v)) float_values = 1;
    if (!open.Append(t, v, !float_values)) {
      // An integer chunk meets a fraction, NaN or staleness marker: continue in a float chunk.
      Seal();
      open_mint = t;
      open.Append(t, v, false);
    }
    return AppendOutcome::kAppended;
  }
  if (t == open.last_t()) {
    if (open.last_v_bits() == Bits(v) || replay) return AppendOutcome::kNoop;
    return AppendOutcome::kDuplicate;
  }
  if (!replay && open.last_t() - t > limits.ooo_window_ms) return AppendOutcome::kOutOfOrder;
  return AppendOoo(t, v, replay);
}

AppendOutcome MemSeries::AppendOoo(int64_t t, double v, bool replay) {
  uint64_t bits;
  if (FindInChunks(t, &bits)) {
    return (bits == Bits(v) || replay) ? AppendOutcome::kNoop : AppendOutcome::kDuplicate;
  }
  if (ooo == nullptr) ooo = new std::vector<model::Sample>();
  auto it = std::lower_bound(ooo->begin(), ooo->end(), t,
                             [](const model::Sample& s, int64_t x) { return s.t_ms < x; });
  if (it != ooo->end() && it->t_ms == t) {
    return (Bits(it->v) == Bits(v) || replay) ? AppendOutcome::kNoop : AppendOutcome::kDuplicate;
  }
  ooo->insert(it, model::Sample{t, v});
  return AppendOutcome::kOutOfOrderAppended;
}

void MemSeries::Snapshot(int64_t mint, int64_t maxt, SeriesSnapshot* out) const {
  out->bytes.clear();
  out->chunks.clear();
  out->ooo.clear();
  auto add = [&](const uint8_t* data, uint32_t size, uint16_t count) {
    out->chunks.push_back({static_cast<uint32_t>(out->bytes.size()), size, count});
    out->bytes.insert(out->bytes.end(), data, data + size);
  };
  for (uint16_t i = 0; i < num_sealed; ++i) {
    const SealedChunk& c = sealed[i];
    if (c.maxt >= mint && c.mint <= maxt) add(c.data, c.size, c.count);
  }
  if (open.count() > 0 && open.last_t() >= mint && open_mint <= maxt) {
    add(open.data(), open.size(), open.count());
  }
  if (ooo != nullptr) {
    for (const model::Sample& s : *ooo) {
      if (s.t_ms >= mint && s.t_ms <= maxt) out->ooo.push_back(s);
    }
  }
}

uint64_t MemSeries::TruncateBefore(int64_t mint) {
  uint64_t dropped = 0;
  uint16_t keep_from = 0;
  while (keep_from < num_sealed && sealed[keep_from].maxt < mint) {
    dropped += sealed[keep_from].count;
    std::free(sealed[keep_from].data);
    ++keep_from;
  }
  if (keep_from > 0) {
    std::move(sealed + keep_from, sealed + num_sealed, sealed);
    num_sealed -= keep_from;
    if (num_sealed == 0) {
      std::free(sealed);
      sealed = nullptr;
    } else {
      auto* p = static_cast<SealedChunk*>(std::realloc(sealed, num_sealed * sizeof(SealedChunk)));
      if (p != nullptr) sealed = p;
    }
    cap_sealed = num_sealed;
  }
  if (num_sealed == 0 && open.count() > 0 && open.last_t() < mint) {
    dropped += open.count();
    open = chunkenc::XorChunk();
  }
  if (ooo != nullptr) {
    size_t before = ooo->size();
    std::erase_if(*ooo, [&](const model::Sample& s) { return s.t_ms < mint; });
    dropped += before - ooo->size();
    if (ooo->empty()) {
      delete ooo;
      ooo = nullptr;
    }
  }
  return dropped;
}

size_t MemSeries::MemoryBytes() const {
  size_t n = Alloc(sizeof(MemSeries) + num_labels * sizeof(index::SymPair));
  n += Alloc(cap_sealed * sizeof(SealedChunk));
  for (uint16_t i = 0; i < num_sealed; ++i) n += Alloc(sealed[i].size);
  n += Alloc(open.capacity());
  if (ooo != nullptr) n += Alloc(sizeof(*ooo)) + Alloc(ooo->capacity() * sizeof(model::Sample));
  return n;
}

model::Labels MemSeries::MaterializeLabels(const index::SymbolTable& symbols) const {
  std::vector<model::Label> ls;
  ls.reserve(num_labels);
  for (const index::SymPair& p : pairs()) {
    ls.push_back({std::string(symbols.Get(p.name)), std::string(symbols.Get(p.value))});
  }
  return model::Labels::FromUnsorted(std::move(ls));
}

bool MemSeries::LabelsEqual(const model::Labels& ls, const index::SymbolTable& symbols) const {
  if (ls.size() != num_labels) return false;
  const index::SymPair* p = labels();
  size_t i = 0;
  for (const model::Label& l : ls) {
    if (symbols.Get(p[i].name) != l.name || symbols.Get(p[i].value) != l.value) return false;
    ++i;
  }
  return true;
}

}  // namespace infermetry::tsdb
