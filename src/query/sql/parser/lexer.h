#pragma once
// The SQL lexer: the whole text to tokens with byte positions, PostgreSQL's rules.
//
//   identifiers  unquoted: letters, digits, '_', '$' and non-ASCII bytes, folded to lower case;
//                "quoted": exact, "" for a quote inside; keywords are unquoted identifiers
//   numbers      123, 1.5, .5, 1e-3, 2.5E+10 (text kept; the parser decides int64 or double)
//   strings      'it''s' ('' for a quote inside), E'tab\there' (backslash escapes \b \f \n
//                \r \t \\ \' \ooo \xhh \uXXXX \UXXXXXXXX), and 'a' <newline> 'b' concatenated
//   operators    + - * / % ^ || :: = <> != (as "<>") < <= > >= ( ) , . ;
//   comments     -- to end of line, /* ... */ (nesting)
// Errors are kParseError statuses built by SqlError with the position of the problem.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace infermetry::sql {

enum class TokenKind { kIdent, kString, kNumber, kOp, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  int pos = 0;          // byte offset of the first character
  int end = 0;          // byte offset after the last character
  std::string text;     // kIdent: folded name; kString: the value; kNumber: digits; kOp: operator
  bool quoted = false;  // kIdent written in double quotes (never a keyword)
};

// Tokens of `sql`, ending with one kEnd token at sql.size().
Result<std::vector<Token>> Lex(std::string_view sql);

}  // namespace infermetry::sql
