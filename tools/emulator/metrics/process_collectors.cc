#include "emulator/metrics/process_collectors.h"

#include <dirent.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "emulator/metrics/exposition.h"
#include "emulator/metrics/vllm_families.h"

namespace infermetry::emulator {
namespace {

const FamilySpec& Spec(FamilyId id) {
  for (const FamilySpec& s : AllFamilies()) {
    if (s.id == id) return s;
  }
  return AllFamilies().front();  // unreachable: every collector id has a row
}

void AppendHead(std::string* out, FamilyId id) {
  const FamilySpec& s = Spec(id);
  AppendHeader(out, ExposedName(s), "", s.help, FamilyTypeName(s.type));
}

void AppendScalar(std::string* out, FamilyId id, double v) {
  AppendHead(out, id);
  AppendSample(out, ExposedName(Spec(id)), "", "", v);
}

void AppendPerGeneration(std::string* out, FamilyId id, const double (&v)[3]) {
  AppendHead(out, id);
  std::string name = ExposedName(Spec(id));
  static const char* kGen[] = {"generation=\"0\"", "generation=\"1\"", "generation=\"2\""};
  for (int g = 0; g < 3; ++g) AppendSample(out, name, "", kGen[g], v[g]);
}

std::string ReadSmallFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ProcessSnapshot ReadProcessSnapshot() {
  ProcessSnapshot s;
  std::string stat = ReadSmallFile("/proc/self/stat");
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return s;
  // Fields after "(comm)": state is parts[0]; utime parts[11], stime parts[12],
  // starttime parts[19], vsize parts[20], rss parts[21] (man 5 proc, numbered from state).
  std::vector<std::string> parts;
  {
    std::istringstream fields(stat.substr(paren + 1));
    for (std::string f; fields >> f;) parts.push_back(f);
  }
  if (parts.size() < 22) return s;
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  double btime = 0;
  {
    std::istringstream lines(ReadSmallFile("/proc/stat"));
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("btime ", 0) == 0) btime = std::strtod(line.c_str() + 6, nullptr);
    }
  }
  s.virtual_memory_bytes = std::strtod(parts[20].c_str(), nullptr);
  s.resident_memory_bytes = std::strtod(parts[21].c_str(), nullptr) * page;
  s.start_time_seconds = std::strtod(parts[19].c_str(), nullptr) / ticks + btime;
  s.cpu_seconds = std::strtod(parts[11].c_str(), nullptr) / ticks +
                  std::strtod(parts[12].c_str(), nullptr) / ticks;

  s.max_fds = 1048576;
  {
    std::istringstream lines(ReadSmallFile("/proc/self/limits"));
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("Max open files", 0) != 0) continue;
      std::istringstream words(line.substr(std::strlen("Max open files")));
      std::string soft;
      words >> soft;
      char* end = nullptr;
      double v = std::strtod(soft.c_str(), &end);
      if (end != soft.c_str()) s.max_fds = v;
    }
  }
  if (DIR* dir = opendir("/proc/self/fd")) {
    int n = 0;
    while (dirent* e = readdir(dir)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) ++n;
    }
    closedir(dir);
    s.open_fds = n;
  }
  s.ok = true;
  return s;
}

ProcessSnapshot ModelledProcessSnapshot(double start_time, double now) {
  ProcessSnapshot s;
  s.ok = true;
  s.virtual_memory_bytes = 12453556224.0;
  s.resident_memory_bytes = 1107296256.0;
  // starttime has clock-tick (1/100 s) resolution.
  s.start_time_seconds = std::floor(start_time * 100) / 100;
  double elapsed = now > start_time ? now - start_time : 0;
  s.cpu_seconds = std::round((21.37 + 0.04 * elapsed) * 100) / 100;
  s.open_fds = 71;
  s.max_fds = 1048576;
  return s;
}

PythonGcSnapshot ModelledPythonGc(uint64_t activity) {
  // A vLLM API server has run a few hundred gen-0 collections after importing torch and
  // friends; request handling allocates steadily after that.
  PythonGcSnapshot g;
  double gen0 = 1874 + std::floor(static_cast<double>(activity) / 4);
  double gen1 = std::floor(gen0 / 10);
  double gen2 = 17 + std::floor(gen1 / 10);
  g.collections[0] = gen0;
  g.collections[1] = gen1;
  g.collections[2] = gen2;
  g.collected[0] = 18233 + gen0 * 23;
  g.collected[1] = 5921 + gen1 * 41;
  g.collected[2] = 3187 + gen2 * 150;
  return g;
}

void AppendCollectorFamilies(std::string* out, const PythonGcSnapshot& gc,
                             const ProcessSnapshot& process) {
  AppendPerGeneration(out, FamilyId::kPythonGcCollected, gc.collected);
  AppendPerGeneration(out, FamilyId::kPythonGcUncollectable, gc.uncollectable);
  AppendPerGeneration(out, FamilyId::kPythonGcCollections, gc.collections);
  AppendHead(out, FamilyId::kPythonInfo);
  AppendSample(out, "python_info", "",
               "implementation=\"CPython\",major=\"3\",minor=\"12\",patchlevel=\"3\","
               "version=\"3.12.3\"",
               1.0);
  if (!process.ok) return;
  AppendScalar(out, FamilyId::kProcessVirtualMemory, process.virtual_memory_bytes);
  AppendScalar(out, FamilyId::kProcessResidentMemory, process.resident_memory_bytes);
  AppendScalar(out, FamilyId::kProcessStartTime, process.start_time_seconds);
  AppendScalar(out, FamilyId::kProcessCpuSeconds, process.cpu_seconds);
  AppendScalar(out, FamilyId::kProcessOpenFds, process.open_fds);
  AppendScalar(out, FamilyId::kProcessMaxFds, process.max_fds);
}

}  // namespace infermetry::emulator
