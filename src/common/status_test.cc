#include "common/status.h"

#include <gtest/gtest.h>

#include "common/result.h"

namespace infermetry {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Status UseHalf(int x, int* out) {
  INFERMETRY_ASSIGN_OR_RETURN(*out, Half(x));
  return Status::Ok();
}

TEST(StatusTest, OkAndError) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = ParseError("line 3: bad");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kParseError);
  EXPECT_EQ(s.ToString(), "parse_error: line 3: bad");
  EXPECT_EQ(s.WithContext("file.txt").message(), "file.txt: line 3: bad");
}

TEST(ResultTest, ValueOrStatus) {
  int out = 0;
  EXPECT_TRUE(UseHalf(8, &out).ok());
  EXPECT_EQ(out, 4);
  Status st = UseHalf(7, &out);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "odd: 7");
}

}  // namespace
}  // namespace infermetry
