// Queries: WITH, set operations (UNION/EXCEPT left-associative, INTERSECT binding tighter),
// SELECT with its clauses, FROM lists and joins, ORDER BY, LIMIT, OFFSET.
#include "query/sql/parser/parser_internal.h"

namespace infermetry::sql::internal {

using ast::Query;
using ast::TableRef;

Result<std::unique_ptr<Query>> Parser::ParseQuery() {
  INFERMETRY_SQL_ENTER(this);
  int pos = Peek().pos;
  std::vector<ast::CommonTable> with;
  if (AcceptKw("with")) {
    if (AtKw("recursive")) {
      return Unsupported(Peek(), "WITH RECURSIVE", "Write the query without recursion.");
    }
    do {
      ast::CommonTable ct;
      INFERMETRY_ASSIGN_OR_RETURN(ct.name, ExpectName("a name for the WITH query"));
      if (AtOp("(")) INFERMETRY_RETURN_IF_ERROR(ParseNameList(&ct.columns, "column name"));
      INFERMETRY_RETURN_IF_ERROR(
          ExpectKw("as", "AS after the WITH query's name, as in WITH t AS (SELECT ...)"));
      if (AcceptKw("not")) {
        INFERMETRY_RETURN_IF_ERROR(ExpectKw("materialized", "MATERIALIZED after NOT"));
      } else {
        AcceptKw("materialized");
      }
      INFERMETRY_RETURN_IF_ERROR(OpenParen("( and the WITH query"));
      INFERMETRY_ASSIGN_OR_RETURN(ct.query, ParseQuery());
      INFERMETRY_RETURN_IF_ERROR(CloseParen("the WITH query"));
      with.push_back(std::move(ct));
    } while (AcceptOp(","));
  }
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<Query> q, ParseSetExpr());
  if (!with.empty()) {
    if (!q->with.empty()) {
      return Error(pos, "multiple WITH clauses not allowed", "Write all WITH queries in one list.");
    }
    q->with = std::move(with);
  }
  INFERMETRY_RETURN_IF_ERROR(ParseQueryTail(q.get()));
  q->pos = pos;
  return q;
}

Status Parser::ParseQueryTail(Query* q) {
  if (AtKw("order") && AtKw("by", 1)) {
    int at = Peek().pos;
    Next();
    Next();
    if (!q->order_by.empty()) {
      return Error(at, "multiple ORDER BY clauses not allowed",
                   "A parenthesized query already has its ORDER BY.");
    }
    INFERMETRY_RETURN_IF_ERROR(ParseOrderBy(&q->order_by));
  } else if (AtKw("order")) {
    Next();
    return Fail("BY after ORDER");
  }
  // LIMIT and OFFSET in either order, and FETCH FIRST n ROWS ONLY.
  bool limit_seen = q->limit != nullptr, offset_seen = q->offset != nullptr;
  for (;;) {
    if (AtKw("limit") || AtKw("fetch")) {
      const Token& kw = Peek();
      if (limit_seen) {
        return Error(kw.pos, "multiple LIMIT clauses not allowed", "Write one LIMIT.");
      }
      limit_seen = true;
      if (Next().text == "limit") {
        if (AcceptKw("all")) continue;
        INFERMETRY_ASSIGN_OR_RETURN(q->limit, ParseExpr());
        continue;
      }
      if (!AcceptKw("first") && !AcceptKw("next")) return Fail("FIRST or NEXT after FETCH");
      if (!AtKw("row") && !AtKw("rows")) {
        INFERMETRY_ASSIGN_OR_RETURN(q->limit, ParseUnary());
      } else {
        auto one = MakeExpr(ast::ExprKind::kLiteral, Peek().pos);
        one->literal = Value::Int(1);
        q->limit = std::move(one);
      }
      if (!AcceptKw("row") && !AcceptKw("rows")) return Fail("ROW or ROWS");
      INFERMETRY_RETURN_IF_ERROR(ExpectKw("only", "ONLY, as in FETCH FIRST 10 ROWS ONLY"));
      continue;
    }
    if (AtKw("offset")) {
      if (offset_seen) {
        return Error(Peek().pos, "multiple OFFSET clauses not allowed", "Write one OFFSET.");
      }
      offset_seen = true;
      Next();
      INFERMETRY_ASSIGN_OR_RETURN(q->offset, ParseExpr());
      if (!AcceptKw("rows")) AcceptKw("row");
      continue;
    }
    return Status::Ok();
  }
}

