#include "ingest/scrape/relabel.h"

#include <gtest/gtest.h>

namespace infermetry::scrape {
namespace {

RelabelConfig Make(RelabelAction action, std::vector<std::string> src, std::string regex,
                   std::string target = "", std::string replacement = "$1") {
  RelabelConfig c;
  c.action = action;
  c.source_labels = std::move(src);
  c.target_label = std::move(target);
  c.replacement = std::move(replacement);
  Status st = c.Init(regex);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return c;
}

model::Labels Apply(const std::vector<RelabelConfig>& cfgs, const model::Labels& in, bool* kept) {
  model::LabelsBuilder b(in);
  *kept = Relabel(cfgs, &b);
  return b.Build();
}

TEST(RelabelTest, ReplaceWithGroupsAndNamedGroups) {
  bool kept;
  auto out = Apply({Make(RelabelAction::kReplace, {"__address__"}, "(?P<host>[^:]+):(\\d+)", "host_port",
                         "${host}-$2")},
                   model::Labels{{"__address__", "gpu1:8000"}}, &kept);
  EXPECT_TRUE(kept);
  EXPECT_EQ(out.Get("host_port"), "gpu1-8000");
}

TEST(RelabelTest, ReplaceIsAnchoredAndEmptyResultDeletes) {
  bool kept;
  auto out = Apply({Make(RelabelAction::kReplace, {"a"}, "b", "x", "matched"),
                    Make(RelabelAction::kReplace, {"a"}, "abc", "a", "")},
                   model::Labels{{"a", "abc"}}, &kept);
  EXPECT_FALSE(out.Has("x"));  // "b" does not match all of "abc"
  EXPECT_FALSE(out.Has("a"));  // empty replacement removes the target label
}

TEST(RelabelTest, GoExpandTreatsDollarNameGreedily) {
  bool kept;
  // "$1x" names the group "1x", which does not exist: it expands to "".
  auto out = Apply({Make(RelabelAction::kReplace, {"a"}, "(.*)", "y", "$1x-${1}x")},
                   model::Labels{{"a", "v"}}, &kept);
  EXPECT_EQ(out.Get("y"), "-vx");
}

TEST(RelabelTest, KeepDropSeparator) {
  bool kept;
  Apply({Make(RelabelAction::kKeep, {"job", "env"}, "vllm;prod")},
        model::Labels{{"job", "vllm"}, {"env", "prod"}}, &kept);
  EXPECT_TRUE(kept);
  Apply({Make(RelabelAction::kKeep, {"job", "env"}, "vllm;prod")},
        model::Labels{{"job", "vllm"}, {"env", "dev"}}, &kept);
  EXPECT_FALSE(kept);
  Apply({Make(RelabelAction::kDrop, {"__name__"}, "python_.*")},
        model::Labels{{"__name__", "python_gc_objects_collected_total"}}, &kept);
  EXPECT_FALSE(kept);
}

TEST(RelabelTest, LabelDropKeepMap) {
  bool kept;
  auto out = Apply({Make(RelabelAction::kLabelDrop, {}, "engine|pid")},
                   model::Labels{{"__name__", "m"}, {"engine", "0"}, {"pid", "9"}, {"model_name", "x"}}, &kept);
  EXPECT_EQ(out, (model::Labels{{"__name__", "m"}, {"model_name", "x"}}));
  out = Apply({Make(RelabelAction::kLabelKeep, {}, "__name__|model_name")},
              model::Labels{{"__name__", "m"}, {"engine", "0"}, {"model_name", "x"}}, &kept);
  EXPECT_EQ(out, (model::Labels{{"__name__", "m"}, {"model_name", "x"}}));
  out = Apply({Make(RelabelAction::kLabelMap, {}, "__meta_(.+)", "", "k_$1")},
              model::Labels{{"__meta_zone", "z1"}}, &kept);
  EXPECT_EQ(out.Get("k_zone"), "z1");
}

TEST(RelabelTest, CaseAndEquality) {
  bool kept;
  auto out = Apply({Make(RelabelAction::kLowercase, {"a"}, "(.*)", "b")}, model::Labels{{"a", "MiXed"}}, &kept);
  EXPECT_EQ(out.Get("b"), "mixed");
  Apply({Make(RelabelAction::kKeepEqual, {"a"}, "(.*)", "b")}, model::Labels{{"a", "1"}, {"b", "1"}}, &kept);
  EXPECT_TRUE(kept);
  Apply({Make(RelabelAction::kDropEqual, {"a"}, "(.*)", "b")}, model::Labels{{"a", "1"}, {"b", "1"}}, &kept);
  EXPECT_FALSE(kept);
}

TEST(RelabelTest, ConfigErrors) {
  RelabelConfig c;
  EXPECT_FALSE(c.Init("(").ok());
  c.action = RelabelAction::kReplace;
  c.target_label = "";
  EXPECT_FALSE(c.Init("x").ok());
  EXPECT_FALSE(ParseRelabelAction("hashmod").ok());
  EXPECT_NE(ParseRelabelAction("hashmod").status().message().find("not supported"), std::string::npos);
}

}  // namespace
}  // namespace infermetry::scrape
