#include "query/sql/error.h"

#include <algorithm>

namespace infermetry::sql {

std::pair<int, int> LineColumn(std::string_view sql, int pos) {
  pos = std::clamp(pos, 0, static_cast<int>(sql.size()));
  int line = 1, col = 1;
  for (int i = 0; i < pos; ++i) {
    if (sql[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

Status SqlError(Code code, std::string_view sql, int pos, std::string_view message,
                std::string_view hint) {
  auto [line, col] = LineColumn(sql, pos);
  std::string out(message);
  out += " at line " + std::to_string(line) + ", column " + std::to_string(col);
  // The line of the query that holds the position, with a caret under it.
  size_t p = std::clamp(pos, 0, static_cast<int>(sql.size()));
  size_t start = sql.rfind('\n', p == 0 ? 0 : p - 1);
  start = (start == std::string_view::npos || p == 0) ? 0 : start + 1;
  if (p > 0 && sql[p - 1] == '\n') start = p;
  size_t end = sql.find('\n', p);
  if (end == std::string_view::npos) end = sql.size();
  out += "\n  ";
  out += sql.substr(start, end - start);
  out += "\n  " + std::string(p - start, ' ') + "^";
  if (!hint.empty()) {
    out += "\nHINT: ";
    out += hint;
  }
  return Status(code, std::move(out));
}

}  // namespace infermetry::sql
