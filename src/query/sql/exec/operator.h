#pragma once
// Physical operators: a tree pulled batch by batch (Next), each node reporting what it is
// (Describe, for EXPLAIN) and, after running, its rows and time (EXPLAIN ANALYZE).
//
// Batches flowing between operators may hold columns with no rows while num_rows > 0: columns
// of a scanned table the query never reads. Operators that move rows leave those empty.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "query/sql/column.h"
#include "query/sql/exec/bound.h"
#include "query/sql/exec/functions.h"
#include "query/sql/exec/limits.h"
#include "query/sql/table.h"

namespace infermetry::sql::exec {

class Operator {
 public:
  virtual ~Operator() = default;
  // Opens the children, then this operator.
  Status Open(ExecContext* ctx);
  // The next non-empty batch; false at the end. Checks the deadline and cancel flag.
  Result<bool> Next(Batch* out);
  virtual std::string Describe() const = 0;

  std::vector<std::unique_ptr<Operator>> children;
  size_t rows_out = 0;
  double seconds = 0;

 protected:
  virtual Status OpenImpl() { return Status::Ok(); }
  virtual Result<bool> NextImpl(Batch* out) = 0;
  ExecContext* ctx_ = nullptr;
};
using OperatorPtr = std::unique_ptr<Operator>;

// Reads a table; produces every schema column (unread ones empty).
class ScanOp : public Operator {
 public:
  ScanOp(std::string name, std::shared_ptr<Table> table);
  std::string Describe() const override;
  std::shared_ptr<Table> table;
  std::string name;
  std::vector<bool> used;  // per schema column
  ScanRequest request;

 protected:
  Status OpenImpl() override;
  Result<bool> NextImpl(Batch* out) override;

 private:
  std::unique_ptr<BatchReader> reader_;
};

// One row, no columns: SELECT without FROM.
class OneRowOp : public Operator {
 public:
  std::string Describe() const override { return "Result"; }

 protected:
  Result<bool> NextImpl(Batch* out) override;

 private:
  bool done_ = false;
};

class FilterOp : public Operator {
 public:
  FilterOp(OperatorPtr child, BExprPtr pred);
  std::string Describe() const override;
  BExprPtr pred;

 protected:
  Result<bool> NextImpl(Batch* out) override;
};

class ProjectOp : public Operator {
 public:
  ProjectOp(OperatorPtr child, std::vector<BExprPtr> exprs);
  std::string Describe() const override;
  std::vector<BExprPtr> exprs;

 protected:
  Result<bool> NextImpl(Batch* out) override;

 private:
  std::vector<bool> moves_;  // per expression: a bare column moved from the input (set on first use)
};

class LimitOp : public Operator {
 public:
  LimitOp(OperatorPtr child, std::optional<int64_t> limit, int64_t offset);
  std::string Describe() const override;

 protected:
  Result<bool> NextImpl(Batch* out) override;

 private:
  std::optional<int64_t> limit_;
  int64_t offset_;
  int64_t skipped_ = 0, emitted_ = 0;
};

// Drops repeated rows (all columns; NULLs equal).
class DistinctOp : public Operator {
 public:
  explicit DistinctOp(OperatorPtr child);
  ~DistinctOp() override;
  std::string Describe() const override { return "HashDistinct"; }

 protected:
  Result<bool> NextImpl(Batch* out) override;

 private:
  std::unique_ptr<struct DistinctState> state_;
};

struct AggSpec {
  const FunctionDef* fn = nullptr;
  BExprPtr arg;     // null for count(*)
  BExprPtr filter;  // FILTER (WHERE ...), may be null
  bool distinct = false;
  AggOptions opts;
  std::string display;
};

// GROUP BY: output columns are the keys, then the aggregates. With no keys, one row even
// for empty input.
class HashAggregateOp : public Operator {
 public:
  HashAggregateOp(OperatorPtr child, std::vector<BExprPtr> keys, std::vector<AggSpec> aggs);
  ~HashAggregateOp() override;
  std::string Describe() const override;

 protected:
  Status OpenImpl() override;
  Result<bool> NextImpl(Batch* out) override;

 private:
  Status Consume(const Batch& b);
  std::vector<BExprPtr> keys_;
  std::vector<AggSpec> aggs_;
  std::unique_ptr<struct AggState> st_;
};

struct SortKey {
  size_t column;
  bool desc = false;
  bool nulls_first = false;
};

class SortOp : public Operator {
 public:
  SortOp(OperatorPtr child, std::vector<SortKey> keys, std::vector<std::string> names);
  std::string Describe() const override;

 protected:
  Status OpenImpl() override;
  Result<bool> NextImpl(Batch* out) override;

 private:
  std::vector<SortKey> keys_;
  std::vector<std::string> names_;
  Batch sorted_;
  size_t pos_ = 0;
  std::unique_ptr<MemoryReservation> mem_;
};

enum class JoinKind { kInner, kLeft, kRight, kFull, kCross };

// Output: the left child's columns, then the right child's.
class JoinOp : public Operator {
 public:
  JoinOp(OperatorPtr left, OperatorPtr right, JoinKind kind, std::vector<BExprPtr> left_keys,
         std::vector<BExprPtr> right_keys, BExprPtr residual, std::vector<Type> left_types,
         std::vector<Type> right_types);
  ~JoinOp() override;
  std::string Describe() const override;

 protected:
  Status OpenImpl() override;
  Result<bool> NextImpl(Batch* out) override;

 private:
  Status Build();
  Status ProbeBatch(const Batch& left, Batch* out);
  JoinKind kind_;
  std::vector<BExprPtr> left_keys_, right_keys_;
  BExprPtr residual_;
  std::vector<Type> left_types_, right_types_;
  std::unique_ptr<struct JoinState> st_;
};

enum class SetOpKind { kUnionAll, kUnion, kIntersect, kExcept };

class SetOp : public Operator {
 public:
  SetOp(OperatorPtr left, OperatorPtr right, SetOpKind kind);
  ~SetOp() override;
  std::string Describe() const override;

 protected:
  Status OpenImpl() override;
  Result<bool> NextImpl(Batch* out) override;

 private:
  SetOpKind kind_;
  std::unique_ptr<struct SetOpState> st_;
};

// EXPLAIN's text: one node per line, children indented; with `analyze`, rows and time.
std::string ExplainTree(const Operator& root, bool analyze);

}  // namespace infermetry::sql::exec
