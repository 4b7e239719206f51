#include "compare.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "dataset.h"

namespace infermetry::sqldiff {
namespace {

std::string FormatInterval(const sql::Interval& iv) {
  std::string out;
  auto part = [&](int64_t n, const char* unit, const char* units) {
    if (n == 0) return;
    if (!out.empty()) out += " ";
    out += std::to_string(n) + " " + (n == 1 || n == -1 ? unit : units);
  };
  part(iv.months / 12, "year", "years");
  part(iv.months % 12, "mon", "mons");
  part(iv.days, "day", "days");
  if (iv.micros != 0 || out.empty()) {
    int64_t us = iv.micros < 0 ? -iv.micros : iv.micros;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%02lld:%02lld:%02lld", iv.micros < 0 ? "-" : "",
                  static_cast<long long>(us / 3'600'000'000), static_cast<long long>(us / 60'000'000 % 60),
                  static_cast<long long>(us / 1'000'000 % 60));
    std::string t = buf;
    if (us % 1'000'000 != 0) {
      std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us % 1'000'000));
      std::string f = buf;
      while (f.back() == '0') f.pop_back();
      t += f;
    }
    if (!out.empty()) out += " ";
    out += t;
  }
  return out;
}

bool ParseNumber(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

bool Close(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  const double diff = std::fabs(a - b);
  return diff <= 1e-9 * std::max(std::fabs(a), std::fabs(b)) || diff <= 1e-12;
}

}  // namespace

std::string PgText(const sql::Value& v) {
  if (v.null) return kNullText;
  switch (v.type) {
    case sql::Type::kBool: return v.i ? "t" : "f";
    case sql::Type::kInt64: return std::to_string(v.i);
    case sql::Type::kFloat64: {
      if (std::isnan(v.d)) return "NaN";
      if (std::isinf(v.d)) return v.d > 0 ? "Infinity" : "-Infinity";
      char buf[64];  // the shortest form that reads back exactly, as PostgreSQL prints
      auto r = std::to_chars(buf, buf + sizeof buf, v.d);
      return std::string(buf, r.ptr);
    }
    case sql::Type::kText: return v.s;
    case sql::Type::kTimestamp: return FormatTimestamp(v.i);
    case sql::Type::kInterval: return FormatInterval(v.iv);
    case sql::Type::kNull: return kNullText;
  }
  return "?";
}

bool SameCell(const sql::Value& v, const std::string& pg, std::string* why) {
  const bool pg_null = pg == kNullText;
  if (v.null || pg_null) {
    if (v.null == pg_null) return true;
    *why = "NULL on one side only";
    return false;
  }
  switch (v.type) {
    case sql::Type::kInt64:
    case sql::Type::kFloat64: {
      double p;
      if (!ParseNumber(pg, &p)) {
        *why = "PostgreSQL gives a non-number";
        return false;
      }
      const double o = v.type == sql::Type::kInt64 ? static_cast<double>(v.i) : v.d;
      if (Close(o, p)) return true;
      *why = "numbers differ";
      return false;
    }
    case sql::Type::kTimestamp: {
      Result<int64_t> t = ParseTimestamp(pg);
      if (t.ok() && *t == v.i) return true;
      *why = t.ok() ? "timestamps differ" : "PostgreSQL gives a non-timestamp";
      return false;
    }
    case sql::Type::kBool:
      if ((pg == "t") == (v.i != 0) && (pg == "t" || pg == "f")) return true;
      *why = "booleans differ";
      return false;
    default:
      if (PgText(v) == pg) return true;
      *why = "text differs";
      return false;
  }
}

std::vector<std::vector<sql::Value>> ResultRows(const sql::QueryResult& r) {
  std::vector<std::vector<sql::Value>> rows;
  for (const sql::Batch& b : r.batches) {
    for (size_t i = 0; i < b.num_rows; ++i) {
      std::vector<sql::Value> row;
      for (const sql::Column& c : b.columns) row.push_back(c.Get(i));
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

bool SameAnswer(const Result<sql::QueryResult>& ours, const PgResult& pg, std::string* why) {
  if (!ours.ok() || pg.error) {
    if (!ours.ok() && pg.error) return true;
    *why = ours.ok() ? "only PostgreSQL fails: " + pg.message
                     : "only infermetry fails: " + ours.status().message();
    return false;
  }
  std::vector<std::vector<sql::Value>> rows = ResultRows(*ours);
  if (rows.size() != pg.rows.size()) {
    *why = "row count: infermetry " + std::to_string(rows.size()) + ", PostgreSQL " + std::to_string(pg.rows.size());
    return false;
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != pg.rows[r].size()) {
      *why = "row " + std::to_string(r + 1) + ": infermetry has " + std::to_string(rows[r].size()) +
             " columns, PostgreSQL " + std::to_string(pg.rows[r].size());
      return false;
    }
    for (size_t c = 0; c < rows[r].size(); ++c) {
      std::string cell_why;
      if (!SameCell(rows[r][c], pg.rows[r][c], &cell_why)) {
        *why = "row " + std::to_string(r + 1) + " column " + std::to_string(c + 1) + ": " + cell_why +
               " (infermetry " + PgText(rows[r][c]) + ", PostgreSQL " + pg.rows[r][c] + ")";
        return false;
      }
    }
  }
  return true;
}

}  // namespace infermetry::sqldiff
