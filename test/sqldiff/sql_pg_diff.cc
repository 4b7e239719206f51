// sql_pg_diff: the SQL engine against a real PostgreSQL on the same rows. Generates tables and
// a few hundred queries from a seed, runs every query in infermetry (in-memory tables) and in
// PostgreSQL (one psql session; connection from PGHOST/PGPORT/PGUSER/PGDATABASE), and compares
// the answers (compare.h). Prints a summary and every mismatch with its query.
//
//   sql_pg_diff [--seed N] [--queries N] [--rows N] [--psql PATH] [--workdir DIR] [--only N]
//               [--verbose]
//
// Each query runs in its own child process, so a crash is reported as a mismatch of that query.
// Exit status: 0 all answers agree, 1 some differ, 2 the comparison could not run.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "compare.h"
#include "dataset.h"
#include "pg_runner.h"
#include "query/sql/engine.h"
#include "query/sql/exec/memory_table.h"
#include "query_gen.h"

namespace {

using namespace infermetry;
using namespace infermetry::sqldiff;

struct Flags {
  uint64_t seed = 1;
  int queries = 400;
  int rows = 300;
  std::string psql = "psql";
  std::string workdir;
  bool verbose = false;
  long only = -1;  // run only this query (by its number)
};

int Usage(const char* msg) {
  std::fprintf(stderr, "sql_pg_diff: %s\nusage: sql_pg_diff [--seed N] [--queries N] [--rows N] [--psql PATH] "
               "[--workdir DIR] [--only N] [--verbose]\n", msg);
  return 2;
}

bool ParseFlags(int argc, char** argv, Flags* f, std::string* err) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--verbose") {
      f->verbose = true;
      continue;
    }
    if (i + 1 >= argc) {
      *err = a + " needs a value";
      return false;
    }
    const std::string v = argv[++i];
    char* end = nullptr;
    if (a == "--seed") {
      f->seed = std::strtoull(v.c_str(), &end, 10);
    } else if (a == "--queries") {
      f->queries = static_cast<int>(std::strtol(v.c_str(), &end, 10));
    } else if (a == "--rows") {
      f->rows = static_cast<int>(std::strtol(v.c_str(), &end, 10));
    } else if (a == "--only") {
      f->only = std::strtol(v.c_str(), &end, 10);
    } else if (a == "--psql") {
      f->psql = v;
      continue;
    } else if (a == "--workdir") {
      f->workdir = v;
      continue;
    } else {
      *err = "unknown flag " + a;
      return false;
    }
    if (end == v.c_str() || *end != '\0') {
      *err = a + ": not a number: " + v;
      return false;
    }
  }
  if (f->queries < 1 || f->rows < 10) {
    *err = "--queries must be at least 1 and --rows at least 10";
    return false;
  }
  return true;
}

void PrintRows(const char* who, const std::vector<std::vector<std::string>>& rows) {
  const size_t shown = std::min<size_t>(rows.size(), 6);
  std::printf("    %s: %zu row%s\n", who, rows.size(), rows.size() == 1 ? "" : "s");
  for (size_t r = 0; r < shown; ++r) {
    std::string line;
    for (size_t c = 0; c < rows[r].size(); ++c) line += (c ? " | " : "") + rows[r][c];
    std::printf("      %s\n", line.c_str());
  }
  if (shown < rows.size()) std::printf("      ...\n");
}

enum class Outcome { kAgree = 0, kDiffer = 1, kBothFail = 3 };

