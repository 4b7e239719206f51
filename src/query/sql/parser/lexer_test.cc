#include "query/sql/parser/lexer.h"

#include <gtest/gtest.h>

namespace infermetry::sql {
namespace {

std::vector<Token> MustLex(std::string_view sql) {
  auto r = Lex(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<Token>{};
}

TEST(SqlLexer, IdentifiersFoldUnlessQuoted) {
  auto t = MustLex("SELECT Name, \"gen_ai.Usage\", \"a\"\"b\" FROM vLLMmetrics");
  ASSERT_EQ(t.size(), 9u);
  EXPECT_EQ(t[0].text, "select");
  EXPECT_EQ(t[1].text, "name");
  EXPECT_FALSE(t[1].quoted);
  EXPECT_EQ(t[3].text, "gen_ai.Usage");
  EXPECT_TRUE(t[3].quoted);
  EXPECT_EQ(t[5].text, "a\"b");
  EXPECT_EQ(t[7].text, "vllmmetrics");
  EXPECT_EQ(t[7].pos, 41);
  EXPECT_EQ(t[7].end, 52);
  EXPECT_EQ(t[8].kind, TokenKind::kEnd);
  EXPECT_EQ(t[8].pos, 52);
}

TEST(SqlLexer, NumbersKeepTheirText) {
  auto t = MustLex("1 2.5 .5 1e3 2.5E-2 3.");
  ASSERT_EQ(t.size(), 7u);
  for (int k = 0; k < 6; ++k) EXPECT_EQ(t[k].kind, TokenKind::kNumber) << k;
  EXPECT_EQ(t[0].text, "1");
  EXPECT_EQ(t[2].text, ".5");
  EXPECT_EQ(t[4].text, "2.5E-2");
  EXPECT_EQ(t[5].text, "3.");
}

TEST(SqlLexer, Strings) {
  auto t = MustLex("'it''s' E'a\\tb\\n\\x41\\101\\u00e9\\'' 'x'\n  'y'");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].kind, TokenKind::kString);
  EXPECT_EQ(t[0].text, "it's");
  EXPECT_EQ(t[1].text, "a\tb\nAA\xC3\xA9'");
  EXPECT_EQ(t[2].text, "xy");  // continued across a newline
  // A backslash is literal in a standard string.
  EXPECT_EQ(MustLex("'a\\n'")[0].text, "a\\n");
}

TEST(SqlLexer, Operators) {
  auto t = MustLex("a::text||b<>c!=d<=e>=f<g>h=i+j-k*l/m%n^o(p),q.r;");
  std::vector<std::string> ops;
  for (const auto& tok : t) {
    if (tok.kind == TokenKind::kOp) ops.push_back(tok.text);
  }
  EXPECT_EQ(ops,
            (std::vector<std::string>{"::", "||", "<>", "<>", "<=", ">=", "<", ">", "=", "+",
                                      "-",  "*",  "/",  "%",  "^",  "(",  ")", ",", ".", ";"}));
  // "<-" is two operators.
  auto n = MustLex("a<-1");
  EXPECT_EQ(n[1].text, "<");
  EXPECT_EQ(n[2].text, "-");
}

TEST(SqlLexer, Comments) {
  auto t = MustLex("SELECT -- one\n 1 /* two /* nested */ still */ + 2");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[1].text, "1");
  EXPECT_EQ(t[1].pos, 15);
  EXPECT_EQ(t[2].text, "+");
}

TEST(SqlLexer, Errors) {
  auto r = Lex("SELECT 'abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kParseError);
  EXPECT_NE(r.status().message().find("unterminated quoted string at line 1, column 8"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("HINT:"), std::string::npos);

  r = Lex("SELECT \"abc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unterminated quoted identifier at line 1, column 8"),
            std::string::npos);

  r = Lex("SELECT 1 /* open");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unterminated /* comment at line 1, column 10"),
            std::string::npos);

  r = Lex("SELECT\n  a @ b");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("syntax error at or near \"@\" at line 2, column 5"),
            std::string::npos)
      << r.status().message();

  r = Lex("SELECT 123abc");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("trailing junk after numeric literal at or near \"123abc\""),
            std::string::npos);

  r = Lex("SELECT \"\"");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("zero-length delimited identifier"), std::string::npos);

  r = Lex("SELECT E'\\u12'");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid Unicode escape"), std::string::npos);
}

}  // namespace
}  // namespace infermetry::sql
