#include "pg_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

extern char** environ;

namespace infermetry::sqldiff {
namespace {

int CountLines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// Runs argv with stdout and stderr into files; returns the exit status.
Result<int> Spawn(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return Unavailable("cannot run " + argv[0] + ": " + std::string(strerror(rc)));
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return Internal("waitpid failed");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> Split(const std::string& line, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t p = line.find(sep, start);
    if (p == std::string::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, p - start));
    start = p + 1;
  }
}

}  // namespace

Result<std::vector<PgResult>> RunPsql(const std::string& psql, const std::string& workdir, const std::string& setup,
                                      const std::vector<std::string>& queries) {
  std::string script =
      "SET client_min_messages = warning;\nSET statement_timeout = '20s';\nSET TimeZone = 'UTC';\n"
      "SET DateStyle = 'ISO, MDY';\nSET extra_float_digits = 1;\n";
  script += setup;
  script += "\\echo @@SETUP\n";
  const int setup_lines = CountLines(script);
  std::map<int, size_t> query_at_line;  // 1-based script line -> query index
  for (size_t i = 0; i < queries.size(); ++i) {
    if (queries[i].find('\n') != std::string::npos) return InvalidArgument("query " + std::to_string(i) + " spans lines");
    script += "\\echo @@Q " + std::to_string(i) + "\n";
    query_at_line[CountLines(script) + 1] = i;
    script += queries[i] + ";\n\\echo @@E " + std::to_string(i) + " :ERROR\n";
  }
  const std::string path = workdir + "/script.sql", out = workdir + "/out.txt", err = workdir + "/err.txt";
  {
    std::ofstream f(path);
    f << script;
    if (!f) return IoError("cannot write " + path);
  }
  INFERMETRY_ASSIGN_OR_RETURN(
      int rc, Spawn({psql, "-X", "-q", "-A", "-t", "-F", std::string(1, kFieldSep), "-P", std::string("null=") + kNullText,
                     "-P", "pager=off", "-v", "ON_ERROR_STOP=0", "-f", path},
                    out, err));
  std::vector<PgResult> results(queries.size());
  // Errors, by the script line psql names ("psql:<file>:<line>: ERROR:  <message>").
  std::ifstream ef(err);
  std::string line;
  while (std::getline(ef, line)) {
    const size_t e = line.find(": ERROR:");
    if (line.rfind("psql:", 0) != 0 || e == std::string::npos) continue;
    const size_t colon = line.rfind(':', e - 1);
    const int at = std::atoi(line.c_str() + colon + 1);
    if (at <= setup_lines) return Internal("PostgreSQL rejected the setup: " + line);
    auto it = query_at_line.find(at);
    if (it != query_at_line.end() && results[it->second].message.empty()) {
      results[it->second].message = line.substr(e + 2);
    }
  }
  std::ifstream of(out);
  bool setup_done = false;
  long current = -1;
  size_t seen = 0;
  while (std::getline(of, line)) {
    if (!setup_done) {
      setup_done = line == "@@SETUP";
      continue;
    }
    if (line.rfind("@@Q ", 0) == 0) {
      current = std::atol(line.c_str() + 4);
      continue;
    }
    if (line.rfind("@@E ", 0) == 0) {
      std::istringstream in(line.substr(4));
      long idx;
      std::string flag;
      in >> idx >> flag;
      if (idx != current || idx < 0 || static_cast<size_t>(idx) >= results.size()) {
        return Internal("psql output out of step at \"" + line + "\"");
      }
      results[static_cast<size_t>(idx)].error = flag == "true";
      current = -1;
      ++seen;
      continue;
    }
    if (current < 0) return Internal("unexpected psql output: \"" + line + "\"");
    results[static_cast<size_t>(current)].rows.push_back(Split(line, kFieldSep));
  }
  if (!setup_done || seen != queries.size()) {
    std::ifstream ef2(err);
    std::string first;
    std::getline(ef2, first);
    return Internal("psql (exit " + std::to_string(rc) + ") answered " + std::to_string(seen) + " of " +
                    std::to_string(queries.size()) + " queries; stderr: " + first);
  }
  for (PgResult& r : results) {
    if (r.error) r.rows.clear();
    if (r.error && r.message.empty()) r.message = "ERROR (message not captured)";
  }
  return results;
}

}  // namespace infermetry::sqldiff
