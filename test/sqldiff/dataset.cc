#include "dataset.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "rng.h"

namespace infermetry::sqldiff {
namespace {

constexpr int64_t kSecond = 1'000'000;

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

// A value, or NULL with probability `p_null`.
template <typename F>
sql::Value MaybeNull(Rng& rng, double p_null, Kind k, F make) {
  if (rng.Chance(p_null)) return sql::Value::Null(SqlType(k));
  return make();
}

}  // namespace

sql::Type SqlType(Kind k) {
  switch (k) {
    case Kind::kInt: return sql::Type::kInt64;
    case Kind::kDbl: return sql::Type::kFloat64;
    case Kind::kText: return sql::Type::kText;
    case Kind::kTs: return sql::Type::kTimestamp;
  }
  return sql::Type::kNull;
}

std::string_view PostgresType(Kind k) {
  switch (k) {
    case Kind::kInt: return "bigint";
    case Kind::kDbl: return "double precision";
    case Kind::kText: return "text";
    case Kind::kTs: return "timestamp";
  }
  return "";
}

const TableDef& Dataset::table(std::string_view name) const {
  for (const TableDef& t : tables) {
    if (t.name == name) return t;
  }
  return tables.front();
}

Dataset MakeDataset(uint64_t seed, int rows) {
  Rng rng(seed);
  Dataset ds;
  ds.start_us = DaysFromCivil(2024, 3, 10) * 86400 * kSecond + 8 * 3600 * kSecond;
  ds.end_us = ds.start_us + 4 * 3600 * kSecond;
  const std::vector<std::string> hosts = {"a1", "a2", "B3", "b4", "c-5", "C_6", "d%7", ""};
  const std::vector<std::string> names = {"cpu", "mem", "disk_io", "net", "Cpu", "gpu util"};
  const std::vector<std::string> kinds = {"prefill", "decode", "Decode", "swap", "abort"};
  const std::vector<std::string> regions = {"eu", "us", "ap", "US"};
  for (const auto* pool : {&hosts, &names, &kinds, &regions}) {
    ds.texts.insert(ds.texts.end(), pool->begin(), pool->end());
  }
  auto ts = [&] {
    int64_t t = ds.start_us + rng.Int(0, 4 * 3600) * kSecond;
    if (rng.Chance(0.2)) t += rng.Int(0, 999) * 1000;
    if (t > ds.end_us) t = ds.end_us;
    return sql::Value::Timestamp(t);
  };
  auto text = [&](const std::vector<std::string>& pool) { return sql::Value::Text(rng.Pick(pool)); };
  auto sixteenths = [&](int lo, int hi) { return sql::Value::Float(static_cast<double>(rng.Int(lo, hi)) / 16); };
  auto small_int = [&](int lo, int hi) {
    return sql::Value::Int(rng.Chance(0.1) ? 0 : rng.Int(lo, hi));
  };

  TableDef m{"m", {{"ts", Kind::kTs}, {"host", Kind::kText}, {"name", Kind::kText}, {"d", Kind::kDbl},
                   {"n", Kind::kInt}}, "ts", {}};
  for (int i = 0; i < rows; ++i) {
    m.rows.push_back({ts(), MaybeNull(rng, 0.08, Kind::kText, [&] { return text(hosts); }),
                      MaybeNull(rng, 0.08, Kind::kText, [&] { return text(names); }),
                      MaybeNull(rng, 0.08, Kind::kDbl, [&] { return sixteenths(-800, 3200); }),
                      MaybeNull(rng, 0.08, Kind::kInt, [&] { return small_int(-20, 1000); })});
  }
  TableDef e{"e", {{"ts", Kind::kTs}, {"host", Kind::kText}, {"kind", Kind::kText}, {"dur", Kind::kDbl},
                   {"tokens", Kind::kInt}}, "", {}};
  for (int i = 0; i < rows * 2 / 3; ++i) {
    e.rows.push_back({MaybeNull(rng, 0.05, Kind::kTs, ts), MaybeNull(rng, 0.08, Kind::kText, [&] { return text(hosts); }),
                      MaybeNull(rng, 0.08, Kind::kText, [&] { return text(kinds); }),
                      MaybeNull(rng, 0.08, Kind::kDbl, [&] { return sixteenths(0, 1600); }),
                      MaybeNull(rng, 0.08, Kind::kInt, [&] { return small_int(0, 2000); })});
  }
  // m's time column is never NULL (as a stream's p_timestamp); e's timestamps may be, so e has
  // no time column.
  // Hosts: every host but the last once, "a2" twice (joins fan out), and a NULL host.
  TableDef h{"h", {{"host", Kind::kText}, {"region", Kind::kText}, {"cap", Kind::kInt}, {"w", Kind::kDbl}}, "", {}};
  std::vector<sql::Value> host_keys;
  for (size_t i = 0; i + 1 < hosts.size(); ++i) host_keys.push_back(sql::Value::Text(hosts[i]));
  host_keys.push_back(sql::Value::Text("a2"));
  host_keys.push_back(sql::Value::Null(sql::Type::kText));
  for (const sql::Value& k : host_keys) {
    h.rows.push_back({k, MaybeNull(rng, 0.15, Kind::kText, [&] { return text(regions); }),
                      MaybeNull(rng, 0.15, Kind::kInt, [&] { return sql::Value::Int(rng.Int(1, 64)); }),
                      MaybeNull(rng, 0.15, Kind::kDbl, [&] { return sixteenths(0, 64); })});
  }
  ds.tables = {std::move(m), std::move(e), std::move(h)};
  return ds;
}

std::string FormatTimestamp(int64_t us) {
  int64_t days = us / (86400 * kSecond);
  int64_t rem = us % (86400 * kSecond);
  if (rem < 0) {
    rem += 86400 * kSecond;
    --days;
  }
  int64_t y;
  int mo, d;
  CivilFromDays(days, &y, &mo, &d);
  const int64_t secs = rem / kSecond, frac = rem % kSecond;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04" PRId64 "-%02d-%02d %02d:%02d:%02d", y, mo, d, static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  std::string out = buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06d", static_cast<int>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out;
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  int y, mo, d, hh, mi, ss, n = 0;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d%n", &y, &mo, &d, &hh, &mi, &ss, &n) != 6) {
    return InvalidArgument("not a timestamp: \"" + s + "\"");
  }
  int64_t frac = 0;
  size_t i = static_cast<size_t>(n);
  if (i < s.size() && s[i] == '.') {
    int64_t scale = 100000;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) frac += (s[i] - '0') * scale;
  }
  if (i != s.size()) return InvalidArgument("not a timestamp: \"" + s + "\"");
  return (DaysFromCivil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss) * kSecond + frac;
}

