#pragma once
// Server-sent events (the WHATWG "text/event-stream" format), parsed incrementally from the
// pieces a streaming HTTP client hands over, which may split lines and even "\r\n" pairs
// anywhere.
//
//   SseParser p;
//   p.Feed(piece, [&](const SseEvent& e) { Handle(e.data); });   // for every piece
//
// Lines end with "\n", "\r\n" or "\r". "field: value" lines set the event's fields (one space
// after the colon is dropped); several `data` lines are joined with "\n"; lines starting with
// ':' are comments; an empty line dispatches the event, unless it has no data (as browsers do).
// A leading UTF-8 byte order mark is skipped. Unknown fields are ignored. An event still open
// when the stream ends is not dispatched (Pending() says whether there is one).
//
// Thread-safety: none; one parser per stream.

#include <functional>
#include <string>
#include <string_view>

namespace infermetry::loadgen {

struct SseEvent {
  std::string event;  // "" when the stream did not name it ("message")
  std::string data;
  std::string id;
};

class SseParser {
 public:
  using Callback = std::function<void(const SseEvent&)>;

  void Feed(std::string_view bytes, const Callback& on_event);
  // True when an incomplete line or an undispatched event is held.
  bool Pending() const;
  size_t events() const { return events_; }

 private:
  void Line(std::string_view line, const Callback& on_event);

  std::string line_;  // the current line so far
  SseEvent current_;
  bool has_data_ = false;
  bool after_cr_ = false;  // the last byte was '\r': a following '\n' belongs to it
  bool started_ = false;   // past a possible byte order mark
  size_t events_ = 0;
};

}  // namespace infermetry::loadgen
