#include "query_gen.h"

#include <algorithm>

namespace infermetry::sqldiff {
namespace {

std::string Concat(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

}  // namespace

Scope QueryGen::TableScope(const TableDef& t, const std::string& qualifier) const {
  Scope s;
  for (const ColumnDef& c : t.columns) s.push_back({qualifier.empty() ? c.name : qualifier + "." + c.name, c.kind});
  return s;
}

const TableDef& QueryGen::RandomFact() { return ds_->table(rng_.Chance(0.6) ? "m" : "e"); }

std::string QueryGen::Limit() {
  if (!rng_.Chance(0.25)) return "";
  std::string out = " LIMIT " + std::to_string(rng_.Int(0, 25));
  if (rng_.Chance(0.5)) out += " OFFSET " + std::to_string(rng_.Int(0, 10));
  return out;
}

std::string QueryGen::OrderBy(int n_keys, int n_cols, const std::vector<std::string>& aliases) {
  std::vector<int> keys, rest;
  for (int i = 0; i < n_cols; ++i) (i < n_keys ? keys : rest).push_back(i);
  auto shuffle = [&](std::vector<int>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<size_t>(rng_.Int(0, static_cast<int64_t>(i) - 1))]);
  };
  shuffle(keys);
  shuffle(rest);
  keys.insert(keys.end(), rest.begin(), rest.end());
  std::vector<std::string> terms;
  for (int i : keys) {
    std::string t = rng_.Chance(0.3) ? aliases[static_cast<size_t>(i)] : std::to_string(i + 1);
    const int dir = static_cast<int>(rng_.Int(0, 2));
    t += dir == 0 ? "" : dir == 1 ? " ASC" : " DESC";
    const int nulls = static_cast<int>(rng_.Int(0, 2));
    t += nulls == 0 ? "" : nulls == 1 ? " NULLS FIRST" : " NULLS LAST";
    terms.push_back(t);
  }
  return " ORDER BY " + Concat(terms, ", ");
}

std::string QueryGen::Rows(const Scope& s, const std::string& from) {
  const int n = static_cast<int>(rng_.Int(1, 4));
  std::vector<std::string> items, aliases;
  for (int i = 0; i < n; ++i) {
    Expr e = rng_.Chance(0.4) && !s.empty() ? rng_.Pick(s) : g_.Any(s, 2);
    aliases.push_back("c" + std::to_string(i + 1));
    items.push_back(e.sql + " AS " + aliases.back());
  }
  std::string q = std::string("SELECT ") + (rng_.Chance(0.15) ? "DISTINCT " : "") + Concat(items, ", ") + " FROM " + from;
  if (rng_.Chance(0.7)) q += " WHERE " + g_.Pred(s, 2);
  return q + OrderBy(0, n, aliases) + Limit();
}

std::string QueryGen::Grouped(const Scope& s, const std::string& from, int min_keys, int max_keys) {
  const int nk = static_cast<int>(rng_.Int(min_keys, max_keys));
  const int na = static_cast<int>(rng_.Int(1, 3));
  std::vector<std::string> items, aliases, key_sql;
  for (int i = 0; i < nk; ++i) {
    Expr k = g_.GroupKey(s);
    key_sql.push_back(k.sql);
    aliases.push_back("k" + std::to_string(i + 1));
    items.push_back(k.sql + " AS " + aliases.back());
  }
  for (int i = 0; i < na; ++i) {
    aliases.push_back("a" + std::to_string(i + 1));
    items.push_back(g_.Agg(s).sql + " AS " + aliases.back());
  }
  std::string q = "SELECT " + Concat(items, ", ") + " FROM " + from;
  if (rng_.Chance(0.6)) q += " WHERE " + g_.Pred(s, 2);
  if (nk > 0) {
    std::vector<std::string> group;
    const int style = static_cast<int>(rng_.Int(0, 2));
    for (int i = 0; i < nk; ++i) {
      group.push_back(style == 0   ? std::to_string(i + 1)
                      : style == 1 ? key_sql[static_cast<size_t>(i)]
                                   : aliases[static_cast<size_t>(i)]);
    }
    q += " GROUP BY " + Concat(group, ", ");
  }
  if (rng_.Chance(0.3)) q += " HAVING " + g_.AggPred(s);
  return q + OrderBy(nk, nk + na, aliases) + (nk > 0 ? Limit() : "");
}

