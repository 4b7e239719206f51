#pragma once
// prometheus_client's default-registry collectors, which lead a single-process vLLM /metrics:
// python_gc_* (GCCollector), python_info (PlatformCollector) and process_* (ProcessCollector).
// The emulator is a real process, so process_* can be this process's own figures, read from
// /proc/self the way ProcessCollector reads them; the Python figures are modelled.
//
// Thread-safety: functions are reentrant.

#include <cstdint>
#include <string>
#include <string_view>

namespace infermetry::emulator {

struct ProcessSnapshot {
  bool ok = false;  // false: /proc unreadable, the process_* families are omitted (as the
                    // client omits them when reading fails)
  double virtual_memory_bytes = 0;
  double resident_memory_bytes = 0;
  double start_time_seconds = 0;
  double cpu_seconds = 0;
  double open_fds = 0;
  double max_fds = 0;
};

// This process's figures: /proc/self/stat (vsize, rss * page size, starttime / ticks + btime
// from /proc/stat, utime + stime / ticks), the number of entries in /proc/self/fd (counted
// while the directory is open, as os.listdir counts its own descriptor) and the soft
// "Max open files" limit of /proc/self/limits.
ProcessSnapshot ReadProcessSnapshot();

// Plausible figures of a vLLM API server process that started at `start_time` and has used
// CPU steadily since, at wall time `now` (deterministic; for simulated clocks and tests).
ProcessSnapshot ModelledProcessSnapshot(double start_time, double now);

// The interpreter's garbage collector counters (gc.get_stats() per generation), modelled as
// growing with `activity` (engine steps and HTTP requests seen so far).
struct PythonGcSnapshot {
  double collected[3] = {};
  double uncollectable[3] = {};
  double collections[3] = {};
};
PythonGcSnapshot ModelledPythonGc(uint64_t activity);

// Appends the collector families in the registry's order: python_gc_objects_collected_total,
// python_gc_objects_uncollectable_total, python_gc_collections_total, python_info (CPython
// 3.12.3, the interpreter line of vLLM's container images), then (if
// `process.ok`) process_virtual_memory_bytes, process_resident_memory_bytes,
// process_start_time_seconds, process_cpu_seconds_total, process_open_fds, process_max_fds.
// None has a `_created` series.
void AppendCollectorFamilies(std::string* out, const PythonGcSnapshot& gc,
                             const ProcessSnapshot& process);

}  // namespace infermetry::emulator