// Runs query `i` in infermetry and compares the answer with PostgreSQL's, printing a mismatch
// with its query. In a child process, so that a crash or a runaway query is one mismatch
// rather than the end of the run.
Outcome RunIsolated(sql::exec::MemoryCatalog& catalog, size_t i, const GenQuery& q, const PgResult& p,
                    bool verbose) {
  const pid_t pid = fork();
  if (pid == 0) {
    alarm(120);
    sql::QueryOptions opts;
    opts.timeout = std::chrono::seconds(20);
    Result<sql::QueryResult> ours = sql::ExecuteSql(q.sql, &catalog, opts);
    std::string why;
    if (SameAnswer(ours, p, &why)) {
      if (verbose) std::printf("ok #%zu [%s] %s\n", i, q.form.c_str(), q.sql.c_str());
      std::fflush(stdout);
      _exit(static_cast<int>(p.error ? Outcome::kBothFail : Outcome::kAgree));
    }
    std::printf("MISMATCH #%zu [%s] %s\n  %s;\n", i, q.form.c_str(), why.c_str(), q.sql.c_str());
    if (ours.ok() && !p.error) {
      std::vector<std::vector<std::string>> mine;
      for (const auto& row : ResultRows(*ours)) {
        std::vector<std::string> r;
        for (const sql::Value& v : row) r.push_back(PgText(v));
        mine.push_back(std::move(r));
      }
      PrintRows("PostgreSQL", p.rows);
      PrintRows("infermetry", mine);
    }
    std::fflush(stdout);
    _exit(static_cast<int>(Outcome::kDiffer));
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) {
    std::printf("MISMATCH #%zu [%s] could not run the query in a child process\n  %s;\n", i, q.form.c_str(),
                q.sql.c_str());
    return Outcome::kDiffer;
  }
  if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3)) {
    return static_cast<Outcome>(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    std::printf("MISMATCH #%zu [%s] infermetry crashed (%s)\n  %s;\n", i, q.form.c_str(),
                strsignal(WTERMSIG(status)), q.sql.c_str());
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 1) {
    std::printf("MISMATCH #%zu [%s] infermetry ended with status %d\n  %s;\n", i, q.form.c_str(),
                WIFEXITED(status) ? WEXITSTATUS(status) : -1, q.sql.c_str());
  }
  return Outcome::kDiffer;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  std::string err;
  if (!ParseFlags(argc, argv, &flags, &err)) return Usage(err.c_str());

  const Dataset ds = MakeDataset(flags.seed, flags.rows);
  sql::exec::MemoryCatalog catalog;
  if (Status st = LoadInto(ds, &catalog); !st.ok()) {
    std::fprintf(stderr, "sql_pg_diff: %s\n", st.message().c_str());
    return 2;
  }
  QueryGen gen(flags.seed, &ds);
  std::vector<GenQuery> queries;
  std::vector<std::string> texts;
  for (int i = 0; i < flags.queries; ++i) {
    queries.push_back(gen.Next());
    texts.push_back(queries.back().sql);
  }

  std::string workdir = flags.workdir;
  bool remove_workdir = false;
  if (workdir.empty()) {
    char tmpl[] = "/tmp/sql_pg_diff.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return Usage("cannot create a temporary directory");
    workdir = tmpl;
    remove_workdir = true;
  } else {
    std::filesystem::create_directories(workdir);
  }
  Result<std::vector<PgResult>> pg = RunPsql(flags.psql, workdir, PostgresSetupScript(ds), texts);
  if (remove_workdir) std::filesystem::remove_all(workdir);
  if (!pg.ok()) {
    std::fprintf(stderr, "sql_pg_diff: %s\n", pg.status().message().c_str());
    return 2;
  }

  struct Tally {
    int total = 0, agree = 0, rows = 0, errors = 0;
  };
  std::map<std::string, Tally> by_form;
  int mismatches = 0, pg_rejected_generated = 0, generated = 0;
  size_t rows_compared = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const PgResult& p = (*pg)[i];
    Tally& t = by_form[queries[i].form];
    ++t.total;
    if (queries[i].form != "error") {
      ++generated;
      pg_rejected_generated += p.error;
    }
    if (flags.only >= 0 && static_cast<size_t>(flags.only) != i) continue;
    std::fflush(stdout);
    const Outcome o = RunIsolated(catalog, i, queries[i], p, flags.verbose);
    if (o == Outcome::kAgree || o == Outcome::kBothFail) {
      ++t.agree;
      if (o == Outcome::kBothFail) {
        ++t.errors;
      } else {
        t.rows += static_cast<int>(p.rows.size());
        rows_compared += p.rows.size();
      }
      continue;
    }
    ++mismatches;
  }

  std::printf("\nsql_pg_diff: seed %llu, tables m/e/h with %zu/%zu/%zu rows, %zu queries\n",
              static_cast<unsigned long long>(flags.seed), ds.table("m").rows.size(), ds.table("e").rows.size(),
              ds.table("h").rows.size(), queries.size());
  std::printf("  %-10s %7s %7s %12s %13s\n", "form", "queries", "agree", "rows equal", "both errors");
  for (const auto& [form, t] : by_form) {
    std::printf("  %-10s %7d %7d %12d %13d\n", form.c_str(), t.total, t.agree, t.rows, t.errors);
  }
  std::printf("  %zu result rows compared; %d mismatch%s\n", rows_compared, mismatches, mismatches == 1 ? "" : "es");
  // A generator whose queries PostgreSQL mostly rejects would compare nothing.
  if (pg_rejected_generated * 10 > generated) {
    std::printf("PostgreSQL rejected %d of %d generated queries (more than 10%%): the generator is off\n",
                pg_rejected_generated, generated);
    return 2;
  }
  return mismatches == 0 ? 0 : 1;
}
