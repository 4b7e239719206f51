#include "query/sql/exec/logic_runner.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "query/sql/engine.h"
#include "query/sql/exec/cast.h"
#include "query/sql/exec/memory_table.h"

namespace infermetry::sql::exec {

namespace {

constexpr int64_t kNowUs = 1717243200LL * 1000000;  // 2024-06-01 12:00:00 UTC

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Splits `s` at top-level commas (outside quotes and parentheses).
std::vector<std::string> SplitTop(const std::string& s) {
  std::vector<std::string> out;
  int depth = 0;
  bool quote = false;
  std::string cur;
  for (char c : s) {
    if (c == '\'') quote = !quote;
    if (!quote && c == '(') ++depth;
    if (!quote && c == ')') --depth;
    if (!quote && depth == 0 && c == ',') {
      out.push_back(Trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!Trim(cur).empty()) out.push_back(Trim(cur));
  return out;
}

std::string FormatCell(const Value& v) {
  if (v.null) return "NULL";
  if (v.type == Type::kText && v.s.empty()) return "(empty)";
  return ValueToText(v);
}

class Runner {
 public:
  explicit Runner(std::string path) : path_(std::move(path)) {}

  LogicResult Run() {
    std::ifstream in(path_);
    if (!in) {
      result_.failures.push_back(path_ + ": cannot open");
      return result_;
    }
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    size_t i = 0;
    while (i < lines.size()) {
      std::string head = Trim(lines[i]);
      if (head.empty() || head[0] == '#') { ++i; continue; }
      line_ = static_cast<int>(i + 1);
      ++i;
      std::vector<std::string> sql, expected;
      bool in_expected = false;
      while (i < lines.size() && !Trim(lines[i]).empty()) {
        if (Trim(lines[i]) == "----") in_expected = true;
        else if (in_expected) expected.push_back(lines[i]);
        else if (Trim(lines[i])[0] != '#') sql.push_back(lines[i]);
        ++i;
      }
      std::string text;
      for (const auto& l : sql) text += l + "\n";
      ++result_.records;
      if (head.rfind("statement ok", 0) == 0) Statement(text, nullptr);
      else if (head.rfind("statement error", 0) == 0) {
        std::string want = Trim(head.substr(15));
        Statement(text, &want);
      } else if (head.rfind("query", 0) == 0) Query(head, text, expected);
      else Fail("unknown record: " + head);
    }
    return result_;
  }

 private:
  void Fail(const std::string& what) {
    result_.failures.push_back(path_ + ":" + std::to_string(line_) + ": " + what);
  }

  Result<QueryResult> Execute(const std::string& sql) {
    QueryOptions opts;
    opts.now_us = kNowUs;
    return ExecuteSql(sql, &catalog_, opts);
  }

  Status CreateTable(const std::string& sql) {
    size_t open = sql.find('('), close = sql.rfind(')');
    if (open == std::string::npos || close == std::string::npos) return InvalidArgument("bad CREATE TABLE");
    std::istringstream hs(sql.substr(0, open));
    std::string w1, w2, name;
    hs >> w1 >> w2 >> name;
    std::vector<ColumnSchema> schema;
    std::string time_col;
    bool has_name = false;
    for (const std::string& def : SplitTop(sql.substr(open + 1, close - open - 1))) {
      size_t sp = def.find(' ');
      if (sp == std::string::npos) return InvalidArgument("bad column definition: " + def);
      std::string col = def.substr(0, sp);
      if (col.size() > 1 && col[0] == '"') col = col.substr(1, col.size() - 2);
      else col = Lower(col);
      std::string type = Lower(Trim(def.substr(sp + 1)));
      std::optional<Type> t = CastTargetType(type);
      if (!t) return InvalidArgument("unknown type " + type);
      schema.push_back({col, *t});
      if (col == "p_timestamp" && *t == Type::kTimestamp) time_col = col;
      if (col == "name" && *t == Type::kText) has_name = true;
    }
    catalog_.AddTable(Lower(name), schema, time_col, has_name && !time_col.empty());
    return Status::Ok();
  }

  Status Insert(const std::string& sql) {
    std::istringstream hs(sql);
    std::string w1, w2, name;
    hs >> w1 >> w2 >> name;
    MemoryTable* t = catalog_.Get(Lower(name));
    if (t == nullptr) return InvalidArgument("no table " + name);
    size_t v = Lower(sql).find("values");
    if (v == std::string::npos) return InvalidArgument("INSERT needs VALUES");
    std::string rest = sql.substr(v + 6);
    while (!rest.empty() && (std::isspace(static_cast<unsigned char>(rest.back())) || rest.back() == ';')) rest.pop_back();
    for (const std::string& tuple : SplitTop(rest)) {
      std::string inner = tuple.substr(1, tuple.size() - 2);
      std::vector<std::string> exprs = SplitTop(inner);
      if (exprs.size() != t->schema().size()) return InvalidArgument("wrong number of values: " + tuple);
      std::string select = "SELECT ";
      for (size_t i = 0; i < exprs.size(); ++i) {
        select += (i ? ", " : "") + std::string("CAST(") + exprs[i] + " AS " +
                  std::string(TypeName(t->schema()[i].type)) + ")";
      }
      Result<QueryResult> r = Execute(select);
      if (!r.ok()) return r.status();
      std::vector<Value> row;
      for (size_t i = 0; i < exprs.size(); ++i) row.push_back(r->batches[0].columns[i].Get(0));
      INFERMETRY_RETURN_IF_ERROR(t->AppendRow(std::move(row)));
    }
    return Status::Ok();
  }

  void Statement(const std::string& sql, const std::string* want_error) {
    std::string lower = Lower(Trim(sql));
    Status st;
    if (lower.rfind("create table", 0) == 0) st = CreateTable(Trim(sql));
    else if (lower.rfind("insert into", 0) == 0) st = Insert(Trim(sql));
    else st = Execute(sql).status();
    if (want_error == nullptr && !st.ok()) Fail("statement failed: " + st.ToString());
    if (want_error != nullptr) {
      if (st.ok()) Fail("statement succeeded, expected error containing \"" + *want_error + "\"");
      else if (st.message().find(*want_error) == std::string::npos) {
        Fail("error \"" + st.message() + "\" does not contain \"" + *want_error + "\"");
      }
    }
  }

  void Query(const std::string& head, const std::string& sql, const std::vector<std::string>& expected) {
    std::istringstream hs(head);
    std::string kw, types, mode;
    hs >> kw >> types >> mode;
    Result<QueryResult> r = Execute(sql);
    if (!r.ok()) {
      Fail("query failed: " + r.status().ToString());
      return;
    }
    if (r->columns.size() != types.size()) {
      Fail("query has " + std::to_string(r->columns.size()) + " columns, header says " + types);
      return;
    }
    for (size_t c = 0; c < types.size(); ++c) {
      Type t = r->columns[c].type;
      char want = types[c];
      bool ok = (want == 'I' && t == Type::kInt64) || (want == 'R' && t == Type::kFloat64) ||
                (want == 'B' && t == Type::kBool) ||
                (want == 'T' && (t == Type::kText || t == Type::kTimestamp || t == Type::kInterval)) ||
                t == Type::kNull;
      if (!ok) Fail("column " + std::to_string(c + 1) + " is " + std::string(TypeName(t)) + ", header says " + want);
    }
    std::vector<std::vector<std::string>> got;
    for (const Batch& b : r->batches) {
      for (size_t row = 0; row < b.num_rows; ++row) {
        std::vector<std::string> cells;
        for (const Column& c : b.columns) cells.push_back(FormatCell(c.Get(row)));
        got.push_back(cells);
      }
    }
    std::vector<std::vector<std::string>> want;
    for (const std::string& l : expected) {
      std::vector<std::string> cells;
      char sep = l.find('\t') != std::string::npos ? '\t' : types.size() == 1 ? '\n' : ' ';
      std::string cur;
      for (char c : l) {
        if (c == sep) { cells.push_back(cur); cur.clear(); } else cur += c;
      }
      cells.push_back(cur);
      want.push_back(cells);
    }
    if (mode == "rowsort") {
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
    }
    if (got != want) {
      std::string msg = "result differs\n  SQL: " + Trim(sql) + "\n  expected:\n";
      for (const auto& row : want) {
        msg += "    ";
        for (size_t i = 0; i < row.size(); ++i) msg += (i ? "\t" : "") + row[i];
        msg += "\n";
      }
      msg += "  got:\n";
      for (const auto& row : got) {
        msg += "    ";
        for (size_t i = 0; i < row.size(); ++i) msg += (i ? "\t" : "") + row[i];
        msg += "\n";
      }
      Fail(msg);
    }
  }

  std::string path_;
  int line_ = 0;
  MemoryCatalog catalog_;
  LogicResult result_;
};

}  // namespace

LogicResult RunLogicFile(const std::string& path) { return Runner(path).Run(); }

}  // namespace infermetry::sql::exec
