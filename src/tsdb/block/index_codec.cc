#include "tsdb/block/index_codec.h"

#include "tsdb/block/format.h"

namespace infermetry::tsdb::blockfmt {
namespace {

constexpr int kIndexZstdLevel = 3;
constexpr uint32_t kMaxLabelsPerSeries = 1u << 16;

std::string EncodeSymbols(const IndexContents& x) {
  std::string out;
  PutVarint(&out, x.symbols.size());
  for (const std::string& s : x.symbols) PutString(&out, s);
  return out;
}

std::string EncodeSeries(const IndexContents& x) {
  std::string out;
  PutVarint(&out, x.series.size());
  for (const SeriesEntry& s : x.series) {
    PutVarint(&out, s.num_labels);
    for (uint32_t i = 0; i < 2 * s.num_labels; ++i) PutVarint(&out, x.label_refs[s.labels_begin + i]);
    PutVarint(&out, s.tcol);
  }
  return out;
}

std::string EncodeTimeColumns(const IndexContents& x) {
  std::string out;
  PutVarint(&out, x.tcols.size());
  for (const TimeColumn& c : x.tcols) {
    PutVarint(&out, c.page);
    PutVarint(&out, c.offset);
    PutVarint(&out, c.n);
    PutZigZag(&out, c.mint);
    PutVarint(&out, static_cast<uint64_t>(c.maxt - c.mint));
  }
  return out;
}

std::string EncodePages(const IndexContents& x) {
  std::string out;
  PutVarint(&out, x.pages.size());
  for (const PageRef& p : x.pages) {
    out.push_back(static_cast<char>(p.kind));
    PutVarint(&out, p.offset);
    PutVarint(&out, p.length);
    PutVarint(&out, p.num_series);
  }
  return out;
}

std::string EncodePostings(const IndexContents& x) {
  std::string out;
  PutVarint(&out, x.postings.size());
  for (const PostingList& p : x.postings) {
    PutVarint(&out, p.name);
    PutVarint(&out, p.value);
    PutVarint(&out, p.ids.size());
    uint32_t prev = 0;
    for (size_t i = 0; i < p.ids.size(); ++i) {
      PutVarint(&out, i == 0 ? p.ids[0] : p.ids[i] - prev);
      prev = p.ids[i];
    }
  }
  return out;
}

std::string EncodeMetadata(const IndexContents& x) {
  std::string out;
  PutVarint(&out, x.metadata.size());
  for (const storage::MetadataEntry& e : x.metadata) {
    PutString(&out, e.metric);
    out.push_back(static_cast<char>(e.metadata.type));
    PutString(&out, e.metadata.help);
    PutString(&out, e.metadata.unit);
  }
  return out;
}

Status DecodeBody(const std::string raw[6], const std::string& path, uint64_t data_size,
                  IndexContents* x) {
  {
    Reader r(raw[0]);
    size_t n = r.VarintAtMost(raw[0].size());
    x->symbols.reserve(n);
    for (size_t i = 0; i < n && r.ok(); ++i) {
      x->symbols.emplace_back(r.String());
      if (i > 0 && !(x->symbols[i - 1] < x->symbols[i])) r.Fail();
    }
    if (!r.done()) return Corruption(path + ": malformed symbols section");
  }
  const uint64_t nsym = x->symbols.size();
  {
    Reader r(raw[3]);
    size_t n = r.VarintAtMost(raw[3].size());
    x->pages.resize(n);
    uint64_t first = 0;
    for (PageRef& p : x->pages) {
      uint8_t kind = r.U8();
      if (kind > 1) r.Fail();
      p.kind = static_cast<PageKind>(kind);
      p.offset = r.Varint();
      p.length = static_cast<uint32_t>(r.VarintAtMost(kMaxSectionBytes + kSectionOverhead));
      p.num_series = static_cast<uint32_t>(r.VarintAtMost(UINT32_MAX));
      p.first_series = static_cast<uint32_t>(first);
      first += p.num_series;
      if (p.offset < kFileHeaderBytes || p.offset > data_size || p.length > data_size - p.offset) {
        r.Fail();
      }
    }
    if (!r.done()) return Corruption(path + ": malformed pages section");
  }
  {
    Reader r(raw[2]);
    size_t n = r.VarintAtMost(raw[2].size());
    x->tcols.resize(n);
    for (TimeColumn& c : x->tcols) {
      c.page = static_cast<uint32_t>(r.VarintAtMost(x->pages.size()));
      c.offset = static_cast<uint32_t>(r.VarintAtMost(kMaxSectionBytes));
      c.n = static_cast<uint32_t>(r.VarintAtMost(kMaxSectionBytes));
      c.mint = r.ZigZagVarint();
      c.maxt = c.mint + static_cast<int64_t>(r.VarintAtMost(INT64_MAX / 2));
      if (c.n == 0 || c.page >= x->pages.size() || x->pages[c.page].kind != PageKind::kTimes) r.Fail();
    }
    if (!r.done()) return Corruption(path + ": malformed time columns section");
  }
  {
    Reader r(raw[1]);
    size_t n = r.VarintAtMost(raw[1].size());
    x->series.resize(n);
    size_t page = 0, slot = 0;
    for (SeriesEntry& s : x->series) {
      s.num_labels = static_cast<uint32_t>(r.VarintAtMost(kMaxLabelsPerSeries));
      s.labels_begin = static_cast<uint32_t>(x->label_refs.size());
      for (uint32_t i = 0; i < 2 * s.num_labels; ++i) {
        x->label_refs.push_back(static_cast<uint32_t>(r.VarintAtMost(nsym ? nsym - 1 : 0)));
        if (nsym == 0) r.Fail();
      }
      for (uint32_t i = 1; i < s.num_labels; ++i) {  // names strictly increasing
        if (x->label_refs[s.labels_begin + 2 * i] <= x->label_refs[s.labels_begin + 2 * i - 2]) r.Fail();
      }
      s.tcol = static_cast<uint32_t>(r.VarintAtMost(x->tcols.empty() ? 0 : x->tcols.size() - 1));
      if (x->tcols.empty()) r.Fail();
      while (page < x->pages.size() &&
             (x->pages[page].kind != PageKind::kSamples || slot >= x->pages[page].num_series)) {
        ++page;
        slot = 0;
      }
      if (page == x->pages.size()) {
        r.Fail();
        break;
      }
      s.page = static_cast<uint32_t>(page);
      s.slot = static_cast<uint32_t>(slot++);
    }
    uint64_t in_pages = 0;
    for (const PageRef& p : x->pages) in_pages += p.num_series;
    if (in_pages != n) r.Fail();
    if (!r.done()) return Corruption(path + ": malformed series section");
  }
  {
    Reader r(raw[4]);
    size_t n = r.VarintAtMost(raw[4].size());
    x->postings.resize(n);
    for (size_t i = 0; i < n && r.ok(); ++i) {
      PostingList& p = x->postings[i];
      p.name = static_cast<uint32_t>(r.VarintAtMost(nsym));
      p.value = static_cast<uint32_t>(r.VarintAtMost(nsym));
      if (p.name >= nsym || p.value >= nsym) r.Fail();
      if (i > 0 && std::pair(p.name, p.value) <=
                       std::pair(x->postings[i - 1].name, x->postings[i - 1].value)) {
        r.Fail();
      }
      size_t count = r.VarintAtMost(x->series.size());
      p.ids.resize(count);
      uint64_t id = 0;
      for (size_t k = 0; k < count && r.ok(); ++k) {
        uint64_t d = r.VarintAtMost(x->series.size());
        if (k > 0 && d == 0) r.Fail();
        id += d;
        if (id >= x->series.size()) r.Fail();
        p.ids[k] = static_cast<uint32_t>(id);
      }
    }
    if (!r.done()) return Corruption(path + ": malformed postings section");
  }
  {
    Reader r(raw[5]);
    size_t n = r.VarintAtMost(raw[5].size());
    x->metadata.resize(n);
    for (storage::MetadataEntry& e : x->metadata) {
      e.metric = std::string(r.String());
      e.metadata.family = e.metric;
      uint8_t type = r.U8();
      if (type > static_cast<uint8_t>(model::MetricType::kStateset)) r.Fail();
      e.metadata.type = static_cast<model::MetricType>(type);
      e.metadata.help = std::string(r.String());
      e.metadata.unit = std::string(r.String());
    }
    if (!r.done()) return Corruption(path + ": malformed metadata section");
  }
  return Status::Ok();
}

constexpr const char* kSectionNames[6] = {"symbols", "series",   "time columns",
                                          "pages",   "postings", "metadata"};

}  // namespace

std::string EncodeIndex(const IndexContents& x) {
  std::string out;
  AppendFileHeader(&out, kIndexMagic);
  AppendSection(&out, EncodeSymbols(x), true, kIndexZstdLevel);
  AppendSection(&out, EncodeSeries(x), true, kIndexZstdLevel);
  AppendSection(&out, EncodeTimeColumns(x), true, kIndexZstdLevel);
  AppendSection(&out, EncodePages(x), true, kIndexZstdLevel);
  AppendSection(&out, EncodePostings(x), true, kIndexZstdLevel);
  AppendSection(&out, EncodeMetadata(x), true, kIndexZstdLevel);
  return out;
}

Status DecodeIndex(std::string_view file, const std::string& path, uint64_t data_size,
                   IndexContents* x) {
  INFERMETRY_RETURN_IF_ERROR(CheckFileHeader(file, kIndexMagic, path));
  Reader r(file.substr(kFileHeaderBytes));
  std::string raw[6];
  for (int i = 0; i < 6; ++i) {
    INFERMETRY_RETURN_IF_ERROR(ReadSection(&r, &raw[i], path + ": " + kSectionNames[i] + " section"));
  }
  if (!r.done()) return Corruption(path + ": trailing bytes after the last section");
  return DecodeBody(raw, path, data_size, x);
}

std::string EncodeMeta(const MetaContents& m) {
  std::string body;
  PutString(&body, m.meta.id);
  PutZigZag(&body, m.meta.mint);
  PutZigZag(&body, m.meta.maxt);
  PutVarint(&body, m.meta.num_series);
  PutVarint(&body, m.meta.num_samples);
  PutVarint(&body, m.meta.level);
  PutVarint(&body, m.meta.sources.size());
  for (const std::string& s : m.meta.sources) PutString(&body, s);
  PutFixed64(&body, m.index_size);
  PutFixed64(&body, m.data_size);
  PutFixed64(&body, m.meta.size_bytes);
  std::string out;
  AppendFileHeader(&out, kMetaMagic);
  AppendSection(&out, body, false, 0);
  return out;
}

Status DecodeMeta(std::string_view file, const std::string& path, MetaContents* m) {
  INFERMETRY_RETURN_IF_ERROR(CheckFileHeader(file, kMetaMagic, path));
  Reader outer(file.substr(kFileHeaderBytes));
  std::string body;
  INFERMETRY_RETURN_IF_ERROR(ReadSection(&outer, &body, path));
  if (!outer.done()) return Corruption(path + ": trailing bytes");
  Reader r(body);
  m->meta.id = std::string(r.String());
  m->meta.mint = r.ZigZagVarint();
  m->meta.maxt = r.ZigZagVarint();
  m->meta.num_series = r.Varint();
  m->meta.num_samples = r.Varint();
  m->meta.level = static_cast<uint32_t>(r.VarintAtMost(UINT32_MAX));
  size_t nsrc = r.VarintAtMost(body.size());
  for (size_t i = 0; i < nsrc && r.ok(); ++i) m->meta.sources.emplace_back(r.String());
  m->index_size = r.Fixed64();
  m->data_size = r.Fixed64();
  m->meta.size_bytes = r.Fixed64();
  if (!r.done() || m->meta.mint > m->meta.maxt) return Corruption(path + ": malformed meta");
  return Status::Ok();
}

}  // namespace infermetry::tsdb::blockfmt
