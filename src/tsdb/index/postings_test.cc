#include "tsdb/index/postings.h"

#include <gtest/gtest.h>

namespace infermetry::tsdb::index {
namespace {

using storage::Matcher;

TEST(PostingsTest, SetOperations) {
  Postings a = {1, 3, 5, 7, 9}, b = {3, 4, 5, 10}, c = {0, 9};
  EXPECT_EQ(Intersect(a, b), (Postings{3, 5}));
  EXPECT_EQ(Difference(a, b), (Postings{1, 7, 9}));
  std::vector<Postings> lists = {a, b, c};
  EXPECT_EQ(Union(lists), (Postings{0, 1, 3, 4, 5, 7, 9, 10}));
  EXPECT_EQ(Union({}), Postings{});
}

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 1: up{job=a}, 2: up{job=b,env=prod}, 3: up{job=c,env=dev}, 4: other{job=a}, 5: up{env=""}
    Add(1, {{"__name__", "up"}, {"job", "a"}});
    Add(2, {{"__name__", "up"}, {"env", "prod"}, {"job", "b"}});
    Add(3, {{"__name__", "up"}, {"env", "dev"}, {"job", "c"}});
    Add(4, {{"__name__", "other"}, {"job", "a"}});
    Add(5, {{"__name__", "up"}});
  }
  void Add(uint32_t ref, std::vector<std::pair<std::string, std::string>> ls) {
    std::vector<SymPair> pairs;
    for (auto& [n, v] : ls) pairs.push_back({syms.Intern(n), syms.Intern(v)});
    p.Add(ref, pairs);
  }
  Postings Sel(std::vector<Matcher> ms) {
    auto r = PostingsForMatchers(syms, p, ms);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Postings{};
  }
  static Matcher M(Matcher::Op op, std::string n, std::string v) {
    return *Matcher::Make(op, std::move(n), std::move(v));
  }
  SymbolTable syms;
  MemPostings p;
};

TEST_F(MatcherTest, Equal) {
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "__name__", "up")}), (Postings{1, 2, 3, 5}));
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "__name__", "up"), M(Matcher::Op::kEq, "job", "a")}),
            (Postings{1}));
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "__name__", "nope")}), Postings{});
}

TEST_F(MatcherTest, EmptyMatchesAbsent) {
  // env="" selects series without env.
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "__name__", "up"), M(Matcher::Op::kEq, "env", "")}),
            (Postings{1, 5}));
  // env!="prod" also selects series without env.
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "__name__", "up"), M(Matcher::Op::kNeq, "env", "prod")}),
            (Postings{1, 3, 5}));
  // env!="" requires the label.
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "__name__", "up"), M(Matcher::Op::kNeq, "env", "")}),
            (Postings{2, 3}));
  // A label nobody has: !="x" keeps everything.
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "job", "a"), M(Matcher::Op::kNeq, "zone", "x")}),
            (Postings{1, 4}));
}

TEST_F(MatcherTest, Regex) {
  EXPECT_EQ(Sel({M(Matcher::Op::kRe, "job", "a|b")}), (Postings{1, 2, 4}));
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "__name__", "up"), M(Matcher::Op::kNre, "job", "a|b")}),
            (Postings{3, 5}));
  // =~".*" matches "" as well: no restriction.
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "__name__", "up"), M(Matcher::Op::kRe, "env", ".*")}),
            (Postings{1, 2, 3, 5}));
  // =~".+" requires the label.
  EXPECT_EQ(Sel({M(Matcher::Op::kRe, "env", ".+")}), (Postings{2, 3}));
  // !~"" requires the label.
  EXPECT_EQ(Sel({M(Matcher::Op::kNre, "env", "")}), (Postings{2, 3}));
  // Anchored: "pro" does not match "prod".
  EXPECT_EQ(Sel({M(Matcher::Op::kRe, "env", "pro")}), Postings{});
}

TEST_F(MatcherTest, SelectorMustNotMatchEverything) {
  std::vector<Matcher> ms = {M(Matcher::Op::kEq, "env", ""), M(Matcher::Op::kRe, "job", ".*")};
  auto r = PostingsForMatchers(syms, p, ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST_F(MatcherTest, DeleteRemovesRefs) {
  std::vector<SymPair> pairs = {{syms.Find("__name__"), syms.Find("up")},
                                {syms.Find("job"), syms.Find("a")}};
  p.Delete({1}, pairs);
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "__name__", "up")}), (Postings{2, 3, 5}));
  EXPECT_EQ(Sel({M(Matcher::Op::kEq, "job", "a")}), (Postings{4}));
}

TEST(SymbolTableTest, InternIsStable) {
  SymbolTable s;
  std::vector<uint32_t> ids;
  for (int i = 0; i < 10000; ++i) ids.push_back(s.Intern("v" + std::to_string(i)));
  for (int i = 0; i < 10000; ++i) {
    EXPECT_EQ(s.Get(ids[i]), "v" + std::to_string(i));
    EXPECT_EQ(s.Intern("v" + std::to_string(i)), ids[i]);
  }
  EXPECT_EQ(s.Find("nope"), kNoSymbol);
  EXPECT_EQ(s.size(), 10000u);
}

}  // namespace
}  // namespace infermetry::tsdb::index