std::string QueryGen::Join() {
  const TableDef &m = ds_->table("m"), &e = ds_->table("e"), &h = ds_->table("h");
  const bool aliased = rng_.Chance(0.3);
  std::string from;
  Scope s;
  switch (rng_.Int(0, 5)) {
    case 0:
    case 1: {
      const std::string a = aliased ? "a" : "m", b = aliased ? "b" : "h";
      from = std::string("m") + (aliased ? " AS a" : "") + (rng_.Chance(0.5) ? " LEFT JOIN " : " JOIN ") + "h" +
             (aliased ? " AS b" : "") + " ON " + a + ".host = " + b + ".host";
      s = TableScope(m, a);
      for (const Expr& x : TableScope(h, b)) s.push_back(x);
      break;
    }
    case 2:
    case 3: {
      const std::string unit = rng_.Chance(0.5) ? "minute" : "hour";
      from = std::string("e") + (rng_.Chance(0.5) ? " LEFT JOIN " : " JOIN ") +
             "m ON date_trunc('" + unit + "', e.ts) = date_trunc('" + unit + "', m.ts) AND e.host = m.host";
      s = TableScope(e, "e");
      for (const Expr& x : TableScope(m, "m")) s.push_back(x);
      break;
    }
    case 4: {
      from = "e JOIN m ON m.ts BETWEEN (e.ts - interval '2 minutes') AND e.ts";
      s = TableScope(e, "e");
      for (const Expr& x : TableScope(m, "m")) s.push_back(x);
      break;
    }
    default: {
      from = "e LEFT JOIN h ON e.host = h.host";
      s = TableScope(e, "e");
      for (const Expr& x : TableScope(h, "h")) s.push_back(x);
      break;
    }
  }
  return rng_.Chance(0.5) ? Rows(s, from) : Grouped(s, from, 0, 2);
}

std::string QueryGen::Subquery() {
  const TableDef& t = RandomFact();
  Scope inner = TableScope(t, "");
  Scope outer;
  const std::string qual = rng_.Chance(0.5) ? "s." : "";
  std::vector<std::string> items;
  std::string q;
  if (rng_.Chance(0.3)) {
    Expr k = g_.GroupKey(inner);
    items.push_back(k.sql + " AS x1");
    outer.push_back({qual + "x1", k.kind, k.numeric});
    const int na = static_cast<int>(rng_.Int(1, 3));
    for (int i = 0; i < na; ++i) {
      Expr a = g_.Agg(inner);
      items.push_back(a.sql + " AS x" + std::to_string(i + 2));
      outer.push_back({qual + "x" + std::to_string(i + 2), a.kind, a.numeric});
    }
    q = "SELECT " + Concat(items, ", ") + " FROM " + t.name + (rng_.Chance(0.5) ? " WHERE " + g_.Pred(inner, 1) : "") +
        " GROUP BY 1";
  } else {
    const int n = static_cast<int>(rng_.Int(2, 4));
    for (int i = 0; i < n; ++i) {
      Expr e = rng_.Chance(0.5) ? rng_.Pick(inner) : g_.Any(inner, 2);
      items.push_back(e.sql + " AS x" + std::to_string(i + 1));
      outer.push_back({qual + "x" + std::to_string(i + 1), e.kind, e.numeric});
    }
    q = "SELECT " + Concat(items, ", ") + " FROM " + t.name + (rng_.Chance(0.6) ? " WHERE " + g_.Pred(inner, 2) : "");
  }
  const std::string from = "(" + q + ") AS s";
  return rng_.Chance(0.5) ? Rows(outer, from) : Grouped(outer, from, 0, 2);
}

std::string QueryGen::With() {
  const TableDef& t = RandomFact();
  Scope ts = TableScope(t, "");
  Expr k = g_.GroupKey(ts);
  std::vector<std::string> items = {k.sql + " AS wk"};
  Scope w = {{"wk", k.kind, k.numeric}};
  const int na = static_cast<int>(rng_.Int(1, 3));
  for (int i = 0; i < na; ++i) {
    Expr a = g_.Agg(ts);
    items.push_back(a.sql + " AS wa" + std::to_string(i + 1));
    w.push_back({"wa" + std::to_string(i + 1), a.kind, a.numeric});
  }
  const std::string cte = "WITH w AS (SELECT " + Concat(items, ", ") + " FROM " + t.name +
                          (rng_.Chance(0.5) ? " WHERE " + g_.Pred(ts, 1) : "") + " GROUP BY 1)";
  const int variant = static_cast<int>(rng_.Int(0, 2));
  if (variant == 1 && k.kind == Kind::kText) {
    Scope s;
    for (const Expr& x : w) s.push_back({"w." + x.sql, x.kind, x.numeric});
    for (const Expr& x : TableScope(ds_->table("h"), "h")) s.push_back(x);
    const std::string from = std::string("w") + (rng_.Chance(0.5) ? " LEFT JOIN " : " JOIN ") + "h ON w.wk = h.host";
    return cte + " " + (rng_.Chance(0.6) ? Rows(s, from) : Grouped(s, from, 0, 2));
  }
  if (variant == 2) {
    Scope v = {w[0], w[1]};
    return cte + ", v AS (SELECT wk, wa1 FROM w WHERE " + g_.Pred(w, 1) + ") " +
           (rng_.Chance(0.5) ? Rows(v, "v") : Grouped(v, "v", 0, 1));
  }
  return cte + " " + (rng_.Chance(0.6) ? Rows(w, "w") : Grouped(w, "w", 0, 2));
}