std::string SqlLiteral(const sql::Value& v) {
  if (v.null) return "NULL";
  switch (v.type) {
    case sql::Type::kInt64: return std::to_string(v.i);
    case sql::Type::kFloat64: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", v.d);
      return buf;
    }
    case sql::Type::kText: {
      std::string out = "'";
      for (char c : v.s) out += c == '\'' ? std::string("''") : std::string(1, c);
      return out + "'";
    }
    case sql::Type::kTimestamp: return "timestamp '" + FormatTimestamp(v.i) + "'";
    case sql::Type::kBool: return v.i ? "TRUE" : "FALSE";
    default: return "NULL";
  }
}

std::string PostgresSetupScript(const Dataset& ds) {
  std::string out;
  for (const TableDef& t : ds.tables) {
    out += "DROP TABLE IF EXISTS " + t.name + ";\nCREATE TABLE " + t.name + " (";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      out += (i ? ", " : "") + t.columns[i].name + " " + std::string(PostgresType(t.columns[i].kind));
    }
    out += ");\n";
    for (size_t r = 0; r < t.rows.size(); r += 50) {
      out += "INSERT INTO " + t.name + " VALUES ";
      for (size_t j = r; j < std::min(t.rows.size(), r + 50); ++j) {
        out += j == r ? "(" : ", (";
        for (size_t c = 0; c < t.rows[j].size(); ++c) out += (c ? ", " : "") + SqlLiteral(t.rows[j][c]);
        out += ")";
      }
      out += ";\n";
    }
    out += "ANALYZE " + t.name + ";\n";
  }
  return out;
}

Status LoadInto(const Dataset& ds, sql::exec::MemoryCatalog* catalog) {
  for (const TableDef& t : ds.tables) {
    std::vector<sql::ColumnSchema> schema;
    for (const ColumnDef& c : t.columns) schema.push_back({c.name, SqlType(c.kind)});
    sql::exec::MemoryTable* table = catalog->AddTable(t.name, schema, t.time_column);
    for (const auto& row : t.rows) {
      if (Status st = table->AppendRow(row); !st.ok()) return st.WithContext("loading table " + t.name);
    }
  }
  return Status::Ok();
}

}  // namespace infermetry::sqldiff
