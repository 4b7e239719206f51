#include "server/http/wire.h"

#include <gtest/gtest.h>

#include "common/gzip.h"
#include "server/http/listen_address.h"
#include "server/http/server.h"

namespace infermetry::http {
namespace {

TEST(AcceptsGzipTest, ParsesCodingsAndQValues) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=0.5, br"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("gzip ; q=1.000"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.001"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=abc"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=1.5"));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
}

ServerOptions GzipOptions() {
  ServerOptions o;
  o.gzip_min_bytes = 100;
  return o;
}

TEST(EncodeResponseBodyTest, CompressesEligibleBodies) {
  Response r;
  r.body = std::string(1000, 'a');
  EncodeResponseBody("gzip", GzipOptions(), &r);
  EXPECT_EQ(r.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(r.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(*GzipDecompress(r.body, 1000), std::string(1000, 'a'));
}

TEST(EncodeResponseBodyTest, LeavesIneligibleBodiesAlone) {
  Response not_accepted;
  not_accepted.body = std::string(1000, 'a');
  not_accepted.SetHeader("Vary", "Origin");
  EncodeResponseBody("gzip;q=0", GzipOptions(), &not_accepted);
  EXPECT_EQ(not_accepted.Header("Content-Encoding"), "");
  EXPECT_EQ(not_accepted.Header("Vary"), "Origin, Accept-Encoding");
  EXPECT_EQ(not_accepted.body.size(), 1000u);

  Response small;
  small.body = "tiny";
  EncodeResponseBody("gzip", GzipOptions(), &small);
  EXPECT_EQ(small.Header("Content-Encoding"), "");
  EXPECT_EQ(small.Header("Vary"), "");

  Response encoded;
  encoded.body = std::string(1000, 'b');
  encoded.SetHeader("Content-Encoding", "snappy");
  EncodeResponseBody("gzip", GzipOptions(), &encoded);
  EXPECT_EQ(encoded.Header("Content-Encoding"), "snappy");
  EXPECT_EQ(encoded.body, std::string(1000, 'b'));

  ServerOptions off = GzipOptions();
  off.gzip = false;
  Response disabled;
  disabled.body = std::string(1000, 'c');
  EncodeResponseBody("gzip", off, &disabled);
  EXPECT_EQ(disabled.Header("Content-Encoding"), "");
}

TEST(DecodeRequestBodyTest, GunzipsAndFixesHeaders) {
  Request r;
  r.headers = {{"Content-Encoding", "gzip"}, {"Content-Length", "30"}, {"X", "y"}};
  r.body = *GzipCompress("payload");
  ASSERT_TRUE(DecodeRequestBody(&r, 100).ok());
  EXPECT_EQ(r.body, "payload");
  EXPECT_EQ(r.Header("Content-Encoding"), "");
  EXPECT_EQ(r.Header("Content-Length"), "7");
  EXPECT_EQ(r.Header("X"), "y");
}

TEST(DecodeRequestBodyTest, ErrorsMapToStatuses) {
  Request big;
  big.headers = {{"content-encoding", "GZIP"}};
  big.body = *GzipCompress(std::string(5000, 'x'));
  Status s = DecodeRequestBody(&big, 1000);
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_EQ(StatusForDecodeError(s), 413);

  Request bad;
  bad.headers = {{"Content-Encoding", "gzip"}};
  bad.body = "not gzip";
  s = DecodeRequestBody(&bad, 1000);
  EXPECT_EQ(StatusForDecodeError(s), 400);

  Request snappy;
  snappy.headers = {{"Content-Encoding", "snappy"}};
  snappy.body = "opaque";
  EXPECT_TRUE(DecodeRequestBody(&snappy, 1000).ok());
  EXPECT_EQ(snappy.body, "opaque");
}

TEST(SerializeResponseHeadTest, WritesServerOwnedHeaders) {
  Response r;
  r.status = 201;
  r.body = "hello";
  r.SetHeader("Content-Type", "text/plain");
  r.SetHeader("Content-Length", "999");
  r.SetHeader("Connection", "upgrade");
  r.SetHeader("X-Evil", "a\r\nInjected: yes");
  r.SetHeader("Bad Name", "x");
  EXPECT_EQ(SerializeResponseHead(r, true),
            "HTTP/1.1 201 Created\r\n"
            "Content-Type: text/plain\r\n"
            "X-Evil: a  Injected: yes\r\n"
            "Content-Length: 5\r\n"
            "Connection: keep-alive\r\n\r\n");
  Response empty;
  empty.status = 204;
  EXPECT_EQ(SerializeResponseHead(empty, false),
            "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  Response odd;
  odd.status = 299;
  EXPECT_EQ(SerializeResponseHead(odd, false).substr(0, 22), "HTTP/1.1 299 Unknown\r\n");
}

TEST(ListenAddressTest, ParsesForms) {
  auto a = ParseListenAddress("127.0.0.1:9090");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].host, "127.0.0.1");
  EXPECT_EQ((*a)[0].port, 9090);

  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ((*v6)[0].host, "::1");
  EXPECT_TRUE((*v6)[0].ipv6);

  auto any = ParseListenAddress(":8080");
  ASSERT_TRUE(any.ok());
  ASSERT_EQ(any->size(), 2u);
  EXPECT_EQ((*any)[0].host, "");
  EXPECT_TRUE((*any)[0].ipv6);
  EXPECT_FALSE((*any)[1].ipv6);

  auto name = ParseListenAddress("localhost:1");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ((*name)[0].host, "localhost");
}

TEST(ListenAddressTest, RejectsBadForms) {
  for (const char* bad :
       {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80",
        "1.2.3.4:80x", "::1:80", "[::1]80", "[::1:80", "[]:80"}) {
    auto r = ParseListenAddress(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
    }
  }
}

}  // namespace
}  // namespace infermetry::http
