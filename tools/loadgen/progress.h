#pragma once
// A one-line progress display for a terminal: redrawn in place with '\r', e.g.
//   [##########----------]  512/1000   51%  24.8 req/s  errors 3  0:20
// or, when the run is bounded by time only,
//   [######--------------]  512 req  0:20/1:00  24.8 req/s  errors 3
//
// Thread-safety: none; one thread draws (Run's progress thread).

#include <cstdint>
#include <cstdio>
#include <string>

namespace infermetry::loadgen {

struct ProgressState {
  int64_t done = 0;
  int64_t total = 0;    // 0 = unbounded by count
  double elapsed = 0;   // seconds
  double duration = 0;  // 0 = unbounded by time
  int64_t errors = 0;
};

// The line for `s`, `width` columns at most, without '\r' or newline.
std::string FormatProgress(const ProgressState& s, int width = 80);

class ProgressBar {
 public:
  explicit ProgressBar(std::FILE* out) : out_(out) {}
  // Redraws the line.
  void Draw(const ProgressState& s);
  // Ends the line (a newline after the last drawing), once.
  void Finish();

 private:
  std::FILE* out_;
  bool drawn_ = false;
};

}  // namespace infermetry::loadgen
