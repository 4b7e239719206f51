#include "emulator/metrics/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "emulator/metrics/vllm_metrics.h"

namespace infermetry::emulator {
namespace {

std::string Repr(double v) {
  std::string s;
  AppendPythonFloatRepr(&s, v);
  return s;
}

TEST(GoFloatTest, ReferenceCases) {
  EXPECT_EQ(GoFloat(8128902.0), "8.128902e+06");
  EXPECT_EQ(GoFloat(1234567.0), "1.234567e+06");
  EXPECT_EQ(GoFloat(123456.0), "123456.0");
  EXPECT_EQ(GoFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(GoFloat(1e16), "1e+16");
  EXPECT_EQ(GoFloat(3.0), "3.0");
  EXPECT_EQ(GoFloat(1795458783.8170319), "1.7954587838170319e+09");
  EXPECT_EQ(GoFloat(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(GoFloat(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(GoFloat(std::nan("")), "NaN");
  EXPECT_EQ(GoFloat(1000000.0), "1e+06");
}

TEST(GoFloatTest, PythonReprDetails) {
  EXPECT_EQ(GoFloat(0.0), "0.0");
  EXPECT_EQ(GoFloat(-0.0), "-0.0");
  EXPECT_EQ(GoFloat(26.0), "26.0");
  EXPECT_EQ(GoFloat(0.5), "0.5");
  EXPECT_EQ(GoFloat(0.001), "0.001");
  EXPECT_EQ(GoFloat(0.0001), "0.0001");
  EXPECT_EQ(GoFloat(0.00001), "1e-05");
  EXPECT_EQ(GoFloat(1.5e-07), "1.5e-07");
  EXPECT_EQ(GoFloat(999999.0), "999999.0");
  EXPECT_EQ(GoFloat(999999.5), "999999.5");
  EXPECT_EQ(GoFloat(2560.0), "2560.0");
  EXPECT_EQ(GoFloat(1.048576e6), "1.048576e+06");
  EXPECT_EQ(GoFloat(1.79545888525e9), "1.79545888525e+09");
  // Exponents >= 10 keep floatToGoString's literal "e+0" prefix.
  EXPECT_EQ(GoFloat(12453556224.0), "1.2453556224e+010");
  EXPECT_EQ(GoFloat(1e15), "1e+015");
  EXPECT_EQ(GoFloat(1.5e300), "1.5e+300");
  // Negative values are never rewritten.
  EXPECT_EQ(GoFloat(-8128902.0), "-8128902.0");
  EXPECT_EQ(GoFloat(-1e-05), "-1e-05");
  EXPECT_EQ(GoFloat(-1.0), "-1.0");
}

TEST(GoFloatTest, PythonRepr) {
  EXPECT_EQ(Repr(0.9), "0.9");
  EXPECT_EQ(Repr(1e16), "1e+16");
  EXPECT_EQ(Repr(1e15), "1000000000000000.0");
  EXPECT_EQ(Repr(123456789.0), "123456789.0");
  EXPECT_EQ(Repr(std::nan("")), "nan");
  EXPECT_EQ(Repr(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(ExpositionTest, LabelsAreSortedAndEscaped) {
  RenderedLabels r =
      RenderLabels({{"model_name", "a\"b\\c\nd"}, {"engine", "0"}, {"finished_reason", "stop"}});
  EXPECT_EQ(r.all, "engine=\"0\",finished_reason=\"stop\",model_name=\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(r.before_le, "engine=\"0\",finished_reason=\"stop\",");
  EXPECT_EQ(r.after_le, ",model_name=\"a\\\"b\\\\c\\nd\"");
  // '_' sorts before lower-case letters, as in Python.
  RenderedLabels u = RenderLabels({{"block_size", "16"}, {"_block_size_resolved", "True"}});
  EXPECT_EQ(u.all, "_block_size_resolved=\"True\",block_size=\"16\"");
  EXPECT_EQ(RenderLabels({}).all, "");
}

TEST(ExpositionTest, SampleAndBucketLines) {
  std::string out;
  AppendSample(&out, "vllm:prompt_tokens", "_total", "engine=\"0\"", 26);
  AppendSample(&out, "process_open_fds", "", "", 6);
  RenderedLabels l = RenderLabels({{"model_name", "m"}, {"engine", "0"}});
  AppendBucket(&out, "vllm:request_prompt_tokens", l, "1e+06", 2);
  RenderedLabels none = RenderLabels({});
  AppendBucket(&out, "http_request_duration_highr_seconds", none, "+Inf", 0);
  EXPECT_EQ(out,
            "vllm:prompt_tokens_total{engine=\"0\"} 26.0\n"
            "process_open_fds 6.0\n"
            "vllm:request_prompt_tokens_bucket{engine=\"0\",le=\"1e+06\",model_name=\"m\"} 2.0\n"
            "http_request_duration_highr_seconds_bucket{le=\"+Inf\"} 0.0\n");
}

TEST(ExpositionTest, HelpEscaping) {
  std::string out;
  AppendHeader(&out, "x", "_created", "a\\b\nc \"q\" 'p'; ", "gauge");
  EXPECT_EQ(out, "# HELP x_created a\\\\b\\nc \"q\" 'p'; \n# TYPE x_created gauge\n");
}

TEST(ExpositionTest, ContentTypes) {
  EXPECT_EQ(ExpositionContentType(false), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(ExpositionContentType(true), "text/plain; version=1.0.0; charset=utf-8");
}

}  // namespace
}  // namespace infermetry::emulator
