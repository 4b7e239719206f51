// EXPLAIN's plan text: one operator per line, children indented under their parent.
#include <cstdio>

#include "query/sql/exec/operator.h"

namespace infermetry::sql::exec {

std::string ExplainTree(const Operator& root, bool analyze) {
  std::string out;
  struct Walk {
    static void Go(const Operator& op, int depth, bool analyze, std::string* out) {
      out->append(static_cast<size_t>(depth) * 2, ' ');
      if (depth > 0) *out += "-> ";
      *out += op.Describe();
      if (analyze) {
        char buf[96];
        std::snprintf(buf, sizeof buf, " (rows=%zu time=%.3f ms)", op.rows_out, op.seconds * 1e3);
        *out += buf;
      }
      *out += '\n';
      for (const auto& c : op.children) Go(*c, depth + 1, analyze, out);
    }
  };
  Walk::Go(root, 0, analyze, &out);
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace infermetry::sql::exec
