#include "emulator/api/json_writer.h"

#include <gtest/gtest.h>

namespace infermetry::emulator {
namespace {

TEST(JsonWriterTest, CompactKeepsOrderAndEscapes) {
  JsonWriter w;
  w.BeginObject();
  w.Key("z").Int(1);
  w.Key("a").String("q\"u\\o\nte\x01");
  w.Key("list").BeginArray().Int(1).Null().Bool(true).BeginObject().EndObject().EndArray();
  w.Key("empty").BeginArray().EndArray();
  w.Key("utf8").String("h\xc3\xa9llo");
  w.EndObject();
  EXPECT_EQ(w.str(),
            "{\"z\":1,\"a\":\"q\\\"u\\\\o\\nte\\u0001\",\"list\":[1,null,true,{}],\"empty\":[],"
            "\"utf8\":\"h\xc3\xa9llo\"}");
}

TEST(JsonWriterTest, PythonStyleSpacing) {
  JsonWriter w(JsonWriter::Style::kPython);
  w.BeginObject().Key("error").BeginObject().Key("a").Int(1).Key("b").Null().EndObject();
  w.Key("c").BeginArray().Int(1).Int(2).EndArray().EndObject();
  EXPECT_EQ(w.Take(), R"({"error": {"a": 1, "b": null}, "c": [1, 2]})");
}

TEST(JsonWriterTest, PythonFloatRepr) {
  EXPECT_EQ(PythonFloat(1.0), "1.0");
  EXPECT_EQ(PythonFloat(0.7), "0.7");
  EXPECT_EQ(PythonFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(PythonFloat(1e-05), "1e-05");
  EXPECT_EQ(PythonFloat(1e16), "1e+16");
  EXPECT_EQ(PythonFloat(1e15), "1000000000000000.0");
  EXPECT_EQ(PythonFloat(-2.5), "-2.5");
  EXPECT_EQ(PythonFloat(0.0), "0.0");
}

}  // namespace
}  // namespace infermetry::emulator