Result<std::unique_ptr<Query>> Parser::ParseSetExpr() {
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<Query> left, ParseSetTerm());
  while (AtKw("union") || AtKw("except")) {
    bool is_union = Next().text == "union";
    INFERMETRY_RETURN_IF_ERROR(Link());
    auto q = std::make_unique<Query>();
    q->pos = left->pos;
    if (AcceptKw("all")) {
      if (!is_union) {
        return Unsupported(toks_[i_ - 1], "EXCEPT ALL", "Use EXCEPT (which removes duplicates).");
      }
      q->set_op = Query::SetOp::kUnionAll;
    } else {
      AcceptKw("distinct");
      q->set_op = is_union ? Query::SetOp::kUnion : Query::SetOp::kExcept;
    }
    INFERMETRY_ASSIGN_OR_RETURN(q->right, ParseSetTerm());
    q->left = std::move(left);
    left = std::move(q);
  }
  return left;
}

Result<std::unique_ptr<Query>> Parser::ParseSetTerm() {
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<Query> left, ParseSetPrimary());
  while (AcceptKw("intersect")) {
    INFERMETRY_RETURN_IF_ERROR(Link());
    if (AtKw("all")) {
      return Unsupported(Peek(), "INTERSECT ALL", "Use INTERSECT (which removes duplicates).");
    }
    AcceptKw("distinct");
    auto q = std::make_unique<Query>();
    q->pos = left->pos;
    q->set_op = Query::SetOp::kIntersect;
    INFERMETRY_ASSIGN_OR_RETURN(q->right, ParseSetPrimary());
    q->left = std::move(left);
    left = std::move(q);
  }
  return left;
}

Result<std::unique_ptr<Query>> Parser::ParseSetPrimary() {
  if (AtOp("(")) {
    INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
    INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<Query> q, ParseQuery());
    INFERMETRY_RETURN_IF_ERROR(CloseParen("the parenthesized query"));
    return q;
  }
  if (AtKw("values")) {
    return Unsupported(Peek(), "VALUES", "Use SELECT ... UNION ALL SELECT ... for constant rows.");
  }
  if (!AtKw("select")) return Fail("SELECT");
  auto q = std::make_unique<Query>();
  q->pos = Peek().pos;
  INFERMETRY_ASSIGN_OR_RETURN(q->select, ParseSelect());
  return q;
}

Result<std::unique_ptr<ast::Select>> Parser::ParseSelect() {
  auto s = std::make_unique<ast::Select>();
  s->pos = Next().pos;  // SELECT
  if (AcceptKw("distinct")) {
    if (AtKw("on")) {
      return Unsupported(Peek(), "DISTINCT ON",
                         "Use GROUP BY, or a subquery that picks one row per group.");
    }
    s->distinct = true;
  } else {
    AcceptKw("all");
  }
  INFERMETRY_RETURN_IF_ERROR(ParseSelectItems(s.get()));
  if (AcceptKw("into")) {
    return Unsupported(toks_[i_ - 1], "SELECT INTO", "Queries only read; drop the INTO clause.");
  }
  if (AcceptKw("from")) {
    INFERMETRY_ASSIGN_OR_RETURN(s->from, ParseFromList());
  }
  if (AcceptKw("where")) {
    INFERMETRY_ASSIGN_OR_RETURN(s->where, ParseExpr());
  }
  if (AtKw("group")) {
    Next();
    INFERMETRY_RETURN_IF_ERROR(ExpectKw("by", "BY after GROUP"));
    AcceptKw("all");
    do {
      if (AtKw("rollup") || AtKw("cube") || (AtKw("grouping") && AtKw("sets", 1))) {
        if (AtOp("(", 1) || AtKw("sets", 1)) {
          return Unsupported(Peek(), "grouping by ROLLUP, CUBE or GROUPING SETS",
                             "Combine plain GROUP BY queries with UNION ALL.");
        }
      }
      INFERMETRY_ASSIGN_OR_RETURN(ast::ExprPtr g, ParseExpr());
      s->group_by.push_back(std::move(g));
    } while (AcceptOp(","));
  }
  if (AcceptKw("having")) {
    INFERMETRY_ASSIGN_OR_RETURN(s->having, ParseExpr());
  }
  if (AtKw("window")) {
    return Unsupported(Peek(), "WINDOW", "Aggregate with GROUP BY instead.");
  }
  return s;
}

