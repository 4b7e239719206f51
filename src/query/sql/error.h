#pragma once
// SQL errors: what went wrong, where in the query text, and a hint, in one Status message.
//
//   SqlError(Code::kInvalidArgument, sql, pos, "column \"nmae\" does not exist",
//            "Perhaps you meant column \"name\".")
// gives
//   column "nmae" does not exist at line 2, column 7
//     WHERE nmae = 'x'
//           ^
//   HINT: Perhaps you meant column "name".
// Syntax errors use Code::kParseError; unknown names, type errors and bad arguments
// kInvalidArgument; limits kResourceExhausted / kDeadlineExceeded.

#include <string>
#include <string_view>

#include "common/status.h"

namespace infermetry::sql {

Status SqlError(Code code, std::string_view sql, int pos, std::string_view message,
                std::string_view hint = {});

// 1-based line and column of byte offset `pos` in `sql`.
std::pair<int, int> LineColumn(std::string_view sql, int pos);

}  // namespace infermetry::sql
