#include "config/yaml.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace infermetry::config {
namespace {

TEST(ExpandEnvTest, Forms) {
  setenv("IM_TEST_A", "alpha", 1);
  setenv("IM_TEST_EMPTY", "", 1);
  unsetenv("IM_TEST_UNSET");
  EXPECT_EQ(*ExpandEnv("x-${env:IM_TEST_A}-y"), "x-alpha-y");
  EXPECT_EQ(*ExpandEnv("${IM_TEST_A}"), "alpha");
  EXPECT_EQ(*ExpandEnv("${env:IM_TEST_UNSET:-fallback}"), "fallback");
  EXPECT_EQ(*ExpandEnv("${env:IM_TEST_EMPTY:-fallback}"), "fallback");
  EXPECT_EQ(*ExpandEnv("${env:IM_TEST_A:-fallback}"), "alpha");
  EXPECT_EQ(*ExpandEnv("${env:IM_TEST_UNSET}"), "");
  EXPECT_EQ(*ExpandEnv("cost $$5 $x"), "cost $5 $x");
  EXPECT_FALSE(ExpandEnv("${env:IM_TEST_A").ok());
}

TEST(MapReaderTest, ErrorsNameFileLineColumn) {
  auto doc = Document::LoadString("a: 1\nb:\n  c: nope\n  d: 2\n", "test.yaml");
  ASSERT_TRUE(doc.ok());
  MapReader r(*doc, doc->root(), "root");
  uint64_t a = 0;
  ASSERT_TRUE(r.Uint("a", &a).ok());
  EXPECT_EQ(a, 1u);
  MapReader b(*doc, r.Child("b"), "root.b");
  bool c;
  Status st = b.Bool("c", &c);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "test.yaml:3:6: root.b.c: expected true or false, got \"nope\"");
  Status fin = b.Finish();
  EXPECT_EQ(fin.message(), "test.yaml:4:3: unknown field \"d\" in root.b");
}

TEST(DocumentTest, SyntaxErrorHasPosition) {
  auto doc = Document::LoadString("a: [1, 2\nb: 3\n", "bad.yaml");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message().rfind("bad.yaml:", 0), 0u) << doc.status().message();
}

TEST(MapReaderTest, EnvInValues) {
  setenv("IM_TEST_PATH", "/custom", 1);
  auto doc = Document::LoadString("path: ${env:IM_TEST_PATH}/metrics\n", "t.yaml");
  ASSERT_TRUE(doc.ok());
  MapReader r(*doc, doc->root(), "root");
  std::string p;
  ASSERT_TRUE(r.String("path", &p).ok());
  EXPECT_EQ(p, "/custom/metrics");
}

}  // namespace
}  // namespace infermetry::config