Status Parser::ParseSelectItems(ast::Select* s) {
  if (AtKw("from") || Peek().kind == TokenKind::kEnd || AtOp(";")) {
    return Error(Peek().pos,
                 Peek().kind == TokenKind::kEnd ? "syntax error at end of input"
                                                : "syntax error at or near \"" + Raw(Peek()) + "\"",
                 "The SELECT list is empty: name the columns or expressions to return, or *.");
  }
  do {
    ast::SelectItem item;
    if (AtOp("*")) {
      item.expr = MakeExpr(ast::ExprKind::kStar, Next().pos);
      s->items.push_back(std::move(item));
      continue;
    }
    INFERMETRY_ASSIGN_OR_RETURN(item.expr, ParseExpr());
    if (AcceptKw("as")) {
      INFERMETRY_ASSIGN_OR_RETURN(item.alias, ExpectName("a column alias after AS", true));
    } else if (AtName()) {
      item.alias = Next().text;
    }
    s->items.push_back(std::move(item));
  } while (AcceptOp(","));
  return Status::Ok();
}

Result<std::unique_ptr<TableRef>> Parser::ParseFromList() {
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<TableRef> left, ParseFromItem());
  while (AcceptOp(",")) {
    INFERMETRY_RETURN_IF_ERROR(Link());
    auto j = std::make_unique<TableRef>();
    j->kind = TableRef::Kind::kJoin;
    j->join = TableRef::JoinType::kCross;
    j->pos = left->pos;
    INFERMETRY_ASSIGN_OR_RETURN(j->right, ParseFromItem());
    j->left = std::move(left);
    left = std::move(j);
  }
  return left;
}

Result<std::unique_ptr<TableRef>> Parser::ParseFromItem() {
  INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<TableRef> left, ParseTablePrimary());
  for (;;) {
    TableRef::JoinType type;
    const Token& kw = Peek();
    if (AtKw("natural")) {
      return Unsupported(kw, "NATURAL JOIN", "Name the join columns with USING (...).");
    }
    if (AtKw("cross")) {
      Next();
      INFERMETRY_RETURN_IF_ERROR(ExpectKw("join", "JOIN after CROSS"));
      type = TableRef::JoinType::kCross;
    } else if (AtKw("join") || AtKw("inner")) {
      if (Next().text == "inner") {
        INFERMETRY_RETURN_IF_ERROR(ExpectKw("join", "JOIN after INNER"));
      }
      type = TableRef::JoinType::kInner;
    } else if (AtKw("left") || AtKw("right") || AtKw("full")) {
      std::string w = Next().text;
      AcceptKw("outer");
      INFERMETRY_RETURN_IF_ERROR(ExpectKw("join", "JOIN after LEFT, RIGHT or FULL [OUTER]"));
      type = w == "left"    ? TableRef::JoinType::kLeft
             : w == "right" ? TableRef::JoinType::kRight
                            : TableRef::JoinType::kFull;
    } else {
      return left;
    }
    INFERMETRY_RETURN_IF_ERROR(Link());
    auto j = std::make_unique<TableRef>();
    j->kind = TableRef::Kind::kJoin;
    j->join = type;
    j->pos = left->pos;
    INFERMETRY_ASSIGN_OR_RETURN(j->right, ParseTablePrimary());
    j->left = std::move(left);
    if (type != TableRef::JoinType::kCross) {
      if (AcceptKw("on")) {
        INFERMETRY_ASSIGN_OR_RETURN(j->on, ParseExpr());
      } else if (AcceptKw("using")) {
        INFERMETRY_RETURN_IF_ERROR(ParseNameList(&j->using_columns, "join column name"));
      } else {
        const Token& t = Peek();
        std::string msg = t.kind == TokenKind::kEnd ? "syntax error at end of input"
                                                    : "syntax error at or near \"" + Raw(t) + "\"";
        return Error(t.pos, msg,
                     "A JOIN needs ON <condition> or USING (<columns>); use CROSS JOIN for "
                     "every pair of rows.");
      }
    }
    left = std::move(j);
  }
}

