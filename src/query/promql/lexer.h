#pragma once
// The PromQL lexer: turns a query into tokens with their byte offsets. Errors (an unterminated
// string, a stray character) are returned as an kError token whose text is the message.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace infermetry::promql {

enum class Tok {
  kEOF,
  kError,
  kIdentifier,   // metric, label or function name (may contain ':')
  kNumber,
  kDuration,
  kString,       // text holds the unquoted, unescaped value
  kLParen, kRParen, kLBrace, kRBrace, kLBracket, kRBracket, kComma, kColon, kAt,
  kAssign,       // =
  kEqlRegex,     // =~
  kNeqRegex,     // !~
  kAdd, kSub, kMul, kDiv, kMod, kPow,
  kEql,          // ==
  kNeq, kLss, kLte, kGtr, kGte,
};

struct Token {
  Tok kind = Tok::kEOF;
  std::string text;  // source text (identifiers, numbers, durations), value (strings)
  size_t pos = 0;    // byte offset in the query
};

// Tokenizes the whole input; the last token is kEOF or kError.
std::vector<Token> Lex(std::string_view input);

// "line:col" (1-based) of byte `pos` in `input`, as Prometheus reports positions.
std::string PositionString(std::string_view input, size_t pos);

// Parses a PromQL duration ("5m", "1h30m", "10ms"); false on anything else.
bool ParsePromDuration(std::string_view s, int64_t* ms);

}  // namespace infermetry::promql
