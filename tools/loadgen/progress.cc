#include "loadgen/progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace infermetry::loadgen {
namespace {

std::string Clock(double seconds) {
  const int64_t s = static_cast<int64_t>(std::max(0.0, seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

std::string FormatProgress(const ProgressState& s, int width) {
  double fraction = 0;
  if (s.total > 0) {
    fraction = static_cast<double>(s.done) / static_cast<double>(s.total);
  } else if (s.duration > 0) {
    fraction = s.elapsed / s.duration;
  }
  fraction = std::clamp(fraction, 0.0, 1.0);
  const double rate = s.elapsed > 0 ? static_cast<double>(s.done) / s.elapsed : 0;
  std::string tail;
  if (s.total > 0) {
    tail = fmt::format(" {:>{}}/{} {:>3.0f}% {:6.1f} req/s  errors {}  {}", s.done,
                       std::to_string(s.total).size(), s.total, fraction * 100, rate, s.errors,
                       Clock(s.elapsed));
  } else {
    tail = fmt::format(" {} req  {}/{} {:6.1f} req/s  errors {}", s.done, Clock(s.elapsed),
                       Clock(s.duration), rate, s.errors);
  }
  const int bar = std::clamp(width - static_cast<int>(tail.size()) - 2, 10, 40);
  const int filled = static_cast<int>(std::round(fraction * bar));
  std::string line = "[" + std::string(filled, '#') + std::string(bar - filled, '-') + "]" + tail;
  if (static_cast<int>(line.size()) > width) line.resize(static_cast<size_t>(std::max(width, 0)));
  return line;
}

void ProgressBar::Draw(const ProgressState& s) {
  // "\x1b[K" clears what a longer previous line left behind.
  std::string line = "\r" + FormatProgress(s) + "\x1b[K";
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (!drawn_) return;
  std::fputc('\n', out_);
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace infermetry::loadgen