Result<std::unique_ptr<TableRef>> Parser::ParseTablePrimary() {
  const Token& t = Peek();
  auto ref = std::make_unique<TableRef>();
  ref->pos = t.pos;
  if (AtOp("(")) {
    INFERMETRY_SQL_ENTER(this);
    if (AtKw("values", 1) && AtOp("(", 2)) {
      return Unsupported(Peek(1), "VALUES",
                         "Use SELECT ... UNION ALL SELECT ... for constant rows.");
    }
    if (ParenHoldsQuery(i_)) {
      INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
      ref->kind = TableRef::Kind::kSubquery;
      INFERMETRY_ASSIGN_OR_RETURN(ref->subquery, ParseQuery());
      INFERMETRY_RETURN_IF_ERROR(CloseParen("the subquery"));
      INFERMETRY_RETURN_IF_ERROR(ParseTableAlias(ref.get()));
      return ref;
    }
    INFERMETRY_RETURN_IF_ERROR(OpenParen("("));
    INFERMETRY_ASSIGN_OR_RETURN(std::unique_ptr<TableRef> inner, ParseFromItem());
    INFERMETRY_RETURN_IF_ERROR(CloseParen("the parenthesized join"));
    if (AtKw("as") || AtName()) {
      return Unsupported(Peek(), "an alias for a parenthesized join",
                         "Alias the tables inside the parentheses instead.");
    }
    return inner;
  }
  if (AtKw("lateral")) {
    return Unsupported(t, "LATERAL", "Join with an aggregated subquery instead.");
  }
  if (AtKw("only")) Next();
  ref->kind = TableRef::Kind::kTable;
  INFERMETRY_ASSIGN_OR_RETURN(ref->name, ExpectName("a table name or a subquery in parentheses"));
  // schema.table and catalog.schema.table: the qualifiers are accepted and dropped.
  for (int k = 0; k < 2 && AtOp("."); ++k) {
    Next();
    INFERMETRY_ASSIGN_OR_RETURN(ref->name, ExpectName("a table name after \".\"", true));
  }
  if (AtOp("(")) {
    return Unsupported(t, "a function in FROM (\"" + ref->name + "(...)\")",
                       "Select from a stream (a table) or a subquery.");
  }
  if (AtKw("tablesample")) return Unsupported(Peek(), "TABLESAMPLE");
  INFERMETRY_RETURN_IF_ERROR(ParseTableAlias(ref.get()));
  return ref;
}

Status Parser::ParseTableAlias(TableRef* ref) {
  if (AcceptKw("as")) {
    INFERMETRY_ASSIGN_OR_RETURN(ref->alias, ExpectName("an alias after AS"));
  } else if (AtName()) {
    ref->alias = Next().text;
  } else {
    return Status::Ok();
  }
  if (AtOp("(")) return ParseNameList(&ref->column_aliases, "column alias");
  return Status::Ok();
}

Status Parser::ParseNameList(std::vector<std::string>* out, std::string_view what) {
  INFERMETRY_RETURN_IF_ERROR(OpenParen("( and a list of names"));
  do {
    INFERMETRY_ASSIGN_OR_RETURN(std::string name, ExpectName("a " + std::string(what)));
    out->push_back(std::move(name));
  } while (AcceptOp(","));
  return CloseParen("the list of names");
}

}  // namespace infermetry::sql::internal
