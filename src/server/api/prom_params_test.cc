#include "server/api/prom_params.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "model/sample.h"
#include "server/api/prom_json.h"

namespace infermetry::api {
namespace {

TEST(PromParamsTest, TimesAsUnixSecondsOrRfc3339) {
  EXPECT_EQ(*ParsePromTime("1700000000"), 1700000000000);
  EXPECT_EQ(*ParsePromTime("1700000000.5"), 1700000000500);
  EXPECT_EQ(*ParsePromTime("1700000000.1234"), 1700000000123);
  EXPECT_EQ(*ParsePromTime("1700000000.9996"), 1700000001000);
  EXPECT_EQ(*ParsePromTime("-1.5"), -1500);
  EXPECT_EQ(*ParsePromTime("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*ParsePromTime("2023-11-14T22:13:20.123456789Z"), 1700000000123);
  EXPECT_EQ(*ParsePromTime("2023-11-15T00:13:20.5+02:00"), 1700000000500);
  EXPECT_EQ(*ParsePromTime("2023-11-14T21:13:20-01:00"), 1700000000000);
  EXPECT_EQ(*ParsePromTime("-292273086-05-16T16:47:06Z"), kPromMinTimeMs);
  EXPECT_EQ(*ParsePromTime("292277025-08-18T07:12:54.999999999Z"), kPromMaxTimeMs);
  for (const char* bad : {"", "abc", "2023-11-14", "2023-11-14T22:13:20", "2023-02-30T00:00:00Z",
                          "2023-11-14T22:13:20Zx", "NaN", "+Inf", "2023-11-14T22:13:20+2:00"}) {
    auto r = ParsePromTime(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), "cannot parse \"" + std::string(bad) + "\" to a valid timestamp");
  }
}

TEST(PromParamsTest, DurationsAsSecondsOrPrometheusDurations) {
  EXPECT_EQ(*ParsePromDuration("15"), 15000);
  EXPECT_EQ(*ParsePromDuration("0.5"), 500);
  EXPECT_EQ(*ParsePromDuration("15s"), 15000);
  EXPECT_EQ(*ParsePromDuration("1m30s"), 90000);
  EXPECT_EQ(*ParsePromDuration("250ms"), 250);
  EXPECT_EQ(*ParsePromDuration("-1"), -1000);
  EXPECT_EQ(ParsePromDuration("soon").status().message(), "cannot parse \"soon\" to a valid duration");
  EXPECT_FALSE(ParsePromDuration("").ok());
  EXPECT_FALSE(ParsePromDuration("1e300").ok());
}

TEST(PromParamsTest, FormBodyBeforeQueryString) {
  http::Request req;
  req.method = "POST";
  req.query = "query=up&match[]=a";
  req.headers = {{"content-type", "application/x-www-form-urlencoded; charset=UTF-8"}};
  req.body = "query=rate%28x%5B5m%5D%29&match[]=b+c";
  FormParams p(req);
  EXPECT_EQ(p.Get("query"), "rate(x[5m])");
  EXPECT_EQ(p.GetAll("match[]"), (std::vector<std::string>{"b c", "a"}));
  EXPECT_TRUE(p.Has("query"));
  EXPECT_FALSE(p.Has("time"));
  EXPECT_EQ(p.Get("time"), "");

  req.headers = {{"Content-Type", "application/json"}};  // not a form: the body is not read
  EXPECT_EQ(FormParams(req).Get("query"), "up");
  req.method = "GET";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(FormParams(req).Get("query"), "up");
}

TEST(PromJsonTest, ValuesAsPrometheusWritesThem) {
  EXPECT_EQ(FormatPromValue(1), "1");
  EXPECT_EQ(FormatPromValue(0), "0");
  EXPECT_EQ(FormatPromValue(-0.0), "-0");
  EXPECT_EQ(FormatPromValue(0.1), "0.1");
  EXPECT_EQ(FormatPromValue(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatPromValue(123456789), "123456789");
  EXPECT_EQ(FormatPromValue(1e20), "100000000000000000000");
  EXPECT_EQ(FormatPromValue(1e21), "1e+21");
  EXPECT_EQ(FormatPromValue(1.5e-6), "0.0000015");
  EXPECT_EQ(FormatPromValue(1e-7), "1e-07");
  EXPECT_EQ(FormatPromValue(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(FormatPromValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatPromValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatPromValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatPromValue(model::StaleNaN()), "NaN");
}

TEST(PromJsonTest, TimestampsWithThreeDigitFractions) {
  auto ts = [](int64_t ms) {
    std::string s;
    AppendPromTimestamp(&s, ms);
    return s;
  };
  EXPECT_EQ(ts(1700000000000), "1700000000");
  EXPECT_EQ(ts(1700000000500), "1700000000.500");
  EXPECT_EQ(ts(1700000000025), "1700000000.025");
  EXPECT_EQ(ts(-1500), "-1.500");
  EXPECT_EQ(ts(0), "0");
}

TEST(PromJsonTest, Envelopes) {
  EXPECT_EQ(PromSuccessBody("[]"), R"({"status":"success","data":[]})");
  EXPECT_EQ(PromSuccessBody("1", {"w\"1"}), R"({"status":"success","data":1,"warnings":["w\"1"]})");
  EXPECT_EQ(PromErrorBody("bad_data", "x \"y\""), R"({"status":"error","errorType":"bad_data","error":"x \"y\""})");
  EXPECT_EQ(PromErrorHttpStatus("bad_data"), 400);
  EXPECT_EQ(PromErrorHttpStatus("execution"), 422);
  EXPECT_EQ(PromErrorHttpStatus("timeout"), 503);
  EXPECT_EQ(PromErrorHttpStatus("canceled"), 503);
  EXPECT_EQ(PromErrorHttpStatus("internal"), 500);
}

}  // namespace
}  // namespace infermetry::api