std::string QueryGen::Union() {
  const TableDef &t1 = RandomFact(), &t2 = RandomFact();
  static const std::vector<Kind> kinds = {Kind::kText, Kind::kDbl, Kind::kTs, Kind::kInt};
  const int n = static_cast<int>(rng_.Int(1, 3));
  std::vector<Kind> want;
  for (int i = 0; i < n; ++i) want.push_back(rng_.Pick(kinds));
  Scope out;
  auto branch = [&](const TableDef& t, bool first) {
    Scope s = TableScope(t, "");
    std::vector<std::string> items;
    for (int i = 0; i < n; ++i) {
      Expr e = g_.OfKind(want[static_cast<size_t>(i)], s, 1);
      items.push_back(e.sql + (first ? " AS u" + std::to_string(i + 1) : ""));
      if (first) {
        out.push_back({"u" + std::to_string(i + 1), e.kind, e.numeric});
      } else if (out[static_cast<size_t>(i)].kind != e.kind || e.numeric) {
        out[static_cast<size_t>(i)].numeric = true;
        if (e.kind == Kind::kDbl) out[static_cast<size_t>(i)].kind = Kind::kDbl;
      }
    }
    return "SELECT " + Concat(items, ", ") + " FROM " + t.name + (rng_.Chance(0.5) ? " WHERE " + g_.Pred(s, 1) : "");
  };
  const std::string b1 = branch(t1, true), b2 = branch(t2, false);
  std::vector<std::string> aliases;
  for (const Expr& e : out) aliases.push_back(e.sql);
  if (rng_.Chance(0.5)) return b1 + " UNION ALL " + b2 + OrderBy(0, n, aliases) + Limit();
  Scope u;
  for (const Expr& e : out) u.push_back({"u." + e.sql, e.kind, e.numeric});
  return Grouped(u, "(" + b1 + " UNION ALL " + b2 + ") AS u", 1, 2);
}

std::string QueryGen::Error() {
  static const std::vector<std::string> bad = {
      "SELECT nosuch FROM m",
      "SELECT host, count(*) FROM m",
      "SELECT host FROM m GROUP BY name",
      "SELECT * FROM nosuch_table",
      "SELECT (host + 1) FROM m",
      "SELECT sum(host) FROM m",
      "SELECT host FROM m WHERE",
      "SELECT (n / (n - n)) AS c1 FROM m WHERE n IS NOT NULL",
      "SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY d) FROM m",
      "SELECT d FROM m ORDER BY 9",
      "SELECT m.host FROM m JOIN h ON m.host = h.host WHERE host = 'a1'",
      "SELECT (ts + 1) FROM m",
      "SELECT count(*) FROM m WHERE d",
      "SELECT (1 / 0) AS c1",
      "SELECT ln(d) FROM m",
      "SELECT sqrt(d) FROM m",
      "SELECT CAST(host AS bigint) FROM m WHERE host IS NOT NULL",
      "SELECT host, name FROM m UNION ALL SELECT host FROM e",
      "SELECT host FROM m GROUP BY 3",
      "SELECT date_trunc('fortnight', ts) FROM m",
      "SELECT count(*) FROM m HAVING host = 'a1'",
      "SELECT (d / 0) AS c1 FROM m WHERE d IS NOT NULL",
  };
  return rng_.Pick(bad);
}

GenQuery QueryGen::Next() {
  const int r = static_cast<int>(rng_.Int(0, 99));
  if (r < 16) {
    const TableDef& t = rng_.Chance(0.1) ? ds_->table("h") : RandomFact();
    return {Rows(TableScope(t, ""), t.name), "select"};
  }
  if (r < 38) {
    const TableDef& t = RandomFact();
    return {Grouped(TableScope(t, ""), t.name, 1, 2), "group"};
  }
  if (r < 46) {
    const TableDef& t = RandomFact();
    return {Grouped(TableScope(t, ""), t.name, 0, 0), "aggregate"};
  }
  if (r < 61) return {Join(), "join"};
  if (r < 73) return {Subquery(), "subquery"};
  if (r < 84) return {With(), "with"};
  if (r < 95) return {Union(), "union"};
  return {Error(), "error"};
}

}  // namespace infermetry::sqldiff
