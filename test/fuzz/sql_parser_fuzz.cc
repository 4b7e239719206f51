// Fuzz target for the SQL lexer, parser and printer, and the interval and timestamp text.
//
// For each input: lexes it and checks that token positions are in order and inside the
// input; parses it, and on success prints the tree and checks that the printed SQL parses
// again and prints identically; on failure checks that the error is a parse error with a
// line and column. Then reads the input as interval and timestamp text and checks that what
// parses formats back to text that parses to the same value.
//
//   sql_parser_fuzz -max_total_time=60 -dict=... test/data/sql

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "query/sql/parser/deparse.h"
#include "query/sql/parser/interval_text.h"
#include "query/sql/parser/lexer.h"
#include "query/sql/parser/parser.h"
#include "query/sql/parser/timestamp_text.h"

namespace {

using namespace infermetry;
using namespace infermetry::sql;

void Check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) {
    std::fprintf(stderr, "sql_parser_fuzz: check failed: %s\n%.*s\n", what,
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
  }
}

void CheckError(const Status& st) {
  Check(st.code() == Code::kParseError, "errors are parse errors", st.message());
  Check(st.message().find(" at line ") != std::string::npos, "errors carry a position",
        st.message());
}

void FuzzLexer(std::string_view in) {
  auto toks = Lex(in);
  if (!toks.ok()) {
    CheckError(toks.status());
    return;
  }
  int prev_end = 0;
  for (const Token& t : *toks) {
    Check(t.pos >= prev_end && t.end >= t.pos && t.end <= static_cast<int>(in.size()),
          "token positions ordered and inside the input");
    prev_end = t.end;
  }
  Check(!toks->empty() && toks->back().kind == TokenKind::kEnd, "tokens end with kEnd");
}

void FuzzParser(std::string_view in) {
  auto st = ParseSql(in);
  if (!st.ok()) {
    CheckError(st.status());
    return;
  }
  std::string printed = ToSql(*st);
  auto again = ParseSql(printed);
  // Printing parenthesizes every operator, so a tree near the nesting limit may print to SQL
  // beyond it; that is the limit acting, not a printing error.
  if (!again.ok() && again.status().message().find("nested too deeply") != std::string::npos) {
    return;
  }
  Check(again.ok(), "printed SQL parses", printed + "\n" + again.status().message());
  Check(ToSql(*again) == printed, "printing is stable", printed + "\n" + ToSql(*again));
}

void FuzzText(std::string_view in) {
  if (auto iv = ParseIntervalText(in); iv.ok()) {
    std::string text = FormatInterval(*iv);
    auto back = ParseIntervalText(text);
    Check(back.ok() && *back == *iv, "interval text reads back", text);
  }
  if (auto ts = ParseTimestampText(in); ts.ok()) {
    std::string text = FormatTimestamp(*ts);
    auto back = ParseTimestampText(text);
    Check(back.ok() && *back == *ts, "timestamp text reads back", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  FuzzLexer(in);
  FuzzParser(in);
  if (size < 256) FuzzText(in);
  return 0;
}
